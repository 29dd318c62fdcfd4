"""Every query of the circulation transactions (loans, transits, and the holds they touch)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from circulation.models import Fine, Hold, Item, Loan, Patron, PatronBlock, RuleSetRow, Transit
from circulation.models.fine import FINE_OPEN
from circulation.models.loan import HOLD_IN_TRANSIT, HOLD_READY, HOLD_WAITING, TRANSIT_OPEN
from circulation.models.patron import BLOCK_MANUAL, PATRON_ANONYMISED
from circulation.models.policy import RULE_SET_ACTIVE
from circulation.policies.repository import CalendarSignature, calendar_signature_columns
from pusip_kit.pagination import PaginationParams

TRAPPED_STATUSES = (HOLD_IN_TRANSIT, HOLD_READY)


@dataclass(frozen=True)
class CheckoutFacts:
    rule_set_id: uuid.UUID | None
    balance: int
    manual_blocks: int
    transit_to: str | None
    open_loans: int
    overdue: int
    open_of_type: int
    item_on_loan: bool
    holds_touching: bool
    calendar_signature: CalendarSignature


def _touching(patron_id: Any, record_id: Any, barcode: Any) -> ColumnElement[bool]:
    """Active holds on this copy, and the patron's active holds on its title."""
    return and_(
        Hold.status.in_((HOLD_WAITING, HOLD_IN_TRANSIT, HOLD_READY)),
        or_(
            Hold.trapped_barcode == barcode,
            Hold.item_barcode == barcode,
            and_(Hold.patron_id == patron_id, Hold.record_id == record_id),
        ),
    )


# The hot path's statements are built once, with bound parameters: building a statement of a dozen
# subqueries and computing its cache key cost more CPU than running it.


@cache
def _item_and_facts(lock: bool) -> Select[Any]:
    """The item row and the check-out's facts, correlated to it (its barcode, title, material type)."""
    patron_id: Any = bindparam("patron_id")
    open_of_patron = (Loan.patron_id == patron_id, Loan.returned_at.is_(None))
    statement = select(
        Item,
        select(RuleSetRow.id).where(RuleSetRow.status == RULE_SET_ACTIVE).scalar_subquery(),
        select(func.coalesce(func.sum(Fine.amount - Fine.paid - Fine.waived), 0))
        .where(Fine.patron_id == patron_id, Fine.status == FINE_OPEN)
        .scalar_subquery(),
        select(func.count())
        .select_from(PatronBlock)
        .where(
            PatronBlock.patron_id == patron_id,
            PatronBlock.kind == BLOCK_MANUAL,
            PatronBlock.lifted_at.is_(None),
        )
        .scalar_subquery(),
        select(Transit.to_branch)
        .where(Transit.item_barcode == Item.barcode, Transit.status == TRANSIT_OPEN)
        .limit(1)
        .scalar_subquery(),
        select(func.count()).select_from(Loan).where(*open_of_patron).scalar_subquery(),
        select(func.count())
        .select_from(Loan)
        .where(*open_of_patron, Loan.due_on < bindparam("today"))
        .scalar_subquery(),
        select(func.count())
        .select_from(Loan)
        .where(*open_of_patron, Loan.material_type == Item.material_type)
        .scalar_subquery(),
        select(Loan.id)
        .where(Loan.item_barcode == Item.barcode, Loan.returned_at.is_(None))
        .limit(1)
        .scalar_subquery(),
        select(Hold.id).where(_touching(patron_id, Item.record_id, Item.barcode)).limit(1).scalar_subquery(),
        *calendar_signature_columns(),
    ).where(Item.barcode == bindparam("barcode"))
    return statement.with_for_update(of=Item) if lock else statement


