"""HTTP routes of the fixity check (runs and their findings)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from archive.deps import ArchiveSession
from archive.fixity.service import fixity_service, issue_dict
from pusip_kit.auth.fastapi import require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.pagination import Page, PaginationParams, pagination
from pusip_kit.schemas import Schema

router = APIRouter(prefix="/fixity", tags=["fiksitas / fixity"])
Archivist = Annotated[AuthSubject, Depends(require_roles(Role.ARCHIVIST, Role.ADMIN))]
Paging = Annotated[PaginationParams, Depends(pagination)]


class RunRead(Schema):
    id: uuid.UUID
    started_at: datetime
    finished_at: datetime | None
    checked: int
    ok: int
    problems: int
    triggered_by: str


@router.post("/runs", status_code=202, summary="Jadwalkan pemeriksaan sekarang / queue a check now")
async def request_run(session: ArchiveSession, auth_subject: Archivist) -> dict[str, str]:
    await fixity_service.request_run(session)
    return {"status": "queued"}


@router.get("/runs", response_model=Page[RunRead], summary="Riwayat pemeriksaan / runs")
async def list_runs(session: ArchiveSession, auth_subject: Archivist, page: Paging) -> Page[RunRead]:
    items, total = await fixity_service.runs(session, pagination=page)
    return Page.of([RunRead.model_validate(i) for i in items], total, page)


@router.get("/runs/{run_id}", summary="Satu pemeriksaan dan temuannya / one run and its findings")
async def get_run(session: ArchiveSession, auth_subject: Archivist, run_id: uuid.UUID) -> dict[str, Any]:
    run, issues = await fixity_service.run(session, run_id=run_id)
    return {**RunRead.model_validate(run).model_dump(mode="json"), "issues": [issue_dict(i) for i in issues]}


@router.get("/issues", summary="Temuan (terbaru dahulu) / findings, newest first")
async def list_issues(
    session: ArchiveSession,
    auth_subject: Archivist,
    page: Paging,
    kind: Annotated[str | None, Query(pattern="^(mismatch|missing|checksum_differs|error)$")] = None,
) -> dict[str, Any]:
    items, total = await fixity_service.issues(session, kind=kind, pagination=page)
    return {"items": [issue_dict(i) for i in items], "total": total, "page": page.page, "limit": page.limit}
