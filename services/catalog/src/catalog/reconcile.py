"""``pusip reconcile --service catalog``: the record index, the e-resource and import objects, the outbox.

* ``search:catalog_records`` — every live record has a current document, nothing else is indexed
  (e-resource summaries and their full text are part of the record's document);
* ``objects:catalog-eresources`` — e-resource rows against the bucket (legal-deposit e-resources
  live in the deposit service's store and are reconciled there);
* ``objects:catalog-imports`` — uploaded import files against their jobs;
* ``outbox``.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from catalog.config import CatalogSettings
from catalog.deposits import DEPOSIT_KEY_PREFIX
from catalog.models import BibRecord, EResource, ImportJob
from catalog.runtime import acquire_runtime, release_runtime
from catalog.search.documents import documents_for
from catalog.search.indexer import index_records
from pusip_kit.reconcile import (
    ExpectedObject,
    ReconcileOptions,
    ServiceReport,
    outbox_check,
    reconcile_index,
    reconcile_objects,
    service_sessionmaker,
)


async def reconcile(settings: CatalogSettings, options: ReconcileOptions) -> ServiceReport:
    report = ServiceReport("catalog")
    fulltext_max = settings.index_fulltext_max_chars
    runtime = acquire_runtime(settings)
    try:
        async with service_sessionmaker(settings) as sessionmaker:

            async def live_ids() -> set[str]:
                async with sessionmaker() as session:
                    rows = await session.execute(select(BibRecord.id).where(BibRecord.deleted.is_(False)))
                    return {str(i) for i in rows.scalars()}

            async def build(ids: list[str]) -> tuple[list[dict[str, object]], list[str]]:
                async with sessionmaker() as session:
                    return await documents_for(
                        session, [uuid.UUID(i) for i in ids], fulltext_max=fulltext_max
                    )

            async def reindex(ids: list[str]) -> object:
                return await index_records(
                    runtime.index, sessionmaker, ids, commit=False, fulltext_max=fulltext_max
                )

            report.checks.append(
                await reconcile_index(
                    runtime.index,
                    check="search:catalog_records",
                    live_ids=live_ids,
                    build=build,
                    reindex=reindex,
                    repair=options.repair,
                    compare_content=options.compare_content,
                )
            )

            async def eresources() -> list[ExpectedObject]:
                async with sessionmaker() as session:
                    rows = await session.execute(select(EResource.id, EResource.object_key, EResource.sha256))
                    return [
                        ExpectedObject(key, f"eresource {row_id}", sha)
                        for row_id, key, sha in rows
                        if not key.startswith(DEPOSIT_KEY_PREFIX)
                    ]

            async def imports() -> list[ExpectedObject]:
                async with sessionmaker() as session:
                    rows = await session.execute(
                        select(ImportJob.id, ImportJob.object_key, ImportJob.sha256).where(
                            ImportJob.object_key.is_not(None)
                        )
                    )
                    return [
                        ExpectedObject(key, f"import job {row_id}", sha) for row_id, key, sha in rows if key
                    ]

            for store, bucket, expected in (
                (runtime.eresources_store, "catalog-eresources", eresources),
                (runtime.imports_store, "catalog-imports", imports),
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
