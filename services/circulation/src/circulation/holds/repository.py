"""Every query on holds: queues, pick lists, hold shelves."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from circulation.models import Hold, Item, Loan
from circulation.models.item import ITEM_AVAILABLE
from circulation.models.loan import ACTIVE_HOLD_STATUSES, HOLD_READY, HOLD_WAITING
from pusip_kit.pagination import PaginationParams


class HoldRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, hold_id: uuid.UUID, *, lock: bool = False) -> Hold | None:
        statement = select(Hold).where(Hold.id == hold_id)
        if lock:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def items_of(self, record_id: str) -> Sequence[Item]:
        return (
            (
                await self.session.execute(
                    select(Item).where(Item.record_id == record_id).order_by(Item.barcode)
                )
            )
            .scalars()
            .all()
        )

    async def active_hold(self, patron_id: uuid.UUID, record_id: str) -> Hold | None:
        result = await self.session.execute(
            select(Hold).where(
                Hold.patron_id == patron_id,
                Hold.record_id == record_id,
                Hold.status.in_(ACTIVE_HOLD_STATUSES),
            )
        )
        return result.scalars().first()

    async def active_count(self, patron_id: uuid.UUID) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(Hold)
                .where(Hold.patron_id == patron_id, Hold.status.in_(ACTIVE_HOLD_STATUSES))
            )
            or 0
        )

    async def has_loan_of(self, patron_id: uuid.UUID, record_id: str) -> bool:
        return bool(
            await self.session.scalar(
                select(func.count())
                .select_from(Loan)
                .where(Loan.patron_id == patron_id, Loan.record_id == record_id, Loan.returned_at.is_(None))
            )
        )

    async def position(self, hold: Hold) -> int:
        """1-based place in the title's FIFO queue of waiting holds."""
        ahead = await self.session.scalar(
            select(func.count())
            .select_from(Hold)
            .where(
                Hold.record_id == hold.record_id,
                Hold.status == HOLD_WAITING,
                or_(
                    Hold.placed_at < hold.placed_at, and_(Hold.placed_at == hold.placed_at, Hold.id < hold.id)
                ),
            )
        )
        return int(ahead or 0) + 1

    async def queue_length(self, record_id: str) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(Hold)
                .where(Hold.record_id == record_id, Hold.status == HOLD_WAITING)
            )
            or 0
        )

    async def list(
        self,
        *,
        pagination: PaginationParams,
        patron_id: uuid.UUID | None = None,
        record_id: str | None = None,
        pickup_branch: str | None = None,
        statuses: tuple[str, ...] | None = None,
    ) -> tuple[Sequence[Hold], int]:
        statement = select(Hold)
        if patron_id is not None:
            statement = statement.where(Hold.patron_id == patron_id)
        if record_id:
            statement = statement.where(Hold.record_id == record_id)
        if pickup_branch:
            statement = statement.where(Hold.pickup_branch == pickup_branch)
        if statuses:
            statement = statement.where(Hold.status.in_(statuses))
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(Hold.placed_at, Hold.id).offset(pagination.offset).limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def waiting_with_copies_at(self, branch: str) -> Sequence[tuple[Hold, Item]]:
        """Waiting holds (FIFO) paired with available copies on ``branch``'s shelves that could fill them."""
        result = await self.session.execute(
            select(Hold, Item)
            .join(
                Item,
                and_(
                    Item.record_id == Hold.record_id,
                    or_(Hold.item_barcode.is_(None), Hold.item_barcode == Item.barcode),
                ),
            )
            .where(
                Hold.status == HOLD_WAITING,
                Hold.patron_id.is_not(None),
                Item.status == ITEM_AVAILABLE,
                Item.current_branch == branch,
            )
            .order_by(Hold.placed_at, Hold.id, Item.barcode)
        )
        return [(row[0], row[1]) for row in result.all()]

    async def expired_ready(self, today: date, *, limit: int = 500) -> Sequence[uuid.UUID]:
        result = await self.session.execute(
            select(Hold.id)
            .where(Hold.status == HOLD_READY, Hold.pickup_deadline < today)
            .order_by(Hold.pickup_deadline)
            .limit(limit)
        )
        return result.scalars().all()
