"""Every query For you makes: popularity by category, co-borrowing, same authors, availability."""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import String, cast, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from circulation.models import Hold, Item, Loan, Record
from circulation.models.item import ITEM_AVAILABLE
from circulation.models.loan import ACTIVE_HOLD_STATUSES


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ForYouRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def records_of(self, patron_id: uuid.UUID) -> set[str]:
        """Titles the patron has on loan, has read (history kept only with opt-in) or holds."""
        loans = await self.session.scalars(
            select(Loan.record_id).where(Loan.patron_id == patron_id).distinct()
        )
        holds = await self.session.scalars(
            select(Hold.record_id)
            .where(Hold.patron_id == patron_id, Hold.status.in_(ACTIVE_HOLD_STATUSES))
            .distinct()
        )
        return set(loans.all()) | set(holds.all())

    async def history(self, patron_id: uuid.UUID) -> list[str]:
        """The patron's borrowed titles, most recent first."""
        rows = await self.session.execute(
            select(Loan.record_id, func.max(Loan.loaned_at).label("last"))
            .where(Loan.patron_id == patron_id)
            .group_by(Loan.record_id)
            .order_by(func.max(Loan.loaned_at).desc(), Loan.record_id)
            .limit(200)
        )
        return [r.record_id for r in rows]

    async def branches_borrowed_from(self, patron_id: uuid.UUID) -> set[str]:
        rows = await self.session.scalars(select(Loan.branch).where(Loan.patron_id == patron_id).distinct())
        return set(rows.all())

    async def popular_in_category(
        self, category: str, *, since: datetime, exclude: Collection[str], limit: int
    ) -> list[str]:
        """Titles borrowed by the most distinct members of ``category`` since ``since``."""
        statement = (
            select(Loan.record_id)
            .outerjoin(Record, Record.record_id == Loan.record_id)
            .where(
                Loan.patron_category == category,
                Loan.loaned_at >= since,
                or_(Record.deleted.is_(None), Record.deleted.is_(False)),
            )
            .group_by(Loan.record_id)
            .order_by(func.count(distinct(Loan.patron_ref)).desc(), func.count().desc(), Loan.record_id)
            .limit(limit)
        )
        if exclude:
            statement = statement.where(Loan.record_id.notin_(list(exclude)))
        return list((await self.session.scalars(statement)).all())

    async def borrowed_together(
        self, record_ids: Sequence[str], *, own_ref: str, exclude: Collection[str], limit: int
    ) -> list[str]:
        """Titles most borrowed by the other members who borrowed any of ``record_ids``."""
        if not record_ids:
            return []
        readers = (
            select(Loan.patron_ref)
            .distinct()
            .where(
                Loan.record_id.in_(list(record_ids)), Loan.patron_ref.is_not(None), Loan.patron_ref != own_ref
            )
            .scalar_subquery()
        )
        statement = (
            select(Loan.record_id)
            .outerjoin(Record, Record.record_id == Loan.record_id)
            .where(Loan.patron_ref.in_(readers), or_(Record.deleted.is_(None), Record.deleted.is_(False)))
            .group_by(Loan.record_id)
            .order_by(func.count(distinct(Loan.patron_ref)).desc(), Loan.record_id)
            .limit(limit)
        )
        if exclude:
            statement = statement.where(Loan.record_id.notin_(list(exclude)))
        return list((await self.session.scalars(statement)).all())

    async def authors_of(self, record_ids: Sequence[str]) -> list[str]:
        """The authors of these titles, most frequent first (as the replica has them)."""
        if not record_ids:
            return []
        rows = await self.session.scalars(
            select(Record.authors).where(Record.record_id.in_(list(record_ids)))
        )
        counts: dict[str, int] = {}
        for authors in rows.all():
            for author in authors or []:
                counts[author] = counts.get(author, 0) + 1
        return sorted(counts, key=lambda a: (-counts[a], a))

    async def by_authors(self, authors: Sequence[str], *, exclude: Collection[str], limit: int) -> list[str]:
        """Titles by any of ``authors`` (matched inside the stored JSON list), newest first."""
        if not authors:
            return []
        text = cast(Record.authors, String)
        match = or_(*(text.like(f"%{_like_escape(json.dumps(a))}%", escape="\\") for a in authors))
        statement = (
            select(Record.record_id)
            .where(Record.authors.is_not(None), Record.deleted.is_(False), match)
            .order_by(Record.year.desc().nulls_last(), Record.title, Record.record_id)
            .limit(limit)
        )
        if exclude:
            statement = statement.where(Record.record_id.notin_(list(exclude)))
        return list((await self.session.scalars(statement)).all())

    async def records(self, record_ids: Sequence[str]) -> dict[str, Record]:
        if not record_ids:
            return {}
        rows = await self.session.scalars(select(Record).where(Record.record_id.in_(list(record_ids))))
        return {r.record_id: r for r in rows.all()}

    async def titles_from_items(self, record_ids: Sequence[str]) -> dict[str, str]:
        if not record_ids:
            return {}
        rows = await self.session.execute(
            select(Item.record_id, func.max(Item.title))
            .where(Item.record_id.in_(list(record_ids)))
            .group_by(Item.record_id)
        )
        return {r[0]: r[1] or "" for r in rows.all()}

    async def available_branches(self, record_ids: Sequence[str]) -> dict[str, list[str]]:
        if not record_ids:
            return {}
        rows = await self.session.execute(
            select(Item.record_id, Item.current_branch)
            .where(Item.record_id.in_(list(record_ids)), Item.status == ITEM_AVAILABLE)
            .distinct()
            .order_by(Item.record_id, Item.current_branch)
        )
        out: dict[str, list[str]] = {}
        for record_id, branch in rows.all():
            out.setdefault(record_id, []).append(branch)
        return out
