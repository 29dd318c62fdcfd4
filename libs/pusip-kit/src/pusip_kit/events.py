"""Domain events between services: who subscribes to what, and how a consumer applies them.

Producers write events with :func:`pusip_kit.outbox.emit_event`; the producing service's outbox
relay publishes each event to the queue of every subscribing service (see :data:`SUBSCRIPTIONS`)
as the Celery task ``<subscriber>.events.handle``. A subscriber declares its handlers::

    handlers = EventHandlers()

    @handlers.on("catalog.item.created", "catalog.item.updated")
    async def upsert_item_copy(session: AsyncSession, event: Event) -> None: ...

and registers them on its Celery app with :func:`register_event_consumer`. Each handler runs in its
own transaction together with a ``processed_events`` row keyed by (event id, handler), so a duplicate
delivery is a no-op. A failing handler is retried with exponential backoff; after the last retry the
event goes to the ``dead_letters`` table, from where an administrator can re-deliver it.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pusip_kit.db.base import utcnow
from pusip_kit.outbox.tables import DL_DEAD, DL_RESOLVED, DL_RETRYING, dead_letters, processed_events
from pusip_kit.uow import commit, discard_after_commit

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger(__name__)

# Who subscribes to what: subscriber service -> event-type patterns (fnmatch style, ``*`` wildcards).
# This is data: add a line here when a service starts consuming another's events.
SUBSCRIPTIONS: dict[str, list[str]] = {
    "circulation": ["catalog.item.*", "catalog.record.*", "catalog.branch.*"],
    "catalog": ["circulation.item.*", "deposit.deposit.accepted"],
    "accreditation": ["circulation.stats.*"],
}


def matches(pattern: str, event_type: str) -> bool:
    return fnmatchcase(event_type, pattern)


def subscribers_of(event_type: str, subscriptions: dict[str, list[str]] | None = None) -> list[str]:
    """The services that receive ``event_type``, in a stable (sorted) order."""
    table = SUBSCRIPTIONS if subscriptions is None else subscriptions
    return sorted(
        service for service, patterns in table.items() if any(matches(p, event_type) for p in patterns)
    )


@dataclass(frozen=True)
class Event:
    """One domain event as a consumer receives it."""

    id: uuid.UUID
    type: str
    occurred_at: datetime
    producer: str
    key: str | None
    payload: dict[str, Any] = field(default_factory=dict)

    def to_message(self) -> dict[str, Any]:
        """The JSON envelope carried by the ``<subscriber>.events.handle`` task."""
        return {
            "id": str(self.id),
            "type": self.type,
            "occurred_at": self.occurred_at.isoformat(),
            "producer": self.producer,
            "key": self.key,
            "payload": self.payload,
        }

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Event:
        return cls(
            id=uuid.UUID(str(message["id"])),
            type=str(message["type"]),
            occurred_at=datetime.fromisoformat(str(message["occurred_at"])),
            producer=str(message.get("producer") or message["type"].split(".", 1)[0]),
            key=message.get("key"),
            payload=dict(message.get("payload") or {}),
        )


Handler = Callable[[AsyncSession, Event], Awaitable[None]]


@dataclass(frozen=True)
class _Registration:
    name: str
    patterns: tuple[str, ...]
    func: Handler


class EventHandlers:
    """A service's event handlers, keyed by event-type pattern."""

    def __init__(self) -> None:
        self._registrations: list[_Registration] = []

    def on(self, *patterns: str, name: str | None = None) -> Callable[[Handler], Handler]:
        """Register ``async def handler(session, event)`` for events matching any of ``patterns``.

        ``name`` (default ``module.qualname``) identifies the handler in ``processed_events`` and
        ``dead_letters``; keep it stable once events have been processed.
        """
        if not patterns:
            raise ValueError("at least one event-type pattern is required")

        def decorator(func: Handler) -> Handler:
            handler_name = name or f"{func.__module__}.{func.__qualname__}"
            if any(r.name == handler_name for r in self._registrations):
                raise ValueError(f"event handler {handler_name!r} registered twice")
            self._registrations.append(_Registration(handler_name, tuple(patterns), func))
            return func

        return decorator

    @property
    def patterns(self) -> list[str]:
        return sorted({p for r in self._registrations for p in r.patterns})

    @property
    def names(self) -> list[str]:
        return [r.name for r in self._registrations]

    def for_type(self, event_type: str) -> list[tuple[str, Handler]]:
        return [
            (r.name, r.func) for r in self._registrations if any(matches(p, event_type) for p in r.patterns)
        ]

    def get(self, name: str) -> Handler | None:
        for r in self._registrations:
            if r.name == name:
                return r.func
        return None


def unsubscribed_patterns(
    service: str, handlers: EventHandlers, subscriptions: dict[str, list[str]] | None = None
) -> list[str]:
    """Handler patterns no subscription of ``service`` covers (those handlers would never run)."""
    table = SUBSCRIPTIONS if subscriptions is None else subscriptions
    declared = table.get(service, [])
    return [p for p in handlers.patterns if not any(fnmatchcase(p, d) or fnmatchcase(d, p) for d in declared)]


