"""The demo loader registers the fictional depositors once; loading twice changes nothing."""

from __future__ import annotations

from deposit.demo import DEMO_DEPOSITORS, load_demo_data
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work


async def test_demo_data_is_idempotent(client: ServiceClient) -> None:
    async with unit_of_work(client.sessionmaker) as session:
        assert await load_demo_data(session) == {"depositors": len(DEMO_DEPOSITORS)}
    async with unit_of_work(client.sessionmaker) as session:
        assert await load_demo_data(session) == {"depositors": 0}
    listed = (await client.get("/depositors", headers=client.bearer(roles=["deposit_officer"]))).json()
    assert listed["pagination"]["total_count"] == len(DEMO_DEPOSITORS)
    assert all(d["name"].startswith("[DEMO]") for d in listed["items"])
    assert sorted(d["status"] for d in listed["items"]) == ["approved", "approved", "pending"]
