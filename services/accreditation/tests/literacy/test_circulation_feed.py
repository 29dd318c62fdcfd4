"""Circulation's figures as its service emits them today.

``circulation.stats.daily`` from the circulation service carries loans per branch and province-wide
memberships, but no visits and no city: loans are kept per branch (the city comes from the branch
table, filled from the catalogue's API), memberships stand for the province, and UPLM4 (visits) is
reported missing until visits are reported or entered.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from accreditation.literacy.events import handlers
from pusip_kit.events import Event, deliver_event
from pusip_kit.testing.service import ServiceClient

from ..helpers import OFFICER

YEAR = 2025


async def deliver(client: ServiceClient, payload: dict[str, Any]) -> None:
    event = Event(
        uuid.uuid4(), "circulation.stats.daily", datetime.now(UTC), "circulation", payload["date"], payload
    )
    result = await deliver_event(client.sessionmaker, handlers, event)
    assert result.ok, result.failed


async def test_circulation_aggregate_payload(client: ServiceClient) -> None:
    officer = client.bearer(**OFFICER)
    for day, cikini, koja, members in (("2025-12-30", 40, 10, 51_000), ("2025-12-31", 60, 30, 52_000)):
        await deliver(
            client,
            {
                "date": day,
                "loans_by_branch": {"cikini": cikini, "koja": koja},
                "loans": cikini + koja,
                "returns_by_branch": {"cikini": 5},
                "borrowing_members": 20,
                "active_memberships": members,
                "new_members": 3,
            },
        )
    unknown = (await client.get("/literacy/circulation", params={"year": YEAR}, headers=officer)).json()
    assert unknown == [
        {
            "city": None,
            "year": YEAR,
            "branches": 0,
            "days": 0,
            "visits": 0,
            "visits_per_day": None,
            "loans": None,
            "active_members": 52_000,
        }
    ]

    # Branch cities set by hand (or synced from the catalogue: tests/cross_service).
    for code, city in (("cikini", "jakarta-pusat"), ("koja", "jakarta-utara")):
        response = await client.put(f"/literacy/branches/{code}", json={"city": city}, headers=officer)
        assert response.status_code == 200, response.text
    summary = {
        c["city"]: c
        for c in (await client.get("/literacy/circulation", params={"year": YEAR}, headers=officer)).json()
    }
    assert (summary["jakarta-pusat"]["loans"], summary["jakarta-pusat"]["visits_per_day"]) == (100, None)
    assert summary["jakarta-utara"]["loans"] == 40

    # A corrected city applies to the figures already received.
    moved = await client.put("/literacy/branches/koja", json={"city": "jakarta-timur"}, headers=officer)
    assert moved.json()["source"] == "manual"

    for city, population in (("jakarta-pusat", 1_000_000), ("jakarta-timur", 1_000_000)):
        await client.put(
            f"/literacy/populations/{YEAR}/{city}", json={"population": population}, headers=officer
        )
    computed = (await client.get("/literacy/iplm/preview", params={"year": YEAR}, headers=officer)).json()
    missing = {(m["area"], m["what"]) for m in computed["missing"]}
    assert {("jakarta-pusat", "UPLM4"), ("jakarta-timur", "UPLM4"), ("jakarta-pusat", "UPLM7")} <= missing
    province = computed["province"]["inputs"]
    assert province["UPLM7"] == {
        "value": "52000.00",
        "source": "circulation.active_members (province-wide)",
        "note": None,
    }
    assert province["UPLM4"]["source"] == "sum of cities"


async def test_per_branch_payload_fills_visits_and_keeps_unplaced_members(client: ServiceClient) -> None:
    """The shape circulation emits since visits are recorded: a city per branch, visits where a
    gate or desk counted them, and a province-wide entry that also counts members without a home
    branch — so the province's UPLM7 is that figure, not the (smaller) sum of the cities."""
    officer = client.bearer(**OFFICER)
    for day, visits in (("2025-12-30", 120), ("2025-12-31", 80)):
        await deliver(
            client,
            {
                "date": day,
                "branches": [
                    {
                        "branch": "cikini",
                        "city": "jakarta-pusat",
                        "loans": 30,
                        "active_members": 700,
                        "visits": visits,
                    },
                    {"branch": "koja", "city": "jakarta-utara", "loans": 10, "active_members": 200},
                    {"branch": "*", "active_members": 1_000},
                ],
            },
        )
    for city in ("jakarta-pusat", "jakarta-utara"):
        await client.put(
            f"/literacy/populations/{YEAR}/{city}", json={"population": 500_000}, headers=officer
        )
    computed = (await client.get("/literacy/iplm/preview", params={"year": YEAR}, headers=officer)).json()
    missing = {(m["area"], m["what"]) for m in computed["missing"]}
    assert ("jakarta-pusat", "UPLM4") not in missing and ("jakarta-utara", "UPLM4") in missing
    areas = {a["area"]: a for a in computed["cities"]}
    assert areas["jakarta-pusat"]["inputs"]["UPLM4"]["value"] == "100.00"  # (120 + 80) / 2 days
    assert areas["jakarta-pusat"]["inputs"]["UPLM7"]["value"] == "700.00"
    assert areas["jakarta-utara"]["inputs"]["UPLM7"]["value"] == "200.00"
    assert computed["province"]["inputs"]["UPLM7"] == {
        "value": "1000.00",
        "source": "circulation.active_members (province-wide)",
        "note": None,
    }
