"""SIP2 messages beyond the basics: 15 Hold (→16), 37 Fee Paid (→38), 65 Renew All (→66) and
01 Block Patron (→24). Each runs the very service the HTTP API runs (hold placement and cancel with
their named validators, the desk payment, renew per loan, a manual block), as the kiosk subject."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from circulation.fines.service import fine_service
from circulation.holds.service import hold_service
from circulation.models import Hold, Item, Loan
from circulation.models.loan import ACTIVE_HOLD_STATUSES
from circulation.patrons.schemas import BlockCreate
from circulation.patrons.service import patron_service
from circulation.sip2.codec import Sip2Message
from circulation.transactions.service import transaction_service
from pusip_kit.errors import PusipError, Refused
from pusip_kit.uow import unit_of_work

if TYPE_CHECKING:
    from circulation.sip2.server import Sip2Handler, Sip2Session

# SIP2 payment type → the desk's payment method.
PAYMENT_METHODS = {"00": "tunai", "01": "edc", "02": "edc"}


def _error_text(exc: Exception) -> str:
    if isinstance(exc, Refused):
        return " | ".join(str(r.get("message", "")) for r in exc.details["reasons"])[:240]
    if isinstance(exc, PusipError):
        return f"{exc.message} / {exc.message_en}"[:240]
    return str(exc)[:240]


def failure(state: Sip2Session, request: Sip2Message, text: str, now: str) -> Sip2Message | None:
    """The negative answer to one of these requests (None: not one of them)."""
    ao = ("AO", request.get("AO") or state.institution)
    aa = ("AA", request.get("AA") or "")
    if request.code == "15":
        return Sip2Message(
            "16", {"ok": "0", "available": "N", "transaction_date": now}, [ao, aa, ("AF", text)]
        )
    if request.code == "37":
        return Sip2Message("38", {"payment_accepted": "N", "transaction_date": now}, [ao, aa, ("AF", text)])
    if request.code == "65":
        return Sip2Message(
            "66",
            {"ok": "0", "renewed_count": "0000", "unrenewed_count": "0000", "transaction_date": now},
            [ao, ("AF", text)],
        )
    if request.code == "01":
        return Sip2Message(
            "24",
            {"patron_status": "Y" * 14, "language": "000", "transaction_date": now},
            [ao, aa, ("AE", ""), ("BL", "N"), ("AF", text)],
        )
    return None


async def hold(handler: Sip2Handler, state: Sip2Session, request: Sip2Message, now: str) -> Sip2Message:
    """15: ``+`` places a hold (title-level on the item's record, copy-level with BY=3, or AJ as the
    record id), ``-`` cancels the patron's active hold on that title; pickup BS or the kiosk's branch."""
    subject = handler._require_login(state)
    card = request.get("AA") or ""
    barcode, title_id = request.get("AB") or "", request.get("AJ") or ""
    mode = request.fixed.get("hold_mode", "+")
    pickup = request.get("BS") or state.branch
    async with handler.sessionmaker() as session:
        patron = await handler._patron(session, card)
        if patron is None:
            return handler.failure(state, request, "Anggota tidak dikenal / unknown patron")
        if not await handler._password_ok(patron, request):
            return handler.failure(state, request, "PIN salah / wrong PIN")
        item = await session.get(Item, barcode) if barcode else None
    if barcode and item is None:
        return handler.failure(state, request, "Eksemplar tidak dikenal / unknown item")
    record_id = item.record_id if item is not None else title_id
    if not record_id:
        return handler.failure(state, request, "Sebutkan eksemplar atau judul / name an item or a title")
    fields = [("AO", state.institution), ("AA", card)]
    if barcode:
        fields.append(("AB", barcode))
    try:
        async with unit_of_work(handler.sessionmaker) as session:
            if mode == "-":
                active = (
                    await session.execute(
                        select(Hold).where(
                            Hold.patron_id == patron.id,
                            Hold.record_id == record_id,
                            Hold.status.in_(ACTIVE_HOLD_STATUSES),
                        )
                    )
                ).scalar_one_or_none()
                if active is None:
                    return handler.failure(
                        state, request, "Tidak ada pesanan untuk judul ini / no hold on this title"
                    )
                placed = await hold_service.cancel(
                    session, subject, hold_id=active.id, reason="dibatalkan di kios"
                )
                queue = None
            elif mode == "+":
                _, placed_hold = await hold_service.place(
                    session,
                    subject,
                    record_id=record_id,
                    pickup_branch=pickup,
                    item_barcode=barcode if request.get("BY") == "3" else None,
                    patron_card=card,
                )
                assert placed_hold is not None
                placed = placed_hold
                queue = await hold_service.position(session, placed)
            else:
                return handler.failure(
                    state, request, "Ubah pesanan lewat portal / change a hold on the portal"
                )
            available = item is not None and item.status == "available"
    except (Refused, PusipError) as exc:
        return handler.failure(state, request, _error_text(exc))
    fields += [("BS", placed.pickup_branch), ("AJ", record_id)]
    if queue is not None:
        fields.append(("BR", str(queue)))
    text = (
        "Pesanan dibatalkan / hold cancelled"
        if mode == "-"
        else f"Dipesan, ambil di {pickup} / held for pickup at {pickup}"
    )
    fields.append(("AF", text))
    return Sip2Message(
        "16", {"ok": "1", "available": "Y" if available else "N", "transaction_date": now}, fields
    )


async def fee_paid(handler: Sip2Handler, state: Sip2Session, request: Sip2Message, now: str) -> Sip2Message:
    """37: a payment at the kiosk, through the desk's payment service (oldest fines first, or CG)."""
    import uuid

    subject = handler._require_login(state)
    card = request.get("AA") or ""
    if request.fixed.get("currency_type") not in ("IDR", "   "):
        return handler.failure(state, request, "Mata uang harus IDR / currency must be IDR")
    method = PAYMENT_METHODS.get(request.fixed.get("payment_type", ""))
    if method is None:
        return handler.failure(state, request, "Cara bayar tidak diterima / payment type not accepted")
    raw = (request.get("BV") or "").strip()
    try:
        amount = int(float(raw)) if raw else 0
    except ValueError:
        amount = 0
    if amount <= 0:
        return handler.failure(state, request, "Jumlah tidak sah / invalid amount")
    fine_ids = None
    if request.get("CG"):
        try:
            fine_ids = [uuid.UUID(request.get("CG") or "")]
        except ValueError:
            return handler.failure(state, request, "Denda tidak dikenal / unknown fee")
    async with handler.sessionmaker() as session:
        patron = await handler._patron(session, card)
        if patron is None:
            return handler.failure(state, request, "Anggota tidak dikenal / unknown patron")
        if not await handler._password_ok(patron, request):
            return handler.failure(state, request, "PIN salah / wrong PIN")
    try:
        async with unit_of_work(handler.sessionmaker) as session:
            _, outcome = await fine_service.pay(
                session,
                subject,
                patron_card=card,
                amount=amount,
                method=method,
                branch=state.branch,
                fine_ids=fine_ids,
            )
    except (Refused, PusipError) as exc:
        return handler.failure(state, request, _error_text(exc))
    assert outcome is not None
    return Sip2Message(
        "38",
        {"payment_accepted": "Y", "transaction_date": now},
        [
            ("AO", state.institution),
            ("AA", card),
            ("BK", outcome.payment.receipt_number),
            ("AF", f"Terima kasih, sisa denda Rp{outcome.balance} / thank you, Rp{outcome.balance} left"),
        ],
    )


