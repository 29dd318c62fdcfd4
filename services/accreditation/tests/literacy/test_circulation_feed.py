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
