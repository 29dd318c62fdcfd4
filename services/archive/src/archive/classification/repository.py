"""Every query on classification codes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from archive.models import ClassificationCode
from pusip_kit.pagination import PaginationParams


class ClassificationCodeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_code(self, code: str) -> ClassificationCode | None:
        result = await self.session.execute(select(ClassificationCode).where(ClassificationCode.code == code))
        return result.scalar_one_or_none()

    async def existing_codes(self, codes: Sequence[str]) -> set[str]:
        if not codes:
            return set()
        result = await self.session.execute(
            select(ClassificationCode.code).where(ClassificationCode.code.in_(codes))
        )
        return set(result.scalars().all())

    async def count_active_children(self, code: str) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(ClassificationCode)
            .where(ClassificationCode.parent_code == code, ClassificationCode.active.is_(True))
        )
        return int(count or 0)

    async def list(
        self,
        *,
        pagination: PaginationParams,
        parent_code: str | None = None,
        roots_only: bool = False,
        level: int | None = None,
        scheme_version: str | None = None,
        active: bool | None = None,
        query: str | None = None,
    ) -> tuple[Sequence[ClassificationCode], int]:
        statement = select(ClassificationCode)
        if parent_code is not None:
            statement = statement.where(ClassificationCode.parent_code == parent_code)
        if roots_only:
            statement = statement.where(ClassificationCode.parent_code.is_(None))
        if level is not None:
            statement = statement.where(ClassificationCode.level == level)
        if scheme_version is not None:
            statement = statement.where(ClassificationCode.scheme_version == scheme_version)
        if active is not None:
            statement = statement.where(ClassificationCode.active.is_(active))
        if query:
            pattern = f"%{query.lower()}%"
            statement = statement.where(
                or_(
                    ClassificationCode.code.like(f"{query.upper()}%"),
                    func.lower(ClassificationCode.title).like(pattern),
                    func.lower(func.coalesce(ClassificationCode.description, "")).like(pattern),
                )
            )
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(ClassificationCode.code).offset(pagination.offset).limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def add(self, code: ClassificationCode) -> None:
        self.session.add(code)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
