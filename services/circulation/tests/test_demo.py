"""The demo loader creates the six patron categories, a rule set, the 2026 holidays and two
network-wide announcements once."""

from __future__ import annotations

from circulation.demo import load_demo_data
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work


async def test_demo_data_is_idempotent(client: ServiceClient) -> None:
    async with unit_of_work(client.sessionmaker) as session:
        assert await load_demo_data(session) == {
            "patron_categories": 6,
            "rule_sets": 1,
            "closures": 17,
            "announcements": 2,
        }
    async with unit_of_work(client.sessionmaker) as session:
        assert await load_demo_data(session) == {
            "patron_categories": 0,
            "rule_sets": 0,
            "closures": 0,
            "announcements": 0,
        }
    active = (await client.get("/rule-sets/active")).json()
    assert active["version"] == "2026.1" and len(active["rules"]) == 8
    listed = (await client.get("/patron-categories")).json()
    assert sorted(c["code"] for c in listed["items"]) == [
        "anak",
        "disabilitas",
        "lansia",
        "mahasiswa",
        "pelajar",
        "umum",
    ]
