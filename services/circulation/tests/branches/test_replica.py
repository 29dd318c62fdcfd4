"""The branch replica fed by catalog's events: idempotent upserts, stale events ignored."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from circulation.models import Branch
from circulation.tasks import handlers
from pusip_kit.events import Event, deliver_event
from pusip_kit.outbox import processed_events
from pusip_kit.testing.service import ServiceClient

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def branch_event(event_type: str = "catalog.branch.created", *, at: datetime = T0, **payload: Any) -> Event:
    body = {
        "id": str(uuid.uuid4()),
        "code": "perpustakaan-jakarta-cikini",
        "name": "Perpustakaan Jakarta - Cikini",
        "type": "perpustakaan_provinsi",
        "city": "jakarta-pusat",
        "active": True,
        # Catalog on SQLite sends naive UTC timestamps; the replica must accept both.
        "updated_at": at.replace(tzinfo=None).isoformat(),
    }
    body.update(payload)
    return Event(
        id=uuid.uuid4(), type=event_type, occurred_at=at, producer="catalog", key=body["code"], payload=body
    )


async def replica_rows(client: ServiceClient) -> list[Branch]:
    async with client.session() as session:
        return list((await session.execute(select(Branch).order_by(Branch.code))).scalars().all())


async def test_created_event_handled_twice_upserts_once(client: ServiceClient) -> None:
    event = branch_event()
    first = await deliver_event(client.sessionmaker, handlers, event)
    second = await deliver_event(client.sessionmaker, handlers, event)
    assert first.processed == ["circulation.branches.apply_catalog_branch"]
    assert second.duplicates == ["circulation.branches.apply_catalog_branch"]
    rows = await replica_rows(client)
    assert [(b.code, b.name) for b in rows] == [
        ("perpustakaan-jakarta-cikini", "Perpustakaan Jakarta - Cikini")
    ]
    async with client.session() as session:
        assert await session.scalar(select(func.count()).select_from(processed_events)) == 1


async def test_same_state_redelivered_under_a_new_event_id_changes_nothing(client: ServiceClient) -> None:
    await deliver_event(client.sessionmaker, handlers, branch_event())
    before = (await replica_rows(client))[0].synced_at
    await deliver_event(client.sessionmaker, handlers, branch_event("catalog.branch.updated"))
    rows = await replica_rows(client)
    assert len(rows) == 1
    assert rows[0].synced_at == before


async def test_updated_event_changes_the_replica(client: ServiceClient) -> None:
    await deliver_event(client.sessionmaker, handlers, branch_event())
    later = T0 + timedelta(hours=1)
    await deliver_event(
        client.sessionmaker,
        handlers,
        branch_event("catalog.branch.updated", at=later, name="Perpustakaan Jakarta Cikini", active=False),
    )
    [row] = await replica_rows(client)
    assert row.name == "Perpustakaan Jakarta Cikini"
    assert row.active is False


async def test_stale_event_does_not_overwrite_newer_state(client: ServiceClient) -> None:
    later = T0 + timedelta(hours=1)
    await deliver_event(
        client.sessionmaker, handlers, branch_event("catalog.branch.updated", at=later, name="Nama Baru")
    )
    await deliver_event(
        client.sessionmaker, handlers, branch_event("catalog.branch.created", at=T0, name="Nama Lama")
    )
    [row] = await replica_rows(client)
    assert row.name == "Nama Baru"


async def test_malformed_event_fails_without_writing(client: ServiceClient) -> None:
    result = await deliver_event(client.sessionmaker, handlers, branch_event(name=""))
    assert result.failed and not result.processed
    assert await replica_rows(client) == []
    async with client.session() as session:
        # The dedupe row rolled back with the failure, so a retry can still apply a fixed event.
        assert await session.scalar(select(func.count()).select_from(processed_events)) == 0


async def test_replica_is_readable_over_http(client: ServiceClient) -> None:
    await deliver_event(client.sessionmaker, handlers, branch_event())
    assert (await client.get("/branches")).status_code == 401
    response = await client.get("/branches", headers=client.bearer(roles=["librarian"]))
    assert response.status_code == 200
    assert [b["code"] for b in response.json()["items"]] == ["perpustakaan-jakarta-cikini"]
    one = await client.get("/branches/perpustakaan-jakarta-cikini", headers=client.bearer(roles=["patron"]))
    assert one.status_code == 200
    assert one.json()["city"] == "jakarta-pusat"
    missing = await client.get("/branches/tidak-ada", headers=client.bearer(roles=["patron"]))
    assert missing.status_code == 404
