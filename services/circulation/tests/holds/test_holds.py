"""Holds: reserve online with a pickup branch, FIFO per title, pick lists, trapped at check-in, transit to
the pickup branch, ready with a calendar-aware deadline, expiry moves on, cancel, position in queue."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from circulation import clock
from circulation.config import CirculationSettings
from circulation.main import create_app
from circulation.tasks import PERIODIC
from pusip_kit.testing.db import temporary_database
from pusip_kit.testing.service import ServiceClient, run_service, settings_for_test, shared_test_issuer

from ..helpers import (
    checkin,
    checkout,
    counter_patron,
    online_patron,
    reason_codes,
    run_tasks,
    seed_item,
    setup_library,
)

STAFF = {"roles": ["librarian"]}


async def place(
    client: ServiceClient, card: str, record_id: str = "rec-1", pickup: str = "cikini", **extra: Any
) -> Any:
    return await client.post(
        "/holds",
        json={"record_id": record_id, "pickup_branch": pickup, "patron": card, **extra},
        headers=client.bearer(**STAFF),
    )


async def test_reserve_online_trap_travel_pick_up(client: ServiceClient, mail: Any) -> None:
    """A patron reserves a title held at another branch; it is trapped, travels, and is picked up."""
    await setup_library(client)
    await seed_item(client, "K001", branch="kuningan", title="Cantik Itu Luka")
    patron, sub = await online_patron(client)
    me = client.bearer(roles=["patron"], sub=sub)
    dry = await client.post(
        "/holds/dry-run", json={"record_id": "rec-1", "pickup_branch": "nowhere"}, headers=me
    )
    assert reason_codes(dry) == ["refuse_when_pickup_branch_unavailable"]
    with clock.frozen(datetime(2026, 5, 11, 3, 0, tzinfo=UTC)):
        hold = await client.post("/holds", json={"record_id": "rec-1", "pickup_branch": "cikini"}, headers=me)
    assert hold.status_code == 201, hold.text
    assert hold.json()["position"] == 1
    again = await client.post("/holds", json={"record_id": "rec-1", "pickup_branch": "cikini"}, headers=me)
    assert reason_codes(again) == ["refuse_when_already_on_hold"]
    # The pick list of the branch holding a copy shows it.
    picks = (
        await client.get("/holds/pick-list", params={"branch": "kuningan"}, headers=client.bearer(**STAFF))
    ).json()
    assert [(p["item_barcode"], p["pickup_branch"]) for p in picks] == [("K001", "cikini")]
    assert (
        await client.get("/holds/pick-list", params={"branch": "cikini"}, headers=client.bearer(**STAFF))
    ).json() == []
    # Pulled from the shelf and scanned: trapped and sent to the pickup branch.
    with clock.frozen(date(2026, 5, 11)):
        trapped = (await checkin(client, "K001", branch="kuningan")).json()
    assert trapped["action"] == "transit" and trapped["transit"]["to_branch"] == "cikini"
    assert trapped["transit"]["reason"] == "hold"
    # In transit nobody else may borrow it.
    other = await counter_patron(client)
    assert reason_codes(await checkout(client, other["card_number"], "K001")) == [
        "refuse_when_item_in_transit",
        "refuse_when_item_on_hold_for_another",
    ]
    # Received at Cikini on Friday 29 May: three days to collect would end on 1 June, Pancasila day, when
    # the branch is closed, so the deadline moves to Tuesday 2 June.
    with clock.frozen(date(2026, 5, 29)):
        ready = await client.post(
            "/transits/receive", json={"item": "K001", "branch": "cikini"}, headers=client.bearer(**STAFF)
        )
    assert ready.status_code == 200, ready.text
    assert ready.json()["action"] == "hold_shelf" and ready.json()["pickup_deadline"] == "2026-06-02"
    shown = (await client.get(f"/holds/{hold.json()['id']}", headers=me)).json()
    assert shown["status"] == "ready" and shown["position"] is None
    shelf = (
        await client.get("/holds/shelf", params={"branch": "cikini"}, headers=client.bearer(**STAFF))
    ).json()
    assert [h["trapped_barcode"] for h in shelf["items"]] == ["K001"]
    # The hold-ready notice is in the account and was mailed once.
    await run_tasks(client)
    notices = (await client.get("/patrons/me/notices", headers=me)).json()["items"]
    assert [n["kind"] for n in notices] == ["hold_ready"]
    assert len([m for m in mail.to(f"{sub}@contoh.id") if "siap diambil" in m["Subject"]]) == 1
    # Someone else cannot take it; the patron can, which fulfils the hold.
    assert reason_codes(await checkout(client, other["card_number"], "K001")) == [
        "refuse_when_item_on_hold_for_another"
    ]
    with clock.frozen(date(2026, 6, 2)):
        loan = await checkout(client, patron["card_number"], "K001")
    assert loan.status_code == 201 and loan.json()["fulfilled_hold_id"] == hold.json()["id"]
    assert (await client.get(f"/holds/{hold.json()['id']}", headers=me)).json()["status"] == "fulfilled"
    # Returned at a third branch: it travels home to Kuningan.
    back = (await checkin(client, "K001", branch="tebet")).json()
    assert back["transit"]["to_branch"] == "kuningan"


async def test_queue_expiry_and_cancel(client: ServiceClient) -> None:
    await setup_library(client, rules=[{"hold_pickup_days": 2}])
    await seed_item(client, "B001")
    borrower = await counter_patron(client)
    a, b, c = [await counter_patron(client) for _ in range(3)]
    assert (await checkout(client, borrower["card_number"], "B001")).status_code == 201
    holds = []
    for n, patron in enumerate((a, b, c)):
        with clock.frozen(datetime(2026, 7, 1, 1, n, tzinfo=UTC)):
            response = await place(client, patron["card_number"])
            assert response.status_code == 201, response.text
            holds.append(response.json())
    assert [h["position"] for h in holds] == [1, 2, 3]
    # b cancels; c moves up.
    cancelled = await client.post(
        f"/holds/{holds[1]['id']}/cancel", json={"reason": "tidak jadi"}, headers=client.bearer(**STAFF)
    )
    assert cancelled.json()["status"] == "cancelled"
    assert (await client.get(f"/holds/{holds[2]['id']}", headers=client.bearer(**STAFF))).json()[
        "position"
    ] == 2
    assert reason_codes(
        await client.post(f"/holds/{holds[1]['id']}/cancel", headers=client.bearer(**STAFF))
    ) == ["refuse_when_hold_closed"]
    # Returned on Thursday 2 July: a is served (two opening days: Friday 3, Saturday 4 July).
    with clock.frozen(date(2026, 7, 2)):
        back = (await checkin(client, "B001")).json()
    assert back["action"] == "hold_shelf" and back["hold_id"] == holds[0]["id"]
    assert back["pickup_deadline"] == "2026-07-04"
    # Not collected: the beat expires it on Sunday and the copy goes to c.
    expire = PERIODIC["circulation.holds.expire"][0]
    with clock.frozen(date(2026, 7, 4)):
        assert await expire(client.sessionmaker, client.settings) == 0
    with clock.frozen(date(2026, 7, 5)):
        assert await expire(client.sessionmaker, client.settings) == 1
        assert await expire(client.sessionmaker, client.settings) == 0
    states = [
        (await client.get(f"/holds/{h['id']}", headers=client.bearer(**STAFF))).json()["status"]
        for h in holds
    ]
    assert states == ["expired", "cancelled", "ready"]
    item = (await client.get("/items/B001")).json()
    assert item["status"] == "on_hold_shelf"


async def test_hold_refusals(client: ServiceClient) -> None:
    await setup_library(
        client, rules=[{"max_holds": 1}, {"material_type": "referensi", "holds_allowed": False}]
    )
    await seed_item(client, "B001")
    await seed_item(client, "B002", record_id="rec-2")
    await seed_item(client, "R001", record_id="rec-r", material_type="referensi")
    patron = await counter_patron(client)
    card = patron["card_number"]
    assert (await checkout(client, card, "B001")).status_code == 201
    assert reason_codes(await place(client, card)) == ["refuse_when_already_on_loan"]
    assert reason_codes(await place(client, card, "rec-r")) == ["refuse_when_holds_not_allowed"]
    assert reason_codes(await place(client, card, "rec-x")) == ["refuse_when_title_unknown"]
    assert reason_codes(await place(client, card, "rec-2", item="B001")) == ["refuse_when_item_not_holdable"]
    assert (await place(client, card, "rec-2")).status_code == 201
    assert (await place(client, card, "rec-2")).status_code == 409
    other = await counter_patron(client)
    assert (await place(client, other["card_number"], "rec-2")).status_code == 201
    # A patron only sees their own holds; an anonymous caller none at all.
    assert (await client.get("/holds", headers=client.bearer(roles=["patron"]))).status_code == 403
    assert (await client.get("/holds")).status_code == 401


async def hold_queue_under_concurrent_checkins(client: ServiceClient) -> None:
    """Six copies come back at once while ten patrons wait: the six oldest holds are served, in order."""
    await setup_library(client)
    copies = [f"C{n}" for n in range(6)]
    for barcode in copies:
        await seed_item(client, barcode)
    borrower = await counter_patron(client, category="lansia", born="150550")
    for barcode in copies[:5]:
        assert (await checkout(client, borrower["card_number"], barcode)).status_code == 201
    waiting = [await counter_patron(client) for _ in range(10)]
    holds = []
    for n, patron in enumerate(waiting):
        with clock.frozen(datetime(2026, 8, 3, 1, 0, n, tzinfo=UTC)):
            holds.append((await place(client, patron["card_number"])).json()["id"])
    responses = await asyncio.gather(*(checkin(client, barcode) for barcode in copies))
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    served = {r.json()["hold_id"] for r in responses}
    assert served == set(holds[:6])
    positions = [
        (await client.get(f"/holds/{h}", headers=client.bearer(**STAFF))).json()["position"]
        for h in holds[6:]
    ]
    assert positions == [1, 2, 3, 4]
    # The next wave: four more copies, the remaining holds in order.
    for n in range(6, 10):
        await seed_item(client, f"C{n}")
    responses = await asyncio.gather(*(checkin(client, f"C{n}") for n in range(6, 10)))
    assert {r.json()["hold_id"] for r in responses} == set(holds[6:])


async def test_holds_served_in_order_under_concurrent_checkins(client: ServiceClient) -> None:
    await hold_queue_under_concurrent_checkins(client)


@pytest.mark.services
async def test_holds_served_in_order_under_concurrent_checkins_postgres(tmp_path: Path) -> None:
    with temporary_database("postgres", tmp_path, prefix="circ_holds") as url:
        settings = settings_for_test(CirculationSettings, tmp_path, shared_test_issuer(), database_url=url)
        async with run_service(create_app, settings) as client:
            await hold_queue_under_concurrent_checkins(client)
