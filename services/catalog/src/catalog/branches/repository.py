"""Every query on branches."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import Branch
from pusip_kit.pagination import PaginationParams


class BranchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_code(self, code: str) -> Branch | None:
        result = await self.session.execute(select(Branch).where(Branch.code == code))
        return result.scalar_one_or_none()

    async def list(
        self,
        *,
        pagination: PaginationParams,
        type: str | None = None,
        city: str | None = None,
        active: bool | None = None,
        query: str | None = None,
    ) -> tuple[Sequence[Branch], int]:
        statement = select(Branch)
        if type is not None:
            statement = statement.where(Branch.type == type)
        if city is not None:
            statement = statement.where(Branch.city == city)
        if active is not None:
            statement = statement.where(Branch.active.is_(active))
        if query:
            pattern = f"%{query.lower()}%"
            statement = statement.where(
                or_(
                    func.lower(Branch.name).like(pattern),
                    func.lower(Branch.code).like(pattern),
                    func.lower(func.coalesce(Branch.address, "")).like(pattern),
                )
            )
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(Branch.name, Branch.code).offset(pagination.offset).limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def all(self) -> Sequence[Branch]:
        result = await self.session.execute(select(Branch).order_by(Branch.code))
        return result.scalars().all()

    async def add(self, branch: Branch) -> None:
        """Insert and flush; raises ``IntegrityError`` when a concurrent insert took the code."""
        self.session.add(branch)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
