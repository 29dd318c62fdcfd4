"""Every query on warnings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from deposit.models import Obligation, Warning, WarningStatus
from pusip_kit.pagination import PaginationParams


class WarningRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, warning_id: uuid.UUID) -> Warning | None:
        return await self.session.get(Warning, warning_id)

    async def active(self) -> dict[uuid.UUID, Warning]:
        result = await self.session.execute(
            select(Warning).where(Warning.status == WarningStatus.ACTIVE.value)
        )
        return {w.depositor_id: w for w in result.scalars()}

    async def list(
        self,
        *,
        pagination: PaginationParams,
        depositor_ids: Sequence[uuid.UUID] | None = None,
        status: str | None = None,
    ) -> tuple[Sequence[Warning], int]:
        conditions: list[ColumnElement[bool]] = []
        if depositor_ids is not None:
            conditions.append(Warning.depositor_id.in_(list(depositor_ids)))
        if status is not None:
            conditions.append(Warning.status == status)
        total = await self.session.scalar(select(func.count(Warning.id)).where(*conditions))
        result = await self.session.execute(
            select(Warning)
            .where(*conditions)
            .order_by(Warning.issued_on.desc(), Warning.level.desc(), Warning.id)
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def obligations(self, ids: Sequence[str]) -> Sequence[Obligation]:
        if not ids:
            return []
        result = await self.session.execute(
            select(Obligation)
            .where(Obligation.id.in_([uuid.UUID(i) for i in ids]))
            .order_by(Obligation.due_on)
        )
        return result.scalars().all()

    async def add(self, warning: Warning) -> None:
        self.session.add(warning)
        await self.session.flush()
