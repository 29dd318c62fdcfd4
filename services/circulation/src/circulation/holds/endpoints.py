"""HTTP routes for holds: place (online or at the desk), queue position, cancel, pick lists, hold shelves."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from circulation.holds.schemas import HoldCancel, HoldCheck, HoldCreate, HoldRead, PickListEntry
from circulation.holds.service import hold_service
from circulation.models import Hold
from circulation.models.loan import ACTIVE_HOLD_STATUSES, HOLD_READY
from circulation.patrons.service import patron_service
from circulation.transactions.service import transaction_service
from pusip_kit.auth.fastapi import authenticated, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(tags=["pesanan / holds"])

Caller = Annotated[AuthSubject, Depends(authenticated)]
Staff = Annotated[AuthSubject, Depends(require_roles(Role.ADMIN, Role.LIBRARIAN))]


async def _read(session: Any, hold: Hold, card: str | None = None) -> HoldRead:
    position = await hold_service.position(session, hold)
    return HoldRead.model_validate(hold).model_copy(update={"position": position, "patron_card": card})


async def _page(session: Any, holds: Sequence[Hold], total: int, page: PaginationParams) -> Page[HoldRead]:
    cards = await transaction_service.card_numbers(session, {h.patron_id for h in holds if h.patron_id})
    return Page.of(
        [await _read(session, h, cards.get(h.patron_id) if h.patron_id else None) for h in holds], total, page
    )


@router.post("/holds", response_model=HoldRead, status_code=201, summary="Pesan judul / place a hold")
async def place_hold(session: SessionDep, auth_subject: Caller, body: HoldCreate) -> HoldRead:
    _, hold = await hold_service.place(
        session,
        auth_subject,
        record_id=body.record_id,
        pickup_branch=body.pickup_branch,
        item_barcode=body.item,
        patron_card=body.patron,
    )
    assert hold is not None
    return await _read(session, hold, body.patron)


@router.post("/holds/dry-run", response_model=HoldCheck, summary="Periksa pesanan / hold dry run")
async def place_hold_dry_run(session: SessionDep, auth_subject: Caller, body: HoldCreate) -> HoldCheck:
    reasons, _ = await hold_service.place(
        session,
        auth_subject,
        record_id=body.record_id,
        pickup_branch=body.pickup_branch,
        item_barcode=body.item,
        patron_card=body.patron,
        dry_run=True,
    )
    return HoldCheck(allowed=not reasons, reasons=[r.as_dict() for r in reasons])


@router.get("/holds", response_model=Page[HoldRead], summary="Daftar pesanan (staf) / holds")
async def list_holds(
    session: SessionDep,
    auth_subject: Staff,
    page: Annotated[PaginationParams, Depends(pagination)],
    record_id: Annotated[str | None, Query(max_length=64)] = None,
    pickup_branch: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[
        str | None, Query(pattern=r"^(waiting|in_transit|ready|fulfilled|cancelled|expired)$")
    ] = None,
) -> Page[HoldRead]:
    holds, total = await hold_service.find(
        session,
        auth_subject,
        pagination=page,
        record_id=record_id,
        pickup_branch=pickup_branch,
        statuses=(status,) if status else None,
    )
    return await _page(session, holds, total, page)


@router.get(
    "/holds/pick-list", response_model=list[PickListEntry], summary="Daftar ambil rak per cabang / pick list"
)
async def pick_list(
    session: SessionDep, auth_subject: Staff, branch: Annotated[str, Query(min_length=1, max_length=64)]
) -> list[PickListEntry]:
    entries = await hold_service.pick_list(session, auth_subject, branch=branch)
    return [
        PickListEntry(
            hold_id=e.hold.id,
            position=e.position,
            record_id=e.hold.record_id,
            title=e.item.title,
            item_barcode=e.item.barcode,
            location=e.item.location,
            pickup_branch=e.hold.pickup_branch,
            placed_at=e.hold.placed_at,
        )
        for e in entries
    ]


@router.get("/holds/shelf", response_model=Page[HoldRead], summary="Rak pesanan siap ambil / hold shelf")
async def hold_shelf(
    session: SessionDep,
    auth_subject: Staff,
    branch: Annotated[str, Query(min_length=1, max_length=64)],
    page: Annotated[PaginationParams, Depends(pagination)],
) -> Page[HoldRead]:
    holds, total = await hold_service.find(
        session, auth_subject, pagination=page, pickup_branch=branch, statuses=(HOLD_READY,)
    )
    return await _page(session, holds, total, page)


@router.get(
    "/holds/{hold_id}", response_model=HoldRead, summary="Satu pesanan dan posisinya / a hold and its place"
)
async def get_hold(session: SessionDep, auth_subject: Caller, hold_id: uuid.UUID) -> HoldRead:
    return await _read(session, await hold_service.get(session, auth_subject, hold_id=hold_id))


@router.post("/holds/{hold_id}/cancel", response_model=HoldRead, summary="Batalkan pesanan / cancel a hold")
async def cancel_hold(
    session: SessionDep, auth_subject: Caller, hold_id: uuid.UUID, body: HoldCancel | None = None
) -> HoldRead:
    reason = body.reason if body else None
    return await _read(
        session, await hold_service.cancel(session, auth_subject, hold_id=hold_id, reason=reason)
    )


@router.get("/patrons/me/holds", response_model=Page[HoldRead], summary="Pesanan saya / my holds")
async def my_holds(
    session: SessionDep,
    auth_subject: Caller,
    page: Annotated[PaginationParams, Depends(pagination)],
    active: Annotated[bool, Query()] = True,
) -> Page[HoldRead]:
    patron = await patron_service.me(session, auth_subject)
    holds, total = await hold_service.find(
        session,
        auth_subject,
        pagination=page,
        patron=patron,
        statuses=ACTIVE_HOLD_STATUSES if active else None,
    )
    return await _page(session, holds, total, page)