async def renew_all(handler: Sip2Handler, state: Sip2Session, request: Sip2Message, now: str) -> Sip2Message:
    """65: renew every open loan of the patron, each through the renew service in its own transaction."""
    subject = handler._require_login(state)
    card = request.get("AA") or ""
    async with handler.sessionmaker() as session:
        patron = await handler._patron(session, card)
        if patron is None:
            return handler.failure(state, request, "Anggota tidak dikenal / unknown patron")
        if not await handler._password_ok(patron, request):
            return handler.failure(state, request, "PIN salah / wrong PIN")
        barcodes = list(
            (
                await session.execute(
                    select(Loan.item_barcode)
                    .where(Loan.patron_id == patron.id, Loan.returned_at.is_(None))
                    .order_by(Loan.due_on, Loan.item_barcode)
                )
            ).scalars()
        )
    renewed: list[str] = []
    refused: list[tuple[str, str]] = []
    for barcode in barcodes:
        try:
            async with unit_of_work(handler.sessionmaker) as session:
                await transaction_service.renew(session, subject, barcode=barcode, patron_card=card)
            renewed.append(barcode)
        except (Refused, PusipError) as exc:
            refused.append((barcode, _error_text(exc)))
    fields = [("AO", state.institution)]
    fields += [("BM", b) for b in renewed]
    fields += [("BN", b) for b, _ in refused]
    text = f"Diperpanjang {len(renewed)}, tidak {len(refused)} / renewed {len(renewed)}, not {len(refused)}"
    if refused:
        text += " | " + "; ".join(f"{b}: {why}" for b, why in refused)
    fields.append(("AF", text[:240]))
    return Sip2Message(
        "66",
        {
            "ok": "1",
            "renewed_count": f"{len(renewed):04d}",
            "unrenewed_count": f"{len(refused):04d}",
            "transaction_date": now,
        },
        fields,
    )


async def block_patron(
    handler: Sip2Handler, state: Sip2Session, request: Sip2Message, now: str
) -> Sip2Message:
    """01: the kiosk blocks the card (e.g. it retained it); a manual block the desk lifts, answered
    with the patron's status (24)."""
    subject = handler._require_login(state)
    card = request.get("AA") or ""
    message = (request.get("AL") or "").strip()
    retained = request.fixed.get("card_retained") == "Y"
    reason = f"Diblokir oleh kios {state.branch}" + (" (kartu ditahan)" if retained else "")
    reason_en = f"Blocked by a kiosk at {state.branch}" + (" (card retained)" if retained else "")
    if message:
        reason, reason_en = f"{reason}: {message}", f"{reason_en}: {message}"
    try:
        async with unit_of_work(handler.sessionmaker) as session:
            await patron_service.add_block(
                session,
                subject,
                card_number=card,
                data=BlockCreate(reason=reason[:500], reason_en=reason_en[:500]),
            )
    except (Refused, PusipError) as exc:
        return handler.failure(state, request, _error_text(exc))
    return await handler.patron_status(state, request)
