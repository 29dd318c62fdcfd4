"""Every query on import jobs and their problems."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import ImportJob, ImportProblem
from pusip_kit.pagination import PaginationParams


class ImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, job_id: uuid.UUID) -> ImportJob | None:
        return await self.session.get(ImportJob, job_id)

    async def add(self, job: ImportJob) -> None:
        self.session.add(job)
        await self.session.flush()

    async def list(
        self, *, pagination: PaginationParams, status: str | None = None
    ) -> tuple[Sequence[ImportJob], int]:
        statement = select(ImportJob)
        if status is not None:
            statement = statement.where(ImportJob.status == status)
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await self.session.execute(
            statement.order_by(ImportJob.created_at.desc(), ImportJob.id)
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return rows.scalars().all(), int(total or 0)

    async def problem_counts(self, job_id: uuid.UUID) -> dict[str, int]:
        rows = await self.session.execute(
            select(ImportProblem.severity, func.count())
            .where(ImportProblem.job_id == job_id)
            .group_by(ImportProblem.severity)
        )
        return {severity: int(n) for severity, n in rows}

    async def problems(
        self, job_id: uuid.UUID, *, severities: Sequence[str] | None = None, batch: int = 1000
    ) -> AsyncIterator[ImportProblem]:
        after = 0
        while True:
            statement = (
                select(ImportProblem)
                .where(ImportProblem.job_id == job_id, ImportProblem.id > after)
                .order_by(ImportProblem.id)
                .limit(batch)
            )
            if severities:
                statement = statement.where(ImportProblem.severity.in_(list(severities)))
            rows = list((await self.session.execute(statement)).scalars())
            if not rows:
                return
            for row in rows:
                yield row
            after = rows[-1].id
