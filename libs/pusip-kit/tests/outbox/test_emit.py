"""emit_event / enqueue_task: rows only when the caller's transaction commits, one kick per commit."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from pusip_kit.db.engine import Database
from pusip_kit.outbox import OutboxError, emit_event, enqueue_task, outbox
from pusip_kit.testing.outbox import recording_kicks
from pusip_kit.uow import unit_of_work


class Colour(enum.Enum):
    RED = "merah"


async def _rows(database: Database) -> list[dict[str, object]]:
    async with database.sessionmaker() as session:
        result = await session.execute(select(outbox).order_by(outbox.c.seq))
        return [dict(r) for r in result.mappings()]


async def test_event_row_written_on_commit_and_relay_kicked_once(database: Database) -> None:
    with recording_kicks("catalog") as kicks:
        async with unit_of_work(database.sessionmaker) as session:
            first = await emit_event(session, "catalog.item.created", {"barcode": "B001"}, key="item-1")
            second = await emit_event(session, "catalog.item.updated", {"barcode": "B001"}, key="item-1")
            assert kicks.count("catalog") == 0  # nothing before commit
        assert kicks.count("catalog") == 1  # one kick per commit, however many rows

    rows = await _rows(database)
    assert [r["id"] for r in rows] == [first, second]
    row = rows[0]
    assert row["kind"] == "event"
    assert row["name"] == "catalog.item.created"
    assert row["producer"] == "catalog"
    assert row["key"] == "item-1"
    assert row["payload"] == {"barcode": "B001"}
    assert row["status"] == "pending"
    assert row["attempts"] == 0
    created = row["created_at"]
    assert isinstance(created, datetime) and created.tzinfo is not None
    assert row["next_attempt_at"] == created


async def test_rollback_writes_nothing_and_kicks_nothing(database: Database) -> None:
    with recording_kicks("catalog") as kicks:
        with pytest.raises(RuntimeError):
            async with unit_of_work(database.sessionmaker) as session:
                await emit_event(session, "catalog.item.created", {"barcode": "B002"})
                await enqueue_task(session, "catalog.search.reindex_record", "r-1")
                raise RuntimeError("domain failure")
        assert kicks.count("catalog") == 0
    assert await _rows(database) == []


async def test_task_rows_take_ids_not_payloads(database: Database) -> None:
    with recording_kicks("deposit") as kicks:
        async with unit_of_work(database.sessionmaker) as session:
            task_id = await enqueue_task(session, "deposit.receipts.render", "dep-9", 3)
        assert kicks.count("deposit") == 1
    [row] = await _rows(database)
    assert row["id"] == task_id
    assert row["kind"] == "task"
    assert row["producer"] == "deposit"
    assert row["payload"] == {"args": ["dep-9", 3]}

    async with database.sessionmaker() as session:
        with pytest.raises(OutboxError):
            await enqueue_task(session, "deposit.receipts.render", {"whole": "object"})  # type: ignore[arg-type]
        with pytest.raises(OutboxError):
            await enqueue_task(session, "deposit.receipts.render", True)
        with pytest.raises(OutboxError):
            await enqueue_task(session, "render", "x")


async def test_event_validation_and_json_normalisation(database: Database) -> None:
    async with database.sessionmaker() as session:
        for bad in ("catalog", "catalog.item", "Catalog.Item.Created", "catalog.item.created!"):
            with pytest.raises(OutboxError):
                await emit_event(session, bad, {})
        with pytest.raises(OutboxError):
            await emit_event(session, "catalog.item.created", {"x": object()})

    ident = uuid.uuid4()
    async with unit_of_work(database.sessionmaker) as session:
        await emit_event(
            session,
            "catalog.item.created",
            {
                "id": ident,
                "at": datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
                "on": date(2025, 1, 2),
                "price": Decimal("12500.50"),
                "colour": Colour.RED,
                "tags": ("a", "b"),
                "judul": "Sejarah Betawi",
            },
        )
    [row] = await _rows(database)
    assert row["payload"] == {
        "id": str(ident),
        "at": "2025-01-02T03:04:05+00:00",
        "on": "2025-01-02",
        "price": "12500.50",
        "colour": "merah",
        "tags": ["a", "b"],
        "judul": "Sejarah Betawi",
    }


async def test_kicker_failure_is_only_logged(database: Database, caplog: pytest.LogCaptureFixture) -> None:
    from pusip_kit.outbox import register_relay_kicker, relay_kicker, wait_for_kicks

    def broken() -> None:
        raise ConnectionError("broker down")

    previous = relay_kicker("archive")
    register_relay_kicker("archive", broken)
    try:
        async with unit_of_work(database.sessionmaker) as session:
            await emit_event(session, "archive.record.registered", {"n": 1})
        wait_for_kicks()
    finally:
        register_relay_kicker("archive", previous)
    assert len(await _rows(database)) == 1
    assert "could not kick the archive outbox relay" in caplog.text


async def test_kicks_are_debounced_and_the_last_commit_is_always_kicked(database: Database) -> None:
    import asyncio
    import itertools
    import time

    from pusip_kit.outbox.writer import (
        KICK_INTERVAL_SECONDS,
        register_relay_kicker,
        relay_kicker,
        wait_for_kicks,
    )

    kicked_at: list[float] = []
    previous = relay_kicker("archive")
    register_relay_kicker("archive", lambda: kicked_at.append(time.monotonic()))
    try:
        commits: list[float] = []
        for n in range(12):  # a burst of commits, ~4 intervals long
            async with unit_of_work(database.sessionmaker) as session:
                await emit_event(session, "archive.record.created", {"n": n})
            commits.append(time.monotonic())
            await asyncio.sleep(KICK_INTERVAL_SECONDS / 3)
        wait_for_kicks()
    finally:
        register_relay_kicker("archive", previous)
    assert 1 <= len(kicked_at) < len(commits)
    gaps = [b - a for a, b in itertools.pairwise(kicked_at)]
    assert all(gap >= KICK_INTERVAL_SECONDS * 0.95 for gap in gaps), gaps
    assert kicked_at[-1] >= commits[-1]  # the burst's last commit was followed by a kick
    assert len(await _rows(database)) == 12
