"""HTTP routes of the circulation desk: check-out, check-in (return anywhere), renew, receive-transit.

Each action has a ``/dry-run`` twin that runs the same named validators and writes nothing.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from circulation import clock
from circulation.db import run_unit
from circulation.deps import SettingsDep
from circulation.digital.validators import DIGITAL_VALIDATOR_NAMES
from circulation.fines.service import PAYMENT_VALIDATOR_NAMES
from circulation.holds.validators import HOLD_VALIDATOR_NAMES
from circulation.models import Hold, Item, Loan, Transit
from circulation.patrons.service import patron_service
from circulation.transactions.routing import Routing
from circulation.transactions.schemas import (
    CheckinPreview,
    CheckinRead,
    CheckinRequest,
    CheckoutRead,
    CheckoutRequest,
    DryRun,
    FineBrief,
    LoanRead,
    ReasonRead,
    ReceiveRead,
    ReceiveRequest,
    RenewRequest,
    TransitRead,
    ValidatorList,
)
from circulation.transactions.service import CHANNEL_DESK, transaction_service
from circulation.transactions.slips import transit_slip
from circulation.transactions.validators import (
    CHECKOUT_VALIDATORS,
    RECEIVE_VALIDATORS,
    RENEW_VALIDATORS,
    names,
)
from pusip_kit.auth.fastapi import authenticated, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep
from pusip_kit.errors import NotFound
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(tags=["transaksi / transactions"])

Desk = Annotated[AuthSubject, Depends(require_roles(Role.ADMIN, Role.LIBRARIAN))]
Caller = Annotated[AuthSubject, Depends(authenticated)]


def transit_read(transit: Transit | None) -> TransitRead | None:
    if transit is None:
        return None
    return TransitRead.model_validate(transit).model_copy(
        update={"slip_url": f"/transits/{transit.id}/slip.pdf"}
    )


def _routing_fields(routing: Routing) -> dict[str, Any]:
    hold: Hold | None = routing.hold
    return {
        "action": routing.action,
        "transit": transit_read(routing.transit),
        "hold_id": hold.id if hold else None,
        "pickup_deadline": hold.pickup_deadline if hold and routing.action == "hold_shelf" else None,
    }


def _reasons(reasons: list[Any]) -> list[ReasonRead]:
    return [ReasonRead.model_validate(r.as_dict()) for r in reasons]


# -- check-out ----------------------------------------------------------------------------------------


@router.post("/loans", response_model=CheckoutRead, status_code=201, summary="Pinjam / check out")
async def checkout(request: Request, auth_subject: Desk, body: CheckoutRequest) -> CheckoutRead:
    # One unit of work of its own (on SQLite: on the writer thread), committed before the answer.
    async def work(session: AsyncSession) -> Any:
        return await transaction_service.checkout(
            session,
            auth_subject,
            patron_card=body.patron,
            barcode=body.item,
            branch=body.branch,
            channel=CHANNEL_DESK,
        )

    outcome = await run_unit(request.app, work)
    assert outcome.loan is not None
    loan = LoanRead.of(outcome.loan, body.patron, clock.today())
    hold = outcome.fulfilled_hold
    return CheckoutRead(**loan.model_dump(), fulfilled_hold_id=hold.id if hold else None)


@router.post("/loans/dry-run", response_model=DryRun, summary="Periksa peminjaman / check-out dry run")
async def checkout_dry_run(session: SessionDep, auth_subject: Desk, body: CheckoutRequest) -> DryRun:
    outcome = await transaction_service.checkout(
        session, auth_subject, patron_card=body.patron, barcode=body.item, branch=body.branch, dry_run=True
    )
    return DryRun(allowed=outcome.allowed, reasons=_reasons(outcome.reasons), due_date=outcome.due_date)


@router.get("/loans", response_model=Page[LoanRead], summary="Daftar peminjaman / loans")
async def list_loans(
    session: SessionDep,
    auth_subject: Desk,
    page: Annotated[PaginationParams, Depends(pagination)],
    patron: Annotated[str | None, Query(max_length=20, description="Nomor kartu / card number")] = None,
    branch: Annotated[str | None, Query(max_length=64)] = None,
    open: Annotated[bool | None, Query(description="Belum kembali / not returned")] = None,
    overdue: Annotated[bool, Query(description="Terlambat / overdue")] = False,
    item: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[LoanRead]:
    owner = await patron_service.get_by_card(session, auth_subject, card_number=patron) if patron else None
    loans, total = await transaction_service.loans(
        session,
        auth_subject,
        pagination=page,
        patron=owner,
        branch=branch,
        open_only=open,
        overdue=overdue,
        barcode=item,
    )
    return await _loan_page(session, loans, total, page)


async def _loan_page(session: Any, loans: Any, total: int, page: PaginationParams) -> Page[LoanRead]:
    cards = await transaction_service.cards(session, loans)
    today = clock.today()
    return Page.of([LoanRead.of(loan, cards.get(loan.patron_id), today) for loan in loans], total, page)


@router.get("/loans/{loan_id}", response_model=LoanRead, summary="Satu peminjaman / one loan")
async def get_loan(session: SessionDep, auth_subject: Caller, loan_id: uuid.UUID) -> LoanRead:
    loan: Loan = await transaction_service.get_loan(session, auth_subject, loan_id=loan_id)
    cards = await transaction_service.cards(session, [loan])
    return LoanRead.of(loan, cards.get(loan.patron_id) if loan.patron_id else None, clock.today())


@router.get("/patrons/me/loans", response_model=Page[LoanRead], summary="Pinjaman saya / my loans")
async def my_loans(
    session: SessionDep, auth_subject: Caller, page: Annotated[PaginationParams, Depends(pagination)]
) -> Page[LoanRead]:
    patron = await patron_service.me(session, auth_subject)
    loans, total = await transaction_service.loans(
        session, auth_subject, pagination=page, patron=patron, open_only=True
    )
    return await _loan_page(session, loans, total, page)


@router.get(
    "/patrons/me/history",
    response_model=Page[LoanRead],
    summary="Riwayat baca saya (bila diaktifkan) / my reading history (opt-in)",
)
async def my_history(
    session: SessionDep, auth_subject: Caller, page: Annotated[PaginationParams, Depends(pagination)]
) -> Page[LoanRead]:
    patron = await patron_service.me(session, auth_subject)
    loans, total = await transaction_service.loans(
        session, auth_subject, pagination=page, patron=patron, open_only=False
    )
    return await _loan_page(session, loans, total, page)


@router.get(
    "/patrons/{card_number}/loans",
    response_model=Page[LoanRead],
    summary="Pinjaman anggota / a patron's loans",
)
async def patron_loans(
    session: SessionDep,
    auth_subject: Desk,
    card_number: str,
    page: Annotated[PaginationParams, Depends(pagination)],
    open: Annotated[bool | None, Query()] = True,
) -> Page[LoanRead]:
    patron = await patron_service.get_by_card(session, auth_subject, card_number=card_number)
    loans, total = await transaction_service.loans(
        session, auth_subject, pagination=page, patron=patron, open_only=open
    )
    return await _loan_page(session, loans, total, page)


# -- check-in -----------------------------------------------------------------------------------------


@router.post(
    "/returns", response_model=CheckinRead, summary="Kembalikan di cabang mana pun / check in anywhere"
)
async def checkin(
    request: Request, auth_subject: Desk, settings: SettingsDep, body: CheckinRequest
) -> CheckinRead:
    async def work(session: AsyncSession) -> Any:
        return await transaction_service.checkin(
            session,
            auth_subject,
            barcode=body.item,
            branch=body.branch,
            settings=settings,
            returned_on=body.returned_on,
        )

    outcome = await run_unit(request.app, work)
    loan = outcome.loan
    card = outcome.patron.card_number if outcome.patron else None
    return CheckinRead(
        item_barcode=outcome.item.barcode,
        item_status=outcome.item.status,
        current_branch=outcome.item.current_branch,
        loan=LoanRead.of(loan, card, clock.today()) if loan else None,
        fine=FineBrief.model_validate(outcome.fine) if outcome.fine else None,
        **_routing_fields(outcome.routing),
    )


@router.post(
    "/returns/dry-run", response_model=CheckinPreview, summary="Periksa pengembalian / check-in dry run"
)
async def checkin_dry_run(session: SessionDep, auth_subject: Desk, body: CheckinRequest) -> CheckinPreview:
    preview = await transaction_service.checkin_preview(
        session, auth_subject, barcode=body.item, branch=body.branch, returned_on=body.returned_on
    )
    return CheckinPreview.model_validate(preview)


# -- renew --------------------------------------------------------------------------------------------


@router.post(
    "/renewals", response_model=LoanRead, summary="Perpanjang / renew (staf, atau anggota untuk pinjamannya)"
)
async def renew(session: SessionDep, auth_subject: Caller, body: RenewRequest) -> LoanRead:
    outcome = await transaction_service.renew(
        session, auth_subject, barcode=body.item, patron_card=body.patron
    )
    cards = await transaction_service.cards(session, [outcome.loan])
    return LoanRead.of(
        outcome.loan, cards.get(outcome.loan.patron_id) if outcome.loan.patron_id else None, clock.today()
    )


@router.post("/renewals/dry-run", response_model=DryRun, summary="Periksa perpanjangan / renewal dry run")
async def renew_dry_run(session: SessionDep, auth_subject: Caller, body: RenewRequest) -> DryRun:
    outcome = await transaction_service.renew(
        session, auth_subject, barcode=body.item, patron_card=body.patron, dry_run=True
    )
    return DryRun(allowed=outcome.allowed, reasons=_reasons(outcome.reasons), due_date=outcome.new_due)


# -- transits -----------------------------------------------------------------------------------------


def _receive_read(item: Item, routing: Routing) -> ReceiveRead:
    return ReceiveRead(
        item_barcode=item.barcode,
        item_status=item.status,
        current_branch=item.current_branch,
        **_routing_fields(routing),
    )


@router.post("/transits/receive", response_model=ReceiveRead, summary="Terima kiriman / receive a transit")
async def receive(session: SessionDep, auth_subject: Desk, body: ReceiveRequest) -> ReceiveRead:
    _, routing, item = await transaction_service.receive(
        session, auth_subject, barcode=body.item, branch=body.branch
    )
    assert routing is not None
    return _receive_read(item, routing)


@router.post(
    "/transits/receive/dry-run", response_model=DryRun, summary="Periksa penerimaan / receive dry run"
)
async def receive_dry_run(session: SessionDep, auth_subject: Desk, body: ReceiveRequest) -> DryRun:
    reasons, _, _ = await transaction_service.receive(
        session, auth_subject, barcode=body.item, branch=body.branch, dry_run=True
    )
    return DryRun(allowed=not reasons, reasons=_reasons(reasons))


@router.get("/transits", response_model=Page[TransitRead], summary="Pengiriman antarcabang / transits")
async def list_transits(
    session: SessionDep,
    auth_subject: Desk,
    page: Annotated[PaginationParams, Depends(pagination)],
    to_branch: Annotated[str | None, Query(max_length=64)] = None,
    from_branch: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(pattern=r"^(open|received|cancelled)$")] = "open",
) -> Page[TransitRead]:
    rows, total = await transaction_service.transits(
        session, auth_subject, pagination=page, to_branch=to_branch, from_branch=from_branch, status=status
    )
    return Page.of([r for r in (transit_read(t) for t in rows) if r is not None], total, page)


@router.get("/transits/{transit_id}", response_model=TransitRead, summary="Satu pengiriman / one transit")
async def get_transit(session: SessionDep, auth_subject: Desk, transit_id: uuid.UUID) -> TransitRead:
    read = transit_read(await transaction_service.get_transit(session, auth_subject, transit_id=transit_id))
    assert read is not None
    return read


@router.get(
    "/transits/{transit_id}/slip.pdf",
    summary="Slip pengiriman (PDF) / transit slip",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def transit_slip_pdf(session: SessionDep, auth_subject: Desk, transit_id: uuid.UUID) -> Response:
    transit = await transaction_service.get_transit(session, auth_subject, transit_id=transit_id)
    item = await session.get(Item, transit.item_barcode)
    if item is None:
        raise NotFound("Eksemplar tidak ditemukan", "Item not found", code="item_not_found")
    hold = await session.get(Hold, transit.hold_id) if transit.hold_id else None
    card = None
    if hold is not None and hold.patron_id is not None:
        card = (await transaction_service.card_numbers(session, {hold.patron_id})).get(hold.patron_id)
    pdf = transit_slip(transit, item, hold, card)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="slip-{transit.id.hex[:12]}.pdf"'},
    )


@router.get(
    "/validators",
    response_model=ValidatorList,
    summary="Validator penolakan bernama / named refusal validators",
)
async def list_validators() -> ValidatorList:
    return ValidatorList(
        checkout=names(CHECKOUT_VALIDATORS),
        renew=names(RENEW_VALIDATORS),
        receive=names(RECEIVE_VALIDATORS),
        hold=list(HOLD_VALIDATOR_NAMES),
        digital=list(DIGITAL_VALIDATOR_NAMES),
        payment=list(PAYMENT_VALIDATOR_NAMES),
    )
