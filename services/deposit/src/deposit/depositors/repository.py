"""Every query on depositors and their ISBN/ISMN prefixes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from deposit.models import Depositor, DepositorAccount, DepositorPrefix
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
        member: tuple[str, str | None] | None = None,
        status: str | None = None,
        type: str | None = None,
        province: str | None = None,
        query: str | None = None,
    ) -> tuple[Sequence[Depositor], int]:
        conditions: list[ColumnElement[bool]] = []
        if member is not None:
            conditions.append(Depositor.id.in_(self.linked_ids_query(*member)))
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

    # -- accounts acting for depositors -----------------------------------------------------------

    @staticmethod
    def linked_ids_query(subject: str, username: str | None) -> Select[uuid.UUID]:
        """Ids of the depositors an account acts for (by subject, or by user name until bound)."""
        match: ColumnElement[bool] = DepositorAccount.subject == subject
        if username:
            match = or_(
                match, and_(DepositorAccount.subject.is_(None), DepositorAccount.username == username)
            )
        return select(DepositorAccount.depositor_id).where(match)

    async def linked_ids(self, subject: str, username: str | None) -> set[uuid.UUID]:
        result = await self.session.execute(self.linked_ids_query(subject, username))
        return set(result.scalars().all())

    async def accounts(self, depositor_id: uuid.UUID) -> Sequence[DepositorAccount]:
        result = await self.session.execute(
            select(DepositorAccount)
            .where(DepositorAccount.depositor_id == depositor_id)
            .order_by(DepositorAccount.created_at, DepositorAccount.id)
        )
        return result.scalars().all()

    async def account(self, depositor_id: uuid.UUID, account_id: uuid.UUID) -> DepositorAccount | None:
        result = await self.session.execute(
            select(DepositorAccount).where(
                DepositorAccount.depositor_id == depositor_id, DepositorAccount.id == account_id
            )
        )
        return result.scalar_one_or_none()

    async def unbound_accounts(self, username: str) -> Sequence[DepositorAccount]:
        result = await self.session.execute(
            select(DepositorAccount).where(
                DepositorAccount.subject.is_(None), DepositorAccount.username == username
            )
        )
        return result.scalars().all()

    async def by_ids(self, ids: Sequence[uuid.UUID]) -> Sequence[Depositor]:
        if not ids:
            return []
        result = await self.session.execute(
            self._select().where(Depositor.id.in_(ids)).order_by(Depositor.name, Depositor.id)
        )
        return result.scalars().all()

    async def approved(self) -> Sequence[Depositor]:
        result = await self.session.execute(
            self._select().where(Depositor.status == "approved").order_by(Depositor.name, Depositor.id)
        )
        return result.scalars().all()

    async def delete_account(self, account: DepositorAccount) -> None:
        await self.session.delete(account)
        await self.session.flush()
