"""Every query on reviews."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import BibRecord, Review
from pusip_kit.pagination import PaginationParams


class ReviewRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, review_id: uuid.UUID) -> Review | None:
        return await self.session.get(Review, review_id)

    async def of_author(self, record_id: uuid.UUID, subject: str) -> Review | None:
        rows = await self.session.execute(
            select(Review).where(Review.record_id == record_id, Review.author_subject == subject)
        )
        return rows.scalar_one_or_none()

    async def list(
        self,
        *,
        pagination: PaginationParams,
        record_id: uuid.UUID | None = None,
        status: str | None = None,
        author: str | None = None,
        with_text: bool | None = None,
        oldest_first: bool = False,
    ) -> tuple[Sequence[Review], int]:
        statement = select(Review)
        if record_id is not None:
            statement = statement.where(Review.record_id == record_id)
        if status is not None:
            statement = statement.where(Review.status == status)
        if author is not None:
            statement = statement.where(Review.author_subject == author)
        if with_text is True:
            statement = statement.where(Review.text.is_not(None))
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        order = (Review.updated_at.asc(),) if oldest_first else (Review.updated_at.desc(),)
        rows = await self.session.execute(
            statement.order_by(*order, Review.id).offset(pagination.offset).limit(pagination.limit)
        )
        return rows.scalars().all(), int(total or 0)

    async def distribution(self, record_id: uuid.UUID) -> tuple[dict[int, int], int]:
        """Approved ratings per star, and how many approved reviews have text."""
        rows = await self.session.execute(
            select(Review.rating, func.count(), func.count(Review.text))
            .where(Review.record_id == record_id, Review.status == "approved")
            .group_by(Review.rating)
        )
        counts: dict[int, int] = {}
        written = 0
        for rating, n, with_text in rows:
            counts[int(rating)] = int(n)
            written += int(with_text)
        return counts, written

    async def titles(self, record_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not record_ids:
            return {}
        rows = await self.session.execute(
            select(BibRecord.id, BibRecord.title).where(BibRecord.id.in_(list(set(record_ids))))
        )
        return {key: value for key, value in rows}

    async def add(self, review: Review) -> None:
        self.session.add(review)
        await self.session.flush()

    async def delete(self, review: Review) -> None:
        await self.session.delete(review)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
