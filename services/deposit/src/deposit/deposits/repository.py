"""Every query on deposits, their files and the access log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from deposit.models import AccessLogEntry, Deposit, DepositFile, DepositStatus
from pusip_kit.pagination import PaginationParams


class DepositRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _select(self) -> Select[Deposit]:
        return select(Deposit).options(selectinload(Deposit.files))

    async def get(self, deposit_id: uuid.UUID, *, for_update: bool = False) -> Deposit | None:
        statement = self._select().where(Deposit.id == deposit_id)
        if for_update:
            statement = statement.with_for_update()
        result = await self.session.execute(statement)
        return result.scalar_one_or_none()

    async def list(
        self,
        *,
        pagination: PaginationParams,
        depositor_ids: Sequence[uuid.UUID] | None = None,
        status: str | None = None,
        kind: str | None = None,
        channel: str | None = None,
        query: str | None = None,
        oldest_first: bool = False,
    ) -> tuple[Sequence[Deposit], int]:
        conditions: list[ColumnElement[bool]] = []
        if depositor_ids is not None:
            conditions.append(Deposit.depositor_id.in_(list(depositor_ids)))
        if status is not None:
            conditions.append(Deposit.status == status)
        if kind is not None:
            conditions.append(Deposit.kind == kind)
        if channel is not None:
            conditions.append(Deposit.channel == channel)
        if query:
            digits = "".join(ch for ch in query if ch.isdigit() or ch in "Xx")
            matches: list[ColumnElement[bool]] = [
                func.lower(Deposit.title).like(f"%{query.lower()}%"),
                Deposit.receipt_number == query.upper(),
            ]
            if len(digits) >= 8:
                matches += [Deposit.isbn == digits, Deposit.ismn == digits]
            conditions.append(or_(*matches))
        total = await self.session.scalar(select(func.count(Deposit.id)).where(*conditions))
        order = (
            (Deposit.received_at.asc(), Deposit.created_at.asc())
            if oldest_first
            else (Deposit.created_at.desc(), Deposit.id)
        )
        result = await self.session.execute(
            self._select()
            .where(*conditions)
            .order_by(*order)
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def accepted(
        self, *, pagination: PaginationParams, query: str | None = None
    ) -> tuple[Sequence[Deposit], int]:
        return await self.list(pagination=pagination, status=DepositStatus.ACCEPTED.value, query=query)

    async def file(self, deposit_id: uuid.UUID, file_id: uuid.UUID) -> DepositFile | None:
        result = await self.session.execute(
            select(DepositFile).where(DepositFile.deposit_id == deposit_id, DepositFile.id == file_id)
        )
        return result.scalar_one_or_none()

    async def add(self, deposit: Deposit) -> None:
        self.session.add(deposit)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    async def log_access(self, entry: AccessLogEntry) -> None:
        self.session.add(entry)
        await self.session.flush()

    async def access_log(
        self, deposit_id: uuid.UUID, *, pagination: PaginationParams
    ) -> tuple[Sequence[AccessLogEntry], int]:
        condition = AccessLogEntry.deposit_id == deposit_id
        total = await self.session.scalar(select(func.count(AccessLogEntry.id)).where(condition))
        result = await self.session.execute(
            select(AccessLogEntry)
            .where(condition)
            .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id)
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)
