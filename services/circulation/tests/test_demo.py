"""The demo loader creates the six patron categories once; loading twice changes nothing."""

from __future__ import annotations

from circulation.demo import load_demo_data
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work


async def test_demo_data_is_idempotent(client: ServiceClient) -> None:
    async with unit_of_work(client.sessionmaker) as session:
        assert await load_demo_data(session) == {"patron_categories": 6}
    async with unit_of_work(client.sessionmaker) as session:
        assert await load_demo_data(session) == {"patron_categories": 0}
    listed = (await client.get("/patron-categories")).json()
    assert sorted(c["code"] for c in listed["items"]) == [
        "anak",
        "disabilitas",
        "lansia",
        "mahasiswa",
        "pelajar",
        "umum",
    ]
