"""HTTP routes for fines: the patron's balance, payments with receipts, waivers with a reason."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from circulation.fines.schemas import Check, FineList, FineRead, PaymentCreate, PaymentRead, WaiverCreate
from circulation.fines.service import fine_service
from circulation.patrons.service import patron_service
from pusip_kit.auth.fastapi import authenticated, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep

router = APIRouter(tags=["denda / fines"])

Caller = Annotated[AuthSubject, Depends(authenticated)]
Staff = Annotated[AuthSubject, Depends(require_roles(Role.ADMIN, Role.LIBRARIAN))]


def _fine_list(fines: object, balance: int) -> FineList:
    return FineList(balance=balance, fines=[FineRead.model_validate(f) for f in fines])  # type: ignore[attr-defined]


@router.get("/patrons/me/fines", response_model=FineList, summary="Denda saya / my fines")
async def my_fines(
    session: SessionDep, auth_subject: Caller, open: Annotated[bool, Query()] = False
) -> FineList:
    patron = await patron_service.me(session, auth_subject)
    fines, balance = await fine_service.fines_of(session, auth_subject, patron=patron, open_only=open)
    return _fine_list(fines, balance)


@router.get(
    "/patrons/{card_number}/fines", response_model=FineList, summary="Denda anggota / a patron's fines"
)
async def patron_fines(
    session: SessionDep, auth_subject: Staff, card_number: str, open: Annotated[bool, Query()] = False
) -> FineList:
    patron = await patron_service.get_by_card(session, auth_subject, card_number=card_number)
    fines, balance = await fine_service.fines_of(session, auth_subject, patron=patron, open_only=open)
    return _fine_list(fines, balance)


@router.post("/payments", response_model=PaymentRead, status_code=201, summary="Bayar denda / take a payment")
async def pay(session: SessionDep, auth_subject: Staff, body: PaymentCreate) -> PaymentRead:
    _, outcome = await fine_service.pay(
        session,
        auth_subject,
        patron_card=body.patron,
        amount=body.amount,
        method=body.method,
        branch=body.branch,
        fine_ids=body.fines,
    )
    assert outcome is not None
    return PaymentRead.model_validate(outcome.payment).model_copy(
        update={
            "balance_after": outcome.balance,
            "receipt_url": f"/payments/{outcome.payment.id}/receipt.pdf",
        }
    )


@router.post("/payments/dry-run", response_model=Check, summary="Periksa pembayaran / payment dry run")
async def pay_dry_run(session: SessionDep, auth_subject: Staff, body: PaymentCreate) -> Check:
    reasons, _ = await fine_service.pay(
        session,
        auth_subject,
        patron_card=body.patron,
        amount=body.amount,
        method=body.method,
        branch=body.branch,
        fine_ids=body.fines,
        dry_run=True,
    )
    return Check(allowed=not reasons, reasons=[r.as_dict() for r in reasons])


@router.get("/payments/{payment_id}", response_model=PaymentRead, summary="Satu pembayaran / one payment")
async def get_payment(session: SessionDep, auth_subject: Caller, payment_id: uuid.UUID) -> PaymentRead:
    payment = await fine_service.payment(session, auth_subject, payment_id=payment_id)
    return PaymentRead.model_validate(payment).model_copy(
        update={"receipt_url": f"/payments/{payment.id}/receipt.pdf"}
    )


@router.get(
    "/payments/{payment_id}/receipt.pdf",
    summary="Kuitansi (PDF) / receipt",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def receipt(session: SessionDep, auth_subject: Caller, payment_id: uuid.UUID) -> Response:
    payment, pdf = await fine_service.receipt_pdf(session, auth_subject, payment_id=payment_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{payment.receipt_number}.pdf"'},
    )


@router.post("/fines/{fine_id}/waive", response_model=FineRead, summary="Bebaskan denda / waive a fine")
async def waive(session: SessionDep, auth_subject: Staff, fine_id: uuid.UUID, body: WaiverCreate) -> FineRead:
    _, fine = await fine_service.waive(
        session, auth_subject, fine_id=fine_id, amount=body.amount, reason=body.reason
    )
    return FineRead.model_validate(fine)


@router.post(
    "/fines/{fine_id}/waive/dry-run", response_model=Check, summary="Periksa pembebasan / waiver dry run"
)
async def waive_dry_run(
    session: SessionDep, auth_subject: Staff, fine_id: uuid.UUID, body: WaiverCreate
) -> Check:
    reasons, _ = await fine_service.waive(
        session, auth_subject, fine_id=fine_id, amount=body.amount, reason=body.reason, dry_run=True
    )
    return Check(allowed=not reasons, reasons=[r.as_dict() for r in reasons])
