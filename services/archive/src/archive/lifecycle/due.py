"""The daily lifecycle job: what is due for every record, and static archives whose closure ended.

Run by Celery beat (``archive.lifecycle.daily``) and callable from the CLI
(:func:`run_daily`). Each batch of records is its own transaction; running twice on a day changes
nothing the second time.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from archive.access.records import record_filter, viewer_for
from archive.audit import AuditDraft, append_many
from archive.events import RECORD_OPENED, publish_record
from archive.models import Record
from archive.models.records import STATUS_ACTIVE, STATUS_DESTROYED, STATUS_INACTIVE, STATUS_STATIC
from archive.records.service import refresh_dates
from archive.search.indexer import enqueue_index
from pusip_kit.auth.subject import AuthSubject, SecurityLevel
from pusip_kit.db import utcnow
from pusip_kit.uow import unit_of_work

TASK_DAILY = "archive.lifecycle.daily"
BATCH = 500
SYSTEM_ACTOR = "system:lifecycle"


async def _recompute_batch(
    session: AsyncSession, after: uuid.UUID | None, today: date
) -> tuple[uuid.UUID | None, int, int]:
    statement = (
        select(Record)
        .where(Record.status.in_([STATUS_ACTIVE, STATUS_INACTIVE]))
        .order_by(Record.id)
        .limit(BATCH)
    )
    if after is not None:
        statement = statement.where(Record.id > after)
    records = list((await session.execute(statement)).scalars().all())
    changed = 0
    for record in records:
        before = (record.due_action, record.active_until, record.inactive_until)
        refresh_dates(record, today)
        if before != (record.due_action, record.active_until, record.inactive_until):
            changed += 1
    await session.flush()
    return (records[-1].id if records else None), len(records), changed


async def open_static_archives(session: AsyncSession, today: date) -> int:
    """Static archives whose closure period ended become ``BIASA`` (public), audited and re-indexed."""
    result = await session.execute(
        select(Record)
        .where(
            Record.status == STATUS_STATIC,
            Record.opens_on.is_not(None),
            Record.opens_on <= today,
            Record.security_level != SecurityLevel.BIASA.value,
        )
        .limit(BATCH)
    )
    records = list(result.scalars().all())
    now = utcnow()
    for record in records:
        record.original_security_level = record.security_level
        record.security_level = SecurityLevel.BIASA.value
        record.opened_at = now
    await session.flush()
    await append_many(
        session,
        [
            AuditDraft(
                actor=SYSTEM_ACTOR,
                action="open_static",
                outcome="done",
                record_id=str(r.id),
                level=SecurityLevel.BIASA.value,
                details={
                    "before": r.original_security_level,
                    "opens_on": r.opens_on.isoformat() if r.opens_on else None,
                },
            )
            for r in records
        ],
    )
    for record in records:
        await publish_record(session, RECORD_OPENED, record)
    if records:
        await enqueue_index(session, [r.id for r in records])
    return len(records)


async def run_daily(
    sessionmaker: async_sessionmaker[AsyncSession], *, today: date | None = None
) -> dict[str, int]:
    """Recompute what is due for every active and inactive record, then open due static archives."""
    today = today or date.today()
    after: uuid.UUID | None = None
    seen = changed = 0
    while True:
        async with unit_of_work(sessionmaker) as session:
            after, count, batch_changed = await _recompute_batch(session, after, today)
        seen += count
        changed += batch_changed
        if after is None or count < BATCH:
            break
    opened = 0
    while True:
        async with unit_of_work(sessionmaker) as session:
            batch = await open_static_archives(session, today)
        opened += batch
        if batch < BATCH:
            break
    return {"checked": seen, "changed": changed, "opened": opened}


async def due_summary(session: AsyncSession, auth_subject: AuthSubject) -> dict[str, Any]:
    """How many records the caller may see are due, by action (the workbench's due list header)."""
    viewer = await viewer_for(session, auth_subject)
    result = await session.execute(
        select(Record.due_action, func.count())
        .where(record_filter(viewer), Record.due_action.is_not(None), Record.status != STATUS_DESTROYED)
        .group_by(Record.due_action)
    )
    return {"by_action": {str(a): int(n) for a, n in result.all()}}
