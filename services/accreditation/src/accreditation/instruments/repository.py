"""Every query on instruments."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from accreditation.models import Instrument, InstrumentComponent, InstrumentIndicator, InstrumentStatus

FULL = selectinload(Instrument.components).selectinload(InstrumentComponent.indicators)


class InstrumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list(
        self, *, library_type: str | None = None, status: str | None = None
    ) -> Sequence[Instrument]:
        statement = select(Instrument)
        if library_type is not None:
            statement = statement.where(Instrument.library_type == library_type)
        if status is not None:
            statement = statement.where(Instrument.status == status)
        result = await self.session.execute(
            statement.order_by(Instrument.library_type, Instrument.version.desc())
        )
        return result.scalars().all()

    async def get(
        self, instrument_id: uuid.UUID, *, full: bool = False, fresh: bool = False
    ) -> Instrument | None:
        statement = select(Instrument).where(Instrument.id == instrument_id)
        if full:
            statement = statement.options(FULL)
        if fresh:
            statement = statement.execution_options(populate_existing=True)
        result = await self.session.execute(statement)
        return result.scalar_one_or_none()

    async def get_version(self, library_type: str, version: str) -> Instrument | None:
        result = await self.session.execute(
            select(Instrument).where(Instrument.library_type == library_type, Instrument.version == version)
        )
        return result.scalar_one_or_none()

    async def published(self, library_type: str, *, full: bool = False) -> Instrument | None:
        statement = select(Instrument).where(
            Instrument.library_type == library_type, Instrument.status == InstrumentStatus.PUBLISHED
        )
        if full:
            statement = statement.options(FULL)
        result = await self.session.execute(statement.order_by(Instrument.published_at.desc()).limit(1))
        return result.scalar_one_or_none()

    async def add(self, instrument: Instrument) -> None:
        self.session.add(instrument)
        await self.session.flush()

    async def add_all(self, rows: Sequence[object]) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    async def delete_indicators(self, instrument_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(InstrumentIndicator).where(InstrumentIndicator.instrument_id == instrument_id)
        )
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
