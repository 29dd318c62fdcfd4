"""Circulation transactions by barcode: check-out, check-in, renew, receive-transit.

Every action is used alike by the HTTP desk, the patron's account, SIP2 kiosks and Celery tasks.
A check-out takes the write lock (:func:`circulation.db.begin_write`), locks the patron and then
the item (``SELECT … FOR UPDATE`` on PostgreSQL), validates and writes; its dry run validates the
same way without locks. See :mod:`circulation.db`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from circulation import clock
from circulation.access import is_desk, require_branch
from circulation.config import CirculationSettings
from circulation.db import begin_write, conflicts_as_refusals, is_sqlite_session
from circulation.items.repository import ItemRepository
from circulation.items.service import item_not_found, set_item_status
from circulation.models import Fine, Hold, Item, Loan, Patron, Transit
from circulation.models.item import ITEM_ON_LOAN, ITEM_WITHDRAWN
from circulation.models.loan import HOLD_FULFILLED, HOLD_IN_TRANSIT, HOLD_READY, HOLD_WAITING
from circulation.models.patron import PATRON_ANONYMISED
from circulation.patrons.blocks import (
    Thresholds,
    compose_blocks,
    current_blocks,
    manual_as_active,
    sync_blocks,
)
from circulation.patrons.repository import PatronRepository
from circulation.patrons.service import patron_not_found
from circulation.policies.repository import CalendarSignature
from circulation.policies.service import policy_service, rule_as_dict, rule_from_dict
from circulation.policy import compute_fine
from circulation.transactions.repository import DeskRows, TransactionRepository
from circulation.transactions.routing import Routing, route_item
from circulation.transactions.validators import (
    CHECKOUT_VALIDATORS,
    RECEIVE_VALIDATORS,
    RENEW_VALIDATORS,
    CheckoutContext,
    ReceiveContext,
    RenewContext,
    run,
)
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.db import new_id
from pusip_kit.errors import Forbidden, NotFound, Reason, Refused
from pusip_kit.pagination import PaginationParams

CHANNEL_DESK = "desk"
CHANNEL_SIP2 = "sip2"
CHANNEL_ONLINE = "online"


@dataclass
class CheckoutOutcome:
    allowed: bool
    reasons: list[Reason]
    due_date: date | None
    loan: Loan | None = None
    patron: Patron | None = None
    item: Item | None = None
    fulfilled_hold: Hold | None = None


@dataclass
class CheckinOutcome:
    item: Item
    loan: Loan | None
    fine: Fine | None
    routing: Routing
    patron: Patron | None = None


@dataclass
class RenewOutcome:
    allowed: bool
    reasons: list[Reason]
    loan: Loan
    new_due: date
    item: Item | None = None


def loan_not_found(barcode: str) -> NotFound:
    return NotFound(
        f"Eksemplar {barcode} tidak sedang dipinjam",
        f"Item {barcode} is not on loan",
        code="loan_not_found",
        details={"barcode": barcode},
    )


class TransactionService:
    # -- check-out -------------------------------------------------------------------------------

    async def _checkout_context(
        self, session: AsyncSession, *, patron_card: str, barcode: str, branch: str, lock: bool
    ) -> tuple[CheckoutContext, Hold | None, str, CalendarSignature]:
        """Everything the check-out validators look at: two queries when nothing stands in the way
        (the patron; the item with the facts); the item's loan and the holds only when the facts say so."""
        rows = await DeskRows.of(session)
        patron = await rows.patron_by_card(patron_card, lock=lock)  # the patron first, then the item
        if patron is None or patron.status == PATRON_ANONYMISED:
            raise patron_not_found(patron_card)
        today = clock.today()
        repository = TransactionRepository(session)
        found = await rows.item_and_facts(barcode, patron_id=patron.id, today=today, lock=lock)
        if found is None:
            raise item_not_found(barcode)
        item, facts = found
        policy = await policy_service.by_id(session, facts.rule_set_id)
        rule = policy.rules.resolve(
            patron_category=patron.category_code, material_type=item.material_type, branch=branch
        )
        item_loan = await repository.open_loan(barcode) if facts.item_on_loan else None
        holds: Sequence[Hold] = ()
        if facts.holds_touching:
            holds = await repository.holds_touching(patron.id, item.record_id, barcode, lock=lock)
        trapped = next(
            (h for h in holds if h.trapped_barcode == barcode and h.status in (HOLD_IN_TRANSIT, HOLD_READY)),
            None,
        )
        own_hold = trapped if trapped is not None and trapped.patron_id == patron.id else None
        if own_hold is None:
            own_hold = next(
                (
                    h
                    for h in holds
                    if h.patron_id == patron.id
                    and h.status == HOLD_WAITING
                    and h.record_id == item.record_id
                    and h.item_barcode in (None, barcode)
                ),
                None,
            )
        manual = (
            manual_as_active(await PatronRepository(session).manual_blocks(patron.id))
            if facts.manual_blocks
            else []
        )
        blocks = manual + compose_blocks(
            patron,
            today=today,
            limits=Thresholds(policy.block_overdue_items, policy.block_unpaid_fines),
            overdue=facts.overdue,
            balance=facts.balance,
        )
        context = CheckoutContext(
            patron=patron,
            item=item,
            branch=branch,
            today=today,
            rule=rule,
            blocks=blocks,
            open_loans=facts.open_loans,
            open_of_type=facts.open_of_type,
            item_loan=item_loan,
            trapped_hold=trapped,
            item_holds_for_others=[
                h
                for h in holds
                if h.item_barcode == barcode and h.status == HOLD_WAITING and h.patron_id != patron.id
            ],
            transit_to=facts.transit_to,
        )
        return context, own_hold, policy.version, facts.calendar_signature

    async def checkout(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        patron_card: str,
        barcode: str,
        branch: str,
        channel: str = CHANNEL_DESK,
        dry_run: bool = False,
    ) -> CheckoutOutcome:
        require_branch(auth_subject, branch)
        async with conflicts_as_refusals():
            if dry_run:
                context, _, _, signature = await self._checkout_context(
                    session, patron_card=patron_card, barcode=barcode, branch=branch, lock=False
                )
                reasons = run(CHECKOUT_VALIDATORS, context)
                calendar = await policy_service.calendar(session, branch, signature=signature)
                due = calendar.due_date(context.today, context.rule.loan_days)
                return CheckoutOutcome(not reasons, reasons, due, patron=context.patron, item=context.item)
            # For real: straight under the locks (one read of everything, not a lock-free pass and then
            # a second one under the locks; a refusal holds the write lock only for those reads).
            await begin_write(session)
            context, own_hold, version, signature = await self._checkout_context(
                session, patron_card=patron_card, barcode=barcode, branch=branch, lock=True
            )
            reasons = run(CHECKOUT_VALIDATORS, context)
            if reasons:
                raise Refused(reasons=reasons)
            calendar = await policy_service.calendar(session, branch, signature=signature)
            due = calendar.due_date(context.today, context.rule.loan_days)
            patron, item = context.patron, context.item
            rows = await DeskRows.of(session)
            try:
                loan = await rows.insert_loan(
                    {
                        "id": new_id(),
                        "patron_id": patron.id,
                        "patron_ref": patron.pseudonym,
                        "patron_category": patron.category_code,
                        "item_barcode": item.barcode,
                        "record_id": item.record_id,
                        "title": item.title,
                        "material_type": item.material_type,
                        "branch": branch,
                        "loaned_at": clock.now(),
                        "due_on": due,
                        "renewals": 0,
                        "last_renewed_at": None,
                        "returned_at": None,
                        "return_branch": None,
                        "rule_set_version": version,
                        "rule": rule_as_dict(context.rule),
                        "channel": channel,
                        "checked_out_by": auth_subject.subject,
                        "returned_by": None,
                    }
                )
            except IntegrityError as exc:  # the database's last word: one open loan per item
                raise Refused(
                    reasons=[
                        Reason(
                            "refuse_when_item_on_loan",
                            "Eksemplar ini baru saja dipinjam",
                            "This item has just been loaned",
                        )
                    ]
                ) from exc
            if own_hold is not None:
                own_hold.status = HOLD_FULFILLED
                own_hold.fulfilled_loan_id = loan.id
                own_hold.closed_at = clock.now()
                own_hold.trapped_barcode = own_hold.trapped_barcode or item.barcode
            await set_item_status(session, item, ITEM_ON_LOAN, branch=branch, due_date=due)
            await rows.save_item(item)
            if own_hold is not None:
                await session.flush()
            return CheckoutOutcome(True, [], due, loan, patron, item, own_hold)

    # -- check-in --------------------------------------------------------------------------------

    async def checkin(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        barcode: str,
        branch: str,
        settings: CirculationSettings,
        returned_on: date | None = None,
    ) -> CheckinOutcome:
        """Return an item at any branch: close the loan, charge a fine if late, route the item."""
        require_branch(auth_subject, branch)
        today = clock.today()
        if returned_on is not None and returned_on > today:
            raise Refused(
                reasons=[
                    Reason(
                        "refuse_when_return_date_in_future",
                        "Tanggal kembali tidak boleh di masa depan",
                        "The return date cannot be in the future",
                    )
                ]
            )
        async with conflicts_as_refusals():
            await begin_write(session)
            rows = await DeskRows.of(session)  # transient rows: written back by rows.* below
            loan = await rows.open_loan(barcode)
            patron: Patron | None = None
            if loan is not None and loan.patron_id is not None:
                patron = await rows.patron(loan.patron_id, lock=True)
            item = await rows.item(barcode, lock=True)
            if item is None:
                raise item_not_found(barcode)
            if not is_sqlite_session(
                session
            ):  # again, under the row locks (SQLite read it under its write lock)
                loan = await rows.open_loan(barcode)
            fine: Fine | None = None
            now = clock.now()
            if loan is not None:
                loan.returned_at = now
                loan.return_branch = branch
                loan.returned_by = auth_subject.subject
                fine = await self._charge_fine(session, loan, returned=returned_on or today, branch=branch)
                if patron is not None and not patron.reading_history:
                    # Without the opt-in the loan forgets who borrowed (the pseudonym still counts members).
                    loan.patron_id = None
                await rows.close_loan(loan)
                if item.status == ITEM_WITHDRAWN:
                    item.current_branch = branch
            routing = await route_item(session, item, branch=branch, by=auth_subject.subject, today=today)
            await rows.save_item(item)  # whatever routing made of it
            if patron is not None:
                await sync_blocks(session, patron, today=today, by=auth_subject.subject)
            await session.flush()
            return CheckinOutcome(item, loan, fine, routing, patron)

    async def _charge_fine(
        self, session: AsyncSession, loan: Loan, *, returned: date, branch: str
    ) -> Fine | None:
        if loan.patron_id is None or returned <= loan.due_on:  # on time: no fine, no calendar needed
            return None
        rule = rule_from_dict(loan.rule)
        calendar = await policy_service.calendar(session, loan.branch)
        fine = compute_fine(rule, calendar, due=loan.due_on, returned=returned)
        if fine.amount <= 0:
            return None
        row = Fine(
            patron_id=loan.patron_id,
            loan_id=loan.id,
            kind="overdue",
            description=(
                f"Terlambat {fine.overdue_days} hari ({fine.chargeable_days} hari buka): {loan.title} "
                f"[{loan.item_barcode}] / {fine.overdue_days} days late ({fine.chargeable_days} opening days)"
            ),
            amount=fine.amount,
            branch=branch,
            overdue_days=fine.overdue_days,
            chargeable_days=fine.chargeable_days,
            capped=fine.capped,
        )
        session.add(row)
        await session.flush()
        return row

    async def checkin_preview(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        barcode: str,
        branch: str,
        returned_on: date | None,
    ) -> dict[str, object]:
        """What a check-in would do (dry run): the loan it closes, the fine, where the item goes."""
        require_branch(auth_subject, branch)
        item = await ItemRepository(session).get(barcode)
        if item is None:
            raise item_not_found(barcode)
        repository = TransactionRepository(session)
        loan = await repository.open_loan(barcode)
        today = clock.today()
        amount = 0
        if loan is not None and loan.patron_id is not None:
            calendar = await policy_service.calendar(session, loan.branch)
            amount = compute_fine(
                rule_from_dict(loan.rule), calendar, due=loan.due_on, returned=returned_on or today
            ).amount
        trapped = await repository.trapped_hold(barcode)
        hold = trapped or await repository.next_waiting_hold(item.record_id, barcode)
        if item.status == ITEM_WITHDRAWN:
            action, destination = "withdrawn", branch
        elif hold is not None:
            action = "hold_shelf" if hold.pickup_branch == branch else "transit"
            destination = hold.pickup_branch
        elif branch != item.home_branch:
            action, destination = "transit", item.home_branch
        else:
            action, destination = "shelve", branch
        return {
            "allowed": True,
            "reasons": [],
            "loan_id": loan.id if loan else None,
            "fine": amount,
            "action": action,
            "destination": destination,
            "hold_id": hold.id if hold else None,
        }

    # -- renew -----------------------------------------------------------------------------------

    async def _renew_context(self, session: AsyncSession, *, loan: Loan, lock: bool) -> RenewContext:
        patron = await PatronRepository(session).get(loan.patron_id, lock=lock) if loan.patron_id else None
        item = await ItemRepository(session).get(loan.item_barcode, lock=lock)
        assert item is not None
        today = clock.today()
        rule = rule_from_dict(loan.rule)
        calendar = await policy_service.calendar(session, loan.branch)
        new_due = calendar.due_date(today, rule.renewal_days or rule.loan_days)
        return RenewContext(
            patron=patron,
            loan=loan,
            item=item,
            today=today,
            rule=rule,
            blocks=await current_blocks(session, patron, today=today) if patron else [],
            holds_waiting=await TransactionRepository(session).holds_copy_could_fill(
                loan.record_id, loan.item_barcode, loan.patron_id
            ),
            new_due=new_due,
        )

    async def renew(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        barcode: str,
        patron_card: str | None = None,
        own_subject: str | None = None,
        dry_run: bool = False,
    ) -> RenewOutcome:
        """Renew the open loan of ``barcode``: desk staff and kiosks for anyone, a patron their own."""
        async with conflicts_as_refusals():
            repository = TransactionRepository(session)
            loan = await repository.open_loan(barcode)
            if loan is None:
                raise loan_not_found(barcode)
            await self._check_loan_access(session, auth_subject, loan, patron_card=patron_card)
            context = await self._renew_context(session, loan=loan, lock=False)
            reasons = run(RENEW_VALIDATORS, context)
            if dry_run or reasons:
                if reasons and not dry_run:
                    raise Refused(reasons=reasons)
                return RenewOutcome(not reasons, reasons, loan, context.new_due, context.item)
            await begin_write(session)
            loan = await repository.open_loan(barcode)
            if loan is None:
                raise loan_not_found(barcode)
            context = await self._renew_context(session, loan=loan, lock=True)
            reasons = run(RENEW_VALIDATORS, context)
            if reasons:
                raise Refused(reasons=reasons)
            loan.renewals += 1
            loan.due_on = context.new_due
            loan.last_renewed_at = clock.now()
            await session.flush()
            return RenewOutcome(True, [], loan, context.new_due, context.item)

    async def _check_loan_access(
        self, session: AsyncSession, auth_subject: AuthSubject, loan: Loan, *, patron_card: str | None
    ) -> None:
        if is_desk(auth_subject):
            if patron_card is not None:
                patron = await PatronRepository(session).get(loan.patron_id) if loan.patron_id else None
                if patron is None or patron.card_number != patron_card:
                    raise loan_not_found(loan.item_barcode)
            return
        patron = await PatronRepository(session).get(loan.patron_id) if loan.patron_id else None
        if patron is None or patron.subject != auth_subject.subject:
            raise loan_not_found(loan.item_barcode)

    # -- receive-transit -------------------------------------------------------------------------

    async def receive(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        barcode: str,
        branch: str,
        dry_run: bool = False,
    ) -> tuple[list[Reason], Routing | None, Item]:
        require_branch(auth_subject, branch)
        async with conflicts_as_refusals():
            items = ItemRepository(session)
            item = await items.get(barcode)
            if item is None:
                raise item_not_found(barcode)
            repository = TransactionRepository(session)
            context = ReceiveContext(item, branch, await repository.open_transit(barcode))
            reasons = run(RECEIVE_VALIDATORS, context)
            if dry_run:
                return reasons, None, item
            if reasons:
                raise Refused(reasons=reasons)
            await begin_write(session)
            item = await items.get(barcode, lock=True)
            assert item is not None
            context = ReceiveContext(item, branch, await repository.open_transit(barcode, lock=True))
            reasons = run(RECEIVE_VALIDATORS, context)
            if reasons:
                raise Refused(reasons=reasons)
            routing = await route_item(
                session, item, branch=branch, by=auth_subject.subject, today=clock.today()
            )
            return [], routing, item

    # -- reads -----------------------------------------------------------------------------------

    async def loans(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        patron: Patron | None = None,
        branch: str | None = None,
        open_only: bool | None = None,
        overdue: bool = False,
        barcode: str | None = None,
    ) -> tuple[Sequence[Loan], int]:
        if patron is None and not is_desk(auth_subject):
            raise Forbidden()
        return await TransactionRepository(session).loans(
            pagination=pagination,
            patron_id=patron.id if patron else None,
            branch=branch,
            open_only=open_only,
            overdue_on=clock.today() if overdue else None,
            barcode=barcode,
        )

    async def get_loan(self, session: AsyncSession, auth_subject: AuthSubject, *, loan_id: uuid.UUID) -> Loan:
        loan = await TransactionRepository(session).loan(loan_id)
        if loan is None:
            raise NotFound("Peminjaman tidak ditemukan", "Loan not found", code="loan_not_found")
        if not is_desk(auth_subject):
            patron = await PatronRepository(session).get(loan.patron_id) if loan.patron_id else None
            if patron is None or patron.subject != auth_subject.subject:
                raise NotFound("Peminjaman tidak ditemukan", "Loan not found", code="loan_not_found")
        return loan

    async def cards(self, session: AsyncSession, loans: Sequence[Loan]) -> dict[uuid.UUID, str]:
        return await TransactionRepository(session).cards(
            {loan.patron_id for loan in loans if loan.patron_id}
        )

    async def card_numbers(self, session: AsyncSession, patron_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        return await TransactionRepository(session).cards(patron_ids)

    async def transits(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        to_branch: str | None,
        from_branch: str | None,
        status: str | None,
    ) -> tuple[Sequence[Transit], int]:
        return await TransactionRepository(session).transits(
            pagination=pagination, to_branch=to_branch, from_branch=from_branch, status=status
        )

    async def get_transit(
        self, session: AsyncSession, auth_subject: AuthSubject, *, transit_id: uuid.UUID
    ) -> Transit:
        transit = await TransactionRepository(session).transit(transit_id)
        if transit is None:
            raise NotFound("Pengiriman tidak ditemukan", "Transit not found", code="transit_not_found")
        return transit


transaction_service = TransactionService()
