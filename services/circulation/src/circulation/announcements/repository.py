"""Every query on announcements."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from circulation.models import Announcement
from pusip_kit.pagination import PaginationParams


class AnnouncementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, announcement_id: uuid.UUID) -> Announcement | None:
        return await self.session.get(Announcement, announcement_id)

    async def list(
        self,
        *,
        pagination: PaginationParams,
        branch: str | None,
        network_only: bool,
        current_on: date | None,
    ) -> tuple[Sequence[Announcement], int]:
        statement = select(Announcement)
        if network_only:
            statement = statement.where(Announcement.branch_code.is_(None))
        elif branch is not None:
            statement = statement.where(Announcement.branch_code == branch)
        if current_on is not None:
            statement = statement.where(
                Announcement.starts_on <= current_on, Announcement.ends_on >= current_on
            )
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await self.session.execute(
            statement.order_by(Announcement.starts_on.desc(), Announcement.created_at.desc())
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return rows.scalars().all(), int(total or 0)

    async def current_for(
        self, branches: Iterable[str], *, today: date, limit: int
    ) -> Sequence[Announcement]:
        """Announcements showing today at any of ``branches`` or network-wide, newest first."""
        codes = sorted(set(branches))
        where_branch: ColumnElement[bool] = Announcement.branch_code.is_(None)
        if codes:
            where_branch = or_(where_branch, Announcement.branch_code.in_(codes))
        rows = await self.session.execute(
            select(Announcement)
            .where(where_branch, Announcement.starts_on <= today, Announcement.ends_on >= today)
            .order_by(Announcement.starts_on.desc(), Announcement.created_at.desc(), Announcement.id)
            .limit(limit)
        )
        return rows.scalars().all()

    async def add(self, announcement: Announcement) -> None:
        self.session.add(announcement)
        await self.session.flush()

    async def delete(self, announcement: Announcement) -> None:
        await self.session.delete(announcement)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
