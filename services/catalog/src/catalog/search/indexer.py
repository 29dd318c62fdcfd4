"""Keeping the search index equal to the database: by ids, a full rebuild, and reconciliation.

Run by the worker (the index's one writer) through the tasks in :mod:`catalog.tasks`; the CLI
and tests call the same functions.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog.domain_events import TASK_RECONCILE
from catalog.models import BibRecord
from catalog.search.documents import documents_for
from pusip_kit.outbox import enqueue_task
from pusip_kit.search import SearchIndex

log = logging.getLogger(__name__)

BATCH = 1000


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
    fulltext_max: int = 200_000,
) -> dict[str, int]:
    """(Re)index these records from the database; ids of deleted or missing records are removed."""
    wanted = _uuids(ids)
    indexed = removed = 0
    for start in range(0, len(wanted), BATCH):
        async with sessionmaker() as session:
            docs, gone = await documents_for(
                session, wanted[start : start + BATCH], fulltext_max=fulltext_max
            )
        indexed += await index.index(docs)
        if gone:
            await index.delete(gone)
            removed += len(gone)
    if commit:
        await index.commit()
    return {"indexed": indexed, "removed": removed}


async def _live_ids(
    sessionmaker: async_sessionmaker[AsyncSession], after: uuid.UUID | None
) -> list[uuid.UUID]:
    async with sessionmaker() as session:
        statement = (
            select(BibRecord.id).where(BibRecord.deleted.is_(False)).order_by(BibRecord.id).limit(BATCH)
        )
        if after is not None:
            statement = statement.where(BibRecord.id > after)
        return list((await session.execute(statement)).scalars())


async def reindex_all(
    index: SearchIndex, sessionmaker: async_sessionmaker[AsyncSession], *, fulltext_max: int = 200_000
) -> int:
    """Rebuild the whole index from the database (readers see the old index until the end)."""
    await index.ensure()
    await index.clear()
    total = 0
    after: uuid.UUID | None = None
    while ids := await _live_ids(sessionmaker, after):
        async with sessionmaker() as session:
            docs, _ = await documents_for(session, ids, fulltext_max=fulltext_max)
        total += await index.index(docs)
        after = ids[-1]
    await index.commit()
    await index.mark_current()
    return total


async def behind(index: SearchIndex, sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
    """The index must be refilled before it answers truly: it was written for an older schema, or
    it is empty while live records exist (Tantivy opens a fresh directory for a changed schema)."""
    if await index.outdated():
        return True
    if await index.count() > 0:
        return False
    return bool(await _live_ids(sessionmaker, None))


async def request_catch_up(index: SearchIndex, sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
    """At start-up: when the index is :func:`behind`, have the worker reconcile it now rather than
    at the next hourly run. Returns whether it was asked."""
    if not await behind(index, sessionmaker):
        return False
    log.warning("the search index is behind the database (new schema or emptied): reconciling it")
    async with sessionmaker() as session, session.begin():
        await enqueue_task(session, TASK_RECONCILE)
    return True


async def reconcile(
    index: SearchIndex, sessionmaker: async_sessionmaker[AsyncSession], *, fulltext_max: int = 200_000
) -> dict[str, int]:
    """Compare the index's ids with the live records: index what is missing, remove what is stale;
    an index written for an older schema is rebuilt whole."""
    if await index.outdated():
        log.warning("the search index was written for an older schema: rebuilding it")
        rebuilt = await reindex_all(index, sessionmaker, fulltext_max=fulltext_max)
        return {"missing": 0, "stale": 0, "live": rebuilt, "rebuilt": rebuilt}
    in_index = await index.all_ids()
    live: set[str] = set()
    after: uuid.UUID | None = None
    while ids := await _live_ids(sessionmaker, after):
        live.update(str(i) for i in ids)
        after = ids[-1]
    missing = sorted(live - in_index)
    stale = sorted(in_index - live)
    if stale:
        await index.delete(stale)
    if missing:
        await index_records(index, sessionmaker, missing, commit=False, fulltext_max=fulltext_max)
    if missing or stale:
        await index.commit()
    return {"missing": len(missing), "stale": len(stale), "live": len(live)}
