"""Every query on items."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import BibRecord, Branch, Item
from pusip_kit.db.base import utcnow
from pusip_kit.pagination import PaginationParams


class ItemRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_barcode(self, barcode: str) -> Item | None:
        result = await self.session.execute(select(Item).where(Item.barcode == barcode))
        return result.scalar_one_or_none()

    async def get_many_by_barcode(self, barcodes: Sequence[str]) -> dict[str, Item]:
        out: dict[str, Item] = {}
        wanted = list(dict.fromkeys(barcodes))
        for start in range(0, len(wanted), 500):
            rows = await self.session.execute(
                select(Item).where(Item.barcode.in_(wanted[start : start + 500]))
            )
            out.update({i.barcode: i for i in rows.scalars()})
        return out

    async def existing_barcodes(self, barcodes: Sequence[str]) -> set[str]:
        out: set[str] = set()
        wanted = list(dict.fromkeys(barcodes))
        for start in range(0, len(wanted), 500):
            rows = await self.session.execute(
                select(Item.barcode).where(Item.barcode.in_(wanted[start : start + 500]))
            )
            out.update(rows.scalars())
        return out

    async def list(
        self,
        *,
        pagination: PaginationParams,
        record_id: uuid.UUID | None = None,
        branch: str | None = None,
        status: str | None = None,
        location: str | None = None,
    ) -> tuple[Sequence[Item], int]:
        statement = select(Item)
        if record_id is not None:
            statement = statement.where(Item.record_id == record_id)
        if branch is not None:
            statement = statement.where(Item.branch_code == branch)
        if status is not None:
            statement = statement.where(Item.status == status)
        if location is not None:
            statement = statement.where(Item.location == location)
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(Item.branch_code, Item.barcode)
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def branch_codes(self) -> set[str]:
        return set((await self.session.execute(select(Branch.code))).scalars())

    async def branch_exists(self, code: str) -> bool:
        return (await self.session.scalar(select(func.count()).where(Branch.code == code))) == 1

    async def titles(self, record_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not record_ids:
            return {}
        rows = await self.session.execute(
            select(BibRecord.id, BibRecord.title).where(BibRecord.id.in_(list(set(record_ids))))
        )
        return {key: value for key, value in rows}

    async def touch_records(self, record_ids: Sequence[uuid.UUID]) -> None:
        """A change of holdings changes the record's OAI sets: move its datestamp on."""
        ids = list(set(record_ids))
        if ids:
            await self.session.execute(
                update(BibRecord).where(BibRecord.id.in_(ids)).values(datestamp=utcnow())
            )

    async def add(self, item: Item) -> None:
        self.session.add(item)
        await self.session.flush()

    async def delete(self, item: Item) -> None:
        await self.session.delete(item)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
