"""Every query on rule sets, rules, calendars and closures."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from circulation.models import BranchCalendarRow, ClosureRow, LoanRuleRow, RuleSetRow
from circulation.models.policy import RULE_SET_ACTIVE

CalendarSignature = tuple[Any, ...]


def calendar_signature_columns() -> list[Any]:
    """Scalar subqueries whose values change whenever a closure or weekly calendar is added, changed or
    removed: row counts and the latest ``updated_at`` of both tables (a cache key for calendars)."""
    return [
        select(func.count()).select_from(ClosureRow).scalar_subquery(),
        select(func.max(ClosureRow.updated_at)).scalar_subquery(),
        select(func.count()).select_from(BranchCalendarRow).scalar_subquery(),
        select(func.max(BranchCalendarRow.updated_at)).scalar_subquery(),
    ]


_CALENDAR_SIGNATURE = select(*calendar_signature_columns())


class PolicyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def active_rule_set(self) -> RuleSetRow | None:
        result = await self.session.execute(select(RuleSetRow).where(RuleSetRow.status == RULE_SET_ACTIVE))
        return result.scalar_one_or_none()

    async def rule_set(self, version: str) -> RuleSetRow | None:
        result = await self.session.execute(select(RuleSetRow).where(RuleSetRow.version == version))
        return result.scalar_one_or_none()

    async def rule_sets(self) -> Sequence[RuleSetRow]:
        result = await self.session.execute(select(RuleSetRow).order_by(RuleSetRow.created_at.desc()))
        return result.scalars().all()

    async def rules(self, rule_set_id: uuid.UUID) -> Sequence[LoanRuleRow]:
        result = await self.session.execute(
            select(LoanRuleRow)
            .where(LoanRuleRow.rule_set_id == rule_set_id)
            .order_by(LoanRuleRow.branch, LoanRuleRow.patron_category, LoanRuleRow.material_type)
        )
        return result.scalars().all()

    async def replace_rules(self, rule_set_id: uuid.UUID, rules: list[LoanRuleRow]) -> None:
        await self.session.execute(delete(LoanRuleRow).where(LoanRuleRow.rule_set_id == rule_set_id))
        self.session.add_all(rules)
        await self.session.flush()

    async def calendar_signature(self) -> CalendarSignature:
        return tuple((await self.session.execute(_CALENDAR_SIGNATURE)).one())

    async def calendar(self, branch: str) -> BranchCalendarRow | None:
        return await self.session.get(BranchCalendarRow, branch)

    async def closures(
        self,
        *,
        branch: str | None = None,
        start: date | None = None,
        end: date | None = None,
        only_branch: bool = False,
    ) -> Sequence[ClosureRow]:
        """Closures that apply to ``branch`` (its own and the national ones), or every closure."""
        statement = select(ClosureRow)
        if branch is not None:
            statement = statement.where(
                ClosureRow.branch == branch
                if only_branch
                else or_(ClosureRow.branch.is_(None), ClosureRow.branch == branch)
            )
        if start is not None:
            statement = statement.where(ClosureRow.day >= start)
        if end is not None:
            statement = statement.where(ClosureRow.day <= end)
        result = await self.session.execute(statement.order_by(ClosureRow.day, ClosureRow.branch))
        return result.scalars().all()

    async def closure(self, closure_id: uuid.UUID) -> ClosureRow | None:
        return await self.session.get(ClosureRow, closure_id)

    async def find_closure(self, day: date, branch: str | None) -> ClosureRow | None:
        statement = select(ClosureRow).where(ClosureRow.day == day)
        statement = statement.where(
            ClosureRow.branch.is_(None) if branch is None else ClosureRow.branch == branch
        )
        return (await self.session.execute(statement)).scalars().first()

    async def add(self, row: object) -> None:
        self.session.add(row)
        await self.session.flush()

    async def delete(self, row: object) -> None:
        await self.session.delete(row)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
