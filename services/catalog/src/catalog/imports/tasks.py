"""The import job as the worker runs it: fetch the upload, run the pipeline, index directly."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog.imports.runner import IndexMode, _finish, run_job
from catalog.models import ImportJob, ImportStatus
from catalog.runtime import CatalogRuntime
from pusip_kit.storage import ObjectNotFound

log = logging.getLogger(__name__)


async def _download(runtime: CatalogRuntime, key: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        async for chunk in runtime.imports_store.get(key):
            out.write(chunk)


async def run_import_job(
    runtime: CatalogRuntime, sessionmaker: async_sessionmaker[AsyncSession], job_id: str
) -> dict[str, Any]:
    settings = runtime.settings
    async with sessionmaker() as session:
        job = await session.get(ImportJob, uuid.UUID(job_id))
    if job is None:
        return {"status": "missing"}
    if job.status in (ImportStatus.COMPLETED, ImportStatus.FAILED) or job.object_key is None:
        return {"status": job.status}
    path = settings.service_dir / "tmp" / f"import-{job.id}.bin"
    try:
        try:
            await _download(runtime, job.object_key, path)
        except ObjectNotFound:
            job = await _finish(
                sessionmaker,
                job.id,
                ImportStatus.FAILED,
                code="upload_missing",
                message="Berkas unggahan tidak ditemukan di penyimpanan",
                message_en="The uploaded file is missing from storage",
            )
            return {"status": job.status}
        job = await run_job(
            runtime.index,
            sessionmaker,
            job.id,
            path,
            index_mode=IndexMode.DIRECT,
            batch_size=settings.import_batch_size,
            parallel=path.stat().st_size >= settings.import_parallel_min_bytes,
            fulltext_max=settings.index_fulltext_max_chars,
        )
    finally:
        path.unlink(missing_ok=True)
    return {"status": job.status, "read": job.records_read, "stored": job.records_stored}
