"""Running an import job: the two stages glued together, progress, indexing and the books.

The same code runs in the worker (task ``catalog.imports.run``) and in the CLI
(:func:`catalog.imports.cli.import_file`). Each batch is one transaction that also moves the job's
counters and ``position_done`` on, so a job whose worker died resumes after the last stored batch
without storing any record twice.

Indexing: ``direct`` writes the batch's documents into the search index right after its commit
(the worker is the index's one writer; the CLI is when no worker holds the index); ``outbox``
writes a ``catalog.index.records`` task per batch inside the batch's transaction instead. In
``direct`` mode the documents are analysed and encoded in stage one (the parse process of a
parallel import), so this process only stores rows and hands ready documents to the index.
"""

from __future__ import annotations

import gc
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import anyio
import anyio.to_thread
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog.domain_events import enqueue_index
from catalog.imports.prepare import (
    Batch,
    DocumentEncoder,
    Entry,
    ParallelBatches,
    check_format,
    iter_batches,
    parse_workers,
)
from catalog.imports.writer import BatchResult, BatchWriter, JobOptions
from catalog.marc import MarcFormat
from catalog.models import Branch, DedupePolicy, ImportJob, ImportProblem, ImportStatus, ProblemSeverity
from catalog.search.indexer import index_records
from pusip_kit.db.base import utcnow
from pusip_kit.search import SearchIndex
from pusip_kit.uow import unit_of_work

log = logging.getLogger(__name__)

INDEX_COMMIT_EVERY_SECONDS = 60.0
"""A Tantivy commit writes a segment that later merges cost CPU: during a long import the index
is committed at most this often (and at the end)."""

SQLITE_BULK_PRAGMAS = ("PRAGMA cache_size=-32768",)
"""Per batch transaction on SQLite: a 32 MiB page cache keeps the records' indexes in memory
while they grow (the default 2 MiB cache re-reads index pages for every batch). Durability stays
as configured (WAL, ``synchronous=NORMAL``)."""


class IndexMode(StrEnum):
    DIRECT = "direct"
    OUTBOX = "outbox"


@dataclass(frozen=True)
class ImportProgress:
    job_id: uuid.UUID
    status: str
    bytes_read: int
    total_bytes: int
    records_read: int
    records_stored: int
    records_skipped: int
    records_reported: int

    @property
    def percent(self) -> float:
        if self.status == ImportStatus.COMPLETED:
            return 100.0
        return round(100.0 * self.bytes_read / self.total_bytes, 1) if self.total_bytes else 0.0


ProgressCallback = Callable[[ImportProgress], None]


def _progress(job: ImportJob) -> ImportProgress:
    return ImportProgress(
        job.id,
        job.status,
        job.bytes_read,
        job.total_bytes,
        job.records_read,
        job.records_stored,
        job.records_skipped,
        job.records_reported,
    )


async def _load(session: AsyncSession, job_id: uuid.UUID) -> ImportJob | None:
    return await session.get(ImportJob, job_id, populate_existing=True)


async def _advance(
    session: AsyncSession, job_id: uuid.UUID, r: BatchResult, last: int, bytes_read: int
) -> None:
    j = ImportJob
    await session.execute(
        update(j)
        .where(j.id == job_id)
        .values(
            records_read=j.records_read + r.read,
            records_stored=j.records_stored + r.stored,
            records_created=j.records_created + r.created,
            records_replaced=j.records_replaced + r.replaced,
            records_merged=j.records_merged + r.merged,
            records_skipped=j.records_skipped + r.skipped,
            records_reported=j.records_reported + r.reported,
            items_created=j.items_created + r.items_created,
            warnings=j.warnings + r.warnings,
            position_done=last,
            bytes_read=bytes_read,
            updated_at=utcnow(),
        )
    )