# -- applying an event ------------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    processed: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict[str, Any]:
        return {"processed": self.processed, "duplicates": self.duplicates, "failed": sorted(self.failed)}


async def claim_once(session: AsyncSession, key: uuid.UUID, name: str, kind: str = "task") -> bool:
    """Record that work ``key`` (an event or task id) was done by ``name``, in ``session``'s transaction.

    False when it was already recorded: the caller skips the work. For tasks, which are delivered at
    least once like events: ``if not await claim_once(session, uuid.UUID(self.request.id), name): return``.
    """
    values = {"event_id": key, "handler": name, "event_type": kind, "processed_at": utcnow()}
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(processed_events).values(**values).on_conflict_do_nothing()
    else:
        stmt = sqlite.insert(processed_events).values(**values).on_conflict_do_nothing()
    # RETURNING, not rowcount: psycopg reports -1 for INSERT … ON CONFLICT DO NOTHING.
    inserted = (await session.execute(stmt.returning(processed_events.c.event_id))).first()
    return inserted is not None


async def deliver_event(
    sessionmaker: async_sessionmaker[AsyncSession],
    handlers: EventHandlers,
    event: Event,
    *,
    only: Iterable[str] | None = None,
) -> DeliveryResult:
    """Apply ``event`` with every matching handler, each in its own deduped transaction."""
    result = DeliveryResult()
    wanted = set(only) if only is not None else None
    for name, func in handlers.for_type(event.type):
        if wanted is not None and name not in wanted:
            continue
        async with sessionmaker() as session:
            try:
                if not await claim_once(session, event.id, name, event.type):
                    await session.rollback()
                    result.duplicates.append(name)
                    continue
                await func(session, event)
                await commit(session)
                result.processed.append(name)
            except Exception as exc:
                await session.rollback()
                discard_after_commit(session)
                log.warning(
                    "Penangan peristiwa gagal / event handler failed: %s on %s %s: %s",
                    name,
                    event.type,
                    event.id,
                    exc,
                )
                result.failed[name] = "".join(traceback.format_exception(exc)).strip()[-8000:]
    return result


async def record_dead_letters(
    sessionmaker: async_sessionmaker[AsyncSession],
    event: Event,
    failed: dict[str, str],
    *,
    attempts: int,
) -> None:
    """Write (or refresh) a ``dead_letters`` row per failed handler."""
    now = utcnow()
    async with sessionmaker() as session:
        for handler_name, error in failed.items():
            existing = (
                await session.execute(
                    select(dead_letters.c.id, dead_letters.c.attempts).where(
                        dead_letters.c.event_id == event.id, dead_letters.c.handler == handler_name
                    )
                )
            ).first()
            if existing is None:
                await session.execute(
                    dead_letters.insert().values(
                        id=uuid.uuid4(),
                        event_id=event.id,
                        event_type=event.type,
                        producer=event.producer,
                        key=event.key,
                        occurred_at=event.occurred_at,
                        handler=handler_name,
                        payload=event.payload,
                        error=error,
                        attempts=attempts,
                        status=DL_DEAD,
                        failed_at=now,
                    )
                )
            else:
                await session.execute(
                    update(dead_letters)
                    .where(dead_letters.c.id == existing.id)
                    .values(
                        error=error,
                        attempts=existing.attempts + attempts,
                        status=DL_DEAD,
                        failed_at=now,
                        resolved_at=None,
                    )
                )
        await commit(session)
    log.error(
        "Peristiwa masuk dead letter / event dead-lettered: %s %s handlers=%s after %d attempts",
        event.type,
        event.id,
        sorted(failed),
        attempts,
    )


def _dead_letter_event(row: Any) -> Event:
    return Event(
        id=row.event_id,
        type=row.event_type,
        occurred_at=row.occurred_at,
        producer=row.producer,
        key=row.key,
        payload=dict(row.payload or {}),
    )


async def load_dead_letter(
    sessionmaker: async_sessionmaker[AsyncSession], dead_letter_id: uuid.UUID
) -> tuple[Event, str, str] | None:
    """(event, handler, status) of a dead letter, or None when it no longer exists."""
    async with sessionmaker() as session:
        row = (await session.execute(select(dead_letters).where(dead_letters.c.id == dead_letter_id))).first()
    if row is None:
        return None
    return _dead_letter_event(row), row.handler, row.status


async def resolve_dead_letter(
    sessionmaker: async_sessionmaker[AsyncSession], dead_letter_id: uuid.UUID
) -> None:
    async with sessionmaker() as session:
        await session.execute(
            update(dead_letters)
            .where(dead_letters.c.id == dead_letter_id)
            .values(status=DL_RESOLVED, resolved_at=utcnow())
        )
        await commit(session)


# -- Celery wiring ----------------------------------------------------------------------------------

DEFAULT_MAX_RETRIES = 6
DEFAULT_RETRY_BACKOFF = 2.0
DEFAULT_RETRY_BACKOFF_MAX = 600.0

