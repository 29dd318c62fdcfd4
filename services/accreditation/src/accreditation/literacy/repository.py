"""Every query of the literacy indicators, including the registry counts IPLM needs."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accreditation.models import (
    AccreditationRecord,
    CirculationBranch,
    CirculationDailyStat,
    CityPopulation,
    IplmInput,
    IplmModelVersion,
    IplmResult,
    Library,
    LibraryStaff,
    TgmModelVersion,
    TgmResponse,
    TgmSurvey,
)
from pusip_kit.pagination import PaginationParams

NOT_ACCREDITED = "TIDAK_TERAKREDITASI"


class LiteracyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: object) -> None:
        self.session.add(row)
        await self.session.flush()

    async def add_all(self, rows: Sequence[object]) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    # -- models -------------------------------------------------------------------------------------

    async def tgm_models(self) -> Sequence[TgmModelVersion]:
        result = await self.session.execute(select(TgmModelVersion).order_by(TgmModelVersion.version.desc()))
        return result.scalars().all()

    async def tgm_model(self, version: str | None) -> TgmModelVersion | None:
        statement = select(TgmModelVersion)
        if version is None:
            statement = statement.where(TgmModelVersion.active.is_(True)).order_by(
                TgmModelVersion.version.desc()
            )
        else:
            statement = statement.where(TgmModelVersion.version == version)
        result = await self.session.execute(statement.limit(1))
        return result.scalar_one_or_none()

    async def iplm_models(self) -> Sequence[IplmModelVersion]:
        result = await self.session.execute(
            select(IplmModelVersion).order_by(IplmModelVersion.version.desc())
        )
        return result.scalars().all()

    async def iplm_model(self, version: str | None) -> IplmModelVersion | None:
        statement = select(IplmModelVersion)
        if version is None:
            statement = statement.where(IplmModelVersion.active.is_(True)).order_by(
                IplmModelVersion.version.desc()
            )
        else:
            statement = statement.where(IplmModelVersion.version == version)
        result = await self.session.execute(statement.limit(1))
        return result.scalar_one_or_none()

    # -- TGM surveys --------------------------------------------------------------------------------

    async def survey(self, survey_id: uuid.UUID) -> TgmSurvey | None:
        return await self.session.get(TgmSurvey, survey_id)

    async def survey_of(self, city: str, year: int) -> TgmSurvey | None:
        result = await self.session.execute(
            select(TgmSurvey).where(TgmSurvey.city == city, TgmSurvey.year == year)
        )
        return result.scalar_one_or_none()

    async def surveys(self, *, city: str | None, year: int | None) -> Sequence[TgmSurvey]:
        statement = select(TgmSurvey)
        if city is not None:
            statement = statement.where(TgmSurvey.city == city)
        if year is not None:
            statement = statement.where(TgmSurvey.year == year)
        result = await self.session.execute(statement.order_by(TgmSurvey.year.desc(), TgmSurvey.city))
        return result.scalars().all()

    async def respondent_counts(self, survey_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        if not survey_ids:
            return {}
        result = await self.session.execute(
            select(TgmResponse.survey_id, func.count())
            .where(TgmResponse.survey_id.in_(list(survey_ids)))
            .group_by(TgmResponse.survey_id)
        )
        return {row[0]: int(row[1]) for row in result.all()}

    async def respondents(self, survey_id: uuid.UUID) -> set[str]:
        result = await self.session.execute(
            select(TgmResponse.respondent).where(TgmResponse.survey_id == survey_id)
        )
        return set(result.scalars().all())

    async def responses(
        self, survey_id: uuid.UUID, *, pagination: PaginationParams | None = None
    ) -> tuple[Sequence[TgmResponse], int]:
        statement = select(TgmResponse).where(TgmResponse.survey_id == survey_id)
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        statement = statement.order_by(TgmResponse.created_at, TgmResponse.respondent)
        if pagination is not None:
            statement = statement.offset(pagination.offset).limit(pagination.limit)
        result = await self.session.execute(statement)
        return result.scalars().all(), int(total or 0)

    async def surveys_with_years(self, *, year_from: int | None, year_to: int | None) -> Sequence[TgmSurvey]:
        statement = select(TgmSurvey)
        if year_from is not None:
            statement = statement.where(TgmSurvey.year >= year_from)
        if year_to is not None:
            statement = statement.where(TgmSurvey.year <= year_to)
        result = await self.session.execute(statement.order_by(TgmSurvey.year, TgmSurvey.city))
        return result.scalars().all()

    # -- populations and manual IPLM inputs ---------------------------------------------------------

    async def populations(self, year: int | None = None) -> Sequence[CityPopulation]:
        statement = select(CityPopulation)
        if year is not None:
            statement = statement.where(CityPopulation.year == year)
        result = await self.session.execute(statement.order_by(CityPopulation.year, CityPopulation.city))
        return result.scalars().all()

    async def population(self, city: str, year: int) -> CityPopulation | None:
        result = await self.session.execute(
            select(CityPopulation).where(CityPopulation.city == city, CityPopulation.year == year)
        )
        return result.scalar_one_or_none()

    async def inputs(self, year: int) -> Sequence[IplmInput]:
        result = await self.session.execute(
            select(IplmInput).where(IplmInput.year == year).order_by(IplmInput.city, IplmInput.element)
        )
        return result.scalars().all()

    async def input(self, city: str, year: int, element: str) -> IplmInput | None:
        result = await self.session.execute(
            select(IplmInput).where(
                IplmInput.city == city, IplmInput.year == year, IplmInput.element == element
            )
        )
        return result.scalar_one_or_none()

    async def delete_input(self, row: IplmInput) -> None:
        await self.session.delete(row)
        await self.session.flush()

    # -- registry figures ---------------------------------------------------------------------------

    async def library_counts(self) -> dict[str, tuple[int, int, int]]:
        """Per city: (active libraries, copies held, titles held)."""
        result = await self.session.execute(
            select(
                Library.city,
                func.count(),
                func.coalesce(func.sum(Library.collection_size), 0),
                func.coalesce(func.sum(Library.collection_titles), 0),
            )
            .where(Library.active.is_(True))
            .group_by(Library.city)
        )
        return {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in result.all()}

    async def staff_counts(self) -> dict[str, int]:
        result = await self.session.execute(
            select(Library.city, func.count())
            .select_from(LibraryStaff)
            .join(Library, Library.id == LibraryStaff.library_id)
            .where(Library.active.is_(True), LibraryStaff.active.is_(True))
            .group_by(Library.city)
        )
        return {row[0]: int(row[1]) for row in result.all()}

    async def accredited_counts(self, on: date) -> dict[str, int]:
        """Per city: active libraries holding an accreditation (A, B or C) valid on ``on``."""
        result = await self.session.execute(
            select(Library.city, func.count(func.distinct(Library.id)))
            .join(AccreditationRecord, AccreditationRecord.library_id == Library.id)
            .where(
                Library.active.is_(True),
                AccreditationRecord.grade != NOT_ACCREDITED,
                AccreditationRecord.accredited_on <= on,
                (AccreditationRecord.valid_until.is_(None)) | (AccreditationRecord.valid_until >= on),
            )
            .group_by(Library.city)
        )
        return {row[0]: int(row[1]) for row in result.all()}

    # -- circulation replica ------------------------------------------------------------------------

    async def daily_stat(self, day: date, branch: str) -> CirculationDailyStat | None:
        result = await self.session.execute(
            select(CirculationDailyStat).where(
                CirculationDailyStat.day == day, CirculationDailyStat.branch == branch
            )
        )
        return result.scalar_one_or_none()

    async def daily_stats(
        self, start: date, end: date, city: str | None = None
    ) -> Sequence[CirculationDailyStat]:
        statement = select(CirculationDailyStat).where(
            CirculationDailyStat.day >= start, CirculationDailyStat.day <= end
        )
        if city is not None:
            statement = statement.where(CirculationDailyStat.city == city)
        result = await self.session.execute(
            statement.order_by(CirculationDailyStat.day, CirculationDailyStat.branch)
        )
        return result.scalars().all()

    async def branches(self) -> Sequence[CirculationBranch]:
        result = await self.session.execute(select(CirculationBranch).order_by(CirculationBranch.code))
        return result.scalars().all()

    async def branch(self, code: str) -> CirculationBranch | None:
        return await self.session.get(CirculationBranch, code)

    # -- stored IPLM results ------------------------------------------------------------------------

    async def replace_results(self, year: int, model_version: str, rows: Sequence[IplmResult]) -> None:
        await self.session.execute(
            delete(IplmResult).where(IplmResult.year == year, IplmResult.model_version == model_version)
        )
        await self.add_all(rows)

    async def results(
        self, *, year: int | None = None, year_from: int | None = None, year_to: int | None = None
    ) -> builtins.list[IplmResult]:
        statement = select(IplmResult)
        if year is not None:
            statement = statement.where(IplmResult.year == year)
        if year_from is not None:
            statement = statement.where(IplmResult.year >= year_from)
        if year_to is not None:
            statement = statement.where(IplmResult.year <= year_to)
        result = await self.session.execute(statement.order_by(IplmResult.year, IplmResult.area))
        return list(result.scalars().all())
