"""Every query on libraries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from accreditation.models import Library
from pusip_kit.pagination import PaginationParams


class LibraryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_code(self, code: str) -> Library | None:
        result = await self.session.execute(select(Library).where(Library.code == code))
        return result.scalar_one_or_none()

    async def get_by_npp(self, npp: str, *, exclude_id: uuid.UUID | None = None) -> Library | None:
        statement = select(Library).where(Library.npp == npp)
        if exclude_id is not None:
            statement = statement.where(Library.id != exclude_id)
        result = await self.session.execute(statement)
        return result.scalar_one_or_none()

    async def list(
        self,
        *,
        pagination: PaginationParams,
        type: str | None = None,
        city: str | None = None,
        active: bool | None = None,
        has_npp: bool | None = None,
        query: str | None = None,
    ) -> tuple[Sequence[Library], int]:
        statement = select(Library)
        if type is not None:
            statement = statement.where(Library.type == type)
        if city is not None:
            statement = statement.where(Library.city == city)
        if active is not None:
            statement = statement.where(Library.active.is_(active))
        if has_npp is not None:
            statement = statement.where(Library.npp.is_not(None) if has_npp else Library.npp.is_(None))
        if query:
            pattern = f"%{query.lower()}%"
            statement = statement.where(
                or_(
                    func.lower(Library.name).like(pattern),
                    func.lower(Library.code).like(pattern),
                    func.lower(func.coalesce(Library.owner_agency, "")).like(pattern),
                    Library.npp == query.upper(),
                )
            )
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(Library.name, Library.code).offset(pagination.offset).limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def add(self, library: Library) -> None:
        self.session.add(library)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
