"""``pusip reconcile --service deposit``: deposited files, extracted texts, warning letters, the outbox.

* ``objects:deposit-files`` — every deposit file row (package, file, payload) has its object with the
  recorded SHA-256, every extracted text its object; an object no row names is an orphan (an upload
  killed before its transaction committed);
* ``objects:deposit-documents`` — warning letters against their warnings;
* ``outbox``.
"""

from __future__ import annotations

from sqlalchemy import select

from deposit.config import DepositSettings
from deposit.models import DepositFile, Warning
from deposit.runtime import DOCUMENTS_BUCKET, FILES_BUCKET, make_stores
from pusip_kit.reconcile import (
    ExpectedObject,
    ReconcileOptions,
    ServiceReport,
    outbox_check,
    reconcile_objects,
    service_sessionmaker,
)


async def reconcile(settings: DepositSettings, options: ReconcileOptions) -> ServiceReport:
    report = ServiceReport("deposit")
    stores = make_stores(settings)
    try:
        async with service_sessionmaker(settings) as sessionmaker:

            async def files() -> list[ExpectedObject]:
                async with sessionmaker() as session:
                    rows = await session.execute(
                        select(
                            DepositFile.id,
                            DepositFile.bucket,
                            DepositFile.object_key,
                            DepositFile.sha256,
                            DepositFile.text_object_key,
                        )
                    )
                    out = []
                    for row_id, bucket, key, sha, text_key in rows:
                        if bucket == FILES_BUCKET:
                            out.append(ExpectedObject(key, f"deposit file {row_id}", sha))
                        if text_key:
                            out.append(ExpectedObject(text_key, f"text of deposit file {row_id}"))
                    return out

            async def letters() -> list[ExpectedObject]:
                async with sessionmaker() as session:
                    rows = await session.execute(
                        select(Warning.id, Warning.letter_object_key).where(
                            Warning.letter_object_key.is_not(None)
                        )
                    )
                    return [ExpectedObject(key, f"warning {row_id}") for row_id, key in rows if key]

            for store, bucket, expected in (
                (stores.files, FILES_BUCKET, files),
                (stores.documents, DOCUMENTS_BUCKET, letters),
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
        await stores.close()
    return report
