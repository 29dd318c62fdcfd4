"""Keeping the search index equal to the database: by ids, a full rebuild, and reconciliation.

Run by the worker (the index's one writer) through the ``archive.search.*`` tasks; the CLI and
tests call the same functions. Destroyed records leave the index (their metadata stays in the
database with the berita acara). The index carries the policy fields (level, unit and its
ancestors, cases) so the search filter compiled from the policy can be applied by the engine.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from archive.access.records import cases_of, facts
from archive.access.search import policy_fields
from archive.models import Record, RecordFile
from archive.models.records import STATUS_DESTROYED, STATUS_STATIC
from pusip_kit.outbox import enqueue_task
from pusip_kit.search import SearchIndex

log = logging.getLogger(__name__)

TASK_INDEX = "archive.search.index"
TASK_REINDEX = "archive.search.reindex"
BATCH = 500
IDS_PER_TASK = 500


async def enqueue_index(session: AsyncSession, record_ids: Sequence[uuid.UUID | str]) -> None:
    """Have the worker (the index's one writer) re-index these records after commit."""
    ids = [str(i) for i in dict.fromkeys(record_ids)]
    for start in range(0, len(ids), IDS_PER_TASK):
        await enqueue_task(session, TASK_INDEX, *ids[start : start + IDS_PER_TASK])


def document(record: Record, cases: frozenset[str], fulltext: str) -> dict[str, Any]:
    return {
        "id": str(record.id),
        "title": record.title,
        "description": record.description or "",
        "fulltext": fulltext,
        "reference_number": record.reference_number,
        "classification_code": record.classification_code,
        "status": record.status,
        "kind": "statis" if record.status == STATUS_STATIC else "dinamis",
        "record_date": record.record_date,
        "year": record.record_date.year,
        **policy_fields(facts(record, cases)),
    }


async def documents_for(
    session: AsyncSession, ids: Sequence[uuid.UUID], *, fulltext_max: int = 500_000
) -> tuple[list[dict[str, Any]], list[str]]:
    """Documents for the live records among ``ids``, and the ids to remove from the index."""
    result = await session.execute(select(Record).where(Record.id.in_(ids)))
    records = {r.id: r for r in result.scalars().all()}
    live = [r for r in records.values() if r.status != STATUS_DESTROYED]
    gone = [str(i) for i in ids if i not in records or records[i].status == STATUS_DESTROYED]
    cases = await cases_of(session, [r.id for r in live])
    texts: dict[uuid.UUID, list[str]] = {}
    if live:
        rows = await session.execute(
            select(RecordFile.record_id, RecordFile.text_content).where(
                RecordFile.record_id.in_([r.id for r in live]),
                RecordFile.text_content.is_not(None),
                RecordFile.purged_at.is_(None),
            )
        )
        for record_id, text in rows:
            if text:
                texts.setdefault(record_id, []).append(text)
    docs = [
        document(r, cases.get(r.id, frozenset()), "\n".join(texts.get(r.id, []))[:fulltext_max]) for r in live
    ]
    return docs, gone


def _uuids(ids: Sequence[str | uuid.UUID]) -> list[uuid.UUID]:
    out = []
    for i in ids:
        try:
            out.append(i if isinstance(i, uuid.UUID) else uuid.UUID(str(i)))
        except ValueError:
            log.warning("ignoring a malformed record id %r", i)
    return out


async def index_records(
    index: SearchIndex,
    sessionmaker: async_sessionmaker[AsyncSession],
    ids: Sequence[str | uuid.UUID],
    *,
    commit: bool = True,
) -> dict[str, int]:
    wanted = _uuids(ids)
    indexed = removed = 0
    for start in range(0, len(wanted), BATCH):
        async with sessionmaker() as session:
            docs, gone = await documents_for(session, wanted[start : start + BATCH])
        if docs:
            indexed += await index.index(docs)
        if gone:
            await index.delete(gone)
            removed += len(gone)
    if commit:
        await index.commit()
    return {"indexed": indexed, "removed": removed}


async def reindex_all(index: SearchIndex, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Rebuild the whole index from the database."""
    await index.ensure()
    await index.clear()
    total = 0
    after: uuid.UUID | None = None
    while True:
        async with sessionmaker() as session:
            statement = (
                select(Record.id).where(Record.status != STATUS_DESTROYED).order_by(Record.id).limit(BATCH)
            )
            if after is not None:
                statement = statement.where(Record.id > after)
            ids = list((await session.execute(statement)).scalars())
            if not ids:
                break
            docs, _ = await documents_for(session, ids)
        total += await index.index(docs)
        after = ids[-1]
    await index.commit()
    return total
