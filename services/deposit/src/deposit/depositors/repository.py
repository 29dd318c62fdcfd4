"""Every query on depositors and their ISBN/ISMN prefixes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from deposit.models import Depositor, DepositorPrefix
from pusip_kit.pagination import PaginationParams


class DepositorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _select(self) -> Select[Depositor]:
        return select(Depositor).options(selectinload(Depositor.prefixes))

    async def get(self, depositor_id: uuid.UUID) -> Depositor | None:
        result = await self.session.execute(self._select().where(Depositor.id == depositor_id))
        return result.scalar_one_or_none()

    async def get_by_legal_identity(self, kind: str, number: str) -> Depositor | None:
        result = await self.session.execute(
            self._select().where(
                Depositor.legal_identity_kind == kind, Depositor.legal_identity_number == number
            )
        )
        return result.scalar_one_or_none()

    async def list(
        self,
        *,
        pagination: PaginationParams,
        owner_subject: str | None = None,
        status: str | None = None,
        type: str | None = None,
        province: str | None = None,
        query: str | None = None,
    ) -> tuple[Sequence[Depositor], int]:
        conditions: list[ColumnElement[bool]] = []
        if owner_subject is not None:
            conditions.append(Depositor.owner_subject == owner_subject)
        if status is not None:
            conditions.append(Depositor.status == status)
        if type is not None:
            conditions.append(Depositor.type == type)
        if province is not None:
            conditions.append(func.lower(Depositor.domicile_province) == province.lower())
        if query:
            pattern = f"%{query.lower()}%"
            prefix_match = select(DepositorPrefix.depositor_id).where(
                or_(DepositorPrefix.text.like(f"{query}%"), DepositorPrefix.digits.like(f"{query}%"))
            )
            conditions.append(
                or_(
                    func.lower(Depositor.name).like(pattern),
                    Depositor.legal_identity_number == query,
                    Depositor.id.in_(prefix_match),
                )
            )
        total = await self.session.scalar(select(func.count(Depositor.id)).where(*conditions))
        result = await self.session.execute(
            self._select()
            .where(*conditions)
            .order_by(Depositor.name, Depositor.id)
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def prefix_conflicts(
        self, digits: Sequence[str], *, exclude_depositor_id: uuid.UUID | None = None
    ) -> Sequence[DepositorPrefix]:
        """Registered prefixes equal to, inside or containing any of ``digits``."""
        if not digits:
            return []
        conditions = []
        for value in digits:
            conditions.append(DepositorPrefix.digits.like(f"{value}%"))
            conditions.append(literal(value).like(DepositorPrefix.digits + "%"))
        statement = select(DepositorPrefix).where(or_(*conditions))
        if exclude_depositor_id is not None:
            statement = statement.where(DepositorPrefix.depositor_id != exclude_depositor_id)
        result = await self.session.execute(statement)
        return result.scalars().all()

    async def add(self, depositor: Depositor) -> None:
        self.session.add(depositor)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
