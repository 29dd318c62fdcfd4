"""Import jobs: who may start one, what a job records, and its problem report."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Sequence

import orjson
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog.domain_events import TASK_RUN_IMPORT
from catalog.imports.repository import ImportRepository
from catalog.imports.schemas import ImportOptions, ImportRecordSource
from catalog.items.repository import ItemRepository
from catalog.models import AcquisitionSource, ImportJob, ImportStatus
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import NotFound, Unprocessable
from pusip_kit.outbox import enqueue_task
from pusip_kit.pagination import PaginationParams
from pusip_kit.storage import StoredObject

PROBLEM_COLUMNS = ("position", "offset", "control_number", "severity", "code", "message", "message_en")


def job_not_found(job_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Pekerjaan impor '{job_id}' tidak ditemukan",
        f"Import job '{job_id}' not found",
        code="import_not_found",
        details={"id": str(job_id)},
    )


class ImportService:
    async def check_options(
        self, session: AsyncSession, auth_subject: AuthSubject, *, options: ImportOptions
    ) -> None:
        if options.branch is not None and not await ItemRepository(session).branch_exists(options.branch):
            raise Unprocessable(
                f"Cabang tujuan '{options.branch}' tidak dikenal",
                f"Unknown target branch '{options.branch}'",
                code="branch_unknown",
                details={"branch": options.branch},
            )

    async def create_job(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        job_id: uuid.UUID,
        options: ImportOptions,
        filename: str | None,
        stored: StoredObject | None,
        total_bytes: int,
        run_in_worker: bool = True,
    ) -> ImportJob:
        acquisition = options.acquisition_source
        if (
            options.record_source is ImportRecordSource.LEGAL_DEPOSIT
            and acquisition is AcquisitionSource.UNKNOWN
        ):
            acquisition = AcquisitionSource.LEGAL_DEPOSIT
        job = ImportJob(
            id=job_id,
            status=ImportStatus.QUEUED.value,
            requested_format=options.format.value if options.format else None,
            dedupe=options.dedupe.value,
            target_branch=options.branch,
            acquisition_source=acquisition.value,
            record_source=options.record_source.value,
            object_key=stored.key if stored else None,
            filename=(filename or "")[:255] or None,
            sha256=stored.sha256 if stored else None,
            total_bytes=total_bytes,
            created_by=auth_subject.username or auth_subject.subject,
        )
        await ImportRepository(session).add(job)
        if run_in_worker:
            await enqueue_task(session, TASK_RUN_IMPORT, str(job.id))
        return job

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, job_id: uuid.UUID) -> ImportJob:
        job = await ImportRepository(session).get(job_id)
        if job is None:
            raise job_not_found(job_id)
        return job

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        status: str | None = None,
    ) -> tuple[Sequence[ImportJob], int]:
        return await ImportRepository(session).list(pagination=pagination, status=status)

    async def problems_csv(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        job_id: uuid.UUID,
        severities: Sequence[str] | None,
    ) -> AsyncIterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(PROBLEM_COLUMNS)
        yield ("\ufeff" + buffer.getvalue()).encode()
        async with sessionmaker() as session:
            async for problem in ImportRepository(session).problems(job_id, severities=severities):
                buffer.seek(0)
                buffer.truncate()
                writer.writerow(
                    ["" if getattr(problem, c) is None else getattr(problem, c) for c in PROBLEM_COLUMNS]
                )
                yield buffer.getvalue().encode()

    async def problems_json(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        job_id: uuid.UUID,
        severities: Sequence[str] | None,
    ) -> AsyncIterator[bytes]:
        yield b"["
        first = True
        async with sessionmaker() as session:
            async for problem in ImportRepository(session).problems(job_id, severities=severities):
                row = {c: getattr(problem, c) for c in PROBLEM_COLUMNS}
                yield (b"" if first else b",") + orjson.dumps(row)
                first = False
        yield b"]\n"


import_service = ImportService()
