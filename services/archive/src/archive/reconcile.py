"""``pusip reconcile --service archive``: the record index, record files, official documents, the outbox.

* ``search:archive_records`` — every record not destroyed has a current document (policy fields
  included), destroyed and unknown ones are not indexed;
* ``disposal:purge`` — files of destroyed records whose purge has not finished (a worker killed
  mid-purge): repair runs the purge of their disposal again (it refuses without a berita acara);
* ``objects:archive-records`` — record file rows against the bucket (a purged file's object must be
  gone; one being purged may be either);
* ``objects:archive-documents`` — berita acara and lists against their rows (never deleted);
* ``outbox``.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from archive.config import ArchiveSettings
from archive.lifecycle.disposal import purge_destroyed_files
from archive.models import DisposalItem, Document, Record, RecordFile
from archive.models.records import STATUS_DESTROYED
from archive.runtime import DOCUMENTS_BUCKET, FILES_BUCKET, acquire_runtime, release_runtime
from archive.search.indexer import documents_for, index_records
from pusip_kit.reconcile import (
    ExpectedObject,
    ReconcileOptions,
    ServiceReport,
    outbox_check,
    reconcile_index,
    reconcile_objects,
    service_sessionmaker,
)


async def reconcile(settings: ArchiveSettings, options: ReconcileOptions) -> ServiceReport:
    report = ServiceReport("archive")
    runtime = acquire_runtime(settings)
    try:
        async with service_sessionmaker(settings) as sessionmaker:

            async def live_ids() -> set[str]:
                async with sessionmaker() as session:
                    rows = await session.execute(select(Record.id).where(Record.status != STATUS_DESTROYED))
                    return {str(i) for i in rows.scalars()}

            async def build(ids: list[str]) -> tuple[list[dict[str, object]], list[str]]:
                async with sessionmaker() as session:
                    return await documents_for(session, [uuid.UUID(i) for i in ids])

            async def reindex(ids: list[str]) -> object:
                return await index_records(runtime.index, sessionmaker, ids, commit=False)

            report.checks.append(
                await reconcile_index(
                    runtime.index,
                    check="search:archive_records",
                    live_ids=live_ids,
                    build=build,
                    reindex=reindex,
                    repair=options.repair,
                    compare_content=options.compare_content,
                )
            )

            purge = report.check("disposal:purge")
            async with sessionmaker() as session:
                unpurged = (
                    await session.execute(
                        select(RecordFile.object_key, DisposalItem.proposal_id)
                        .join(Record, Record.id == RecordFile.record_id)
                        .join(DisposalItem, DisposalItem.record_id == Record.id, isouter=True)
                        .where(Record.status == STATUS_DESTROYED, RecordFile.purged_at.is_(None))
                    )
                ).all()
            purge.examined = len(unpurged)
            for key, proposal_id in unpurged:
                purge.add(
                    "purge_unfinished", key, f"disposal {proposal_id}", repairable=proposal_id is not None
                )
            if options.repair:
                for proposal_id in sorted({p for _, p in unpurged if p is not None}):
                    try:
                        done = await purge_destroyed_files(sessionmaker, runtime, proposal_id)
                        purge.repaired += done["purged"]
                    except Exception as exc:
                        purge.errors.append(f"{type(exc).__name__}: {exc}")

            async def files() -> list[ExpectedObject]:
                async with sessionmaker() as session:
                    rows = await session.execute(
                        select(RecordFile.id, RecordFile.object_key, RecordFile.sha256, Record.status)
                        .join(Record, Record.id == RecordFile.record_id)
                        .where(RecordFile.purged_at.is_(None))
                    )
                    return [
                        ExpectedObject(key, f"record file {row_id}", sha, optional=status == STATUS_DESTROYED)
                        for row_id, key, sha, status in rows
                    ]

            async def documents() -> list[ExpectedObject]:
                async with sessionmaker() as session:
                    rows = await session.execute(select(Document.id, Document.object_key, Document.sha256))
                    return [ExpectedObject(key, f"document {row_id}", sha) for row_id, key, sha in rows]

            for store, bucket, expected in (
                (runtime.files, FILES_BUCKET, files),
                (runtime.documents, DOCUMENTS_BUCKET, documents),
            ):
                report.checks.append(
                    await reconcile_objects(
                        store,
                        check=f"objects:{bucket}",
                        expected=expected,
                        repair=options.repair,
                        grace=options.grace,
                        verify_content=options.verify_content,
                    )
                )
            await outbox_check(report, settings, sessionmaker, options)
    finally:
        await release_runtime(runtime)
    return report
