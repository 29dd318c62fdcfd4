"""The item replica fed by catalog events (idempotent, ordered by the source's timestamp) and the
availability events sent back."""

from __future__ import annotations

from datetime import timedelta

from circulation.tasks import handlers
from pusip_kit.events import deliver_event
from pusip_kit.testing.service import ServiceClient

from ..helpers import T0, catalog_event, checkout, counter_patron, setup_library


def item(barcode: str = "B001", **changes: object) -> dict[str, object]:
    payload: dict[str, object] = {"barcode": barcode, "record_id": "rec-1", "branch": "cikini", "location": "Rak 1",
                                  "material_type": "buku", "title": "Laut Bercerita", "updated_at": T0.isoformat()}  # fmt: skip
    payload.update(changes)
    return payload


async def test_item_events_are_idempotent_and_ordered(client: ServiceClient) -> None:
    event = catalog_event("catalog.item.created", item())
    assert (await deliver_event(client.sessionmaker, handlers, event)).processed
    assert (await deliver_event(client.sessionmaker, handlers, event)).duplicates
    later = (T0 + timedelta(hours=2)).isoformat()
    moved = catalog_event("catalog.item.updated", item(branch="tebet", location="Rak 9", updated_at=later))
    stale = catalog_event(
        "catalog.item.updated", item(branch="kuningan", updated_at=(T0 + timedelta(hours=1)).isoformat())
    )
    await deliver_event(client.sessionmaker, handlers, moved)
    await deliver_event(client.sessionmaker, handlers, stale)  # arrives late, changes nothing
    body = (await client.get("/items/B001")).json()
    assert (body["home_branch"], body["current_branch"], body["location"]) == ("tebet", "tebet", "Rak 9")
    # Naive timestamps (catalog on SQLite) are UTC; a malformed event fails without writing.
    naive = catalog_event(
        "catalog.item.created", item("B002", updated_at=T0.replace(tzinfo=None).isoformat())
    )
    assert (await deliver_event(client.sessionmaker, handlers, naive)).ok
    bad = catalog_event("catalog.item.created", item("B003", material_type=""))
    assert not (await deliver_event(client.sessionmaker, handlers, bad)).ok
    assert (await client.get("/items/B003")).status_code == 404
    # The record's title follows catalog.record.updated.
    record = catalog_event("catalog.record.updated", {"id": "rec-1", "title": "Laut Bercerita (cet. 2)",
                                                      "updated_at": later})  # fmt: skip
    await deliver_event(client.sessionmaker, handlers, record)
    assert (await client.get("/items/B001")).json()["title"] == "Laut Bercerita (cet. 2)"
    listed = (await client.get("/items", params={"record_id": "rec-1"})).json()
    assert [i["barcode"] for i in listed["items"]] == ["B001", "B002"]


async def test_deleted_items_and_availability_events(client: ServiceClient) -> None:
    await setup_library(client)
    for barcode in ("B001", "B002"):
        await deliver_event(
            client.sessionmaker, handlers, catalog_event("catalog.item.created", item(barcode))
        )
    patron = await counter_patron(client)
    assert (await checkout(client, patron["card_number"], "B001")).status_code == 201
    gone = (T0 + timedelta(days=1)).isoformat()
    for barcode in ("B001", "B002"):
        await deliver_event(
            client.sessionmaker,
            handlers,
            catalog_event("catalog.item.deleted", {"barcode": barcode, "deleted_at": gone}),
        )
    # On loan it stays on loan (it must come back); the other one is withdrawn at once.
    assert (await client.get("/items/B001")).json()["status"] == "on_loan"
    assert (await client.get("/items/B002")).json()["status"] == "withdrawn"
    other = await counter_patron(client)
    refused = await checkout(client, other["card_number"], "B002")
    assert refused.json()["error"]["details"]["reasons"][0]["code"] == "refuse_when_item_not_loanable"
    events = await client.outbox_events("circulation.item.status_changed")
    assert [(e["payload"]["barcode"], e["payload"]["status"]) for e in events] == [
        ("B001", "on_loan"),
        ("B002", "withdrawn"),
    ]
    assert events[0]["key"] == "B001" and events[0]["payload"]["record_id"] == "rec-1"