@cache
def _routing_facts() -> Select[uuid.UUID, uuid.UUID, uuid.UUID]:
    barcode: Any = bindparam("barcode")
    return select(
        select(Transit.id)
        .where(Transit.item_barcode == barcode, Transit.status == TRANSIT_OPEN)
        .limit(1)
        .scalar_subquery(),
        select(Hold.id)
        .where(Hold.trapped_barcode == barcode, Hold.status.in_(TRAPPED_STATUSES))
        .limit(1)
        .scalar_subquery(),
        select(Hold.id)
        .where(
            Hold.record_id == bindparam("record_id"),
            Hold.status == HOLD_WAITING,
            or_(Hold.item_barcode.is_(None), Hold.item_barcode == barcode),
        )
        .limit(1)
        .scalar_subquery(),
    )


@cache
def _open_loan() -> Select[Loan]:
    return select(Loan).where(Loan.item_barcode == bindparam("barcode"), Loan.returned_at.is_(None))


class TransactionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open_loan(self, barcode: str) -> Loan | None:
        return (await self.session.execute(_open_loan(), {"barcode": barcode})).scalar_one_or_none()

    async def holds_touching(
        self, patron_id: uuid.UUID, record_id: str, barcode: str, *, lock: bool = False
    ) -> Sequence[Hold]:
        """One query for a check-out: active holds on this copy, and the patron's holds on its title."""
        statement = select(Hold).where(_touching(patron_id, record_id, barcode))
        if lock:
            statement = statement.with_for_update()
        return (await self.session.execute(statement.order_by(Hold.placed_at, Hold.id))).scalars().all()

    async def item_and_facts(
        self, barcode: str, *, patron_id: uuid.UUID, today: date, lock: bool
    ) -> tuple[Item, CheckoutFacts] | None:
        """The item (locked when ``lock``; only its row) and, in the same round trip, everything small a
        check-out decides on: the active rule set's id, the patron's unpaid fines, open manual blocks
        and open loans (all, overdue, of the item's material type), whether the item is on loan or
        travelling, whether any hold touches the copy or the patron's claim on its title, and the
        calendars' signature (see :meth:`PolicyService.calendar`). ``None`` when there is no such item."""
        params = {"patron_id": patron_id, "barcode": barcode, "today": today}
        row = (await self.session.execute(_item_and_facts(lock), params)).one_or_none()
        if row is None:
            return None
        return row[0], CheckoutFacts(
            rule_set_id=row[1],
            balance=int(row[2] or 0),
            manual_blocks=int(row[3] or 0),
            transit_to=row[4],
            open_loans=int(row[5] or 0),
            overdue=int(row[6] or 0),
            open_of_type=int(row[7] or 0),
            item_on_loan=row[8] is not None,
            holds_touching=row[9] is not None,
            calendar_signature=tuple(row[10:]),
        )

    async def routing_facts(self, barcode: str, record_id: str) -> tuple[bool, bool, bool]:
        """One round trip before routing a copy: does it have an open transit, a hold it is trapped for,
        a waiting hold it could fill? (Only what exists is then read, and locked, row by row.)"""
        params = {"barcode": barcode, "record_id": record_id}
        row = (await self.session.execute(_routing_facts(), params)).one()
        return row[0] is not None, row[1] is not None, row[2] is not None

    async def loan(self, loan_id: uuid.UUID) -> Loan | None:
        return await self.session.get(Loan, loan_id)

    async def trapped_hold(self, barcode: str, *, lock: bool = False) -> Hold | None:
        statement = select(Hold).where(Hold.trapped_barcode == barcode, Hold.status.in_(TRAPPED_STATUSES))
        if lock:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def item_holds_for_others(self, barcode: str, patron_id: uuid.UUID) -> Sequence[Hold]:
        result = await self.session.execute(
            select(Hold).where(
                Hold.item_barcode == barcode,
                Hold.status == HOLD_WAITING,
                or_(Hold.patron_id.is_(None), Hold.patron_id != patron_id),
            )
        )
        return result.scalars().all()

    async def patron_waiting_hold(
        self, patron_id: uuid.UUID, record_id: str, barcode: str, *, lock: bool = False
    ) -> Hold | None:
        """The patron's waiting hold this copy can fill (title-level, or item-level on this copy)."""
        statement = select(Hold).where(
            Hold.patron_id == patron_id,
            Hold.record_id == record_id,
            Hold.status == HOLD_WAITING,
            or_(Hold.item_barcode.is_(None), Hold.item_barcode == barcode),
        )
        if lock:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalars().first()

    async def next_waiting_hold(self, record_id: str, barcode: str, *, lock: bool = False) -> Hold | None:
        """The oldest waiting hold this copy can fill: FIFO per title (placed_at, then id).

        Under lock, rows other transactions are trapping right now are skipped (``SKIP LOCKED``), so
        concurrent check-ins of copies of one title serve consecutive holds without waiting on each other.
        """
        statement = (
            select(Hold)
            .join(Patron, Patron.id == Hold.patron_id)
            .where(
                Hold.record_id == record_id,
                Hold.status == HOLD_WAITING,
                or_(Hold.item_barcode.is_(None), Hold.item_barcode == barcode),
                Patron.status != PATRON_ANONYMISED,
            )
            .order_by(Hold.placed_at, Hold.id)
            .limit(1)
        )
        if lock:
            statement = statement.with_for_update(skip_locked=True, of=Hold)
        return (await self.session.execute(statement)).scalars().first()

    async def holds_copy_could_fill(self, record_id: str, barcode: str, patron_id: uuid.UUID | None) -> int:
        statement = (
            select(func.count())
            .select_from(Hold)
            .where(
                Hold.record_id == record_id,
                Hold.status == HOLD_WAITING,
                or_(Hold.item_barcode.is_(None), Hold.item_barcode == barcode),
            )
        )
        if patron_id is not None:
            statement = statement.where(or_(Hold.patron_id.is_(None), Hold.patron_id != patron_id))
        return int(await self.session.scalar(statement) or 0)

    async def open_transit(self, barcode: str, *, lock: bool = False) -> Transit | None:
        statement = select(Transit).where(Transit.item_barcode == barcode, Transit.status == TRANSIT_OPEN)
        if lock:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def transit(self, transit_id: uuid.UUID) -> Transit | None:
        return await self.session.get(Transit, transit_id)

    async def transits(
        self,
        *,
        pagination: PaginationParams,
        to_branch: str | None,
        from_branch: str | None,
        status: str | None,
    ) -> tuple[Sequence[Transit], int]:
        statement = select(Transit)
        if to_branch:
            statement = statement.where(Transit.to_branch == to_branch)
        if from_branch:
            statement = statement.where(Transit.from_branch == from_branch)
        if status:
            statement = statement.where(Transit.status == status)
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(Transit.created_at).offset(pagination.offset).limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def loans(
        self,
        *,
        pagination: PaginationParams,
        patron_id: uuid.UUID | None = None,
        branch: str | None = None,
        open_only: bool | None = None,
        overdue_on: date | None = None,
        barcode: str | None = None,
    ) -> tuple[Sequence[Loan], int]:
        statement = select(Loan)
        if patron_id is not None:
            statement = statement.where(Loan.patron_id == patron_id)
        if branch:
            statement = statement.where(Loan.branch == branch)
        if open_only is True:
            statement = statement.where(Loan.returned_at.is_(None))
        elif open_only is False:
            statement = statement.where(Loan.returned_at.is_not(None))
        if overdue_on is not None:
            statement = statement.where(and_(Loan.returned_at.is_(None), Loan.due_on < overdue_on))
        if barcode:
            statement = statement.where(Loan.item_barcode == barcode)
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(Loan.loaned_at.desc(), Loan.id)
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def cards(self, patron_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not patron_ids:
            return {}
        rows = await self.session.execute(
            select(Patron.id, Patron.card_number).where(Patron.id.in_(patron_ids))
        )
        return {row.id: row.card_number for row in rows}
