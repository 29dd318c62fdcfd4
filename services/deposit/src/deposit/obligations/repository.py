"""Every query on obligations and the depositor history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from deposit.models import HistoryEntry, Obligation
from deposit.rules import ObligationStatus
from pusip_kit.pagination import PaginationParams


class ObligationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, obligation_id: uuid.UUID) -> Obligation | None:
        return await self.session.get(Obligation, obligation_id)

    async def by_identifier(self, identifier: str) -> Obligation | None:
        result = await self.session.execute(select(Obligation).where(Obligation.identifier == identifier))
        return result.scalar_one_or_none()

    async def by_identifiers(self, identifiers: Sequence[str]) -> dict[str, Obligation]:
        found: dict[str, Obligation] = {}
        values = list(identifiers)
        for start in range(0, len(values), 500):
            result = await self.session.execute(
                select(Obligation).where(Obligation.identifier.in_(values[start : start + 500]))
            )
            for obligation in result.scalars():
                if obligation.identifier:
                    found[obligation.identifier] = obligation
        return found

    async def list(
        self,
        *,
        pagination: PaginationParams,
        depositor_ids: Sequence[uuid.UUID] | None = None,
        status: str | None = None,
        kind: str | None = None,
        query: str | None = None,
        due_from: date | None = None,
        due_to: date | None = None,
    ) -> tuple[Sequence[Obligation], int]:
        conditions: list[ColumnElement[bool]] = []
        if depositor_ids is not None:
            conditions.append(Obligation.depositor_id.in_(list(depositor_ids)))
        if status is not None:
            conditions.append(Obligation.status == status)
        if kind is not None:
            conditions.append(Obligation.kind == kind)
        if due_from is not None:
            conditions.append(Obligation.due_on >= due_from)
        if due_to is not None:
            conditions.append(Obligation.due_on <= due_to)
        if query:
            digits = "".join(ch for ch in query if ch.isdigit() or ch in "Xx-")
            matches: list[ColumnElement[bool]] = [func.lower(Obligation.title).like(f"%{query.lower()}%")]
            if digits:
                matches.append(Obligation.identifier.like(f"%:{digits.replace('-', '')}%"))
            conditions.append(or_(*matches))
        total = await self.session.scalar(select(func.count(Obligation.id)).where(*conditions))
        result = await self.session.execute(
            select(Obligation)
            .where(*conditions)
            .order_by(Obligation.due_on, Obligation.title, Obligation.id)
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def facts(
        self, *, depositor_ids: Sequence[uuid.UUID] | None = None
    ) -> Sequence[tuple[uuid.UUID, date, str, date | None, str]]:
        """(depositor, due date, status, fulfilled on, kind) of every obligation, for compliance."""
        statement = select(
            Obligation.depositor_id,
            Obligation.due_on,
            Obligation.status,
            Obligation.fulfilled_on,
            Obligation.kind,
        )
        if depositor_ids is not None:
            statement = statement.where(Obligation.depositor_id.in_(list(depositor_ids)))
        result = await self.session.execute(statement)
        return [tuple(row) for row in result.all()]  # type: ignore[misc]

    async def overdue(self, *, depositor_ids: Sequence[uuid.UUID] | None = None) -> Sequence[Obligation]:
        statement = select(Obligation).where(Obligation.status == ObligationStatus.OVERDUE.value)
        if depositor_ids is not None:
            statement = statement.where(Obligation.depositor_id.in_(list(depositor_ids)))
        result = await self.session.execute(statement.order_by(Obligation.due_on, Obligation.id))
        return result.scalars().all()

    async def newly_overdue(self, today: date) -> Sequence[Obligation]:
        result = await self.session.execute(
            select(Obligation)
            .where(Obligation.status == ObligationStatus.DUE.value, Obligation.due_on < today)
            .order_by(Obligation.id)
        )
        return result.scalars().all()

    async def mark_overdue(self, ids: Sequence[uuid.UUID]) -> int:
        """DUE → OVERDUE for ``ids``, only where still due (a concurrent fulfilment wins)."""
        if not ids:
            return 0
        result = await self.session.execute(
            update(Obligation)
            .where(Obligation.id.in_(list(ids)), Obligation.status == ObligationStatus.DUE.value)
            .values(status=ObligationStatus.OVERDUE.value)
            .returning(Obligation.id)
        )
        return len(result.all())

    async def open_for_depositor(self, depositor_id: uuid.UUID) -> Sequence[Obligation]:
        result = await self.session.execute(
            select(Obligation)
            .where(
                Obligation.depositor_id == depositor_id,
                Obligation.status.in_([ObligationStatus.DUE.value, ObligationStatus.OVERDUE.value]),
            )
            .order_by(Obligation.due_on)
        )
        return result.scalars().all()

    async def add(self, obligation: Obligation) -> None:
        self.session.add(obligation)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    # -- history ----------------------------------------------------------------------------------

    async def history(
        self,
        *,
        pagination: PaginationParams,
        depositor_id: uuid.UUID | None = None,
        entity_id: uuid.UUID | None = None,
        depositor_ids: Sequence[uuid.UUID] | None = None,
    ) -> tuple[Sequence[HistoryEntry], int]:
        conditions: list[ColumnElement[bool]] = []
        if depositor_id is not None:
            conditions.append(HistoryEntry.depositor_id == depositor_id)
        if entity_id is not None:
            conditions.append(HistoryEntry.entity_id == entity_id)
        if depositor_ids is not None:
            conditions.append(HistoryEntry.depositor_id.in_(list(depositor_ids)))
        total = await self.session.scalar(select(func.count(HistoryEntry.id)).where(*conditions))
        result = await self.session.execute(
            select(HistoryEntry)
            .where(*conditions)
            .order_by(HistoryEntry.at.desc(), HistoryEntry.id)
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)
