"""Every query on reading lists."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import BibRecord, ReadingList, ReadingListEntry
from pusip_kit.pagination import PaginationParams


class ReadingListRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, list_id: uuid.UUID) -> ReadingList | None:
        return await self.session.get(ReadingList, list_id)

    async def list(
        self,
        *,
        pagination: PaginationParams,
        owner: str | None = None,
        public: bool | None = None,
        record_id: uuid.UUID | None = None,
    ) -> tuple[Sequence[ReadingList], int]:
        statement = select(ReadingList)
        if owner is not None:
            statement = statement.where(ReadingList.owner_subject == owner)
        if public is not None:
            statement = statement.where(ReadingList.public.is_(public))
        if record_id is not None:
            statement = statement.where(
                ReadingList.id.in_(
                    select(ReadingListEntry.list_id).where(ReadingListEntry.record_id == record_id)
                )
            )
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await self.session.execute(
            statement.order_by(ReadingList.updated_at.desc(), ReadingList.id)
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return rows.scalars().all(), int(total or 0)

    async def count_owned(self, owner: str) -> int:
        return int(
            await self.session.scalar(
                select(func.count()).select_from(ReadingList).where(ReadingList.owner_subject == owner)
            )
            or 0
        )

    async def entry_counts(self, list_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        if not list_ids:
            return {}
        rows = await self.session.execute(
            select(ReadingListEntry.list_id, func.count())
            .join(BibRecord, BibRecord.id == ReadingListEntry.record_id)
            .where(ReadingListEntry.list_id.in_(list(list_ids)), BibRecord.deleted.is_(False))
            .group_by(ReadingListEntry.list_id)
        )
        return {list_id: int(n) for list_id, n in rows}

    async def entries(self, list_id: uuid.UUID) -> builtins.list[tuple[ReadingListEntry, BibRecord]]:
        rows = await self.session.execute(
            select(ReadingListEntry, BibRecord)
            .join(BibRecord, BibRecord.id == ReadingListEntry.record_id)
            .where(ReadingListEntry.list_id == list_id, BibRecord.deleted.is_(False))
            .order_by(ReadingListEntry.position, ReadingListEntry.added_at)
        )
        return [(e, r) for e, r in rows]

    async def entry(self, list_id: uuid.UUID, record_id: uuid.UUID) -> ReadingListEntry | None:
        return await self.session.get(ReadingListEntry, (list_id, record_id))

    async def next_position(self, list_id: uuid.UUID) -> int:
        highest = await self.session.scalar(
            select(func.max(ReadingListEntry.position)).where(ReadingListEntry.list_id == list_id)
        )
        return int(highest or 0) + 1

    async def count_entries(self, list_id: uuid.UUID) -> int:
        return int(
            await self.session.scalar(
                select(func.count()).select_from(ReadingListEntry).where(ReadingListEntry.list_id == list_id)
            )
            or 0
        )

    async def add(self, row: object) -> None:
        self.session.add(row)
        await self.session.flush()

    async def delete(self, row: object) -> None:
        await self.session.delete(row)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
