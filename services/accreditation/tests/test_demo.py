"""The demo loader creates a handful of libraries once; loading twice changes nothing."""

from __future__ import annotations

from accreditation.demo import DEMO_LIBRARIES, load_demo_data
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work


async def test_demo_data_is_idempotent(client: ServiceClient) -> None:
    async with unit_of_work(client.sessionmaker) as session:
        assert await load_demo_data(session) == {"libraries": len(DEMO_LIBRARIES)}
    async with unit_of_work(client.sessionmaker) as session:
        assert await load_demo_data(session) == {"libraries": 0}
    listed = (await client.get("/libraries", headers=client.bearer(roles=["accreditation_officer"]))).json()
    assert listed["pagination"]["total_count"] == len(DEMO_LIBRARIES)
    assert len({x["type"] for x in listed["items"]}) >= 4
