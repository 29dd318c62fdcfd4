"""The catalogue's domain events and after-commit tasks, and how they are written in bulk.

Events (consumed by circulation, which keeps a replica of items):

``catalog.record.created|updated|deleted``  payload :func:`record_payload`, key = record id
``catalog.item.created|updated|deleted``      payload :func:`item_payload`, key = barcode

Tasks (ids only): ``catalog.index.records`` (record ids), ``catalog.index.reindex``,
``catalog.index.reconcile``, ``catalog.imports.run`` (job id), ``catalog.eresources.extract``
(e-resource id).

:func:`emit_events` writes many outbox rows with one statement — an import writes thousands of
events per second, one ``INSERT`` per event would dominate its time. The rows are exactly those
:func:`pusip_kit.outbox.emit_event` writes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pusip_kit.db import RawJSON
from pusip_kit.db.base import utcnow
from pusip_kit.outbox import PENDING, enqueue_task, kick_relay, outbox, to_json_value
from pusip_kit.outbox.tables import KIND_EVENT
from pusip_kit.outbox.writer import EVENT_TYPE_RE
from pusip_kit.uow import after_commit

RECORD_CREATED = "catalog.record.created"
RECORD_UPDATED = "catalog.record.updated"
RECORD_DELETED = "catalog.record.deleted"
ITEM_CREATED = "catalog.item.created"
ITEM_UPDATED = "catalog.item.updated"
ITEM_DELETED = "catalog.item.deleted"

TASK_INDEX_RECORDS = "catalog.index.records"
TASK_REINDEX = "catalog.index.reindex"
TASK_RECONCILE = "catalog.index.reconcile"
TASK_RUN_IMPORT = "catalog.imports.run"
TASK_EXTRACT_TEXT = "catalog.eresources.extract"

INDEX_IDS_PER_TASK = 500


def record_payload(record: Any) -> dict[str, Any]:
    return {
        "id": str(record.id),
        "control_number": record.control_number,
        "title": record.title,
        "authors": list(record.authors or [])[:5],
        "isbns": list(record.isbns or []),
        "year": record.year,
        "material_type": record.material_type,
        "language": record.language,
        "deleted": bool(record.deleted),
        "version": record.version,
    }


def item_payload(item: Any, title: str | None) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "barcode": item.barcode,
        "record_id": str(item.record_id),
        "branch": item.branch_code,
        "location": item.location,
        "call_number": item.call_number,
        "material_type": item.material_type,
        "status": item.status,
        "title": title,
    }


def _kick() -> None:
    kick_relay("catalog")


async def emit_events(
    session: AsyncSession, events: Iterable[tuple[str, Mapping[str, Any] | RawJSON, str | None]]
) -> int:
    """Write ``(event_type, payload, key)`` events in the session's transaction (one statement).

    A payload may come already serialised (:class:`~pusip_kit.db.RawJSON`, a JSON object)."""
    now = utcnow()
    rows = []
    checked: set[str] = set()
    for event_type, payload, key in events:
        if event_type not in checked:
            if not EVENT_TYPE_RE.match(event_type) or not event_type.startswith("catalog."):
                raise ValueError(f"invalid catalog event type {event_type!r}")
            checked.add(event_type)
        rows.append(
            {
                "id": uuid.uuid4(),
                "kind": KIND_EVENT,
                "name": event_type,
                "producer": "catalog",
                "key": key,
                "payload": payload if isinstance(payload, RawJSON) else to_json_value(dict(payload)),
                "status": PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    if rows:
        await session.execute(insert(outbox), rows)
        after_commit(session, _kick)
    return len(rows)


async def enqueue_index(session: AsyncSession, record_ids: Sequence[uuid.UUID | str]) -> None:
    """Have the worker (the index's one writer) re-index these records after commit."""
    ids = [str(i) for i in dict.fromkeys(record_ids)]
    for start in range(0, len(ids), INDEX_IDS_PER_TASK):
        await enqueue_task(session, TASK_INDEX_RECORDS, *ids[start : start + INDEX_IDS_PER_TASK])
