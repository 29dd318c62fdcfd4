"""Every query on the branch replica."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from circulation.models import Branch
from pusip_kit.pagination import PaginationParams


class BranchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_code(self, code: str) -> Branch | None:
        return await self.session.get(Branch, code)

    async def list(
        self, *, pagination: PaginationParams, active: bool | None = None
    ) -> tuple[Sequence[Branch], int]:
        statement = select(Branch)
        if active is not None:
            statement = statement.where(Branch.active.is_(active))
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(Branch.name, Branch.code).offset(pagination.offset).limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def add(self, branch: Branch) -> None:
        self.session.add(branch)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
