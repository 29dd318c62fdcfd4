"""Items over HTTP: create, update, delete, bulk operations, events, circulation's statuses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from catalog.items.events import mirror_circulation_status
from pusip_kit.events import Event
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work

from ..helpers import CATALOGER, PATRON, create_branch, create_record, marc, run_tasks

CIKINI, KOJA = "perpustakaan-jakarta-cikini", "perpustakaan-kecamatan-koja"


async def setup(client: ServiceClient) -> str:
    await create_branch(client, CIKINI)
    await create_branch(client, KOJA)
    record = await create_record(client, marc("Ronggeng dukuh paruk", author="Tohari, Ahmad", year=1982))
    return str(record["id"])


async def add(
    client: ServiceClient, record_id: str, barcode: str, branch: str = CIKINI, **extra: object
) -> dict:
    response = await client.post(
        "/items",
        json={"barcode": barcode, "record_id": record_id, "branch": branch, **extra},
        headers=client.bearer(**CATALOGER),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_item_lifecycle_and_events(client: ServiceClient) -> None:
    record_id = await setup(client)
    item = await add(
        client, record_id, "DP-0001", location="Rak Sastra", price="75000", acquisition_source="legal_deposit"
    )
    assert (item["branch"], item["material_type"], item["status"], item["price"]) == (
        CIKINI,
        "book",
        "available",
        "75000.00",
    )
    created = (await client.outbox_events("catalog.item.created"))[0]["payload"]
    assert created == {
        "id": item["id"],
        "barcode": "DP-0001",
        "record_id": record_id,
        "branch": CIKINI,
        "location": "Rak Sastra",
        "call_number": None,
        "material_type": "book",
        "status": "available",
        "title": "Ronggeng dukuh paruk",
    }
    for body, status, code in (
        ({"barcode": "DP-0001", "record_id": record_id, "branch": CIKINI}, 409, "barcode_taken"),
        ({"barcode": "DP-0009", "record_id": record_id, "branch": "tidak-ada"}, 422, "branch_unknown"),
        ({"barcode": "DP-0009", "record_id": str(uuid.uuid4()), "branch": CIKINI}, 422, "record_unknown"),
        (
            {"barcode": "DP-0009", "record_id": record_id, "branch": CIKINI, "status": "on_loan"},
            422,
            "status_owned_by_circulation",
        ),
        ({"barcode": "bad barcode!", "record_id": record_id, "branch": CIKINI}, 422, "validation_error"),
        (
            {"barcode": "DP-0009", "record_id": record_id, "branch": CIKINI, "price": "-1"},
            422,
            "validation_error",
        ),
    ):
        response = await client.post("/items", json=body, headers=client.bearer(**CATALOGER))
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), body
    assert (await client.post("/items", json={}, headers=client.bearer(**PATRON))).status_code == 403

    moved = await client.patch(
        "/items/DP-0001", json={"branch": KOJA, "location": "Rak 1"}, headers=client.bearer(**CATALOGER)
    )
    assert moved.status_code == 200 and moved.json()["branch"] == KOJA
    updated = (await client.outbox_events("catalog.item.updated"))[-1]["payload"]
    assert updated["changed"] == ["branch", "location"] and updated["branch"] == KOJA
    assert (
        await client.patch("/items/DP-0001", json={"status": "on_loan"}, headers=client.bearer(**CATALOGER))
    ).status_code == 409
    assert (
        await client.patch("/items/DP-0001", json={"branch": None}, headers=client.bearer(**CATALOGER))
    ).status_code == 422
    assert (
        await client.patch("/items/NOPE", json={"location": "x"}, headers=client.bearer(**CATALOGER))
    ).status_code == 404

    await run_tasks(client)
    record = (await client.get(f"/records/{record_id}")).json()
    assert record["availability"] == [
        {"branch": KOJA, "name": "Perpustakaan Kecamatan Koja", "available": 1, "total": 1}
    ]
    public = (await client.get(f"/records/{record_id}/items")).json()
    assert public["items"][0]["barcode"] == "DP-0001" and "price" not in public["items"][0]

    # circulation lends the copy: the catalogue mirrors it, and a lent copy cannot be deleted
    async with unit_of_work(client.sessionmaker) as session:
        event = Event(uuid.uuid4(), "circulation.item.checked_out", datetime.now(UTC), "circulation", "DP-0001",
                      {"barcode": "DP-0001", "status": "on_loan"})  # fmt: skip
        await mirror_circulation_status(session, event)
    assert (await client.get("/items/DP-0001", headers=client.bearer(**CATALOGER))).json()[
        "status"
    ] == "on_loan"
    refused = await client.delete("/items/DP-0001", headers=client.bearer(**CATALOGER))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "item_in_circulation"
    await run_tasks(client)
    hit = (await client.get("/search", params={"q": "ronggeng"})).json()["hits"][0]
    assert hit["available"] is False and hit["availability"] == [{"branch": KOJA, "available": 0, "total": 1}]
    assert (await client.get("/search", params={"q": "ronggeng", "available": "true"})).json()["total"] == 0

    await add(client, record_id, "DP-0002")
    assert (await client.delete("/items/DP-0002", headers=client.bearer(**CATALOGER))).status_code == 204
    assert len(await client.outbox_events("catalog.item.deleted")) == 1


async def test_bulk_operations_report_each_barcode(client: ServiceClient) -> None:
    record_id = await setup(client)
    for n in range(1, 5):
        await add(client, record_id, f"BK-{n}")
    async with unit_of_work(client.sessionmaker) as session:
        event = Event(uuid.uuid4(), "circulation.item.checked_out", datetime.now(UTC), "circulation", "BK-4",
                      {"barcode": "BK-4", "status": "on_loan"})  # fmt: skip
        await mirror_circulation_status(session, event)

    response = await client.post(
        "/items/bulk",
        json={
            "action": "move",
            "barcodes": ["BK-1", "BK-2", "BK-9", "BK-1", "BK-4"],
            "branch": KOJA,
            "location": "Rak Baru",
        },
        headers=client.bearer(**CATALOGER),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["requested"], body["succeeded"], body["failed"]) == (5, 2, 3)
    assert [(r["barcode"], r["ok"], r["code"]) for r in body["results"]] == [
        ("BK-1", True, None),
        ("BK-2", True, None),
        ("BK-9", False, "item_not_found"),
        ("BK-1", False, "duplicate_in_request"),
        ("BK-4", False, "item_in_circulation"),
    ]
    assert all(r["message"] and r["message_en"] for r in body["results"] if not r["ok"])

    status = await client.post(
        "/items/bulk",
        json={"action": "set_status", "barcodes": ["BK-1", "BK-3", "BK-4"], "status": "missing"},
        headers=client.bearer(**CATALOGER),
    )
    assert [r["ok"] for r in status.json()["results"]] == [True, True, False]
    listed = (
        await client.get("/items", params={"status": "missing"}, headers=client.bearer(**CATALOGER))
    ).json()
    assert sorted(i["barcode"] for i in listed["items"]) == ["BK-1", "BK-3"]
    koja = (
        await client.get(
            "/items", params={"branch": KOJA, "location": "Rak Baru"}, headers=client.bearer(**CATALOGER)
        )
    ).json()
    assert koja["pagination"]["total_count"] == 2

    for body in (
        {"action": "move", "barcodes": ["BK-1"]},
        {"action": "set_status", "barcodes": ["BK-1"]},
        {"action": "set_status", "barcodes": [], "status": "missing"},
        {"action": "explode", "barcodes": ["BK-1"]},
    ):
        assert (
            await client.post("/items/bulk", json=body, headers=client.bearer(**CATALOGER))
        ).status_code == 422
    wrong = await client.post(
        "/items/bulk",
        json={"action": "set_status", "barcodes": ["BK-1"], "status": "on_loan"},
        headers=client.bearer(**CATALOGER),
    )
    assert wrong.status_code == 422
    gone = await client.post(
        "/items/bulk",
        json={"action": "move", "barcodes": ["BK-1"], "branch": "tidak-ada"},
        headers=client.bearer(**CATALOGER),
    )
    assert gone.status_code == 422 and gone.json()["error"]["code"] == "branch_unknown"
    updates = await client.outbox_events("catalog.item.updated")
    assert len(updates) == 4  # two moved, two marked missing
