"""HTTP routes for graded warnings and their letters."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from deposit.common import actor
from deposit.models import WarningStatus
from deposit.sanctions.schemas import PlannedWarningRead, SanctionRunRead, WarningRead
from deposit.sanctions.service import sanction_service
from pusip_kit.auth.fastapi import require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(prefix="/warnings", tags=["sanksi / warnings"])

Member = Annotated[AuthSubject, Depends(require_roles(Role.PUBLISHER, Role.DEPOSIT_OFFICER))]
Officer = Annotated[AuthSubject, Depends(require_roles(Role.DEPOSIT_OFFICER))]


@router.get("", response_model=Page[WarningRead], summary="Teguran dan sanksi / warnings")
async def list_warnings(
    session: SessionDep,
    auth_subject: Member,
    page: Annotated[PaginationParams, Depends(pagination)],
    depositor_id: uuid.UUID | None = None,
    status: WarningStatus | None = None,
) -> Page[WarningRead]:
    items, total = await sanction_service.list(
        session,
        auth_subject,
        pagination=page,
        depositor_id=depositor_id,
        status=status.value if status else None,
    )
    return Page.of([WarningRead.of(w) for w in items], total, page)


@router.post(
    "/run",
    response_model=SanctionRunRead,
    summary="Jalankan penilaian sanksi / run the sanction evaluation now",
    description="Biasanya dijalankan harian oleh beat; `dry_run` menunjukkan apa yang akan diterbitkan. / "
    "Normally run daily by beat; `dry_run` shows what would be issued.",
)
async def run_sanctions(
    session: SessionDep, auth_subject: Officer, request: Request, dry_run: Annotated[bool, Query()] = False
) -> SanctionRunRead:
    settings = request.app.state.settings
    result = await sanction_service.run(
        session, actor_name=actor(auth_subject), agency_code=settings.agency_code, dry_run=dry_run
    )
    return SanctionRunRead(
        dry_run=dry_run,
        planned=[PlannedWarningRead.model_validate(p, from_attributes=True) for p in result.planned],
        issued=[WarningRead.of(w) for w in result.issued],
        resolved=result.resolved,
    )


@router.get("/{warning_id}", response_model=WarningRead, summary="Satu teguran / one warning")
async def get_warning(session: SessionDep, auth_subject: Member, warning_id: uuid.UUID) -> WarningRead:
    return WarningRead.of(await sanction_service.get(session, auth_subject, id=warning_id))


@router.get(
    "/{warning_id}/letter",
    summary="Surat teguran (PDF) / the warning letter",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def warning_letter(
    session: SessionDep, auth_subject: Member, request: Request, warning_id: uuid.UUID
) -> Response:
    warning = await sanction_service.get(session, auth_subject, id=warning_id)
    stores = request.app.state.deposit_stores
    if warning.letter_object_key and await stores.documents.exists(warning.letter_object_key):
        pdf = await stores.documents.read_bytes(warning.letter_object_key)
    else:  # the render task has not run yet: the same document, rendered now
        pdf = await sanction_service.letter_pdf(session, request.app.state.settings, warning)
    filename = warning.number.replace("/", "-") + ".pdf"
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'}
    )
