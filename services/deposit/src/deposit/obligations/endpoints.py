"""HTTP routes for obligations and the depositor history."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request
from starlette.requests import ClientDisconnect

from deposit.obligations.schemas import (
    ExemptBody,
    HistoryRead,
    ImportResult,
    ObligationCheck,
    ObligationDeclare,
    ObligationRead,
)
from deposit.obligations.service import ACTION_EXEMPT, obligation_service
from deposit.rules import ObligationStatus as Status
from deposit.rules import WorkKind
from pusip_kit.auth.fastapi import require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep
from pusip_kit.errors import BadRequest, PayloadTooLarge, Unprocessable
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(tags=["kewajiban serah simpan / obligations"])

Member = Annotated[AuthSubject, Depends(require_roles(Role.PUBLISHER, Role.DEPOSIT_OFFICER))]
Officer = Annotated[AuthSubject, Depends(require_roles(Role.DEPOSIT_OFFICER))]
DryRun = Annotated[bool, Query(description="Hanya periksa / only check, change nothing")]
CSV_MAX_BYTES = 10 * 1024 * 1024


@router.get(
    "/obligations", response_model=Page[ObligationRead], summary="Daftar kewajiban / list obligations"
)
async def list_obligations(
    session: SessionDep,
    auth_subject: Member,
    page: Annotated[PaginationParams, Depends(pagination)],
    depositor_id: uuid.UUID | None = None,
    status: Status | None = None,
    kind: WorkKind | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Judul atau ISBN / title or ISBN")] = None,
) -> Page[ObligationRead]:
    items, total = await obligation_service.list(
        session,
        auth_subject,
        pagination=page,
        depositor_id=depositor_id,
        status=status.value if status else None,
        kind=kind.value if kind else None,
        query=q.strip() if q else None,
    )
    return Page.of([ObligationRead.model_validate(o) for o in items], total, page)


@router.get("/obligations/{obligation_id}", response_model=ObligationRead, summary="Satu kewajiban")
async def get_obligation(
    session: SessionDep, auth_subject: Member, obligation_id: uuid.UUID
) -> ObligationRead:
    return ObligationRead.model_validate(
        await obligation_service.get(session, auth_subject, id=obligation_id)
    )


@router.post(
    "/obligations",
    response_model=ObligationRead,
    status_code=201,
    summary="Nyatakan judul terbitan / declare a published title",
    description="Tanggal jatuh tempo dan jumlah eksemplar dihitung dari versi aturan yang berlaku pada "
    "tanggal terbit. / The due date and copies come from the rule version in force on the publication date.",
)
async def declare_obligation(
    session: SessionDep, auth_subject: Member, body: ObligationDeclare
) -> ObligationRead:
    return ObligationRead.model_validate(await obligation_service.declare(session, auth_subject, data=body))


@router.post(
    "/obligations/import",
    response_model=ImportResult,
    summary="Impor daftar ISBN / import a CSV of ISBN assignments",
    description="Isi permintaan: berkas CSV (UTF-8) dengan kolom `isbn,title,published_on,kind`. Tanpa "
    "`depositor_id` (petugas), tiap ISBN masuk ke penyerah yang prefiksnya cocok. Aman diulang. / "
    "Body: a UTF-8 CSV with columns `isbn,title,published_on,kind`. Without `depositor_id` (officers), each "
    "ISBN goes to the depositor whose registered prefix it starts with. Safe to repeat.",
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def import_obligations(
    request: Request,
    session: SessionDep,
    auth_subject: Member,
    depositor_id: uuid.UUID | None = None,
    dry_run: DryRun = False,
) -> ImportResult:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > CSV_MAX_BYTES:
        raise PayloadTooLarge(details={"max_size": CSV_MAX_BYTES})
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > CSV_MAX_BYTES:
                raise PayloadTooLarge(details={"max_size": CSV_MAX_BYTES})
    except ClientDisconnect as exc:
        raise BadRequest(
            "Unggahan terputus", "The upload was interrupted", code="upload_interrupted"
        ) from exc
    if not body:
        raise Unprocessable("Berkas CSV kosong", "The CSV file is empty", code="csv_empty")
    return await obligation_service.import_csv(
        session, auth_subject, data=bytes(body), depositor_id=depositor_id, dry_run=dry_run
    )


@router.post(
    "/obligations/{obligation_id}/exempt",
    response_model=ObligationRead | ObligationCheck,
    summary="Bebaskan dengan alasan / exempt with a reason",
)
async def exempt_obligation(
    session: SessionDep,
    auth_subject: Officer,
    obligation_id: uuid.UUID,
    body: Annotated[ExemptBody | None, Body()] = None,
    dry_run: DryRun = False,
) -> ObligationRead | ObligationCheck:
    if dry_run:
        obligation, reasons = await obligation_service.check_exempt(session, auth_subject, id=obligation_id)
        return ObligationCheck(
            obligation_id=obligation.id,
            action=ACTION_EXEMPT,
            allowed=not reasons,
            reasons=[r.as_dict() for r in reasons],
        )
    if body is None:
        raise Unprocessable(
            "Pembebasan memerlukan alasan (reason)",
            "An exemption needs a reason",
            details=[{"loc": ["body", "reason"], "msg": "Field required", "type": "missing"}],
        )
    obligation = await obligation_service.exempt(session, auth_subject, id=obligation_id, reason=body.reason)
    return ObligationRead.model_validate(obligation)


@router.get(
    "/depositors/{depositor_id}/history",
    response_model=Page[HistoryRead],
    summary="Riwayat penyerah / a depositor's history",
    description="Kewajiban, penyerahan, teguran dan data penyerah, terbaru dahulu. / Obligations, deposits, "
    "warnings and profile changes, newest first.",
)
async def depositor_history(
    session: SessionDep,
    auth_subject: Member,
    depositor_id: uuid.UUID,
    page: Annotated[PaginationParams, Depends(pagination)],
) -> Page[HistoryRead]:
    items, total = await obligation_service.history(
        session, auth_subject, depositor_id=depositor_id, pagination=page
    )
    return Page.of([HistoryRead.model_validate(h) for h in items], total, page)
