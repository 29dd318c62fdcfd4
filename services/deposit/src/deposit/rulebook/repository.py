"""Every query on rule versions and their warning steps."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from deposit.models import RuleVersion


class RuleVersionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _select(self) -> Select[RuleVersion]:
        return select(RuleVersion).options(selectinload(RuleVersion.warning_steps))

    async def list(self) -> Sequence[RuleVersion]:
        result = await self.session.execute(self._select().order_by(RuleVersion.valid_from))
        return result.scalars().all()

    async def get(self, version_id: uuid.UUID) -> RuleVersion | None:
        result = await self.session.execute(self._select().where(RuleVersion.id == version_id))
        return result.scalar_one_or_none()

    async def in_force_on(self, day: date) -> RuleVersion | None:
        result = await self.session.execute(
            self._select()
            .where(RuleVersion.valid_from <= day)
            .order_by(RuleVersion.valid_from.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def by_code_or_date(self, code: str, valid_from: date) -> RuleVersion | None:
        result = await self.session.execute(
            select(RuleVersion).where((RuleVersion.code == code) | (RuleVersion.valid_from == valid_from))
        )
        return result.scalars().first()

    async def add(self, version: RuleVersion) -> None:
        self.session.add(version)
        await self.session.flush()
