"""Fines: charged at check-in (see the transactions), paid at a desk, waived with a reason; receipts as PDF.

Every payment or waiver re-computes the patron's blocks (a fine block ends when the balance drops
under the threshold).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from circulation import clock
from circulation.access import is_staff, require_branch, require_staff
from circulation.db import begin_write, conflicts_as_refusals
from circulation.models import Fine, Patron, Payment, Waiver
from circulation.models.fine import FINE_OPEN, FINE_PAID, FINE_WAIVED
from circulation.patrons.blocks import sync_blocks
from circulation.patrons.repository import PatronRepository
from circulation.patrons.service import patron_service
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.documents import OfficialDocument, render_pdf
from pusip_kit.errors import NotFound, Reason, Refused
from pusip_kit.outbox import emit_event

EVENT_PAID = "circulation.fine.paid"
EVENT_WAIVED = "circulation.fine.waived"
AGENCY = "Dinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta"

PAYMENT_VALIDATOR_NAMES = (
    "refuse_when_nothing_to_pay",
    "refuse_when_amount_exceeds_balance",
    "refuse_when_fine_closed",
    "refuse_when_waiver_exceeds_balance",
)


def _rp(amount: int) -> str:
    return f"Rp{amount:,}".replace(",", ".")


def refuse_when_nothing_to_pay(balance: int) -> Reason | None:
    if balance <= 0:
        return Reason(
            "refuse_when_nothing_to_pay", "Tidak ada denda yang harus dibayar", "There are no fines to pay"
        )
    return None


def refuse_when_amount_exceeds_balance(amount: int, balance: int) -> Reason | None:
    if amount > balance:
        return Reason(
            "refuse_when_amount_exceeds_balance",
            f"Jumlah {_rp(amount)} melebihi sisa denda {_rp(balance)}",
            f"{_rp(amount)} exceeds the outstanding {_rp(balance)}",
            {"amount": amount, "balance": balance},
        )
    return None


def refuse_when_fine_closed(fine: Fine) -> Reason | None:
    if fine.status != FINE_OPEN:
        return Reason(
            "refuse_when_fine_closed",
            f"Denda ini sudah {fine.status}",
            f"This fine is already {fine.status}",
            {"status": fine.status},
        )
    return None


def refuse_when_waiver_exceeds_balance(fine: Fine, amount: int) -> Reason | None:
    if amount > fine.balance:
        return Reason(
            "refuse_when_waiver_exceeds_balance",
            f"Pembebasan {_rp(amount)} melebihi sisa denda {_rp(fine.balance)}",
            f"Waiver of {_rp(amount)} exceeds the outstanding {_rp(fine.balance)}",
            {"amount": amount, "balance": fine.balance},
        )
    return None


@dataclass
class PaymentOutcome:
    payment: Payment
    fines: list[Fine]
    balance: int


def _close_if_settled(fine: Fine) -> None:
    if fine.balance == 0:
        fine.status = FINE_WAIVED if fine.waived else FINE_PAID


class FineService:
    async def fines_of(
        self, session: AsyncSession, auth_subject: AuthSubject, *, patron: Patron, open_only: bool
    ) -> tuple[Sequence[Fine], int]:
        statement = select(Fine).where(Fine.patron_id == patron.id)
        if open_only:
            statement = statement.where(Fine.status == FINE_OPEN)
        fines = (await session.execute(statement.order_by(Fine.created_at))).scalars().all()
        return fines, await PatronRepository(session).fines_balance(patron.id)

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, fine_id: uuid.UUID) -> Fine:
        fine = await session.get(Fine, fine_id)
        if fine is None:
            raise NotFound("Denda tidak ditemukan", "Fine not found", code="fine_not_found")
        if not is_staff(auth_subject):
            patron = await session.get(Patron, fine.patron_id)
            if patron is None or patron.subject != auth_subject.subject:
                raise NotFound("Denda tidak ditemukan", "Fine not found", code="fine_not_found")
        return fine

    async def pay(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        patron_card: str,
        amount: int,
        method: str,
        branch: str,
        fine_ids: list[uuid.UUID] | None = None,
        dry_run: bool = False,
    ) -> tuple[list[Reason], PaymentOutcome | None]:
        """Take a payment at a desk, applied to the given fines or the oldest first."""
        require_branch(auth_subject, branch)
        async with conflicts_as_refusals():
            if not dry_run:
                await begin_write(session)
            patron = await patron_service.get_by_card(
                session, auth_subject, card_number=patron_card, lock=not dry_run
            )
            statement = select(Fine).where(Fine.patron_id == patron.id, Fine.status == FINE_OPEN)
            if fine_ids:
                statement = statement.where(Fine.id.in_(fine_ids))
            if not dry_run:
                statement = statement.with_for_update()
            fines = list(
                (await session.execute(statement.order_by(Fine.created_at, Fine.id))).scalars().all()
            )
            if fine_ids and len(fines) != len(set(fine_ids)):
                raise NotFound(
                    "Sebagian denda tidak ditemukan atau sudah lunas",
                    "Some fines were not found or are already settled",
                    code="fine_not_found",
                )
            balance = sum(f.balance for f in fines)
            reasons = [
                r
                for r in (
                    refuse_when_nothing_to_pay(balance),
                    refuse_when_amount_exceeds_balance(amount, balance),
                )
                if r
            ]
            if dry_run:
                return reasons, None
            if reasons:
                raise Refused(reasons=reasons)
            left = amount
            allocations: list[dict[str, object]] = []
            for fine in fines:
                if left <= 0:
                    break
                part = min(left, fine.balance)
                fine.paid += part
                left -= part
                _close_if_settled(fine)
                allocations.append({"fine_id": str(fine.id), "amount": part})
            payment = Payment(
                patron_id=patron.id,
                receipt_number=f"KW-{clock.today():%Y%m%d}-{secrets.token_hex(4).upper()}",
                amount=amount,
                method=method,
                branch=branch,
                received_by=auth_subject.subject,
                allocations=allocations,
                created_at=clock.now(),
            )
            session.add(payment)
            await session.flush()
            await sync_blocks(session, patron, today=clock.today(), by=auth_subject.subject)
            await emit_event(
                session,
                EVENT_PAID,
                {"payment_id": str(payment.id), "amount": amount, "branch": branch, "method": method},
                key=str(patron.id),
            )
            return [], PaymentOutcome(
                payment, fines, await PatronRepository(session).fines_balance(patron.id)
            )

    async def waive(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        fine_id: uuid.UUID,
        amount: int | None,
        reason: str,
        dry_run: bool = False,
    ) -> tuple[list[Reason], Fine]:
        require_staff(auth_subject)
        async with conflicts_as_refusals():
            if not dry_run:
                await begin_write(session)
            fine = await session.get(Fine, fine_id)
            if fine is None:
                raise NotFound("Denda tidak ditemukan", "Fine not found", code="fine_not_found")
            patron = await PatronRepository(session).get(fine.patron_id, lock=not dry_run)
            if not dry_run:
                await session.refresh(fine, with_for_update=True)
            value = fine.balance if amount is None else amount
            reasons = [
                r
                for r in (refuse_when_fine_closed(fine), refuse_when_waiver_exceeds_balance(fine, value))
                if r
            ]
            if dry_run:
                return reasons, fine
            if reasons:
                raise Refused(reasons=reasons)
            fine.waived += value
            _close_if_settled(fine)
            session.add(
                Waiver(
                    fine_id=fine.id,
                    amount=value,
                    reason=reason,
                    waived_by=auth_subject.subject,
                    created_at=clock.now(),
                )
            )
            await session.flush()
            if patron is not None:
                await sync_blocks(session, patron, today=clock.today(), by=auth_subject.subject)
            await emit_event(
                session, EVENT_WAIVED, {"fine_id": str(fine.id), "amount": value}, key=str(fine.patron_id)
            )
            return [], fine

    async def payment(
        self, session: AsyncSession, auth_subject: AuthSubject, *, payment_id: uuid.UUID
    ) -> Payment:
        payment = await session.get(Payment, payment_id)
        if payment is None:
            raise NotFound("Pembayaran tidak ditemukan", "Payment not found", code="payment_not_found")
        if not is_staff(auth_subject):
            patron = await session.get(Patron, payment.patron_id)
            if patron is None or patron.subject != auth_subject.subject:
                raise NotFound("Pembayaran tidak ditemukan", "Payment not found", code="payment_not_found")
        return payment

    async def receipt_pdf(
        self, session: AsyncSession, auth_subject: AuthSubject, *, payment_id: uuid.UUID
    ) -> tuple[Payment, bytes]:
        payment = await self.payment(session, auth_subject, payment_id=payment_id)
        patron = await session.get(Patron, payment.patron_id)
        fine_ids = [uuid.UUID(str(a["fine_id"])) for a in payment.allocations]
        fines = {
            f.id: f
            for f in (await session.execute(select(Fine).where(Fine.id.in_(fine_ids)))).scalars().all()
        }
        document = OfficialDocument(
            agency=AGENCY,
            unit="Layanan Sirkulasi / Circulation",
            title="Kuitansi Pembayaran Denda",
            number=payment.receipt_number,
            issued_on=clock.local_day(payment.created_at),
            facts=[
                (
                    "Anggota / patron",
                    f"{patron.name if patron else '-'} ({patron.card_number if patron else '-'})",
                ),
                ("Jumlah / amount", _rp(payment.amount)),
                ("Cara bayar / method", payment.method),
                ("Cabang / branch", payment.branch or "-"),
                ("Waktu / time", payment.created_at.astimezone(clock.WIB).strftime("%d-%m-%Y %H:%M WIB")),
            ],
            table_header=["Denda / fine", "Dibayar / paid"],
            table_rows=[
                [
                    fines[uuid.UUID(str(a["fine_id"]))].description
                    if uuid.UUID(str(a["fine_id"])) in fines
                    else str(a["fine_id"]),
                    _rp(int(str(a["amount"]))),
                ]
                for a in payment.allocations
            ],
            paragraphs=[
                "Terima kasih. Kuitansi ini sah tanpa tanda tangan. / Thank you; valid without signature."
            ],
        )
        return payment, render_pdf(document)


fine_service = FineService()
