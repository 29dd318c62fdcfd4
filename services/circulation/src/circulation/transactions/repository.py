"""Every query of the circulation transactions (loans, transits, and the holds they touch)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Insert, Select, Table, Update, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from circulation.models import Fine, Hold, Item, Loan, Patron, PatronBlock, RuleSetRow, Transit
from circulation.models.fine import FINE_OPEN
from circulation.models.loan import HOLD_IN_TRANSIT, HOLD_READY, HOLD_WAITING, TRANSIT_OPEN
from circulation.models.patron import BLOCK_MANUAL, PATRON_ANONYMISED
from circulation.models.policy import RULE_SET_ACTIVE
from circulation.policies.repository import CalendarSignature, calendar_signature_columns
from pusip_kit.pagination import PaginationParams

TRAPPED_STATUSES = (HOLD_IN_TRANSIT, HOLD_READY)

ITEMS: Table = Item.__table__  # type: ignore[assignment]
LOANS: Table = Loan.__table__  # type: ignore[assignment]
PATRONS: Table = Patron.__table__  # type: ignore[assignment]


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
        *ITEMS.c,
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
        .where(Transit.item_barcode == ITEMS.c.barcode, Transit.status == TRANSIT_OPEN)
        .limit(1)
        .scalar_subquery(),
        select(func.count()).select_from(Loan).where(*open_of_patron).scalar_subquery(),
        select(func.count())
        .select_from(Loan)
        .where(*open_of_patron, Loan.due_on < bindparam("today"))
        .scalar_subquery(),
        select(func.count())
        .select_from(Loan)
        .where(*open_of_patron, Loan.material_type == ITEMS.c.material_type)
        .scalar_subquery(),
        select(Loan.id)
        .where(Loan.item_barcode == ITEMS.c.barcode, Loan.returned_at.is_(None))
        .limit(1)
        .scalar_subquery(),
        select(Hold.id)
        .where(_touching(patron_id, ITEMS.c.record_id, ITEMS.c.barcode))
        .limit(1)
        .scalar_subquery(),
        *calendar_signature_columns(),
    ).where(ITEMS.c.barcode == bindparam("barcode"))
    return statement.with_for_update(of=ITEMS) if lock else statement


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


# -- the desk's hot path in Core: rows, not mapped objects ---------------------------------------------
# Check-out and check-in read the patron, the item and the loan as rows and write them with single
# statements on the session's connection (no identity map, no unit-of-work flush); the callers hand
# *transient* model instances built from those rows to the validators, routing and the responses.
# Holds, transits, fines and blocks (the rarer paths) stay ORM objects in the same transaction.


@cache
def _patron_row(by_card: bool, lock: bool) -> Select[Any]:
    where = PATRONS.c.card_number == bindparam("card") if by_card else PATRONS.c.id == bindparam("id")
    statement = select(PATRONS).where(where)
    return statement.with_for_update() if lock else statement


@cache
def _item_row(lock: bool) -> Select[Any]:
    statement = select(ITEMS).where(ITEMS.c.barcode == bindparam("barcode"))
    return statement.with_for_update() if lock else statement


@cache
def _open_loan_row() -> Select[Any]:
    return select(LOANS).where(LOANS.c.item_barcode == bindparam("barcode"), LOANS.c.returned_at.is_(None))


@cache
def _insert_loan() -> Insert:
    return insert(LOANS)


@cache
def _save_item() -> Update:
    return (
        update(ITEMS)
        .where(ITEMS.c.barcode == bindparam("key"))
        .values(
            status=bindparam("new_status"),
            current_branch=bindparam("new_branch"),
            status_changed_at=bindparam("changed_at"),
        )
    )


@cache
def _close_loan() -> Update:
    return (
        update(LOANS)
        .where(LOANS.c.id == bindparam("key"))
        .values(
            returned_at=bindparam("at"),
            return_branch=bindparam("at_branch"),
            returned_by=bindparam("by"),
            patron_id=bindparam("borrower"),
        )
    )


_ITEM_WIDTH = len(ITEMS.c)


def _item_of(row: Row[Any] | Any) -> Item:
    return Item(**dict(zip(ITEMS.c.keys(), row[:_ITEM_WIDTH], strict=True)))


def _loan_of(row: Row[Any]) -> Loan:
    return Loan(**row._asdict())


def _patron_of(row: Row[Any]) -> Patron:
    return Patron(**row._asdict())


class DeskRows:
    """The rows a check-out or check-in reads and writes, as Core statements on the session's connection.

    Models come back *transient* (not in the session): changing one writes nothing by itself; the
    desk writes what changed with :meth:`insert_loan`, :meth:`save_item` and :meth:`close_loan`.
    """

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    @classmethod
    async def of(cls, session: AsyncSession) -> DeskRows:
        return cls(await session.connection())

    async def patron_by_card(self, card: str, *, lock: bool) -> Patron | None:
        row = (await self.connection.execute(_patron_row(True, lock), {"card": card})).first()
        return None if row is None else _patron_of(row)

    async def patron(self, patron_id: uuid.UUID, *, lock: bool) -> Patron | None:
        row = (await self.connection.execute(_patron_row(False, lock), {"id": patron_id})).first()
        return None if row is None else _patron_of(row)

    async def item(self, barcode: str, *, lock: bool) -> Item | None:
        row = (await self.connection.execute(_item_row(lock), {"barcode": barcode})).first()
        return None if row is None else _item_of(row)

    async def open_loan(self, barcode: str) -> Loan | None:
        row = (await self.connection.execute(_open_loan_row(), {"barcode": barcode})).first()
        return None if row is None else _loan_of(row)

    async def item_and_facts(
        self, barcode: str, *, patron_id: uuid.UUID, today: date, lock: bool
    ) -> tuple[Item, CheckoutFacts] | None:
        """The item (locked when ``lock``; only its row) and, in the same round trip, everything small a
        check-out decides on: the active rule set's id, the patron's unpaid fines, open manual blocks
        and open loans (all, overdue, of the item's material type), whether the item is on loan or
        travelling, whether any hold touches the copy or the patron's claim on its title, and the
        calendars' signature (see :meth:`PolicyService.calendar`). ``None`` when there is no such item."""
        params = {"patron_id": patron_id, "barcode": barcode, "today": today}
        row = (await self.connection.execute(_item_and_facts(lock), params)).first()
        return None if row is None else (_item_of(row), _facts_of(row[_ITEM_WIDTH:]))

    async def insert_loan(self, values: dict[str, Any]) -> Loan:
        """Insert a loan row (``values`` names every column but the defaults); the loan, transient."""
        await self.connection.execute(_insert_loan(), values)
        return Loan(**values)

    async def save_item(self, item: Item) -> None:
        """Write the item's circulation state (status, where it is, when it changed)."""
        await self.connection.execute(
            _save_item(),
            {
                "key": item.barcode,
                "new_status": item.status,
                "new_branch": item.current_branch,
                "changed_at": item.status_changed_at,
            },
        )

    async def close_loan(self, loan: Loan) -> None:
        """Write the loan's return (when, where, by whom) and whether it still names the patron."""
        await self.connection.execute(
            _close_loan(),
            {
                "key": loan.id,
                "at": loan.returned_at,
                "at_branch": loan.return_branch,
                "by": loan.returned_by,
                "borrower": loan.patron_id,
            },
        )


def _facts_of(row: Any) -> CheckoutFacts:
    return CheckoutFacts(
        rule_set_id=row[0],
        balance=int(row[1] or 0),
        manual_blocks=int(row[2] or 0),
        transit_to=row[3],
        open_loans=int(row[4] or 0),
        overdue=int(row[5] or 0),
        open_of_type=int(row[6] or 0),
        item_on_loan=row[7] is not None,
        holds_touching=row[8] is not None,
        calendar_signature=tuple(row[9:]),
    )


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
