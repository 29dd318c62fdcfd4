"""Consumers: subscriptions as data, dedupe by event id, retries with backoff, dead letters."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import ClassVar

import pytest
import sqlalchemy as sa
from celery import Celery
from sqlalchemy.ext.asyncio import AsyncSession

from pusip_kit.config import ServiceSettings
from pusip_kit.db.engine import Database
from pusip_kit.events import (
    SUBSCRIPTIONS,
    Event,
    EventHandlers,
    deliver_event,
    record_dead_letters,
    register_event_consumer,
    retry_countdown,
    subscribers_of,
    unsubscribed_patterns,
)
from pusip_kit.outbox import dead_letters, processed_events
from pusip_kit.tasks import worker_sessionmaker

effects_metadata = sa.MetaData()
effects = sa.Table(
    "test_effects",
    effects_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("handler", sa.String(64), nullable=False),
)


@pytest.fixture
async def consumer_db(database: Database) -> AsyncIterator[Database]:
    async with database.engine.begin() as conn:
        await conn.run_sync(effects_metadata.create_all)
        await conn.execute(effects.delete())
    yield database


def make_event(event_type: str = "catalog.item.created", **payload: object) -> Event:
    return Event(
        id=uuid.uuid4(),
        type=event_type,
        occurred_at=datetime.now(UTC),
        producer=event_type.split(".")[0],
        key="item-1",
        payload=dict(payload),
    )


async def _effects(database: Database) -> list[tuple[str, str]]:
    async with database.sessionmaker() as session:
        rows = (
            await session.execute(sa.select(effects.c.event_id, effects.c.handler).order_by(effects.c.id))
        ).all()
    return [(r[0], r[1]) for r in rows]


async def _count(database: Database, table: sa.Table) -> int:
    async with database.sessionmaker() as session:
        return (await session.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()


def test_subscriptions_are_data() -> None:
    assert SUBSCRIPTIONS["circulation"][:2] == ["catalog.item.*", "catalog.record.*"]
    assert subscribers_of("catalog.item.created") == ["circulation"]
    assert subscribers_of("catalog.record.updated") == ["circulation"]
    assert subscribers_of("circulation.item.checked_out") == ["catalog"]
    assert subscribers_of("deposit.deposit.accepted") == ["catalog"]
    assert subscribers_of("deposit.deposit.received") == []
    assert subscribers_of("circulation.stats.monthly") == ["accreditation"]
    table = {"a": ["x.*"], "b": ["x.y.z"], "c": ["q.*"]}
    assert subscribers_of("x.y.z", table) == ["a", "b"]


def test_handler_registry() -> None:
    handlers = EventHandlers()

    @handlers.on("catalog.item.created", "catalog.item.updated")
    async def upsert(session: AsyncSession, event: Event) -> None: ...

    @handlers.on("catalog.item.*", name="audit")
    async def audit(session: AsyncSession, event: Event) -> None: ...

    @handlers.on("catalog.loan.*", name="never")
    async def never(session: AsyncSession, event: Event) -> None: ...

    assert [n for n, _ in handlers.for_type("catalog.item.created")] == [
        f"{__name__}.test_handler_registry.<locals>.upsert",
        "audit",
    ]
    assert [n for n, _ in handlers.for_type("catalog.item.deleted")] == ["audit"]
    assert unsubscribed_patterns("circulation", handlers) == ["catalog.loan.*"]
    with pytest.raises(ValueError):
        handlers.on("x.y.z", name="audit")(audit)


def _recording_handlers(fail: dict[str, int] | None = None) -> EventHandlers:
    """Handlers that insert an effect row; ``fail[name]`` = how many more times to raise."""
    handlers = EventHandlers()
    failures = fail if fail is not None else {}

    async def effect(session: AsyncSession, event: Event, name: str) -> None:
        await session.execute(effects.insert().values(event_id=str(event.id), handler=name))
        if failures.get(name, 0) != 0:
            failures[name] -= 1
            raise RuntimeError(f"{name} cannot apply {event.type}")

    @handlers.on("catalog.item.*", name="replica")
    async def replica(session: AsyncSession, event: Event) -> None:
        await effect(session, event, "replica")

    @handlers.on("catalog.item.created", name="stats")
    async def stats(session: AsyncSession, event: Event) -> None:
        await effect(session, event, "stats")

    return handlers


async def test_duplicate_delivery_is_a_no_op(consumer_db: Database) -> None:
    handlers = _recording_handlers()
    event = make_event(barcode="B001")
    first = await deliver_event(consumer_db.sessionmaker, handlers, event)
    second = await deliver_event(consumer_db.sessionmaker, handlers, event)
    assert (first.processed, first.duplicates) == (["replica", "stats"], [])
    assert (second.processed, second.duplicates) == ([], ["replica", "stats"])
    assert await _effects(consumer_db) == [(str(event.id), "replica"), (str(event.id), "stats")]
    assert await _count(consumer_db, processed_events) == 2


async def test_a_failing_handler_rolls_back_only_its_own_work(consumer_db: Database) -> None:
    handlers = _recording_handlers(fail={"stats": 1})
    event = make_event()
    result = await deliver_event(consumer_db.sessionmaker, handlers, event)
    assert result.processed == ["replica"]
    assert list(result.failed) == ["stats"]
    assert "RuntimeError: stats cannot apply catalog.item.created" in result.failed["stats"]
    assert await _effects(consumer_db) == [(str(event.id), "replica")]  # the failed insert rolled back

    retry = await deliver_event(consumer_db.sessionmaker, handlers, event)
    assert (retry.processed, retry.duplicates) == (["stats"], ["replica"])
    assert await _effects(consumer_db) == [(str(event.id), "replica"), (str(event.id), "stats")]


async def test_dead_letter_rows_are_written_and_refreshed(consumer_db: Database) -> None:
    event = make_event(barcode="B404")
    await record_dead_letters(consumer_db.sessionmaker, event, {"replica": "boom"}, attempts=4)
    await record_dead_letters(consumer_db.sessionmaker, event, {"replica": "boom again"}, attempts=2)
    async with consumer_db.sessionmaker() as session:
        [row] = (await session.execute(sa.select(dead_letters))).mappings().all()
    assert row["event_id"] == event.id
    assert row["event_type"] == "catalog.item.created"
    assert row["handler"] == "replica"
    assert row["payload"] == {"barcode": "B404"}
    assert row["error"] == "boom again"
    assert row["attempts"] == 6
    assert row["status"] == "dead"


def test_retry_countdown_is_exponential_and_capped() -> None:
    assert [retry_countdown(n, 2.0, 20.0) for n in range(6)] == [2, 4, 8, 16, 20, 20]


class ConsumerSettings(ServiceSettings):
    service_name: ClassVar[str] = "circulation"


def _eager_app(db_url: str, handlers: EventHandlers, max_retries: int) -> Celery:
    app = Celery("circulation-test", set_as_current=False)
    app.conf.update(task_always_eager=True, task_eager_propagates=False)
    register_event_consumer(
        app,
        "circulation",
        handlers,
        lambda: worker_sessionmaker(db_url),
        max_retries=max_retries,
        retry_backoff=0.01,
    )
    return app


async def test_celery_consumer_retries_then_dead_letters_then_redelivers(
    consumer_db: Database, db_url: str
) -> None:
    import anyio

    fail = {"replica": 3}
    handlers = _recording_handlers(fail=fail)
    app = _eager_app(db_url, handlers, max_retries=2)
    event = make_event()

    # 1 try + 2 retries, all failing for "replica": a dead letter with 3 attempts; "stats" applied once.
    await anyio.to_thread.run_sync(
        lambda: app.tasks["circulation.events.handle"].apply(args=(event.to_message(),))
    )
    async with consumer_db.sessionmaker() as session:
        [row] = (await session.execute(sa.select(dead_letters))).mappings().all()
    assert (row["handler"], row["attempts"], row["status"]) == ("replica", 3, "dead")
    assert await _effects(consumer_db) == [(str(event.id), "stats")]

    # A duplicate delivery of the same event does not apply "stats" again.
    await anyio.to_thread.run_sync(
        lambda: app.tasks["circulation.events.handle"].apply(args=(event.to_message(),))
    )
    assert fail["replica"] == 0  # the 4th attempt (of the duplicate) succeeded
    assert sorted(await _effects(consumer_db)) == sorted(
        [(str(event.id), "stats"), (str(event.id), "replica")]
    )

    # Re-delivering the dead letter now finds the work done: deduped, resolved.
    result = await anyio.to_thread.run_sync(
        lambda: app.tasks["circulation.events.redeliver"].apply(args=(str(row["id"]),)).get()
    )
    assert result["status"] == "resolved"
    assert result["duplicates"] == ["replica"]
    async with consumer_db.sessionmaker() as session:
        status = (await session.execute(sa.select(dead_letters.c.status))).scalar_one()
    assert status == "resolved"
    assert len(await _effects(consumer_db)) == 2
