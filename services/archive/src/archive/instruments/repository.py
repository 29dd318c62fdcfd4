"""Every query on instrument sets, their codes and their problem reports."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from archive.models import AccessGround, InstrumentCode, InstrumentProblem, InstrumentSet
from archive.models.instruments import SET_ACTIVE, SET_RETIRED
from pusip_kit.pagination import PaginationParams


class InstrumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_set(self, set_id: uuid.UUID) -> InstrumentSet | None:
        return await self.session.get(InstrumentSet, set_id)

    async def get_set_by_name(self, name: str, version: str) -> InstrumentSet | None:
        result = await self.session.execute(
            select(InstrumentSet).where(InstrumentSet.name == name, InstrumentSet.version == version)
        )
        return result.scalar_one_or_none()

    async def active_set(self) -> InstrumentSet | None:
        result = await self.session.execute(
            select(InstrumentSet)
            .where(InstrumentSet.status == SET_ACTIVE)
            .order_by(InstrumentSet.activated_at.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def list_sets(self, *, pagination: PaginationParams) -> tuple[Sequence[InstrumentSet], int]:
        total = await self.session.scalar(select(func.count()).select_from(InstrumentSet))
        result = await self.session.execute(
            select(InstrumentSet)
            .order_by(InstrumentSet.created_at.desc())
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def add(self, item: Any) -> None:
        self.session.add(item)
        await self.session.flush()

    async def insert_codes(self, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), 500):
            await self.session.execute(insert(InstrumentCode), rows[start : start + 500])

    async def insert_problems(self, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), 500):
            await self.session.execute(insert(InstrumentProblem), rows[start : start + 500])

    async def retire_active(self, except_id: uuid.UUID) -> None:
        await self.session.execute(
            update(InstrumentSet)
            .where(InstrumentSet.status == SET_ACTIVE, InstrumentSet.id != except_id)
            .values(status=SET_RETIRED)
        )

    async def get_code(self, set_id: uuid.UUID, code: str) -> InstrumentCode | None:
        result = await self.session.execute(
            select(InstrumentCode).where(InstrumentCode.set_id == set_id, InstrumentCode.code == code)
        )
        return result.scalar_one_or_none()

    async def codes_in(self, set_id: uuid.UUID, codes: Sequence[str]) -> dict[str, InstrumentCode]:
        if not codes:
            return {}
        result = await self.session.execute(
            select(InstrumentCode).where(InstrumentCode.set_id == set_id, InstrumentCode.code.in_(codes))
        )
        return {c.code: c for c in result.scalars().all()}

    async def all_codes(self, set_id: uuid.UUID) -> Sequence[InstrumentCode]:
        result = await self.session.execute(
            select(InstrumentCode).where(InstrumentCode.set_id == set_id).order_by(InstrumentCode.code)
        )
        return result.scalars().all()

    async def list_codes(
        self,
        set_id: uuid.UUID,
        *,
        pagination: PaginationParams,
        parent_code: str | None = None,
        roots_only: bool = False,
        query: str | None = None,
        security_level: str | None = None,
        disposition: str | None = None,
    ) -> tuple[Sequence[InstrumentCode], int]:
        statement = select(InstrumentCode).where(InstrumentCode.set_id == set_id)
        if parent_code is not None:
            statement = statement.where(InstrumentCode.parent_code == parent_code)
        if roots_only:
            statement = statement.where(InstrumentCode.parent_code.is_(None))
        if security_level is not None:
            statement = statement.where(InstrumentCode.security_level == security_level)
        if disposition is not None:
            statement = statement.where(InstrumentCode.disposition == disposition)
        if query:
            pattern = f"%{query.lower()}%"
            statement = statement.where(
                or_(
                    InstrumentCode.code.like(f"{query}%"),
                    func.upper(InstrumentCode.code).like(f"{query.upper()}%"),
                    func.lower(func.coalesce(InstrumentCode.title, "")).like(pattern),
                    func.lower(func.coalesce(InstrumentCode.description, "")).like(pattern),
                )
            )
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(InstrumentCode.code).offset(pagination.offset).limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def problems(
        self,
        set_id: uuid.UUID,
        *,
        severity: str | None = None,
        kind: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[Sequence[InstrumentProblem], int]:
        statement = select(InstrumentProblem).where(InstrumentProblem.set_id == set_id)
        if severity:
            statement = statement.where(InstrumentProblem.severity == severity)
        if kind:
            statement = statement.where(InstrumentProblem.kind == kind)
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        statement = statement.order_by(InstrumentProblem.seq).offset(offset)
        if limit is not None:
            statement = statement.limit(limit)
        result = await self.session.execute(statement)
        return result.scalars().all(), int(total or 0)

    async def problem_counts(self, set_id: uuid.UUID) -> list[tuple[str, str, int]]:
        result = await self.session.execute(
            select(InstrumentProblem.severity, InstrumentProblem.kind, func.count())
            .where(InstrumentProblem.set_id == set_id)
            .group_by(InstrumentProblem.severity, InstrumentProblem.kind)
            .order_by(InstrumentProblem.severity, InstrumentProblem.kind)
        )
        return [(str(s), str(k), int(n)) for s, k, n in result.all()]

    async def grounds(self) -> Sequence[AccessGround]:
        result = await self.session.execute(select(AccessGround).order_by(AccessGround.position))
        return result.scalars().all()

    async def ground(self, code: str) -> AccessGround | None:
        return await self.session.get(AccessGround, code)
