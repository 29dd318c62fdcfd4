"""Holds (reservations): title- and item-level, FIFO per title, pickup branch, pick lists,
trapped at check-in (see :mod:`circulation.transactions.routing`), expiry and cancellation."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from circulation import clock
from circulation.access import KIOSK_ROLE, is_staff, require_branch, require_staff
from circulation.branches.repository import BranchRepository
from circulation.db import begin_write, conflicts_as_refusals
from circulation.holds.repository import HoldRepository
from circulation.holds.validators import HoldContext, run_hold_validators
from circulation.items.repository import ItemRepository
from circulation.models import Hold, Item, Patron
from circulation.models.item import ITEM_WITHDRAWN
from circulation.models.loan import (
    ACTIVE_HOLD_STATUSES,
    HOLD_CANCELLED,
    HOLD_EXPIRED,
    HOLD_IN_TRANSIT,
    HOLD_READY,
    HOLD_WAITING,
)
from circulation.patrons.blocks import current_blocks
from circulation.patrons.repository import PatronRepository
from circulation.patrons.service import patron_service
from circulation.policies.service import policy_service
from circulation.transactions.routing import route_item
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import NotFound, Reason, Refused
from pusip_kit.outbox import emit_event
from pusip_kit.pagination import PaginationParams
from pusip_kit.uow import commit

EVENT_PLACED = "circulation.hold.placed"


def hold_not_found() -> NotFound:
    return NotFound("Pesanan tidak ditemukan", "Hold not found", code="hold_not_found")


@dataclass
class PickEntry:
    hold: Hold
    item: Item
    position: int


class HoldService:
    async def _context(
        self,
        session: AsyncSession,
        patron: Patron,
        *,
        record_id: str,
        pickup_branch: str,
        item_barcode: str | None,
    ) -> HoldContext:
        repository = HoldRepository(session)
        items = list(await repository.items_of(record_id))
        item = next((i for i in items if i.barcode == item_barcode), None) if item_barcode else None
        if item_barcode and item is None:
            item = await ItemRepository(session).get(item_barcode)
        sample = item or next((i for i in items if i.status != ITEM_WITHDRAWN), None)
        rule = None
        if sample is not None:
            _, rules = await policy_service.active(session)
            rule = rules.resolve(
                patron_category=patron.category_code, material_type=sample.material_type, branch=pickup_branch
            )
        today = clock.today()
        return HoldContext(
            patron=patron,
            blocks=await current_blocks(session, patron, today=today),
            record_id=record_id,
            record=await ItemRepository(session).record(record_id),
            items=items,
            item=item,
            item_barcode=item_barcode,
            rule=rule,
            active_holds=await repository.active_count(patron.id),
            existing=await repository.active_hold(patron.id, record_id),
            on_loan_to_patron=await repository.has_loan_of(patron.id, record_id),
            pickup=await BranchRepository(session).get_by_code(pickup_branch),
            pickup_branch=pickup_branch,
        )

    async def _patron_for(
        self, session: AsyncSession, auth_subject: AuthSubject, patron_card: str | None, *, lock: bool = False
    ) -> Patron:
        if patron_card is not None and (is_staff(auth_subject) or auth_subject.has_role(KIOSK_ROLE)):
            return await patron_service.get_by_card(session, auth_subject, card_number=patron_card, lock=lock)
        patron = await patron_service.me(session, auth_subject)
        if lock:
            locked = await PatronRepository(session).get(patron.id, lock=True)
            assert locked is not None
            return locked
        return patron

    async def place(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        record_id: str,
        pickup_branch: str,
        item_barcode: str | None = None,
        patron_card: str | None = None,
        dry_run: bool = False,
    ) -> tuple[list[Reason], Hold | None]:
        """Reserve a title (or one copy) for pickup at a branch: the patron for themself, staff for anyone."""
        async with conflicts_as_refusals():
            patron = await self._patron_for(session, auth_subject, patron_card)
            context = await self._context(
                session, patron, record_id=record_id, pickup_branch=pickup_branch, item_barcode=item_barcode
            )
            reasons = run_hold_validators(context)
            if dry_run:
                return reasons, None
            if reasons:
                raise Refused(reasons=reasons)
            await begin_write(session)
            patron = await self._patron_for(session, auth_subject, patron_card, lock=True)
            context = await self._context(
                session, patron, record_id=record_id, pickup_branch=pickup_branch, item_barcode=item_barcode
            )
            reasons = run_hold_validators(context)
            if reasons:
                raise Refused(reasons=reasons)
            hold = Hold(
                patron_id=patron.id,
                record_id=record_id,
                item_barcode=item_barcode,
                pickup_branch=pickup_branch,
                status=HOLD_WAITING,
                placed_at=clock.now(),
                placed_by=auth_subject.subject,
            )
            session.add(hold)
            try:
                await session.flush()
            except IntegrityError as exc:
                raise Refused(
                    reasons=[
                        Reason(
                            "refuse_when_already_on_hold",
                            "Anda sudah memesan judul ini",
                            "You already hold this title",
                        )
                    ]
                ) from exc
            await emit_event(
                session,
                EVENT_PLACED,
                {"hold_id": str(hold.id), "record_id": record_id, "pickup_branch": pickup_branch},
                key=record_id,
            )
            return [], hold

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, hold_id: uuid.UUID) -> Hold:
        hold = await HoldRepository(session).get(hold_id)
        if hold is None:
            raise hold_not_found()
        if not is_staff(auth_subject) and not auth_subject.has_role(KIOSK_ROLE):
            patron = await PatronRepository(session).get(hold.patron_id) if hold.patron_id else None
            if patron is None or patron.subject != auth_subject.subject:
                raise hold_not_found()
        return hold

    async def position(self, session: AsyncSession, hold: Hold) -> int | None:
        return await HoldRepository(session).position(hold) if hold.status == HOLD_WAITING else None

    async def cancel(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        hold_id: uuid.UUID,
        reason: str | None = None,
    ) -> Hold:
        async with conflicts_as_refusals():
            hold = await self.get(session, auth_subject, hold_id=hold_id)
            if hold.status not in ACTIVE_HOLD_STATUSES:
                raise Refused(
                    reasons=[
                        Reason(
                            "refuse_when_hold_closed",
                            f"Pesanan sudah {hold.status}",
                            f"The hold is already {hold.status}",
                            {"status": hold.status},
                        )
                    ]
                )
            await begin_write(session)
            if hold.patron_id is not None:
                await PatronRepository(session).get(hold.patron_id, lock=True)
            locked = await HoldRepository(session).get(hold_id, lock=True)
            assert locked is not None
            hold = locked
            if hold.status not in ACTIVE_HOLD_STATUSES:
                return hold
            await self._close(
                session, hold, HOLD_CANCELLED, reason or "dibatalkan / cancelled", by=auth_subject.subject
            )
            return hold

    async def _close(self, session: AsyncSession, hold: Hold, status: str, reason: str, *, by: str) -> None:
        trapped = hold.trapped_barcode if hold.status in (HOLD_READY, HOLD_IN_TRANSIT) else None
        was_ready = hold.status == HOLD_READY
        hold.status = status
        hold.closed_at = clock.now()
        hold.close_reason = reason
        await session.flush()
        if trapped is not None and was_ready:
            # The copy on the hold shelf goes to the next reader in line, or home, or back on the shelf.
            item = await ItemRepository(session).get(trapped, lock=True)
            if item is not None:
                await route_item(session, item, branch=item.current_branch, by=by, today=clock.today())
        # A copy travelling for this hold is re-routed when it is received.

    async def expire_one(self, session: AsyncSession, *, hold_id: uuid.UUID) -> bool:
        await begin_write(session)
        hold = await HoldRepository(session).get(hold_id, lock=True)
        today = clock.today()
        if (
            hold is None
            or hold.status != HOLD_READY
            or hold.pickup_deadline is None
            or hold.pickup_deadline >= today
        ):
            return False
        await self._close(
            session,
            hold,
            HOLD_EXPIRED,
            "tidak diambil sampai batas waktu / not collected in time",
            by="system",
        )
        return True

    async def expire_due(self, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        """Beat: ready holds past their pickup deadline expire, each in its own transaction."""
        async with sessionmaker() as session:
            ids = await HoldRepository(session).expired_ready(clock.today())
        expired = 0
        for hold_id in ids:
            async with sessionmaker() as session:
                try:
                    if await self.expire_one(session, hold_id=hold_id):
                        expired += 1
                    await commit(session)
                except Exception:
                    await session.rollback()
                    raise
        return expired

    async def find(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        patron: Patron | None = None,
        record_id: str | None = None,
        pickup_branch: str | None = None,
        statuses: tuple[str, ...] | None = None,
    ) -> tuple[Sequence[Hold], int]:
        if patron is None:
            require_staff(auth_subject)
        return await HoldRepository(session).list(
            pagination=pagination,
            patron_id=patron.id if patron else None,
            record_id=record_id,
            pickup_branch=pickup_branch,
            statuses=statuses,
        )

    async def pick_list(
        self, session: AsyncSession, auth_subject: AuthSubject, *, branch: str
    ) -> list[PickEntry]:
        """Copies on this branch's shelves to pull for waiting holds, oldest hold first, one copy per hold."""
        require_branch(auth_subject, branch)
        repository = HoldRepository(session)
        taken: set[str] = set()
        served: set[uuid.UUID] = set()
        out: list[PickEntry] = []
        for hold, item in await repository.waiting_with_copies_at(branch):
            if hold.id in served or item.barcode in taken:
                continue
            served.add(hold.id)
            taken.add(item.barcode)
            out.append(PickEntry(hold, item, await repository.position(hold)))
        return out

    async def queue_length(self, session: AsyncSession, record_id: str) -> int:
        return await HoldRepository(session).queue_length(record_id)


hold_service = HoldService()
