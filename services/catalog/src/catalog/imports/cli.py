"""``pusip catalog import FILE``: the import pipeline run synchronously in the calling process.

The CLI command (in ``src/pusip``) calls :func:`import_file` and draws a progress bar from the
``progress_callback`` it passes.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path
from typing import Any, Literal

import anyio

from catalog.config import CatalogSettings
from catalog.imports.runner import ImportProgress, IndexMode, ProgressCallback, run_job
from catalog.imports.schemas import ImportFormat, ImportJobRead, ImportOptions, ImportRecordSource
from catalog.imports.service import import_service
from catalog.main import MIGRATIONS_DIR
from catalog.models import AcquisitionSource, DedupePolicy
from catalog.runtime import acquire_runtime, release_runtime
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.db.engine import Database
from pusip_kit.db.migrate import upgrade
from pusip_kit.search import TantivyIndex
from pusip_kit.uow import unit_of_work

log = logging.getLogger(__name__)

CLI_SUBJECT = AuthSubject(subject="system:cli", username="cli", roles=frozenset({Role.ADMIN}))

__all__ = ["ImportProgress", "import_file"]


async def _index_mode(index: Any, wanted: str) -> IndexMode:
    if wanted != "auto":
        return IndexMode(wanted)
    if not isinstance(index, TantivyIndex):
        return IndexMode.DIRECT
    try:  # take the index's writer lock; a running worker holds it, then the worker indexes
        await index.delete(["__pusip_cli_probe__"])
    except ValueError:
        return IndexMode.OUTBOX
    return IndexMode.DIRECT


async def _run(
    path: Path,
    settings: CatalogSettings,
    options: ImportOptions,
    progress_callback: ProgressCallback | None,
    index_mode: str,
    parallel: bool | None,
    migrate: bool,
) -> dict[str, Any]:
    if migrate:
        await asyncio.to_thread(upgrade, settings.database_url, MIGRATIONS_DIR)
    size = (await anyio.Path(path).stat()).st_size
    database = Database(settings.database_url)
    runtime = acquire_runtime(settings)
    try:
        sessionmaker = database.sessionmaker
        async with unit_of_work(sessionmaker) as session:
            await import_service.check_options(session, CLI_SUBJECT, options=options)
            job = await import_service.create_job(
                session,
                CLI_SUBJECT,
                job_id=uuid.uuid4(),
                options=options,
                filename=path.name,
                stored=None,
                total_bytes=size,
                run_in_worker=False,
            )
        mode = await _index_mode(runtime.index, index_mode)
        log.info("catalog import %s: index mode %s", path, mode.value)
        job = await run_job(
            runtime.index,
            sessionmaker,
            job.id,
            path,
            index_mode=mode,
            batch_size=settings.import_batch_size,
            parallel=size >= settings.import_parallel_min_bytes if parallel is None else parallel,
            fulltext_max=settings.index_fulltext_max_chars,
            progress=progress_callback,
        )
        result = ImportJobRead.of(job).model_dump(mode="json")
        result["index_mode"] = mode.value
        return result
    finally:
        await release_runtime(runtime)
        await database.dispose()


def import_file(
    path: str | Path,
    settings: CatalogSettings | None = None,
    *,
    progress_callback: ProgressCallback | None = None,
    format: str | None = None,
    dedupe: str = "skip",
    branch: str | None = None,
    acquisition_source: str = "unknown",
    record_source: str = "import",
    index_mode: Literal["auto", "direct", "outbox"] = "auto",
    parallel: bool | None = None,
    migrate: bool = True,
) -> dict[str, Any]:
    """Import a MARC file (ISO 2709, MARCXML or MARC-in-JSON) into the catalogue, synchronously.

    Returns the finished job as the API shows it (``counts``, ``progress``, ``status``, ``error``;
    its problem report is at ``GET /imports/{id}/problems``). ``progress_callback`` receives an
    :class:`~catalog.imports.runner.ImportProgress` after every batch (``percent``, counts).
    ``index_mode="auto"`` writes the search index itself unless a running worker holds it, in which
    case the worker indexes the records (through the outbox). Raises ``PusipError`` for bad options
    (unknown branch) and ``FileNotFoundError`` for a missing file.
    """
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(file)
    options = ImportOptions(
        format=ImportFormat(format) if format else None,
        dedupe=DedupePolicy(dedupe),
        branch=branch,
        acquisition_source=AcquisitionSource(acquisition_source),
        record_source=ImportRecordSource(record_source),
    )
    return asyncio.run(
        _run(file, settings or CatalogSettings(), options, progress_callback, index_mode, parallel, migrate)
    )
