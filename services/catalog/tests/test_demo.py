"""The demo loader creates the Jakarta network once; loading twice changes nothing."""

from __future__ import annotations

from catalog.demo import DEMO_BRANCHES, load_demo_data
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work


async def test_demo_data_is_idempotent(client: ServiceClient) -> None:
    async with unit_of_work(client.sessionmaker) as session:
        assert await load_demo_data(session) == {"branches": len(DEMO_BRANCHES)}
    async with unit_of_work(client.sessionmaker) as session:
        assert await load_demo_data(session) == {"branches": 0}

    listed = (await client.get("/branches", params={"limit": 100})).json()
    assert listed["pagination"]["total_count"] == len(DEMO_BRANCHES)
    codes = {b["code"] for b in listed["items"]}
    assert {"perpustakaan-jakarta-cikini", "pds-hb-jassin"} <= codes
    cities = {b["city"] for b in listed["items"]}
    assert cities == {
        "jakarta-pusat",
        "jakarta-utara",
        "jakarta-barat",
        "jakarta-selatan",
        "jakarta-timur",
        "kepulauan-seribu",
    }
    assert len(await client.outbox_events("catalog.branch.created")) == len(DEMO_BRANCHES)
