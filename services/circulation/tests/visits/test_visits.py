"""Visits recorded at a branch (unique patrons per day, anonymous gate counts), visit and member-per-city
statistics, and the daily event's per-branch entries the literacy indicators (IPLM) read."""

from __future__ import annotations

from datetime import UTC, date, datetime

from circulation import clock
from circulation.tasks import PERIODIC, handlers
from pusip_kit.events import deliver_event
from pusip_kit.testing.service import ServiceClient

from ..helpers import LIBRARIAN, T0, catalog_event, checkout, counter_patron, seed_item, setup_library


async def set_city(client: ServiceClient, code: str, city: str) -> None:
    payload = {"code": code, "name": f"Perpustakaan {code}", "city": city, "active": True,
               "updated_at": datetime(2026, 1, 6, tzinfo=UTC).isoformat()}  # fmt: skip
    result = await deliver_event(
        client.sessionmaker, handlers, catalog_event("catalog.branch.updated", payload, at=T0)
    )
    assert result.ok, result.failed


async def visit(client: ServiceClient, headers: dict[str, str], **body: object) -> dict[str, object]:
    response = await client.post("/visits", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_visits_members_per_city_and_daily_event(client: ServiceClient) -> None:
    await setup_library(client)
    await set_city(client, "cikini", "jakarta-pusat")
    await set_city(client, "kuningan", "jakarta-selatan")
    await set_city(client, "tebet", "jakarta-selatan")
    await seed_item(client, "V001")
    a = await counter_patron(client, home_branch="cikini")
    b = await counter_patron(client, home_branch="tebet")
    c = await counter_patron(client, home_branch="kuningan")
    await counter_patron(client)  # no home branch: only in the province-wide count
    staff = client.bearer(**LIBRARIAN)
    gate = client.bearer(roles=["kiosk"], branches=["cikini"])
    with clock.frozen(date(2026, 11, 2)):
        first = await visit(client, gate, branch="cikini", patron=a["card_number"])
        assert first["counted"] is True and first["visits_today"] == 1 and first["day"] == "2026-11-02"
        again = await visit(client, gate, branch="cikini", patron=a["card_number"], source="kiosk")
        assert again["counted"] is False and again["visits_today"] == 1  # one patron, one visit a day
        crowd = await visit(client, gate, branch="cikini", visitors=5)
        assert crowd["visits_today"] == 6
        await visit(client, staff, branch="tebet", patron=a["card_number"], source="counter")
        await visit(client, staff, branch="tebet", patron=b["card_number"], source="counter")
        # A check-out alone records no visit: the gate/counter endpoint is the source.
        assert (await checkout(client, c["card_number"], "V001")).status_code == 201

        refused = await client.post("/visits", json={"branch": "tebet", "visitors": 2}, headers=gate)
        assert refused.status_code == 403
        unknown = await client.post("/visits", json={"branch": "atlantis"}, headers=staff)
        assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "branch_unknown"
        nobody = await client.post("/visits", json={"branch": "cikini", "patron": "999"}, headers=staff)
        assert nobody.status_code == 404 and nobody.json()["error"]["message_en"]
        both = await client.post(
            "/visits", json={"branch": "cikini", "patron": a["card_number"], "visitors": 3}, headers=staff
        )
        assert both.status_code == 400
        assert (
            await client.post("/visits", json={"branch": "cikini", "visitors": 0}, headers=staff)
        ).status_code == 422
        patron = client.bearer(roles=["patron"])
        assert (await client.post("/visits", json={"branch": "cikini"}, headers=patron)).status_code == 403
    with clock.frozen(date(2026, 11, 3)):
        await visit(client, gate, branch="cikini", patron=a["card_number"])  # a new day counts again
        rows = (await client.get("/stats/visits", params={"from": "2026-11-01"}, headers=staff)).json()[
            "rows"
        ]
        assert rows == [
            {"branch": "cikini", "day": "2026-11-02", "patrons": 1, "anonymous": 5, "visits": 6},
            {"branch": "tebet", "day": "2026-11-02", "patrons": 2, "anonymous": 0, "visits": 2},
            {"branch": "cikini", "day": "2026-11-03", "patrons": 1, "anonymous": 0, "visits": 1},
        ]
        cities = (await client.get("/stats/members-by-city", headers=staff)).json()
        assert cities["cities"] == {"jakarta-pusat": 1, "jakarta-selatan": 2}
        assert cities["unassigned"] == 1 and cities["total"] == 4
        assert (await client.get("/stats/members-by-city", headers=patron)).status_code == 403
        daily = PERIODIC["circulation.stats.emit_daily"][0]
        assert await daily(client.sessionmaker, client.settings) is True
    [event] = await client.outbox_events("circulation.stats.daily")
    payload = event["payload"]
    assert payload["date"] == "2026-11-02" and payload["visits"] == 8
    assert payload["visits_by_branch"] == {"cikini": 6, "tebet": 2}
    assert payload["members_by_city"] == {"jakarta-pusat": 1, "jakarta-selatan": 2}
    entries = {e["branch"]: e for e in payload["branches"]}
    assert entries["cikini"] == {
        "branch": "cikini", "city": "jakarta-pusat", "loans": 1, "titles_loaned": 1, "active_members": 1, "visits": 6,
    }  # fmt: skip
    assert entries["tebet"]["visits"] == 2 and entries["tebet"]["city"] == "jakarta-selatan"
    assert "visits" not in entries["kuningan"] and entries["kuningan"]["active_members"] == 1
    assert entries["*"] == {"branch": "*", "active_members": 4}