async def _finish(
    sessionmaker: async_sessionmaker[AsyncSession],
    job_id: uuid.UUID,
    status: ImportStatus,
    *,
    code: str | None = None,
    message: str | None = None,
    message_en: str | None = None,
) -> ImportJob:
    async with unit_of_work(sessionmaker) as session:
        job = await _load(session, job_id)
        assert job is not None
        job.status = status.value
        job.finished_at = utcnow()
        if status is ImportStatus.COMPLETED:
            job.bytes_read = job.total_bytes
        job.error_code, job.error_message, job.error_message_en = code, message, message_en
        return job


class _Pipeline:
    def __init__(
        self,
        index: SearchIndex,
        sessionmaker: async_sessionmaker[AsyncSession],
        job: ImportJob,
        writer: BatchWriter,
        index_mode: IndexMode,
        fulltext_max: int,
    ) -> None:
        self.index, self.sessionmaker, self.job_id = index, sessionmaker, job.id
        self.writer, self.index_mode, self.fulltext_max = writer, index_mode, fulltext_max
        self.dirty = False
        self.last_commit = time.monotonic()

    async def store(self, batch: Batch) -> None:
        try:
            async with unit_of_work(self.sessionmaker) as session:
                if session.get_bind().dialect.name == "sqlite":
                    for pragma in SQLITE_BULK_PRAGMAS:
                        await session.execute(text(pragma))
                result = await self.writer.store(session, batch.entries)
                await _advance(session, self.job_id, result, batch.last_position, batch.bytes_read)
                if self.index_mode is IndexMode.OUTBOX:
                    await enqueue_index(session, [*result.created_ids, *result.reindex])
        except Exception:
            log.warning("import batch failed as a whole; storing its records one by one", exc_info=True)
            result = await self._one_by_one(batch)
        await self._index(result)

    async def _one_by_one(self, batch: Batch) -> BatchResult:
        total = BatchResult()
        for i, entry in enumerate(batch.entries):
            last = batch.last_position if i == len(batch.entries) - 1 else entry.position
            try:
                async with unit_of_work(self.sessionmaker) as session:
                    result = await self.writer.store(session, [entry])
                    await _advance(session, self.job_id, result, last, batch.bytes_read)
                    if self.index_mode is IndexMode.OUTBOX:
                        await enqueue_index(session, [*result.created_ids, *result.reindex])
            except Exception as exc:
                log.warning("import record %s failed", entry.position, exc_info=True)
                result = await self._refuse(entry, exc, last, batch.bytes_read)
            total.add(result)
        return total

    async def _refuse(self, entry: Entry, exc: Exception, last: int, bytes_read: int) -> BatchResult:
        result = BatchResult(read=1, reported=1)
        async with unit_of_work(self.sessionmaker) as session:
            session.add(
                ImportProblem(
                    job_id=self.job_id,
                    position=entry.position,
                    offset=None,
                    control_number=(entry.control_number or "")[:200] or None,
                    severity=ProblemSeverity.ERROR.value,
                    code="store_failed",
                    message=f"Rekaman tidak dapat disimpan: {type(exc).__name__}",
                    message_en=f"The record could not be stored: {type(exc).__name__}: {exc}"[:1000],
                )
            )
            await _advance(session, self.job_id, result, last, bytes_read)
        return result

    async def _index(self, result: BatchResult) -> None:
        if self.index_mode is not IndexMode.DIRECT:
            return
        if result.documents:
            await self.index.index_encoded(result.documents, new=True)  # fresh ids
            self.dirty = True
        if result.reindex:
            await index_records(
                self.index, self.sessionmaker, result.reindex, commit=False, fulltext_max=self.fulltext_max
            )
            self.dirty = True
        if self.dirty and time.monotonic() - self.last_commit > INDEX_COMMIT_EVERY_SECONDS:
            await self.commit_index()

    async def commit_index(self) -> None:
        if self.dirty:
            await self.index.commit()
            self.dirty = False
        self.last_commit = time.monotonic()


