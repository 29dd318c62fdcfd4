"""Every query on patrons, their verifications and blocks (and the counts their blocks depend on)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from circulation.models import (
    DigitalLoan,
    DigitalWait,
    EmailVerification,
    Fine,
    Hold,
    Loan,
    Notice,
    Patron,
    PatronBlock,
    Payment,
    RuleSetRow,
)
from circulation.models.fine import FINE_OPEN
from circulation.models.loan import ACTIVE_HOLD_STATUSES
from circulation.models.policy import RULE_SET_ACTIVE
from pusip_kit.pagination import PaginationParams


@dataclass(frozen=True)
class BlockFacts:
    overdue_limit: int | None  # the active rule set's thresholds (None without an active rule set)
    fines_limit: int | None
    overdue: int
    balance: int
    open_blocks: int


@cache
def _block_facts() -> Select[Any]:
    patron_id: Any = bindparam("patron_id")
    active = RuleSetRow.status == RULE_SET_ACTIVE
    return select(
        select(RuleSetRow.block_overdue_items).where(active).scalar_subquery(),
        select(RuleSetRow.block_unpaid_fines).where(active).scalar_subquery(),
        select(func.count())
        .select_from(Loan)
        .where(Loan.patron_id == patron_id, Loan.returned_at.is_(None), Loan.due_on < bindparam("today"))
        .scalar_subquery(),
        select(func.coalesce(func.sum(Fine.amount - Fine.paid - Fine.waived), 0))
        .where(Fine.patron_id == patron_id, Fine.status == FINE_OPEN)
        .scalar_subquery(),
        select(func.count())
        .select_from(PatronBlock)
        .where(PatronBlock.patron_id == patron_id, PatronBlock.lifted_at.is_(None))
        .scalar_subquery(),
    )


@cache
def _by_card(lock: bool) -> Select[Patron]:
    statement = select(Patron).where(Patron.card_number == bindparam("card"))
    return statement.with_for_update() if lock else statement


@cache
def _by_id(lock: bool) -> Select[Patron]:
    statement = select(Patron).where(Patron.id == bindparam("id"))
    return statement.with_for_update() if lock else statement


class PatronRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, patron_id: uuid.UUID, *, lock: bool = False) -> Patron | None:
        return (await self.session.execute(_by_id(lock), {"id": patron_id})).scalar_one_or_none()

    async def by_card(self, card_number: str, *, lock: bool = False) -> Patron | None:
        return (await self.session.execute(_by_card(lock), {"card": card_number})).scalar_one_or_none()

    async def by_subject(self, subject: str) -> Patron | None:
        return (
            await self.session.execute(select(Patron).where(Patron.subject == subject))
        ).scalar_one_or_none()

    async def by_nik(self, nik: str) -> Patron | None:
        return (await self.session.execute(select(Patron).where(Patron.nik == nik))).scalar_one_or_none()

    async def email_in_use(self, email: str, *, other_than: uuid.UUID | None = None) -> bool:
        statement = select(func.count()).select_from(Patron).where(func.lower(Patron.email) == email.lower())
        if other_than is not None:
            statement = statement.where(Patron.id != other_than)
        return bool(await self.session.scalar(statement))

    async def card_exists(self, card_number: str) -> bool:
        return bool(
            await self.session.scalar(
                select(func.count()).select_from(Patron).where(Patron.card_number == card_number)
            )
        )

    async def list(
        self,
        *,
        pagination: PaginationParams,
        query: str | None = None,
        category: str | None = None,
        status: str | None = None,
        branch: str | None = None,
    ) -> tuple[Sequence[Patron], int]:
        statement = select(Patron)
        if query:
            pattern = f"%{query.lower()}%"
            statement = statement.where(
                or_(
                    func.lower(Patron.name).like(pattern),
                    Patron.card_number == query,
                    func.lower(Patron.email) == query.lower(),
                    Patron.nik == query,
                )
            )
        if category:
            statement = statement.where(Patron.category_code == category)
        if status:
            statement = statement.where(Patron.status == status)
        if branch:
            statement = statement.where(Patron.home_branch == branch)
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(Patron.name, Patron.card_number)
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def add(self, row: object) -> None:
        self.session.add(row)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    # -- verifications ---------------------------------------------------------------------------

    async def verification(self, verification_id: uuid.UUID) -> EmailVerification | None:
        return await self.session.get(EmailVerification, verification_id)

    # -- blocks and the counts they depend on ----------------------------------------------------

    async def manual_blocks(self, patron_id: uuid.UUID) -> Sequence[PatronBlock]:
        result = await self.session.execute(
            select(PatronBlock)
            .where(PatronBlock.patron_id == patron_id, PatronBlock.lifted_at.is_(None))
            .order_by(PatronBlock.created_at)
        )
        return result.scalars().all()

    async def blocks(self, patron_id: uuid.UUID, *, include_lifted: bool = False) -> Sequence[PatronBlock]:
        statement = select(PatronBlock).where(PatronBlock.patron_id == patron_id)
        if not include_lifted:
            statement = statement.where(PatronBlock.lifted_at.is_(None))
        return (await self.session.execute(statement.order_by(PatronBlock.created_at))).scalars().all()

    async def block_facts(self, patron_id: uuid.UUID, today: date) -> BlockFacts:
        """One round trip for :func:`~circulation.patrons.blocks.sync_blocks`: the active rule set's
        thresholds, the patron's overdue loans and unpaid fines, and how many blocks are open."""
        row = (await self.session.execute(_block_facts(), {"patron_id": patron_id, "today": today})).one()
        return BlockFacts(row[0], row[1], int(row[2] or 0), int(row[3] or 0), int(row[4] or 0))

    async def block(self, block_id: uuid.UUID) -> PatronBlock | None:
        return await self.session.get(PatronBlock, block_id)

    async def open_loan_count(self, patron_id: uuid.UUID) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(Loan)
                .where(Loan.patron_id == patron_id, Loan.returned_at.is_(None))
            )
            or 0
        )

    async def open_loans_of_type(self, patron_id: uuid.UUID, material_type: str) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(Loan)
                .where(
                    Loan.patron_id == patron_id,
                    Loan.returned_at.is_(None),
                    Loan.material_type == material_type,
                )
            )
            or 0
        )

    async def overdue_loan_count(self, patron_id: uuid.UUID, today: date) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(Loan)
                .where(Loan.patron_id == patron_id, Loan.returned_at.is_(None), Loan.due_on < today)
            )
            or 0
        )

    async def fines_balance(self, patron_id: uuid.UUID) -> int:
        return int(
            await self.session.scalar(
                select(func.coalesce(func.sum(Fine.amount - Fine.paid - Fine.waived), 0)).where(
                    Fine.patron_id == patron_id, Fine.status == FINE_OPEN
                )
            )
            or 0
        )

    async def active_hold_count(self, patron_id: uuid.UUID) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(Hold)
                .where(Hold.patron_id == patron_id, Hold.status.in_(ACTIVE_HOLD_STATUSES))
            )
            or 0
        )

    # -- privacy ---------------------------------------------------------------------------------

    async def loans_of(self, patron_id: uuid.UUID) -> Sequence[Loan]:
        return (
            (
                await self.session.execute(
                    select(Loan).where(Loan.patron_id == patron_id).order_by(Loan.loaned_at)
                )
            )
            .scalars()
            .all()
        )

    async def holds_of(self, patron_id: uuid.UUID) -> Sequence[Hold]:
        return (
            (
                await self.session.execute(
                    select(Hold).where(Hold.patron_id == patron_id).order_by(Hold.placed_at)
                )
            )
            .scalars()
            .all()
        )

    async def fines_of(self, patron_id: uuid.UUID) -> Sequence[Fine]:
        return (
            (
                await self.session.execute(
                    select(Fine).where(Fine.patron_id == patron_id).order_by(Fine.created_at)
                )
            )
            .scalars()
            .all()
        )

    async def payments_of(self, patron_id: uuid.UUID) -> Sequence[Payment]:
        return (
            (
                await self.session.execute(
                    select(Payment).where(Payment.patron_id == patron_id).order_by(Payment.created_at)
                )
            )
            .scalars()
            .all()
        )

    async def notices_of(self, patron_id: uuid.UUID) -> Sequence[Notice]:
        return (
            (
                await self.session.execute(
                    select(Notice).where(Notice.patron_id == patron_id).order_by(Notice.created_at)
                )
            )
            .scalars()
            .all()
        )

    async def digital_loans_of(self, patron_id: uuid.UUID) -> Sequence[DigitalLoan]:
        return (
            (
                await self.session.execute(
                    select(DigitalLoan)
                    .where(DigitalLoan.patron_id == patron_id)
                    .order_by(DigitalLoan.borrowed_at)
                )
            )
            .scalars()
            .all()
        )

    async def anonymise_related(self, patron_id: uuid.UUID) -> None:
        """Detach everything that names the patron (loans keep only the retired, unlinkable pseudonym)."""
        await self.session.execute(update(Loan).where(Loan.patron_id == patron_id).values(patron_id=None))
        await self.session.execute(update(Hold).where(Hold.patron_id == patron_id).values(patron_id=None))
        await self.session.execute(
            update(DigitalLoan).where(DigitalLoan.patron_id == patron_id).values(patron_id=None)
        )
        await self.session.execute(
            update(DigitalWait).where(DigitalWait.patron_id == patron_id).values(patron_id=None)
        )
        await self.session.execute(delete(Notice).where(Notice.patron_id == patron_id))
        await self.session.execute(delete(EmailVerification).where(EmailVerification.patron_id == patron_id))
