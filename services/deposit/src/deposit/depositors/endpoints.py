"""HTTP routes for depositors: authentication and request/response shapes only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from deposit.depositors.reminders import refresh_due_on
from deposit.depositors.schemas import (
    AccountLink,
    AccountRead,
    DecisionBody,
    DecisionCheck,
    DepositorCreate,
    DepositorRead,
    DepositorRefresh,
    DepositorUpdate,
    MyDepositor,
    RefusalReason,
    RejectBody,
)
from deposit.depositors.service import ACTION_APPROVE, ACTION_REJECT, depositor_service
from deposit.models import AccountRole, DepositorStatus, DepositorType
from pusip_kit.auth.fastapi import require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep
from pusip_kit.errors import Unprocessable
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(prefix="/depositors", tags=["penyerah karya / depositors"])

# Publishers see and edit their own registrations; officers see and decide all of them.
Member = Annotated[AuthSubject, Depends(require_roles(Role.PUBLISHER, Role.DEPOSIT_OFFICER))]
Officer = Annotated[AuthSubject, Depends(require_roles(Role.DEPOSIT_OFFICER))]
DryRun = Annotated[
    bool, Query(description="Hanya periksa, jangan ubah / only check the refusals, change nothing")
]


@router.get("", response_model=Page[DepositorRead], summary="Daftar penyerah karya / list depositors")
async def list_depositors(
    session: SessionDep,
    auth_subject: Member,
    page: Annotated[PaginationParams, Depends(pagination)],
    status: Annotated[DepositorStatus | None, Query(description="Status pendaftaran")] = None,
    type: Annotated[DepositorType | None, Query(description="Jenis / type")] = None,
    province: Annotated[str | None, Query(max_length=100, description="Provinsi domisili")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Nama, nomor identitas, prefiks")] = None,
) -> Page[DepositorRead]:
    items, total = await depositor_service.list(
        session,
        auth_subject,
        pagination=page,
        status=status.value if status else None,
        type=type.value if type else None,
        province=province.strip() if province else None,
        query=q.strip() if q else None,
    )
    return Page.of([DepositorRead.model_validate(d) for d in items], total, page)


@router.get("/{depositor_id}", response_model=DepositorRead, summary="Satu penyerah karya / one depositor")
async def get_depositor(session: SessionDep, auth_subject: Member, depositor_id: uuid.UUID) -> DepositorRead:
    return DepositorRead.model_validate(await depositor_service.get(session, auth_subject, id=depositor_id))


@router.post(
    "",
    response_model=DepositorRead,
    status_code=201,
    summary="Daftar sebagai penyerah karya / register as a depositor",
    description="Pendaftaran berstatus `pending` sampai diputuskan petugas. / "
    "The registration stays `pending` until an officer decides it.",
)
async def register_depositor(
    session: SessionDep, auth_subject: Member, body: DepositorCreate
) -> DepositorRead:
    return DepositorRead.model_validate(await depositor_service.register(session, auth_subject, data=body))


@router.patch("/{depositor_id}", response_model=DepositorRead, summary="Ubah data / update a depositor")
async def update_depositor(
    session: SessionDep, auth_subject: Member, depositor_id: uuid.UUID, body: DepositorUpdate
) -> DepositorRead:
    return DepositorRead.model_validate(
        await depositor_service.update(session, auth_subject, id=depositor_id, data=body)
    )


@router.post(
    "/{depositor_id}/approve",
    response_model=DepositorRead | DecisionCheck,
    summary="Setujui pendaftaran / approve a registration",
)
async def approve_depositor(
    session: SessionDep,
    auth_subject: Officer,
    depositor_id: uuid.UUID,
    body: Annotated[DecisionBody | None, Body()] = None,
    dry_run: DryRun = False,
) -> DepositorRead | DecisionCheck:
    if dry_run:
        return await _check(session, auth_subject, depositor_id, ACTION_APPROVE)
    depositor = await depositor_service.approve(
        session, auth_subject, id=depositor_id, note=body.note if body else None
    )
    return DepositorRead.model_validate(depositor)


@router.post(
    "/{depositor_id}/reject",
    response_model=DepositorRead | DecisionCheck,
    summary="Tolak pendaftaran / reject a registration",
)
async def reject_depositor(
    session: SessionDep,
    auth_subject: Officer,
    depositor_id: uuid.UUID,
    body: Annotated[RejectBody | None, Body()] = None,
    dry_run: DryRun = False,
) -> DepositorRead | DecisionCheck:
    if dry_run:
        return await _check(session, auth_subject, depositor_id, ACTION_REJECT)
    if body is None:
        raise Unprocessable(
            "Penolakan memerlukan alasan (reason)",
            "A rejection needs a reason",
            details=[{"loc": ["body", "reason"], "msg": "Field required", "type": "missing"}],
        )
    depositor = await depositor_service.reject(session, auth_subject, id=depositor_id, reason=body.reason)
    return DepositorRead.model_validate(depositor)


async def _check(
    session: SessionDep, auth_subject: AuthSubject, depositor_id: uuid.UUID, action: str
) -> DecisionCheck:
    depositor, reasons = await depositor_service.check_decision(
        session, auth_subject, id=depositor_id, action=action
    )
    return DecisionCheck(
        depositor_id=depositor.id,
        action=action,
        allowed=not reasons,
        reasons=[RefusalReason.model_validate(r.as_dict()) for r in reasons],
    )


@router.get(
    "/{depositor_id}/accounts",
    response_model=list[AccountRead],
    summary="Akun yang bertindak untuk penyerah / accounts acting for a depositor",
)
async def list_accounts(
    session: SessionDep, auth_subject: Member, depositor_id: uuid.UUID
) -> list[AccountRead]:
    accounts = await depositor_service.accounts(session, auth_subject, id=depositor_id)
    return [AccountRead.model_validate(a) for a in accounts]


@router.post(
    "/{depositor_id}/accounts",
    response_model=AccountRead,
    status_code=201,
    summary="Hubungkan akun / link a user account",
    description="Oleh pemilik akun penyerah atau petugas. Akun dapat dihubungkan dengan nama pengguna "
    "sebelum masuk pertama kali. / By the owner account or an officer; an account may be linked by user "
    "name before its first sign-in.",
)
async def link_account(
    session: SessionDep, auth_subject: Member, depositor_id: uuid.UUID, body: AccountLink
) -> AccountRead:
    account = await depositor_service.link_account(session, auth_subject, id=depositor_id, data=body)
    return AccountRead.model_validate(account)


@router.delete(
    "/{depositor_id}/accounts/{account_id}", status_code=204, summary="Lepas akun / unlink an account"
)
async def unlink_account(
    session: SessionDep, auth_subject: Member, depositor_id: uuid.UUID, account_id: uuid.UUID
) -> Response:
    await depositor_service.unlink_account(session, auth_subject, id=depositor_id, account_id=account_id)
    return Response(status_code=204)


@router.post(
    "/{depositor_id}/refresh",
    response_model=DepositorRead,
    summary="Pemutakhiran data tahunan / yearly data refresh",
    description="Penyerah mengonfirmasi dan memperbarui alamat serta kontak (juga setelah disetujui). / "
    "The depositor confirms and corrects its address and contacts (also once approved).",
)
async def refresh_depositor(
    session: SessionDep, auth_subject: Member, depositor_id: uuid.UUID, body: DepositorRefresh
) -> DepositorRead:
    depositor = await depositor_service.refresh(session, auth_subject, id=depositor_id, data=body)
    return DepositorRead.model_validate(depositor)


me_router = APIRouter(prefix="/me", tags=["penyerah karya / depositors"])


@me_router.get(
    "/depositors",
    response_model=list[MyDepositor],
    summary="Penyerah yang saya wakili / the depositors I act for",
)
async def my_depositors(session: SessionDep, auth_subject: Member, request: Request) -> list[MyDepositor]:
    interval = request.app.state.settings.refresh_interval_days
    return [
        MyDepositor(
            depositor=DepositorRead.model_validate(depositor),
            role=AccountRole(role),
            refresh_due_on=refresh_due_on(depositor, interval),
        )
        for depositor, role in await depositor_service.mine(session, auth_subject)
    ]
