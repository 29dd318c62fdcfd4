"""Circulation statistics for dashboards and the literacy indicators (IPLM), and the daily event."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, distinct, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from circulation import clock
from circulation.models import Branch, DailyStats, Loan, Patron, Visit
from circulation.models.patron import PATRON_ACTIVE
from pusip_kit.outbox import emit_event

EVENT_DAILY = "circulation.stats.daily"


def _start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=clock.WIB)


def _local_day(session: AsyncSession, column: Any) -> ColumnElement[Any]:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if dialect == "postgresql":
        return func.date(func.timezone("Asia/Jakarta", column))
    return func.date(column, "+7 hours")


class StatsService:
    async def loans_per_branch_day(
        self, session: AsyncSession, *, start: date, end: date, branch: str | None = None
    ) -> list[dict[str, Any]]:
        day = _local_day(session, Loan.loaned_at).label("day")
        statement = (
            select(Loan.branch, day, func.count().label("loans"))
            .where(Loan.loaned_at >= _start(start), Loan.loaned_at < _start(end + timedelta(days=1)))
            .group_by(Loan.branch, day)
            .order_by(day, Loan.branch)
        )
        if branch:
            statement = statement.where(Loan.branch == branch)
        rows = await session.execute(statement)
        return [{"branch": r.branch, "day": str(r.day), "loans": int(r.loans)} for r in rows]

    async def top_titles(
        self,
        session: AsyncSession,
        *,
        start: date,
        end: date,
        branch: str | None = None,
        patron_category: str | None = None,
        limit: int = 10,
    ) -> list[dict[str, Any]]:
        statement = (
            select(Loan.record_id, func.max(Loan.title).label("title"), func.count().label("loans"))
            .where(Loan.loaned_at >= _start(start), Loan.loaned_at < _start(end + timedelta(days=1)))
            .group_by(Loan.record_id)
            .order_by(func.count().desc(), Loan.record_id)
            .limit(limit)
        )
        if branch:
            statement = statement.where(Loan.branch == branch)
        if patron_category:
            statement = statement.where(Loan.patron_category == patron_category)
        rows = await session.execute(statement)
        return [{"record_id": r.record_id, "title": r.title, "loans": int(r.loans)} for r in rows]

    async def active_members(
        self, session: AsyncSession, *, start: date, end: date, branch: str | None = None
    ) -> dict[str, Any]:
        """Members who borrowed in the period (distinct, anonymised loans included), and membership counts."""
        borrowing = select(func.count(distinct(Loan.patron_ref))).where(
            Loan.loaned_at >= _start(start), Loan.loaned_at < _start(end + timedelta(days=1))
        )
        if branch:
            borrowing = borrowing.where(Loan.branch == branch)
        today = clock.today()
        members = (
            select(func.count())
            .select_from(Patron)
            .where(Patron.status == PATRON_ACTIVE, Patron.expires_on >= today)
        )
        new = (
            select(func.count())
            .select_from(Patron)
            .where(Patron.created_at >= _start(start), Patron.created_at < _start(end + timedelta(days=1)))
        )
        if branch:
            members = members.where(Patron.home_branch == branch)
            new = new.where(Patron.home_branch == branch)
        by_category = await session.execute(
            select(Patron.category_code, func.count())
            .where(Patron.status == PATRON_ACTIVE, Patron.expires_on >= today)
            .group_by(Patron.category_code)
            .order_by(Patron.category_code)
        )
        return {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "branch": branch,
            "borrowing_members": int(await session.scalar(borrowing) or 0),
            "active_memberships": int(await session.scalar(members) or 0),
            "new_members": int(await session.scalar(new) or 0),
            "memberships_by_category": {row[0]: int(row[1]) for row in by_category.all()},
        }

    async def visits_per_branch_day(
        self, session: AsyncSession, *, start: date, end: date, branch: str | None = None
    ) -> list[dict[str, Any]]:
        """Visits per branch and day: unique known patrons plus anonymous visitors counted by gates."""
        known = func.count(Visit.patron_ref)
        anonymous = func.coalesce(func.sum(case((Visit.patron_ref.is_(None), Visit.visitors), else_=0)), 0)
        statement = (
            select(Visit.branch, Visit.day, known.label("patrons"), anonymous.label("anonymous"))
            .where(Visit.day >= start, Visit.day <= end)
            .group_by(Visit.branch, Visit.day)
            .order_by(Visit.day, Visit.branch)
        )
        if branch:
            statement = statement.where(Visit.branch == branch)
        rows = await session.execute(statement)
        return [
            {
                "branch": r.branch,
                "day": str(r.day),
                "patrons": int(r.patrons),
                "anonymous": int(r.anonymous),
                "visits": int(r.patrons) + int(r.anonymous),
            }
            for r in rows
        ]

    async def members_by_branch(self, session: AsyncSession) -> dict[str | None, int]:
        """Active memberships by home branch (None: no home branch chosen)."""
        rows = await session.execute(
            select(Patron.home_branch, func.count())
            .where(Patron.status == PATRON_ACTIVE, Patron.expires_on >= clock.today())
            .group_by(Patron.home_branch)
        )
        return {row[0]: int(row[1]) for row in rows.all()}

    async def branch_cities(self, session: AsyncSession) -> dict[str, str | None]:
        return {row[0]: row[1] for row in (await session.execute(select(Branch.code, Branch.city))).all()}

    async def members_by_city(self, session: AsyncSession) -> dict[str, Any]:
        """Active memberships per city of the member's home branch; members without a home branch (or
        whose branch has no city yet) are counted as ``unassigned``."""
        cities = await self.branch_cities(session)
        by_city: dict[str, int] = {}
        unassigned = 0
        for branch, count in (await self.members_by_branch(session)).items():
            city = cities.get(branch) if branch else None
            if city:
                by_city[city] = by_city.get(city, 0) + count
            else:
                unassigned += count
        return {
            "on": clock.today().isoformat(),
            "cities": dict(sorted(by_city.items())),
            "unassigned": unassigned,
            "total": sum(by_city.values()) + unassigned,
        }

    async def daily(self, session: AsyncSession, *, day: date) -> dict[str, Any] | None:
        """Compute ``day``'s figures once, store them and emit ``circulation.stats.daily`` (idempotent)."""
        if await session.get(DailyStats, day) is not None:
            return None
        loans = await self.loans_per_branch_day(session, start=day, end=day)
        returns = await session.execute(
            select(Loan.return_branch, func.count())
            .where(Loan.returned_at >= _start(day), Loan.returned_at < _start(day + timedelta(days=1)))
            .group_by(Loan.return_branch)
        )
        members = await self.active_members(session, start=day, end=day)
        loans_by_branch = {row["branch"]: row["loans"] for row in loans}
        visits_by_branch = {
            row["branch"]: row["visits"]
            for row in await self.visits_per_branch_day(session, start=day, end=day)
        }
        titles = await session.execute(
            select(Loan.branch, func.count(distinct(Loan.record_id)))
            .where(Loan.loaned_at >= _start(day), Loan.loaned_at < _start(day + timedelta(days=1)))
            .group_by(Loan.branch)
        )
        titles_by_branch = {row[0]: int(row[1]) for row in titles.all()}
        members_by_branch = await self.members_by_branch(session)
        cities = await self.branch_cities(session)
        by_city = await self.members_by_city(session)
        # One entry per branch with its city (what the literacy indicators read per city), and the
        # province-wide memberships under branch "*". A branch's members are those whose home it is.
        codes = sorted(set(cities) | set(loans_by_branch) | set(visits_by_branch))
        # "visits" only where visits were recorded: a day without any (closed, no gate) is no reporting
        # day for the average visits per day.
        branches: list[dict[str, Any]] = [
            {
                "branch": code,
                "city": cities.get(code),
                "loans": loans_by_branch.get(code, 0),
                "titles_loaned": titles_by_branch.get(code, 0),
                "active_members": members_by_branch.get(code, 0),
                **({"visits": visits_by_branch[code]} if code in visits_by_branch else {}),
            }
            for code in codes
        ]
        branches.append({"branch": "*", "active_members": members["active_memberships"]})
        payload = {
            "date": day.isoformat(),
            "loans_by_branch": loans_by_branch,
            "loans": sum(row["loans"] for row in loans),
            "returns_by_branch": {row[0]: int(row[1]) for row in returns.all() if row[0]},
            "visits_by_branch": visits_by_branch,
            "visits": sum(visits_by_branch.values()),
            "borrowing_members": members["borrowing_members"],
            "active_memberships": members["active_memberships"],
            "members_by_city": by_city["cities"],
            "members_unassigned": by_city["unassigned"],
            "new_members": members["new_members"],
            "branches": branches,
        }
        bind = session.bind
        insert = (
            postgresql.insert if bind is not None and bind.dialect.name == "postgresql" else sqlite.insert
        )
        inserted = (
            await session.execute(
                insert(DailyStats)
                .values(day=day, payload=payload, emitted_at=clock.now())
                .on_conflict_do_nothing()
                .returning(DailyStats.day)
            )
        ).first()
        if inserted is None:
            return None
        await emit_event(session, EVENT_DAILY, payload, key=day.isoformat())
        return payload


stats_service = StatsService()
