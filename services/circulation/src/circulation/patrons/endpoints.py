"""HTTP routes for patrons: self-registration, the patron's own account, counter work, privacy."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from circulation.deps import SettingsDep
from circulation.models import Patron
from circulation.patrons.schemas import (
    BlockCreate,
    BlockLift,
    BlockRead,
    CardLink,
    EmailVerify,
    PatronAccount,
    PatronCounterCreate,
    PatronRead,
    PatronRegister,
    PatronSelfUpdate,
    PatronStaffUpdate,
    PinUpdate,
    RegistrationCheck,
)
from circulation.patrons.service import patron_service
from pusip_kit.auth.fastapi import authenticated, current_subject, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(prefix="/patrons", tags=["anggota / patrons"])

Caller = Annotated[AuthSubject, Depends(authenticated)]
Anyone = Annotated[AuthSubject, Depends(current_subject)]
Staff = Annotated[AuthSubject, Depends(require_roles(Role.ADMIN, Role.LIBRARIAN))]


async def _account(session: Any, patron: Patron) -> PatronAccount:
    summary = await patron_service.account_summary(session, patron)
    return PatronAccount(**PatronRead.of(patron).model_dump(), **summary)


# -- self-service -----------------------------------------------------------------------------------


@router.post(
    "/register",
    response_model=PatronRead,
    status_code=201,
    summary="Daftar anggota daring / online self-registration",
    description="Akun yang masuk menjadi anggota (menunggu verifikasi email). "
    "The signed-in account becomes a patron, pending email verification.",
)
async def register(
    session: SessionDep, auth_subject: Caller, settings: SettingsDep, body: PatronRegister
) -> PatronRead:
    return PatronRead.of(await patron_service.register(session, auth_subject, data=body, settings=settings))


@router.post(
    "/register/dry-run",
    response_model=RegistrationCheck,
    summary="Periksa pendaftaran / check a registration",
)
async def register_dry_run(
    session: SessionDep, auth_subject: Caller, body: PatronRegister
) -> RegistrationCheck:
    reasons = await patron_service.check_registration(session, auth_subject, data=body)
    return RegistrationCheck(allowed=not reasons, reasons=[r.as_dict() for r in reasons])


@router.post(
    "/verify-email", response_model=PatronRead, summary="Verifikasi email / verify the email address"
)
async def verify_email(
    session: SessionDep, auth_subject: Anyone, settings: SettingsDep, body: EmailVerify
) -> PatronRead:
    return PatronRead.of(await patron_service.verify_email(session, token=body.token, settings=settings))


@router.post(
    "/me/resend-verification",
    status_code=202,
    summary="Kirim ulang verifikasi / resend the verification mail",
)
async def resend_verification(
    session: SessionDep, auth_subject: Caller, settings: SettingsDep
) -> dict[str, str]:
    await patron_service.resend_verification(session, auth_subject, settings=settings)
    return {"status": "queued"}


@router.post(
    "/me/link",
    status_code=202,
    summary="Hubungkan akun ke kartu anggota dari loket / link my account to a counter-registered card",
    description="Tautan dikirim ke email yang tercatat pada kartu. A link is mailed to the card's recorded address.",
)
async def link_card(
    session: SessionDep, auth_subject: Caller, settings: SettingsDep, body: CardLink
) -> dict[str, str]:
    await patron_service.request_link(session, auth_subject, card_number=body.card_number, settings=settings)
    return {"status": "queued"}


@router.get("/me", response_model=PatronAccount, summary="Akun saya / my account")
async def get_me(session: SessionDep, auth_subject: Caller) -> PatronAccount:
    return await _account(session, await patron_service.me(session, auth_subject))


@router.patch("/me", response_model=PatronAccount, summary="Ubah data saya / update my details")
async def update_me(
    session: SessionDep, auth_subject: Caller, settings: SettingsDep, body: PatronSelfUpdate
) -> PatronAccount:
    patron = await patron_service.me(session, auth_subject)
    await patron_service.update(session, auth_subject, patron=patron, data=body, settings=settings)
    return await _account(session, patron)


@router.put("/me/pin", status_code=204, summary="Atur PIN kios / set my self-check PIN")
async def set_pin(session: SessionDep, auth_subject: Caller, body: PinUpdate) -> Response:
    patron = await patron_service.me(session, auth_subject)
    await patron_service.set_pin(session, auth_subject, patron=patron, pin=body.pin)
    return Response(status_code=204)


@router.get("/me/export", summary="Unduh data pribadi saya (JSON) / export my personal data")
async def export_me(session: SessionDep, auth_subject: Caller) -> dict[str, Any]:
    patron = await patron_service.me(session, auth_subject)
    return await patron_service.export(session, auth_subject, patron=patron)


@router.post(
    "/me/delete/dry-run",
    response_model=RegistrationCheck,
    summary="Bisakah akun saya dihapus? / may I be deleted?",
)
async def delete_me_dry_run(session: SessionDep, auth_subject: Caller) -> RegistrationCheck:
    patron = await patron_service.me(session, auth_subject)
    reasons = await patron_service.deletion_reasons(session, patron)
    return RegistrationCheck(allowed=not reasons, reasons=[r.as_dict() for r in reasons])


@router.post("/me/delete", status_code=204, summary="Hapus akun saya (anonimkan) / delete me on request")
async def delete_me(session: SessionDep, auth_subject: Caller) -> Response:
    patron = await patron_service.me(session, auth_subject)
    await patron_service.anonymise(session, auth_subject, patron=patron)
    return Response(status_code=204)


@router.get("/me/blocks", response_model=list[BlockRead], summary="Blokir saya / my blocks")
async def my_blocks(session: SessionDep, auth_subject: Caller) -> list[BlockRead]:
    patron = await patron_service.me(session, auth_subject)
    rows = await patron_service.blocks(session, auth_subject, patron=patron, history=False)
    return [BlockRead.model_validate(b) for b in rows]


# -- staff ------------------------------------------------------------------------------------------


@router.post("", response_model=PatronRead, status_code=201, summary="Daftar di loket / counter registration")
async def register_at_counter(
    session: SessionDep, auth_subject: Staff, settings: SettingsDep, body: PatronCounterCreate
) -> PatronRead:
    return PatronRead.of(
        await patron_service.register_at_counter(session, auth_subject, data=body, settings=settings)
    )


@router.post(
    "/dry-run",
    response_model=RegistrationCheck,
    summary="Periksa pendaftaran loket / check a counter registration",
)
async def register_at_counter_dry_run(
    session: SessionDep, auth_subject: Staff, body: PatronCounterCreate
) -> RegistrationCheck:
    reasons = await patron_service.check_registration(session, auth_subject, data=body)
    return RegistrationCheck(allowed=not reasons, reasons=[r.as_dict() for r in reasons])


@router.get("", response_model=Page[PatronRead], summary="Cari anggota / find patrons")
async def list_patrons(
    session: SessionDep,
    auth_subject: Staff,
    page: Annotated[PaginationParams, Depends(pagination)],
    q: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[str | None, Query(max_length=32)] = None,
    status: Annotated[str | None, Query(pattern=r"^(pending|active|anonymised)$")] = None,
    branch: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[PatronRead]:
    items, total = await patron_service.find(
        session,
        auth_subject,
        pagination=page,
        query=q.strip() if q else None,
        category=category,
        status=status,
        branch=branch,
    )
    return Page.of([PatronRead.of(p) for p in items], total, page)


@router.get("/{card_number}", response_model=PatronAccount, summary="Satu anggota / one patron")
async def get_patron(session: SessionDep, auth_subject: Caller, card_number: str) -> PatronAccount:
    return await _account(
        session, await patron_service.get_by_card(session, auth_subject, card_number=card_number)
    )


@router.patch("/{card_number}", response_model=PatronAccount, summary="Ubah anggota / update a patron")
async def update_patron(
    session: SessionDep, auth_subject: Staff, settings: SettingsDep, card_number: str, body: PatronStaffUpdate
) -> PatronAccount:
    patron = await patron_service.get_by_card(session, auth_subject, card_number=card_number)
    await patron_service.update(session, auth_subject, patron=patron, data=body, settings=settings)
    return await _account(session, patron)


@router.post(
    "/{card_number}/renew-membership",
    response_model=PatronAccount,
    summary="Perpanjang keanggotaan / renew membership",
)
async def renew_membership(session: SessionDep, auth_subject: Staff, card_number: str) -> PatronAccount:
    return await _account(
        session, await patron_service.renew_membership(session, auth_subject, card_number=card_number)
    )


@router.get(
    "/{card_number}/blocks", response_model=list[BlockRead], summary="Blokir anggota / a patron's blocks"
)
async def patron_blocks(
    session: SessionDep,
    auth_subject: Staff,
    card_number: str,
    history: Annotated[bool, Query(description="Termasuk yang sudah dicabut / include lifted")] = False,
) -> list[BlockRead]:
    patron = await patron_service.get_by_card(session, auth_subject, card_number=card_number)
    rows = await patron_service.blocks(session, auth_subject, patron=patron, history=history)
    return [BlockRead.model_validate(b) for b in rows]


@router.post(
    "/{card_number}/blocks",
    response_model=BlockRead,
    status_code=201,
    summary="Blokir manual / add a manual block",
)
async def add_block(
    session: SessionDep, auth_subject: Staff, card_number: str, body: BlockCreate
) -> BlockRead:
    block = await patron_service.add_block(session, auth_subject, card_number=card_number, data=body)
    return BlockRead.model_validate(patron_service.block_dict(block))


@router.post(
    "/{card_number}/blocks/{block_id}/lift",
    response_model=BlockRead,
    summary="Cabut blokir / lift a manual block",
)
async def lift_block(
    session: SessionDep, auth_subject: Staff, card_number: str, block_id: uuid.UUID, body: BlockLift
) -> BlockRead:
    block = await patron_service.lift_block(
        session, auth_subject, card_number=card_number, block_id=block_id, note=body.note
    )
    return BlockRead.model_validate(patron_service.block_dict(block))


@router.get("/{card_number}/export", summary="Ekspor data anggota (JSON) / export a patron's data")
async def export_patron(session: SessionDep, auth_subject: Staff, card_number: str) -> dict[str, Any]:
    patron = await patron_service.get_by_card(session, auth_subject, card_number=card_number)
    return await patron_service.export(session, auth_subject, patron=patron)


@router.post("/{card_number}/anonymise", status_code=204, summary="Hapus atas permintaan / delete on request")
async def anonymise_patron(session: SessionDep, auth_subject: Staff, card_number: str) -> Response:
    patron = await patron_service.get_by_card(session, auth_subject, card_number=card_number)
    await patron_service.anonymise(session, auth_subject, patron=patron)
    return Response(status_code=204)