SessionmakerFactory = Callable[[], async_sessionmaker[AsyncSession]]


def retry_countdown(retries: int, base: float, cap: float) -> float:
    """Seconds before retry number ``retries + 1``: base, 2·base, 4·base … capped."""
    return float(min(cap, base * (2**retries)))


def register_event_consumer(
    celery_app: Celery,
    service_name: str,
    handlers: EventHandlers,
    sessionmaker_factory: SessionmakerFactory,
    *,
    max_retries: int = DEFAULT_MAX_RETRIES,
    retry_backoff: float = DEFAULT_RETRY_BACKOFF,
    retry_backoff_max: float = DEFAULT_RETRY_BACKOFF_MAX,
) -> None:
    """Register ``<service>.events.handle`` and ``<service>.events.redeliver`` on ``celery_app``.

    ``sessionmaker_factory`` is called in the worker process (after fork) and should return a
    cached sessionmaker for the service database, e.g. ``lambda: worker_sessionmaker(settings)``.
    A handler failure is retried ``max_retries`` times (countdown ``retry_backoff·2ⁿ`` seconds,
    capped at ``retry_backoff_max``); then a ``dead_letters`` row records it and the message is
    acknowledged.
    """
    from pusip_kit.tasks import run_async

    missing = unsubscribed_patterns(service_name, handlers)
    if missing:
        log.warning(
            "Pola penangan %s tanpa langganan di SUBSCRIPTIONS / %s handler patterns not covered by "
            "SUBSCRIPTIONS (they will never receive events): %s",
            service_name,
            service_name,
            missing,
        )

    @celery_app.task(
        name=f"{service_name}.events.handle",
        bind=True,
        acks_late=True,
        ignore_result=True,
        max_retries=max_retries,
        shared=False,  # only this app: other apps in the process (tests) keep their own handlers
    )
    def handle(self: Any, message: dict[str, Any], only: list[str] | None = None) -> dict[str, Any]:
        event = Event.from_message(message)
        result: DeliveryResult = run_async(deliver_event(sessionmaker_factory(), handlers, event, only=only))
        if result.failed:
            retries = int(self.request.retries or 0)
            if retries < max_retries:
                raise self.retry(
                    args=(message,),
                    kwargs={"only": sorted(result.failed)},
                    countdown=retry_countdown(retries, retry_backoff, retry_backoff_max),
                    max_retries=max_retries,
                )
            _dead_letter_or_keep_retrying(
                self,
                lambda: record_dead_letters(
                    sessionmaker_factory(), event, result.failed, attempts=retries + 1
                ),
            )
        return result.as_dict()

    @celery_app.task(
        name=f"{service_name}.events.redeliver",
        bind=True,
        acks_late=True,
        ignore_result=True,
        max_retries=max_retries,
        shared=False,  # only this app: other apps in the process (tests) keep their own handlers
    )
    def redeliver(self: Any, dead_letter_id: str) -> dict[str, Any]:
        dl_id = uuid.UUID(str(dead_letter_id))
        sessionmaker = sessionmaker_factory()
        loaded = run_async(load_dead_letter(sessionmaker, dl_id))
        if loaded is None:
            return {"status": "missing"}
        event, handler_name, status = loaded
        if status == DL_RESOLVED:
            return {"status": "resolved"}
        if handlers.get(handler_name) is None:
            log.error("dead letter %s names unknown handler %s", dl_id, handler_name)
            return {"status": "unknown_handler"}
        result: DeliveryResult = run_async(deliver_event(sessionmaker, handlers, event, only=[handler_name]))
        if result.failed:
            retries = int(self.request.retries or 0)
            if retries < max_retries:
                raise self.retry(
                    countdown=retry_countdown(retries, retry_backoff, retry_backoff_max),
                    max_retries=max_retries,
                )
            _dead_letter_or_keep_retrying(
                self, lambda: record_dead_letters(sessionmaker, event, result.failed, attempts=retries + 1)
            )
            return {"status": DL_DEAD}
        run_async(resolve_dead_letter(sessionmaker, dl_id))
        return {"status": DL_RESOLVED, **result.as_dict()}

    def _dead_letter_or_keep_retrying(task: Any, write: Callable[[], Coroutine[Any, Any, None]]) -> None:
        try:
            run_async(write())
        except Exception as exc:
            # The database itself is failing (so were the handlers, probably): never drop the
            # event; retry at the slowest pace until the dead letter can be written.
            log.error("cannot write dead letter, retrying the event later: %s", exc)
            raise task.retry(countdown=retry_backoff_max, max_retries=None, exc=exc) from exc

    del handle, redeliver


__all__ = [
    "DL_DEAD",
    "DL_RESOLVED",
    "DL_RETRYING",
    "SUBSCRIPTIONS",
    "DeliveryResult",
    "Event",
    "EventHandlers",
    "claim_once",
    "deliver_event",
    "record_dead_letters",
    "register_event_consumer",
    "subscribers_of",
]
