"""The outbox relay: claim pending rows, publish them to the broker, mark them sent.

At-least-once and safe to run concurrently (a kick after each commit, the beat safety net, several
workers): rows are *claimed* with one ``UPDATE … RETURNING`` that sets ``claimed_by`` and a lease
(``claimed_until``); on PostgreSQL the candidate rows are picked with ``FOR UPDATE SKIP LOCKED``,
on SQLite the statement runs under the database's single write lock. Only the claimer may mark a
row sent or failed. A relay that dies mid-batch leaves its claims to expire after the lease, so its
rows are published again (consumers dedupe by event id).

A failed publish increments ``attempts`` and pushes ``next_attempt_at`` back exponentially; after
``max_attempts`` the row becomes ``dead`` with ``last_error`` (see the admin router to retry it).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pusip_kit import events as _events
from pusip_kit.db.base import utcnow
from pusip_kit.outbox.tables import (
    DEAD,
    DL_RESOLVED,
    KIND_EVENT,
    PENDING,
    SENT,
    dead_letters,
    outbox,
    processed_events,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingMessage:
    """One broker message: Celery task ``task_name(*args)`` on ``queue``."""

    task_name: str
    args: list[Any]
    queue: str
    task_id: str


class Publisher(Protocol):
    """Publishes one message to the broker; raises on failure. Called from a worker thread."""

    def publish(self, message: OutgoingMessage) -> None: ...


@dataclass(frozen=True)
class RelayConfig:
    batch_size: int = 100
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 10
    backoff_base: float = 2.0
    backoff_max: float = 600.0
    time_budget: float = 10.0  # stop starting new batches after this many seconds


@dataclass
class RelayStats:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    messages: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "claimed": self.claimed,
            "sent": self.sent,
            "failed": self.failed,
            "dead": self.dead,
            "messages": self.messages,
        }


def backoff_delay(attempts: int, config: RelayConfig) -> float:
    """Seconds to wait after the ``attempts``-th failed publish (1 → base, 2 → 2·base …)."""
    return float(min(config.backoff_max, config.backoff_base * (2 ** max(0, attempts - 1))))


def messages_for(
    row: Any, subscribers: Callable[[str], Sequence[str]] | None = None
) -> list[OutgoingMessage]:
    """The broker messages one outbox row turns into (an event fans out to each subscriber)."""
    # pusip_kit.events imports the kit tables, so it is looked up at call time (no import cycle).
    subscribers = subscribers or _events.subscribers_of
    if row.kind == KIND_EVENT:
        event = _events.Event(
            id=row.id,
            type=row.name,
            occurred_at=row.created_at,
            producer=row.producer,
            key=row.key,
            payload=dict(row.payload or {}),
        )
        envelope = event.to_message()
        return [
            OutgoingMessage(
                task_name=f"{subscriber}.events.handle",
                args=[envelope],
                queue=subscriber,
                task_id=f"{row.id}:{subscriber}",
            )
            for subscriber in subscribers(row.name)
        ]
    args = list((row.payload or {}).get("args", []))
    return [
        OutgoingMessage(task_name=row.name, args=args, queue=row.name.split(".", 1)[0], task_id=str(row.id))
    ]


def _relay_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def claim_batch(
    session: AsyncSession, claimer: str, config: RelayConfig, *, now: datetime | None = None
) -> list[Any]:
    """Claim up to ``batch_size`` due rows for ``claimer`` (and commit the claim)."""
    now = now or utcnow()
    candidates = (
        select(outbox.c.seq)
        .where(
            outbox.c.status == PENDING,
            outbox.c.next_attempt_at <= now,
            or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now),
        )
        .order_by(outbox.c.seq)
        .limit(config.batch_size)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    stmt = (
        update(outbox)
        .where(outbox.c.seq.in_(candidates.scalar_subquery()))
        .values(claimed_by=claimer, claimed_until=now + config.lease)
        .returning(*outbox.c)
    )
    rows = list((await session.execute(stmt)).all())
    await session.commit()
    rows.sort(key=lambda r: r.seq)
    return rows


async def _mark_sent(session: AsyncSession, claimer: str, seqs: list[int]) -> None:
    if not seqs:
        return
    await session.execute(
        update(outbox)
        .where(outbox.c.seq.in_(seqs), outbox.c.claimed_by == claimer, outbox.c.status == PENDING)
        .values(status=SENT, sent_at=utcnow(), claimed_by=None, claimed_until=None, last_error=None)
    )


async def _mark_failed(
    session: AsyncSession, claimer: str, row: Any, error: str, config: RelayConfig
) -> bool:
    """Record a failed publish; True when the row is now dead."""
    attempts = int(row.attempts) + 1
    dead = attempts >= config.max_attempts
    await session.execute(
        update(outbox)
        .where(outbox.c.seq == row.seq, outbox.c.claimed_by == claimer)
        .values(
            attempts=attempts,
            status=DEAD if dead else PENDING,
            next_attempt_at=utcnow() + timedelta(seconds=backoff_delay(attempts, config)),
            last_error=error[-4000:],
            claimed_by=None,
            claimed_until=None,
        )
    )
    return dead


async def _release(session: AsyncSession, claimer: str, seqs: list[int]) -> None:
    if seqs:
        await session.execute(
            update(outbox)
            .where(outbox.c.seq.in_(seqs), outbox.c.claimed_by == claimer)
            .values(claimed_by=None, claimed_until=None)
        )


async def relay_outbox(
    sessionmaker: async_sessionmaker[AsyncSession],
    publisher: Publisher,
    *,
    config: RelayConfig | None = None,
    subscribers: Callable[[str], Sequence[str]] | None = None,
    max_batches: int | None = None,
) -> RelayStats:
    """Drain due outbox rows in creation order, batch by batch, until none are left.

    Publishing stops at the first failure in a batch (the broker is most likely down): that row is
    marked failed with backoff, the rest of the batch is released untouched for the next run.
    """
    config = config or RelayConfig()
    stats = RelayStats()
    claimer = _relay_id()
    started = time.monotonic()
    batches = 0
    while True:
        async with sessionmaker() as session:
            rows = await claim_batch(session, claimer, config)
        if not rows:
            break
        batches += 1
        stats.claimed += len(rows)
        sent: list[int] = []
        failure: tuple[Any, str] | None = None
        untouched: list[int] = []
        for index, row in enumerate(rows):
            try:
                for message in messages_for(row, subscribers):
                    await asyncio.to_thread(publisher.publish, message)
                    stats.messages += 1
                sent.append(row.seq)
            except Exception as exc:
                failure = (row, f"{type(exc).__name__}: {exc}")
                untouched = [r.seq for r in rows[index + 1 :]]
                break
        async with sessionmaker() as session:
            await _mark_sent(session, claimer, sent)
            if failure is not None:
                if await _mark_failed(session, claimer, failure[0], failure[1], config):
                    stats.dead += 1
                stats.failed += 1
                stats.errors.append(failure[1])
                await _release(session, claimer, untouched)
            await session.commit()
        stats.sent += len(sent)
        if failure is not None:
            log.warning(
                "Relai outbox gagal menerbitkan / outbox relay could not publish %s: %s",
                failure[0].id,
                failure[1],
            )
            break
        if len(rows) < config.batch_size:
            break
        if max_batches is not None and batches >= max_batches:
            break
        if time.monotonic() - started > config.time_budget:
            break
    if stats.claimed:
        log.info("outbox relay", extra={"relay": stats.as_dict()})
    return stats


async def retry_outbox_row(session: AsyncSession, row_id: uuid.UUID) -> bool:
    """Make a pending or dead row due now with a fresh attempt count (caller commits)."""
    result = await session.execute(
        update(outbox)
        .where(outbox.c.id == row_id, outbox.c.status.in_((PENDING, DEAD)))
        .values(
            status=PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
            claimed_by=None,
            claimed_until=None,
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def purge_outbox(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    sent_older_than: timedelta = timedelta(days=7),
    processed_older_than: timedelta = timedelta(days=30),
    resolved_older_than: timedelta = timedelta(days=30),
) -> dict[str, int]:
    """Delete old sent rows, old dedupe rows and old resolved dead letters."""
    now = utcnow()
    async with sessionmaker() as session:
        sent = await session.execute(
            delete(outbox).where(outbox.c.status == SENT, outbox.c.sent_at < now - sent_older_than)
        )
        processed = await session.execute(
            delete(processed_events).where(processed_events.c.processed_at < now - processed_older_than)
        )
        resolved = await session.execute(
            delete(dead_letters).where(
                and_(
                    dead_letters.c.status == DL_RESOLVED,
                    dead_letters.c.resolved_at < now - resolved_older_than,
                )
            )
        )
        await session.commit()
    return {
        "outbox": int(getattr(sent, "rowcount", 0)),
        "processed_events": int(getattr(processed, "rowcount", 0)),
        "dead_letters": int(getattr(resolved, "rowcount", 0)),
    }
