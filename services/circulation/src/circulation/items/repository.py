"""Every query on the item and record replicas."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from circulation.models import Hold, Item, Loan, Record
from circulation.models.loan import HOLD_WAITING
from pusip_kit.pagination import PaginationParams


@cache
def _get(lock: bool) -> Select[Item]:
    """Built once (the check-out's hot path): no statement building or cache-key work per call."""
    statement = select(Item).where(Item.barcode == bindparam("barcode"))
    return statement.with_for_update() if lock else statement


class ItemRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, barcode: str, *, lock: bool = False) -> Item | None:
        return (await self.session.execute(_get(lock), {"barcode": barcode})).scalar_one_or_none()

    async def record(self, record_id: str) -> Record | None:
        return await self.session.get(Record, record_id)

    async def list(
        self,
        *,
        pagination: PaginationParams,
        branch: str | None = None,
        status: str | None = None,
        record_id: str | None = None,
    ) -> tuple[Sequence[Item], int]:
        statement = select(Item)
        if branch:
            statement = statement.where(Item.current_branch == branch)
        if status:
            statement = statement.where(Item.status == status)
        if record_id:
            statement = statement.where(Item.record_id == record_id)
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(Item.barcode).offset(pagination.offset).limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def open_loan(self, barcode: str) -> Loan | None:
        result = await self.session.execute(
            select(Loan).where(Loan.item_barcode == barcode, Loan.returned_at.is_(None))
        )
        return result.scalar_one_or_none()

    async def waiting_holds(self, record_id: str) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(Hold)
                .where(Hold.record_id == record_id, Hold.status == HOLD_WAITING)
            )
            or 0
        )

    async def retitle(self, record_id: str, title: str) -> None:
        await self.session.execute(update(Item).where(Item.record_id == record_id).values(title=title))

    async def add(self, row: object) -> None:
        self.session.add(row)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
