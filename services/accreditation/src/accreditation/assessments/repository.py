"""Every query on assessments, their answers, evidence and steps."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accreditation.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentEvidence,
    AssessmentStep,
    Instrument,
    Library,
)
from pusip_kit.pagination import PaginationParams

Row = tuple[Assessment, Library, Instrument]


class AssessmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _joined(self) -> Select[Assessment, Library, Instrument]:
        return (
            select(Assessment, Library, Instrument)
            .join(Library, Library.id == Assessment.library_id)
            .join(Instrument, Instrument.id == Assessment.instrument_id)
        )

    async def get(self, assessment_id: uuid.UUID) -> Row | None:
        result = await self.session.execute(self._joined().where(Assessment.id == assessment_id))
        row = result.one_or_none()
        return None if row is None else (row[0], row[1], row[2])

    async def list(
        self,
        *,
        pagination: PaginationParams,
        library_code: str | None = None,
        status: str | None = None,
        mode: str | None = None,
        year: int | None = None,
        city: str | None = None,
        assessor: str | None = None,
    ) -> tuple[list[Row], int]:
        statement = self._joined()
        if library_code is not None:
            statement = statement.where(Library.code == library_code)
        if status is not None:
            statement = statement.where(Assessment.status == status)
        if mode is not None:
            statement = statement.where(Assessment.mode == mode)
        if year is not None:
            statement = statement.where(Assessment.year == year)
        if city is not None:
            statement = statement.where(Library.city == city)
        if assessor is not None:
            statement = statement.where(Assessment.assessor == assessor)
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(Assessment.created_at.desc(), Assessment.number.desc())
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return [(a, lib, ins) for a, lib, ins in result.all()], int(total or 0)

    async def of_library(self, library_id: uuid.UUID, *, mode: str) -> Sequence[Assessment]:
        result = await self.session.execute(
            select(Assessment).where(Assessment.library_id == library_id, Assessment.mode == mode)
        )
        return result.scalars().all()

    async def count_numbers(self, prefix: str) -> int:
        total = await self.session.scalar(
            select(func.count()).select_from(Assessment).where(Assessment.number.like(f"{prefix}%"))
        )
        return int(total or 0)

    async def count_certificates(self, prefix: str) -> int:
        total = await self.session.scalar(
            select(func.count())
            .select_from(Assessment)
            .where(Assessment.certificate_number.like(f"{prefix}%"))
        )
        return int(total or 0)

    async def add(self, row: object) -> None:
        self.session.add(row)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    async def answers(self, assessment_id: uuid.UUID) -> dict[str, AssessmentAnswer]:
        result = await self.session.execute(
            select(AssessmentAnswer).where(AssessmentAnswer.assessment_id == assessment_id)
        )
        return {a.indicator_code: a for a in result.scalars().all()}

    async def evidence(self, assessment_id: uuid.UUID) -> Sequence[AssessmentEvidence]:
        result = await self.session.execute(
            select(AssessmentEvidence)
            .where(AssessmentEvidence.assessment_id == assessment_id)
            .order_by(AssessmentEvidence.created_at)
        )
        return result.scalars().all()

    async def get_evidence(
        self, assessment_id: uuid.UUID, evidence_id: uuid.UUID
    ) -> AssessmentEvidence | None:
        result = await self.session.execute(
            select(AssessmentEvidence).where(
                AssessmentEvidence.id == evidence_id, AssessmentEvidence.assessment_id == assessment_id
            )
        )
        return result.scalar_one_or_none()

    async def delete(self, row: object) -> None:
        await self.session.delete(row)
        await self.session.flush()

    async def steps(self, assessment_id: uuid.UUID) -> Sequence[AssessmentStep]:
        result = await self.session.execute(
            select(AssessmentStep)
            .where(AssessmentStep.assessment_id == assessment_id)
            .order_by(AssessmentStep.created_at)
        )
        return result.scalars().all()
