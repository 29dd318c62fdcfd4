"""``pusip reconcile --service accreditation``: evidence and guidance files, the outbox.

* ``objects:accreditation-files`` — assessment evidence and guidance materials against the bucket;
* ``outbox``.
"""

from __future__ import annotations

from sqlalchemy import select

from accreditation.config import AccreditationSettings
from accreditation.models.assessment import AssessmentEvidence
from accreditation.models.guidance import GuidanceMaterial
from accreditation.runtime import BUCKET
from pusip_kit.reconcile import (
    ExpectedObject,
    ReconcileOptions,
    ServiceReport,
    outbox_check,
    reconcile_objects,
    service_sessionmaker,
)
from pusip_kit.storage import make_object_store


async def reconcile(settings: AccreditationSettings, options: ReconcileOptions) -> ServiceReport:
    report = ServiceReport("accreditation")
    store = make_object_store(settings, BUCKET)
    try:
        async with service_sessionmaker(settings) as sessionmaker:

            async def expected() -> list[ExpectedObject]:
                out = []
                async with sessionmaker() as session:
                    for model, what in ((AssessmentEvidence, "evidence"), (GuidanceMaterial, "material")):
                        rows = await session.execute(select(model.id, model.object_key, model.sha256))
                        out += [ExpectedObject(key, f"{what} {row_id}", sha) for row_id, key, sha in rows]
                return out

            report.checks.append(
                await reconcile_objects(
                    store,
                    check=f"objects:{BUCKET}",
                    expected=expected,
                    repair=options.repair,
                    grace=options.grace,
                    verify_content=options.verify_content,
                )
            )
            await outbox_check(report, settings, sessionmaker, options)
    finally:
        await store.close()
    return report
