"""The demo loader: fictional depositors and the four seed publications, once; loading twice changes nothing."""

from __future__ import annotations

from deposit.demo import DEMO_DEPOSITORS, load_demo_data
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work

from .helpers import SEED_DIR, publish_pending

OFFICER = {"roles": ["deposit_officer"], "sub": "petugas-demo-uji"}


async def test_demo_data_is_idempotent_and_tells_the_deposit_story(client: ServiceClient) -> None:
    client.settings.demo_seed_dir = SEED_DIR
    async with unit_of_work(client.sessionmaker) as session:
        first = await load_demo_data(session, settings=client.settings)
    assert first == {"depositors": len(DEMO_DEPOSITORS), "deposits": 3, "obligations": 1}
    async with unit_of_work(client.sessionmaker) as session:
        assert await load_demo_data(session, settings=client.settings) == {
            "depositors": 0,
            "deposits": 0,
            "obligations": 0,
        }
    listed = (await client.get("/depositors", headers=client.bearer(**OFFICER))).json()
    assert listed["pagination"]["total_count"] == len(DEMO_DEPOSITORS)
    assert all(d["name"].startswith("[DEMO]") for d in listed["items"])
    assert sorted(d["status"] for d in listed["items"]) == ["approved", "approved", "approved", "pending"]

    deposits = (await client.get("/deposits", headers=client.bearer(**OFFICER))).json()["items"]
    assert sorted(d["status"] for d in deposits) == ["accepted", "fixes_requested", "submitted"]
    assert all(d["receipt_number"] and d["files"][0]["content_type"] == "application/pdf" for d in deposits)
    overdue = (await client.get("/compliance/overdue", headers=client.bearer(**OFFICER))).json()
    assert [o["title"] for o in overdue] == ["Kelompok Usaha Bersama (KUBE) di Pontianak: Tinjauan Pustaka"]

    assert len(await publish_pending(client)) == 1  # the worker's job for the accepted one
    [event] = await client.outbox_events("deposit.deposit.accepted")
    assert event["payload"]["files"][0]["text_status"] == "extracted"

    # the demo portal user is linked by user name and sees its publishers
    mine = await client.get(
        "/me/depositors", headers=client.bearer(roles=["publisher"], sub="akun-penerbit", username="penerbit")
    )
    assert sorted(m["depositor"]["name"] for m in mine.json()) == [
        "[DEMO] Penerbit Contoh Nusantara",
        "[DEMO] Penerbit Kampus Contoh",
    ]
