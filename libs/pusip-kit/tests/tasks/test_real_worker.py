"""End to end with real Celery workers (subprocesses): outbox → relay → broker → consumer.

Embedded tier: the serverless SQLite broker and SQLite databases. Services tier (marker
``services``): Redis at ``SERVERS.redis_url`` and PostgreSQL databases.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa

from pusip_kit.config import ServiceSettings
from pusip_kit.db.engine import Database, make_sync_url
from pusip_kit.outbox import dead_letters as dead_letters_table
from pusip_kit.outbox import emit_event, outbox, processed_events, register_relay_kicker
from pusip_kit.tasks import make_celery
from pusip_kit.testing.celery import WorkerProcess, start_worker, stop_workers
from pusip_kit.testing.db import migrated_database
from pusip_kit.testing.servers import SERVERS, require
from pusip_kit.uow import unit_of_work

HERE = Path(__file__).parent
WAIT_SECONDS = 15.0


@dataclass
class Stack:
    mode: str
    broker: str
    producer: str
    consumer: str
    producer_url: str
    consumer_url: str
    data_dir: Path

    def env(self, role: str) -> dict[str, str]:
        return {
            "E2E_ROLE": role,
            "E2E_PRODUCER": self.producer,
            "E2E_CONSUMER": self.consumer,
            "E2E_DATABASE": self.producer_url if role == "producer" else self.consumer_url,
            "E2E_DATA_DIR": str(self.data_dir / role),
            "E2E_BROKER": self.broker,
            "E2E_MODE": self.mode,
            "E2E_RELAY_INTERVAL": "1",
        }

    def start(self, role: str, *, beat: bool = False, wait: bool = True) -> WorkerProcess:
        return start_worker(
            "worker_app",
            queues=[self.producer if role == "producer" else self.consumer],
            log_path=self.data_dir / f"{role}-{uuid.uuid4().hex[:6]}.log",
            env=self.env(role),
            cwd=HERE,
            beat=beat,
            wait=wait,
        )

    def producer_app_settings(self) -> ServiceSettings:
        cls = type(
            "ProducerSettings",
            (ServiceSettings,),
            {"__annotations__": {"service_name": ClassVar[str]}, "service_name": self.producer},
        )
        return cls(
            data_dir=self.data_dir / "test",
            database_url=self.producer_url,
            broker_url=self.broker,
            mode=self.mode,
        )


def _create_effects_table(url: str) -> None:
    engine = sa.create_engine(make_sync_url(url))
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE test_effects (id SERIAL PRIMARY KEY, event_id VARCHAR(64) NOT NULL,"
                " handler VARCHAR(64) NOT NULL)"
                if engine.dialect.name == "postgresql"
                else "CREATE TABLE test_effects (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                " event_id VARCHAR(64) NOT NULL, handler VARCHAR(64) NOT NULL)"
            )
        )
    engine.dispose()


def _cleanup_redis(*queues: str) -> None:
    import redis

    client = redis.Redis.from_url(SERVERS.redis_url)
    try:
        for queue in queues:  # the queue, its bindings, priority sub-queues: names are unique per run
            keys = list(client.scan_iter(match=f"*{queue}*"))
            if keys:
                client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(params=["embedded", pytest.param("distributed", marks=pytest.mark.services)])
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    mode: str = request.param
    suffix = uuid.uuid4().hex[:6]
    if mode == "distributed":
        require("redis")
        require("postgres")
        backend, broker = "postgres", SERVERS.redis_url
    else:
        backend, broker = "sqlite", f"sqlite:///{tmp_path / 'broker.db'}"
    with (
        migrated_database(backend, tmp_path / "producer", prefix="e2e_producer") as producer_url,
        migrated_database(backend, tmp_path / "consumer", prefix="e2e_consumer") as consumer_url,
    ):
        _create_effects_table(consumer_url)
        yield Stack(mode, broker, f"kp{suffix}", f"kc{suffix}", producer_url, consumer_url, tmp_path)
        if mode == "distributed":
            _cleanup_redis(f"kp{suffix}", f"kc{suffix}")


async def _wait_for(
    database: Database, statement: Any, *, within: float = WAIT_SECONDS, workers: list[WorkerProcess]
) -> Any:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        async with database.sessionmaker() as session:
            row = (await session.execute(statement)).first()
        if row is not None:
            return row
        await asyncio.sleep(0.05)
    logs = "\n\n".join(f"--- {w.log_path.name}\n{w.log_text()[-3000:]}" for w in workers)
    pytest.fail(f"nothing after {within}s for {statement}\n{logs}")


async def test_event_travels_from_one_database_to_another(stack: Stack) -> None:
    producer_worker = stack.start("producer", beat=True, wait=False)
    consumer_worker = stack.start("consumer", wait=False)
    workers = [producer_worker, consumer_worker]
    producer_db, consumer_db = Database(stack.producer_url), Database(stack.consumer_url)
    # This process's Celery app for the producer: its only role here is the after-commit kick.
    make_celery(stack.producer_app_settings(), include=[])
    try:
        for worker in workers:
            worker.wait_ready()

        # 1. Kicked after commit: delivered within a fraction of a second.
        started = time.monotonic()
        async with unit_of_work(producer_db.sessionmaker) as session:
            event_id = await emit_event(session, f"{stack.producer}.thing.created", {"n": 1}, key="thing-1")
        await _wait_for(
            consumer_db,
            sa.select(processed_events).where(processed_events.c.event_id == event_id),
            workers=workers,
        )
        kicked_latency = time.monotonic() - started
        async with consumer_db.sessionmaker() as session:
            effects = (await session.execute(sa.text("SELECT event_id, handler FROM test_effects"))).all()
        assert [tuple(r) for r in effects] == [(str(event_id), "record_thing")]

        # 2. A handler that keeps failing: real retries with backoff, then a dead letter.
        async with unit_of_work(producer_db.sessionmaker) as session:
            poisoned = await emit_event(
                session, f"{stack.producer}.thing.updated", {"poison": True}, key="thing-2"
            )
        dead = await _wait_for(
            consumer_db,
            sa.select(dead_letters_table).where(dead_letters_table.c.event_id == poisoned),
            workers=workers,
        )
        assert dead.attempts == 3 and dead.status == "dead"
        assert "cannot apply poisoned thing thing-2" in dead.error

        # 3. No kick at all (say the broker was down at commit): beat's periodic relay delivers it.
        register_relay_kicker(stack.producer, None)
        started = time.monotonic()
        async with unit_of_work(producer_db.sessionmaker) as session:
            unkicked = await emit_event(session, f"{stack.producer}.thing.created", {"n": 3}, key="thing-3")
        await _wait_for(
            consumer_db,
            sa.select(processed_events).where(processed_events.c.event_id == unkicked),
            workers=workers,
        )
        beat_latency = time.monotonic() - started

        async with producer_db.sessionmaker() as session:
            statuses = (await session.execute(sa.select(outbox.c.status))).scalars().all()
        assert statuses == ["sent", "sent", "sent"]
        async with consumer_db.sessionmaker() as session:
            count = (
                await session.execute(sa.select(sa.func.count()).select_from(processed_events))
            ).scalar_one()
        assert count == 2
        print(f"{stack.mode}: kicked delivery {kicked_latency:.2f}s, beat-only delivery {beat_latency:.2f}s")
        assert kicked_latency < 5
    finally:
        register_relay_kicker(stack.producer, None)
        stop_workers(workers)
        await producer_db.dispose()
        await consumer_db.dispose()


def test_sqlite_broker_redelivers_after_a_worker_is_killed(tmp_path: Path) -> None:
    """``acks_late`` is real on the embedded broker: kill -9 mid-task, the next worker runs it."""
    with migrated_database("sqlite", tmp_path / "db") as url:
        stack = Stack(
            "embedded",
            f"sqlite:///{tmp_path / 'broker.db'}",
            f"kp{uuid.uuid4().hex[:6]}",
            f"kc{uuid.uuid4().hex[:6]}",
            url,
            url,
            tmp_path,
        )
        app = make_celery(
            type(
                "S",
                (ServiceSettings,),
                {"__annotations__": {"service_name": ClassVar[str]}, "service_name": stack.consumer},
            )(data_dir=tmp_path / "test", database_url=url, broker_url=stack.broker),
            include=[],
        )
        register_relay_kicker(stack.consumer, None)
        marker = tmp_path / "touched"
        first = stack.start("consumer")
        try:
            app.send_task(f"{stack.consumer}.slow.touch", args=[str(marker), 1.5], queue=stack.consumer)
            deadline = time.monotonic() + 10
            while not Path(f"{marker}.started").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert Path(f"{marker}.started").exists(), first.log_text()
            first.kill()
        finally:
            first.stop()
        assert not marker.exists()

        second = stack.start("consumer")
        try:
            deadline = time.monotonic() + 10
            while not marker.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert marker.exists(), second.log_text()
            assert marker.read_text().strip() == str(second.process.pid)
        finally:
            second.stop()

        import sqlite3

        with sqlite3.connect(tmp_path / "broker.db") as conn:
            assert conn.execute("SELECT count(*) FROM pusip_broker_message").fetchone() == (0,)
