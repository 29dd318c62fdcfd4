"""Statistics for dashboards and the daily event for accreditation's IPLM."""

from __future__ import annotations

from datetime import UTC, datetime

from circulation import clock
from circulation.tasks import PERIODIC
from pusip_kit.testing.service import ServiceClient

from ..helpers import LIBRARIAN, checkin, checkout, counter_patron, seed_item, setup_library


async def test_statistics_and_daily_event(client: ServiceClient) -> None:
    await setup_library(client)
    for n in range(4):
        await seed_item(
            client, f"B00{n}", record_id="rec-a" if n < 3 else "rec-b", title="Populer" if n < 3 else "Sepi"
        )
    a, b = await counter_patron(client), await counter_patron(client, category="pelajar", born="150310")
    # 23:30 UTC on 1 December is 06:30 on 2 December in Jakarta: the loan counts for the 2nd.
    with clock.frozen(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)):
        await checkout(client, a["card_number"], "B000")
        await checkout(client, b["card_number"], "B001", branch="tebet")
    with clock.frozen(datetime(2026, 12, 3, 3, 0, tzinfo=UTC)):
        await checkout(client, a["card_number"], "B002")
        await checkout(client, a["card_number"], "B003")
        await checkin(client, "B000", branch="tebet")
    staff = client.bearer(**LIBRARIAN)
    with clock.frozen(datetime(2026, 12, 4, 3, 0, tzinfo=UTC)):
        per_day = (
            await client.get(
                "/stats/loans-per-branch-day",
                params={"from": "2026-12-01", "to": "2026-12-04"},
                headers=staff,
            )
        ).json()
        assert per_day["rows"] == [
            {"branch": "cikini", "day": "2026-12-02", "loans": 1},
            {"branch": "tebet", "day": "2026-12-02", "loans": 1},
            {"branch": "cikini", "day": "2026-12-03", "loans": 2},
        ]
        top = (await client.get("/stats/top-titles", params={"from": "2026-12-01"}, headers=staff)).json()[
            "titles"
        ]
        assert [(t["record_id"], t["loans"]) for t in top] == [("rec-a", 3), ("rec-b", 1)]
        students = (
            await client.get("/stats/top-titles", params={"patron_category": "pelajar"}, headers=staff)
        ).json()
        assert [t["loans"] for t in students["titles"]] == [1]
        members = (
            await client.get("/stats/active-members", params={"from": "2026-12-01"}, headers=staff)
        ).json()
        # The returned loan is anonymised (no reading-history opt-in), yet the member still counts once.
        assert members["borrowing_members"] == 2 and members["active_memberships"] == 2
        assert (
            await client.get(
                "/stats/top-titles", params={"from": "2026-12-05", "to": "2026-12-01"}, headers=staff
            )
        ).status_code == 400
        assert (
            await client.get("/stats/top-titles", headers=client.bearer(roles=["patron"]))
        ).status_code == 403
        daily = PERIODIC["circulation.stats.emit_daily"][0]
        assert await daily(client.sessionmaker, client.settings) is True
        assert await daily(client.sessionmaker, client.settings) is False
    [event] = await client.outbox_events("circulation.stats.daily")
    assert event["payload"]["date"] == "2026-12-03"
    assert event["payload"]["loans_by_branch"] == {"cikini": 2}
    assert event["payload"]["returns_by_branch"] == {"tebet": 1}
