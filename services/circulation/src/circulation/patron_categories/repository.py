"""Every query on patron categories."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from circulation.models import PatronCategory
from pusip_kit.pagination import PaginationParams


class PatronCategoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_code(self, code: str) -> PatronCategory | None:
        result = await self.session.execute(select(PatronCategory).where(PatronCategory.code == code))
        return result.scalar_one_or_none()

    async def list(
        self,
        *,
        pagination: PaginationParams,
        active: bool | None = None,
        age: int | None = None,
        query: str | None = None,
    ) -> tuple[Sequence[PatronCategory], int]:
        statement = select(PatronCategory)
        if active is not None:
            statement = statement.where(PatronCategory.active.is_(active))
        if age is not None:
            statement = statement.where(
                or_(PatronCategory.min_age.is_(None), PatronCategory.min_age <= age),
                or_(PatronCategory.max_age.is_(None), PatronCategory.max_age >= age),
            )
        if query:
            pattern = f"%{query.lower()}%"
            statement = statement.where(
                or_(
                    func.lower(PatronCategory.code).like(pattern),
                    func.lower(PatronCategory.name).like(pattern),
                    func.lower(PatronCategory.name_en).like(pattern),
                )
            )
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(PatronCategory.code).offset(pagination.offset).limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def add(self, category: PatronCategory) -> None:
        self.session.add(category)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
