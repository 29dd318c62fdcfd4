"""Writing to the outbox inside the caller's transaction, and kicking the relay after commit."""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from typing import Any

import orjson
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pusip_kit.db.base import utcnow
from pusip_kit.outbox.tables import KIND_EVENT, KIND_TASK, PENDING, outbox
from pusip_kit.uow import after_commit

log = logging.getLogger(__name__)

EVENT_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){2,}$")
TASK_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")


class OutboxError(ValueError):
    """A malformed event type, task name or payload (a programming error, raised at emit time)."""


def producer_of(name: str) -> str:
    """The service an event type or task name belongs to: its first segment."""
    return name.split(".", 1)[0]


def _default(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal | PurePath):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json_value(value: Any) -> Any:
    """A JSON-clean copy of ``value`` (UUID, datetime, Decimal, Enum, pydantic models allowed)."""
    try:
        return orjson.loads(orjson.dumps(value, default=_default, option=orjson.OPT_NON_STR_KEYS))
    except (TypeError, orjson.JSONEncodeError) as exc:
        raise OutboxError(
            f"Muatan tidak dapat diubah ke JSON / payload is not JSON serialisable: {exc}"
        ) from exc


async def emit_event(
    session: AsyncSession, event_type: str, payload: Mapping[str, Any], *, key: str | None = None
) -> uuid.UUID:
    """Record a domain event in the caller's transaction; it is relayed only if that commits.

    ``event_type`` is ``<producer>.<entity>.<verb>`` (``catalog.item.created``); ``key`` names the
    aggregate (an item id, say) for consumers that care about ordering or grouping. Returns the
    event id, which consumers use for dedupe.
    """
    if not EVENT_TYPE_RE.match(event_type):
        raise OutboxError(
            f"Jenis peristiwa tidak sah / invalid event type {event_type!r} "
            "(expected '<service>.<entity>.<verb>', lower case)"
        )
    if not isinstance(payload, Mapping):
        raise OutboxError("Muatan peristiwa harus berupa objek / event payload must be a mapping")
    return await _write(session, KIND_EVENT, event_type, to_json_value(dict(payload)), key)


async def enqueue_task(session: AsyncSession, task_name: str, *args: str | int) -> uuid.UUID:
    """Run Celery task ``task_name(*args)`` once the caller's transaction commits (durably).

    Tasks take ids, not payloads: arguments are strings or integers. The task runs on the queue of
    the service named by the first segment of ``task_name`` (``catalog.search.reindex_record``).
    Returns the outbox row id, also used as the Celery task id.
    """
    if not TASK_NAME_RE.match(task_name):
        raise OutboxError(
            f"Nama tugas tidak sah / invalid task name {task_name!r} (expected '<service>.<...>')"
        )
    for arg in args:
        if isinstance(arg, bool) or not isinstance(arg, str | int):
            raise OutboxError(
                "Argumen tugas harus string atau bilangan bulat (id, bukan muatan) / "
                f"task arguments must be str or int (ids, not payloads): {arg!r}"
            )
    return await _write(session, KIND_TASK, task_name, {"args": list(args)}, None)


_INSERT = insert(outbox)


async def _write(
    session: AsyncSession, kind: str, name: str, payload: dict[str, Any], key: str | None
) -> uuid.UUID:
    row_id = uuid.uuid4()
    now = utcnow()
    producer = producer_of(name)
    row = {
        "id": row_id,
        "kind": kind,
        "name": name,
        "producer": producer,
        "key": key,
        "payload": payload,
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    # One statement object with bound parameters: ``insert().values(...)`` with the values inline
    # would be a new statement (and a new cache key to compute) for every row.
    await session.execute(_INSERT, row)
    after_commit(session, _kick_callback(producer))
    return row_id


# -- kicking the relay ------------------------------------------------------------------------------
#
# A kicker is a cheap, possibly blocking callable that asks service ``producer``'s worker to run its
# relay now (``make_celery`` registers one that publishes ``<service>.outbox.relay``). Kicks run on a
# background thread and are coalesced per service, so a commit never waits for the broker; if the
# broker is down the kick is only logged: the periodic relay (beat) drains the rows anyway.
#
# Kicks are also debounced: at most one per service every KICK_INTERVAL_SECONDS. A kick asked for
# while one is waiting joins it; the waiting kick is sent after the commits that asked for it, so the
# last commit of a burst is always followed by a kick (at most one interval late).

Kicker = Callable[[], None]
_kickers: dict[str, Kicker] = {}
_callbacks: dict[str, Callable[[], None]] = {}
_pending: set[str] = set()
_last_kick: dict[str, float] = {}  # time.monotonic() of each service's latest kick
KICK_INTERVAL_SECONDS = 0.1
_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_pid: int | None = None


def register_relay_kicker(service: str, kicker: Kicker | None) -> None:
    """Install (or with ``None`` remove) how this process asks ``service``'s relay to run."""
    if kicker is None:
        _kickers.pop(service, None)
    else:
        _kickers[service] = kicker


def relay_kicker(service: str) -> Kicker | None:
    return _kickers.get(service)


def _kick_callback(service: str) -> Callable[[], None]:
    # One callback object per service, so many emits in one transaction register a single kick.
    callback = _callbacks.get(service)
    if callback is None:
        callback = _callbacks.setdefault(service, lambda: kick_relay(service))
    return callback


def _get_executor() -> ThreadPoolExecutor:
    global _executor, _executor_pid
    if _executor is None or _executor_pid != os.getpid():
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pusip-outbox-kick")
        _executor_pid = os.getpid()
        _pending.clear()
        _last_kick.clear()
    return _executor


def kick_relay(service: str) -> None:
    """Ask ``service``'s relay to run soon; never blocks and never raises."""
    kicker = _kickers.get(service)
    if kicker is None:
        log.debug("no relay kicker for %s; the periodic relay will send the rows", service)
        return
    with _lock:
        if service in _pending:
            return
        _pending.add(service)
        executor = _get_executor()

    def run() -> None:
        wait = _last_kick.get(service, float("-inf")) + KICK_INTERVAL_SECONDS - time.monotonic()
        if wait > 0:
            time.sleep(wait)  # commits meanwhile find the kick pending and join it
        with _lock:
            _pending.discard(service)  # from here on a commit asks for a kick of its own
            _last_kick[service] = time.monotonic()
        current = _kickers.get(service)  # the kicker now: the commits that joined may have come later
        if current is None:
            return
        try:
            current()
        except Exception as exc:
            log.warning(
                "Gagal memicu relai outbox %s; relai berkala akan mengirimnya / "
                "could not kick the %s outbox relay, the periodic relay will send the rows: %s",
                service,
                service,
                exc,
            )

    try:
        executor.submit(run)
    except RuntimeError:  # interpreter shutting down
        with _lock:
            _pending.discard(service)


def wait_for_kicks(timeout: float = 5.0) -> None:
    """Block until the kicks submitted so far have run (tests, graceful shutdown)."""
    with _lock:
        executor = _executor if _executor_pid == os.getpid() else None
    if executor is not None:
        executor.submit(lambda: None).result(timeout=timeout)
