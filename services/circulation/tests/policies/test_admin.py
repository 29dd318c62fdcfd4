"""Policies as data: versioned rule sets edited by administrators, calendars and closures."""

from __future__ import annotations

from typing import Any

from pusip_kit.testing.service import ServiceClient

from ..helpers import ADMIN, LIBRARIAN, import_holidays, reason_codes


def rule_set(version: str = "2026.1", **extra: Any) -> dict[str, Any]:
    return {
        "version": version,
        "rules": [
            {"loan_days": 14, "max_loans": 5},
            {"patron_category": "pelajar", "max_loans": 3},
            {"branch": "tebet", "loan_days": 7},
        ],
        **extra,
    }


async def test_rule_set_lifecycle(client: ServiceClient) -> None:
    admin = client.bearer(**ADMIN)
    assert (
        await client.post("/rule-sets", json=rule_set(), headers=client.bearer(**LIBRARIAN))
    ).status_code == 403
    created = await client.post("/rule-sets", json=rule_set(), headers=admin)
    assert created.status_code == 201 and created.json()["status"] == "draft"
    assert (await client.post("/rule-sets", json=rule_set(), headers=admin)).status_code == 409
    no_default = rule_set("x", rules=[{"patron_category": "anak"}])
    assert reason_codes(await client.post("/rule-sets", json=no_default, headers=admin)) == [
        "refuse_when_no_default_rule"
    ]
    duplicate = rule_set("y", rules=[{}, {}])
    assert reason_codes(await client.post("/rule-sets", json=duplicate, headers=admin)) == [
        "refuse_when_rules_duplicate"
    ]
    assert (
        await client.post("/rule-sets", json=rule_set("z", rules=[{"loan_days": 0}]), headers=admin)
    ).status_code == 422
    # No rule set in force yet: check-outs cannot be decided.
    missing = await client.get(
        "/rule-sets/active/resolve",
        params={"patron_category": "umum", "material_type": "buku", "branch": "cikini"},
    )
    assert missing.status_code == 503
    edited = await client.patch("/rule-sets/2026.1", json={"block_unpaid_fines": 20000}, headers=admin)
    assert edited.json()["block_unpaid_fines"] == 20000
    assert (await client.post("/rule-sets/2026.1/activate", headers=admin)).json()["status"] == "active"
    frozen = await client.patch("/rule-sets/2026.1", json={"description": "x"}, headers=admin)
    assert reason_codes(frozen) == ["refuse_when_rule_set_not_draft"]
    await import_holidays(client)

    async def resolve(**params: str) -> Any:
        response = await client.get("/rule-sets/active/resolve", params={"material_type": "buku", **params})
        assert response.status_code == 200, response.text
        return response.json()

    # Most specific wins: the branch's rule beats the category's.
    assert (await resolve(patron_category="pelajar", branch="cikini"))["rule"]["max_loans"] == 3
    tebet = await resolve(patron_category="pelajar", branch="tebet", on="2026-08-10")
    assert tebet["rule"]["loan_days"] == 7 and tebet["due_date"] == "2026-08-18"  # 17 August is a holiday
    # A new version retires the old one.
    await client.post("/rule-sets", json=rule_set("2026.2"), headers=admin)
    await client.post("/rule-sets/2026.2/activate", headers=admin)
    versions = {r["version"]: r["status"] for r in (await client.get("/rule-sets", headers=admin)).json()}
    assert versions == {"2026.1": "retired", "2026.2": "active"}
    assert (await client.get("/rule-sets/active")).json()["version"] == "2026.2"
    events = await client.outbox_events("circulation.rule_set.activated")
    assert [e["payload"]["version"] for e in events] == ["2026.1", "2026.2"]


async def test_calendars_and_closures(client: ServiceClient) -> None:
    admin, staff = client.bearer(**ADMIN), client.bearer(**LIBRARIAN)
    assert (
        await client.post("/closures/national-holidays", json={"year": 2026}, headers=staff)
    ).status_code == 403
    first = (await client.post("/closures/national-holidays", json={"year": 2026}, headers=admin)).json()
    assert first["created"] == 17 and first["skipped"] == 0
    second = (await client.post("/closures/national-holidays", json={"year": 2026}, headers=admin)).json()
    assert second == {"year": 2026, "created": 0, "skipped": 17}
    assert (
        await client.post("/closures/national-holidays", json={"year": 2031}, headers=admin)
    ).status_code == 404
    # A branch closes for stock-taking; the librarian records it for their branch.
    closure = await client.post(
        "/closures",
        json={"day": "2026-08-10", "name": "Cacah ulang koleksi", "branch": "tebet"},
        headers=staff,
    )
    assert closure.status_code == 201 and closure.json()["kind"] == "cabang"
    assert (
        await client.post(
            "/closures", json={"day": "2026-08-10", "name": "Lagi", "branch": "tebet"}, headers=staff
        )
    ).status_code == 409
    assert (
        await client.post("/closures", json={"day": "2026-08-11", "name": "Nasional"}, headers=staff)
    ).status_code == 403
    assert (
        await client.put("/calendars/tebet", json={"closed_weekdays": [7]}, headers=staff)
    ).status_code == 422
    calendar = await client.put("/calendars/tebet", json={"closed_weekdays": [6, 0, 6]}, headers=staff)
    assert calendar.json()["closed_weekdays"] == [0, 6]
    shown = (await client.get("/calendars/tebet", params={"year": 2026})).json()
    assert len(shown["closures"]) == 18
    due = await client.get("/calendars/tebet/due-date", params={"from": "2026-08-03", "days": 7})
    assert due.json()["due_date"] == "2026-08-11"  # Monday the 10th is closed (Mondays, and stock-taking)
    removed = await client.delete(f"/closures/{closure.json()['id']}", headers=staff)
    assert removed.status_code == 204