async def run_job(
    index: SearchIndex,
    sessionmaker: async_sessionmaker[AsyncSession],
    job_id: uuid.UUID,
    path: Path,
    *,
    index_mode: IndexMode,
    batch_size: int = 500,
    parallel: bool = False,
    fulltext_max: int = 200_000,
    progress: ProgressCallback | None = None,
) -> ImportJob:
    """Work through the file of a queued (or interrupted) job; returns the job as it ended."""
    async with unit_of_work(sessionmaker) as session:
        job = await _load(session, job_id)
        if job is None:
            raise LookupError(f"import job {job_id} does not exist")
        if job.status in (ImportStatus.COMPLETED, ImportStatus.FAILED):
            return job
        resumed = job.status == ImportStatus.RUNNING
        job.status = ImportStatus.RUNNING.value
        job.started_at = job.started_at or utcnow()
        job.total_bytes = (await anyio.Path(path).stat()).st_size
        requested = MarcFormat(job.requested_format) if job.requested_format else None
        shape = check_format(path, requested)
        job.format = shape.format.value if shape.format else None
        options = JobOptions(
            job_id=job.id,
            dedupe=DedupePolicy(job.dedupe),
            target_branch=job.target_branch,
            acquisition_source=job.acquisition_source,
            record_source=job.record_source,
            branches=frozenset((await session.execute(select(Branch.code))).scalars()),
            fulltext_max=fulltext_max,
        )
        skip_through = job.position_done
        record_source = job.record_source
    if shape.format is None:
        return await _finish(
            sessionmaker,
            job_id,
            ImportStatus.FAILED,
            code=shape.code,
            message=shape.message,
            message_en=shape.message_en,
        )
    if resumed:
        log.warning("import job %s resumes after record %s", job_id, skip_through)
    encoder: DocumentEncoder | None = index.document_encoder() if index_mode is IndexMode.DIRECT else None
    pipeline = _Pipeline(index, sessionmaker, job, BatchWriter(options, encoder), index_mode, fulltext_max)
    parallel_reader: ParallelBatches | None = None
    # A job allocates and drops many small objects per batch and keeps few: the cyclic collector's
    # default thresholds spend a noticeable share of the job's time finding nothing.
    gc_thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        if parallel:
            parallel_reader = ParallelBatches(
                path,
                shape.format,
                record_source,
                batch_size=batch_size,
                skip_through=skip_through,
                encoder=encoder,
                workers=parse_workers(),
            )
            next_batch: Callable[[], Batch | None] = parallel_reader.get
        else:
            batches: Iterator[Batch] = iter_batches(
                path,
                shape.format,
                record_source,
                batch_size=batch_size,
                skip_through=skip_through,
                encoder=encoder,
            )

            def next_batch() -> Batch | None:
                return next(batches, None)

        while (batch := await anyio.to_thread.run_sync(next_batch)) is not None:
            await pipeline.store(batch)
            if progress is not None:
                async with sessionmaker() as session:
                    current = await _load(session, job_id)
                    if current is not None:
                        progress(_progress(current))
        await pipeline.commit_index()
    except Exception as exc:
        log.exception("import job %s failed", job_id)
        await pipeline.commit_index()
        return await _finish(
            sessionmaker,
            job_id,
            ImportStatus.FAILED,
            code="import_failed",
            message=f"Impor berhenti karena kesalahan: {type(exc).__name__}",
            message_en=f"The import stopped on an error: {type(exc).__name__}: {exc}"[:1000],
        )
    finally:
        gc.set_threshold(*gc_thresholds)
        gc.unfreeze()
        if parallel_reader is not None:
            parallel_reader.close()
    if resumed and index_mode is IndexMode.DIRECT:
        from catalog.search.indexer import reconcile

        await reconcile(index, sessionmaker, fulltext_max=fulltext_max)
    job = await _finish(sessionmaker, job_id, ImportStatus.COMPLETED)
    if progress is not None:
        progress(_progress(job))
    return job
