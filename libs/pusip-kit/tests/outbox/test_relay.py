"""The outbox relay: order, fan-out, exactly-once under concurrent relays, backoff, dead rows."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from pusip_kit.db.base import utcnow
from pusip_kit.db.engine import Database
from pusip_kit.outbox import (
    OutgoingMessage,
    RelayConfig,
    backoff_delay,
    emit_event,
    enqueue_task,
    outbox,
    purge_outbox,
    relay_outbox,
)
from pusip_kit.testing.outbox import FailingPublisher, RecordingPublisher
from pusip_kit.uow import unit_of_work


class FlakyPublisher(RecordingPublisher):
    def __init__(self, fail_on_call: int) -> None:
        super().__init__()
        self.fail_on_call = fail_on_call
        self.calls = 0

    def publish(self, message: OutgoingMessage) -> None:
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise ConnectionError("connection reset")
        super().publish(message)


SUBSCRIPTIONS = {
    "circulation": ["catalog.item.*"],
    "accreditation": ["catalog.item.created"],
}


def subscribers(event_type: str) -> list[str]:
    from pusip_kit.events import subscribers_of

    return subscribers_of(event_type, SUBSCRIPTIONS)


async def _emit_many(
    database: Database, count: int, event_type: str = "catalog.item.created"
) -> list[uuid.UUID]:
    ids = []
    async with unit_of_work(database.sessionmaker) as session:
        for n in range(count):
            ids.append(await emit_event(session, event_type, {"n": n}, key=f"item-{n}"))
    return ids


async def _statuses(database: Database) -> dict[str, int]:
    async with database.sessionmaker() as session:
        rows = (await session.execute(select(outbox.c.status))).scalars().all()
    counts: dict[str, int] = {}
    for status in rows:
        counts[status] = counts.get(status, 0) + 1
    return counts


async def _row(database: Database, row_id: object) -> dict[str, object]:
    async with database.sessionmaker() as session:
        return dict((await session.execute(select(outbox).where(outbox.c.id == row_id))).mappings().one())


async def test_relay_fans_out_in_creation_order_and_marks_sent(database: Database) -> None:
    ids = await _emit_many(database, 3)
    async with unit_of_work(database.sessionmaker) as session:
        unsubscribed = await emit_event(session, "catalog.branch.closed", {"code": "JKT-01"})
        task = await enqueue_task(session, "catalog.search.reindex_record", "rec-1")
        updated = await emit_event(session, "catalog.item.updated", {"n": 9})

    publisher = RecordingPublisher()
    stats = await relay_outbox(database.sessionmaker, publisher, subscribers=subscribers)
    assert stats.sent == 6 and stats.failed == 0

    seen = [(m.task_name, m.queue, m.task_id) for m in publisher.messages]
    expected = []
    for event_id in ids:
        expected += [
            ("accreditation.events.handle", "accreditation", f"{event_id}:accreditation"),
            ("circulation.events.handle", "circulation", f"{event_id}:circulation"),
        ]
    expected += [
        ("catalog.search.reindex_record", "catalog", str(task)),
        ("circulation.events.handle", "circulation", f"{updated}:circulation"),
    ]
    assert seen == expected
    envelope = publisher.messages[0].args[0]
    assert envelope["id"] == str(ids[0])
    assert envelope["type"] == "catalog.item.created"
    assert envelope["producer"] == "catalog"
    assert envelope["key"] == "item-0"
    assert envelope["payload"] == {"n": 0}
    assert [m.args for m in publisher.messages if m.task_name == "catalog.search.reindex_record"] == [
        ["rec-1"]
    ]

    assert await _statuses(database) == {"sent": 6}
    row = await _row(database, unsubscribed)
    assert row["sent_at"] is not None and row["claimed_by"] is None

    # Nothing left: a second relay publishes nothing.
    again = RecordingPublisher()
    assert (await relay_outbox(database.sessionmaker, again, subscribers=subscribers)).claimed == 0
    assert again.messages == []


async def test_concurrent_relays_publish_each_row_exactly_once(database: Database, db_url: str) -> None:
    await _emit_many(database, 120)
    publisher = RecordingPublisher(delay=0.001)
    config = RelayConfig(batch_size=7)

    # Four relays in this loop (each with its own connection) and two in other threads/loops/engines.
    def in_thread() -> None:
        async def run() -> None:
            other = Database(db_url)
            try:
                await relay_outbox(other.sessionmaker, publisher, config=config, subscribers=subscribers)
            finally:
                await other.dispose()

        asyncio.run(run())

    threads = [threading.Thread(target=in_thread) for _ in range(2)]
    for t in threads:
        t.start()
    await asyncio.gather(
        *(
            relay_outbox(database.sessionmaker, publisher, config=config, subscribers=subscribers)
            for _ in range(4)
        )
    )
    for t in threads:
        t.join(60)

    counts = publisher.task_ids()
    assert len(counts) == 240  # 120 events x 2 subscribers
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v > 1}
    assert await _statuses(database) == {"sent": 120}


async def test_failed_publish_backs_off_then_goes_dead(database: Database) -> None:
    [event_id] = await _emit_many(database, 1)
    config = RelayConfig(max_attempts=3, backoff_base=2.0, backoff_max=600.0)
    publisher = FailingPublisher(error="redis down")

    before = utcnow()
    stats = await relay_outbox(database.sessionmaker, publisher, config=config, subscribers=subscribers)
    assert (stats.sent, stats.failed, stats.dead) == (0, 1, 0)
    row = await _row(database, event_id)
    assert row["status"] == "pending" and row["attempts"] == 1
    assert "redis down" in str(row["last_error"])
    assert row["claimed_by"] is None
    next_at = row["next_attempt_at"]
    assert isinstance(next_at, type(before))
    assert timedelta(seconds=1.9) <= next_at - before <= timedelta(seconds=5)

    # Not due yet: the next run leaves it alone.
    assert (
        await relay_outbox(database.sessionmaker, publisher, config=config, subscribers=subscribers)
    ).claimed == 0
    assert publisher.calls == 1

    for attempt in (2, 3):
        async with database.sessionmaker() as session:
            await session.execute(update(outbox).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
            await session.commit()
        stats = await relay_outbox(database.sessionmaker, publisher, config=config, subscribers=subscribers)
        row = await _row(database, event_id)
        assert row["attempts"] == attempt
    assert stats.dead == 1
    assert row["status"] == "dead"
    assert "ConnectionError: redis down" in str(row["last_error"])

    # Dead rows are never picked up again.
    async with database.sessionmaker() as session:
        await session.execute(update(outbox).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        await session.commit()
    assert (
        await relay_outbox(database.sessionmaker, publisher, config=config, subscribers=subscribers)
    ).claimed == 0

    assert [backoff_delay(n, RelayConfig(backoff_base=2, backoff_max=10)) for n in (1, 2, 3, 4, 5)] == [
        2,
        4,
        8,
        10,
        10,
    ]


async def test_failure_stops_the_batch_and_releases_the_rest(database: Database) -> None:
    ids = await _emit_many(database, 4, "catalog.branch.created")  # no subscriber in this table ...
    async with database.sessionmaker() as session:  # ... so make them tasks, one message per row
        await session.execute(
            update(outbox).values(kind="task", name="catalog.search.reindex", payload={"args": []})
        )
        await session.commit()
    publisher = FlakyPublisher(fail_on_call=2)
    stats = await relay_outbox(database.sessionmaker, publisher, subscribers=subscribers)
    assert (stats.sent, stats.failed) == (1, 1)
    rows = [await _row(database, i) for i in ids]
    assert [(r["status"], r["attempts"], r["claimed_by"]) for r in rows] == [
        ("sent", 0, None),
        ("pending", 1, None),
        ("pending", 0, None),
        ("pending", 0, None),
    ]
    # The released rows go out on the next run; the failed one waits for its backoff.
    stats = await relay_outbox(database.sessionmaker, publisher, subscribers=subscribers)
    assert stats.sent == 2


async def test_expired_claims_are_taken_over(database: Database) -> None:
    [event_id] = await _emit_many(database, 1)
    async with database.sessionmaker() as session:
        # A relay that claimed the row and died: its lease has run out.
        await session.execute(
            update(outbox).values(claimed_by="ghost:1:dead", claimed_until=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    publisher = RecordingPublisher()
    assert (await relay_outbox(database.sessionmaker, publisher, subscribers=subscribers)).sent == 1

    # A live claim is respected.
    [second] = await _emit_many(database, 1)
    async with database.sessionmaker() as session:
        await session.execute(
            update(outbox)
            .where(outbox.c.id == second)
            .values(claimed_by="other:2:live", claimed_until=utcnow() + timedelta(seconds=60))
        )
        await session.commit()
    assert (await relay_outbox(database.sessionmaker, publisher, subscribers=subscribers)).claimed == 0
    assert (await _row(database, event_id))["status"] == "sent"


async def test_purge_removes_only_old_sent_rows(database: Database) -> None:
    await _emit_many(database, 3)
    await relay_outbox(database.sessionmaker, RecordingPublisher(), subscribers=subscribers)
    await _emit_many(database, 1)
    async with database.sessionmaker() as session:
        first = (await session.execute(select(outbox.c.seq).order_by(outbox.c.seq).limit(1))).scalar_one()
        await session.execute(
            update(outbox).where(outbox.c.seq == first).values(sent_at=utcnow() - timedelta(days=8))
        )
        await session.commit()
    removed = await purge_outbox(database.sessionmaker)
    assert removed["outbox"] == 1
    assert await _statuses(database) == {"sent": 2, "pending": 1}


@pytest.mark.parametrize("batch_size", [1, 50])
async def test_batches_drain_everything(database: Database, batch_size: int) -> None:
    await _emit_many(database, 12)
    publisher = RecordingPublisher()
    stats = await relay_outbox(
        database.sessionmaker, publisher, config=RelayConfig(batch_size=batch_size), subscribers=subscribers
    )
    assert stats.sent == 12
    assert [m.args[0]["payload"]["n"] for m in publisher.messages[::2]] == list(range(12))
