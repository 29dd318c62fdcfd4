"""HTTP routes for digital lending: licences (staff), borrow with an access link, return, waitlist."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from circulation.deps import SettingsDep
from circulation.digital.schemas import (
    AccessGrant,
    BorrowRequest,
    Check,
    DigitalLoanRead,
    LicenceCreate,
    LicenceRead,
    LicenceUpdate,
    WaitRead,
)
from circulation.digital.service import digital_service
from circulation.models import DigitalLoan, Licence
from pusip_kit.auth.fastapi import authenticated, current_subject, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep

router = APIRouter(tags=["pinjam digital / digital lending"])

Caller = Annotated[AuthSubject, Depends(authenticated)]
Anyone = Annotated[AuthSubject, Depends(current_subject)]
Staff = Annotated[AuthSubject, Depends(require_roles(Role.ADMIN, Role.LIBRARIAN))]


async def _licence_read(session: SessionDep, licence: Licence) -> LicenceRead:
    return LicenceRead.model_validate(licence).model_copy(
        update={
            "on_loan": await digital_service.copies_on_loan(session, licence),
            "waiting": await digital_service.waiting(session, licence),
        }
    )


def _loan_read(loan: DigitalLoan, licence: Licence) -> DigitalLoanRead:
    return DigitalLoanRead(
        id=loan.id,
        eresource_id=licence.eresource_id,
        title=licence.title,
        borrowed_at=loan.borrowed_at,
        expires_at=loan.expires_at,
        returned_at=loan.returned_at,
        return_reason=loan.return_reason,
    )


@router.get("/licences", response_model=list[LicenceRead], summary="Lisensi digital / licences")
async def list_licences(session: SessionDep, auth_subject: Anyone) -> list[LicenceRead]:
    return [await _licence_read(session, lic) for lic in await digital_service.licences(session)]


@router.post(
    "/licences", response_model=LicenceRead, status_code=201, summary="Tambah lisensi / add a licence"
)
async def create_licence(session: SessionDep, auth_subject: Staff, body: LicenceCreate) -> LicenceRead:
    licence = await digital_service.create_licence(
        session,
        auth_subject,
        eresource_id=body.eresource_id,
        title=body.title,
        copies=body.copies,
        loan_days=body.loan_days,
    )
    return await _licence_read(session, licence)


@router.get("/licences/{eresource_id}", response_model=LicenceRead, summary="Satu lisensi / one licence")
async def get_licence(session: SessionDep, auth_subject: Anyone, eresource_id: str) -> LicenceRead:
    return await _licence_read(session, await digital_service.licence(session, eresource_id))


@router.patch(
    "/licences/{eresource_id}", response_model=LicenceRead, summary="Ubah lisensi / update a licence"
)
async def update_licence(
    session: SessionDep, auth_subject: Staff, eresource_id: str, body: LicenceUpdate
) -> LicenceRead:
    changes = {k: getattr(body, k) for k in body.model_fields_set if getattr(body, k) is not None}
    licence = await digital_service.update_licence(
        session, auth_subject, eresource_id=eresource_id, changes=changes
    )
    return await _licence_read(session, licence)


@router.post(
    "/digital-loans", response_model=DigitalLoanRead, status_code=201, summary="Pinjam digital / borrow"
)
async def borrow(
    session: SessionDep, auth_subject: Caller, settings: SettingsDep, body: BorrowRequest
) -> DigitalLoanRead:
    _, loan = await digital_service.borrow(session, auth_subject, eresource_id=body.eresource_id)
    assert loan is not None
    licence = await digital_service.licence(session, body.eresource_id)
    link = digital_service.access_link(settings, loan)
    return _loan_read(loan, licence).model_copy(
        update={"access_url": link.url, "access_expires_at": link.expires_at}
    )


@router.post(
    "/digital-loans/dry-run", response_model=Check, summary="Periksa pinjam digital / borrow dry run"
)
async def borrow_dry_run(session: SessionDep, auth_subject: Caller, body: BorrowRequest) -> Check:
    reasons, _ = await digital_service.borrow(
        session, auth_subject, eresource_id=body.eresource_id, dry_run=True
    )
    return Check(allowed=not reasons, reasons=[r.as_dict() for r in reasons])


@router.get(
    "/patrons/me/digital-loans", response_model=list[DigitalLoanRead], summary="Pinjaman digital saya"
)
async def my_digital_loans(
    session: SessionDep, auth_subject: Caller, active: Annotated[bool, Query()] = True
) -> list[DigitalLoanRead]:
    return [
        _loan_read(loan, lic)
        for loan, lic in await digital_service.my_loans(session, auth_subject, active=active)
    ]


@router.post(
    "/digital-loans/{loan_id}/access",
    response_model=DigitalLoanRead,
    summary="Tautan akses baru / a fresh access link",
)
async def access(
    session: SessionDep, auth_subject: Caller, settings: SettingsDep, loan_id: uuid.UUID
) -> DigitalLoanRead:
    link = await digital_service.link_for(session, auth_subject, loan_id=loan_id, settings=settings)
    loan = await digital_service.own_loan(session, auth_subject, loan_id=loan_id)
    licence = await session.get(Licence, loan.licence_id)
    assert licence is not None
    return _loan_read(loan, licence).model_copy(
        update={"access_url": link.url, "access_expires_at": link.expires_at}
    )


@router.post(
    "/digital-loans/{loan_id}/return", response_model=DigitalLoanRead, summary="Kembalikan / return early"
)
async def give_back(session: SessionDep, auth_subject: Caller, loan_id: uuid.UUID) -> DigitalLoanRead:
    loan = await digital_service.give_back(session, auth_subject, loan_id=loan_id)
    licence = await session.get(Licence, loan.licence_id)
    assert licence is not None
    return _loan_read(loan, licence)


@router.get(
    "/digital-access/{token}",
    response_model=AccessGrant,
    summary="Periksa tautan akses (untuk server konten) / check an access link (for the content server)",
)
async def check_access(
    session: SessionDep, auth_subject: Anyone, settings: SettingsDep, token: str
) -> AccessGrant:
    loan, licence, expires = await digital_service.check_access(session, token=token, settings=settings)
    return AccessGrant(
        loan_id=loan.id,
        eresource_id=licence.eresource_id,
        title=licence.title,
        loan_expires_at=loan.expires_at,
        link_expires_at=expires,
    )


@router.post(
    "/licences/{eresource_id}/waitlist",
    response_model=WaitRead,
    status_code=201,
    summary="Masuk daftar tunggu",
)
async def join_waitlist(session: SessionDep, auth_subject: Caller, eresource_id: str) -> WaitRead:
    entry = await digital_service.join_waitlist(session, auth_subject, eresource_id=eresource_id)
    return WaitRead(
        id=entry.id,
        eresource_id=eresource_id,
        status=entry.status,
        placed_at=entry.placed_at,
        position=await digital_service.waitlist_position(session, entry),
        loan_id=entry.loan_id,
    )


@router.delete(
    "/licences/{eresource_id}/waitlist", status_code=204, summary="Keluar daftar tunggu / leave the waitlist"
)
async def leave_waitlist(session: SessionDep, auth_subject: Caller, eresource_id: str) -> Response:
    await digital_service.leave_waitlist(session, auth_subject, eresource_id=eresource_id)
    return Response(status_code=204)
