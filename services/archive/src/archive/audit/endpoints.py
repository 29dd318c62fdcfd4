"""HTTP routes of the audit log: browse entries and verify the chain (administrators and auditors)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select

from archive.audit.chain import verify
from archive.deps import ArchiveSession
from archive.models import AuditEntry
from pusip_kit.auth.fastapi import authenticated
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import Forbidden
from pusip_kit.pagination import Page, PaginationParams, pagination
from pusip_kit.schemas import Schema

router = APIRouter(prefix="/audit", tags=["audit / access audit log"])
AUDITOR_CATEGORIES = ("pengawas_internal", "pengawas_eksternal")


async def auditor(subject: Annotated[AuthSubject, Depends(authenticated)]) -> AuthSubject:
    category = (subject.access_category or "").partition(":")[0]
    if subject.is_admin or category in AUDITOR_CATEGORIES:
        return subject
    raise Forbidden(
        "Log audit hanya untuk administrator dan pengawas",
        "The audit log is for administrators and auditors only",
        code="audit_forbidden",
    )


Auditor = Annotated[AuthSubject, Depends(auditor)]


class AuditEntryRead(Schema):
    seq: int
    at: str
    actor: str
    actor_category: str | None
    action: str
    record_id: str | None
    level: str | None
    outcome: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


@router.get("", response_model=Page[AuditEntryRead], summary="Entri log audit / audit log entries")
async def list_entries(
    session: ArchiveSession,
    auth_subject: Auditor,
    page: Annotated[PaginationParams, Depends(pagination)],
    record_id: Annotated[str | None, Query(max_length=64)] = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=30)] = None,
    outcome: Annotated[str | None, Query(max_length=20)] = None,
) -> Page[AuditEntryRead]:
    statement = select(AuditEntry)
    if record_id:
        statement = statement.where(AuditEntry.record_id == record_id)
    if actor:
        statement = statement.where(AuditEntry.actor.like(f"%{actor}%"))
    if action:
        statement = statement.where(AuditEntry.action == action)
    if outcome:
        statement = statement.where(AuditEntry.outcome == outcome)
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    result = await session.execute(
        statement.order_by(AuditEntry.seq.desc()).offset(page.offset).limit(page.limit)
    )
    items = [AuditEntryRead.model_validate(e) for e in result.scalars().all()]
    return Page.of(items, int(total or 0), page)


@router.get("/verify", summary="Periksa rantai hash / verify the hash chain")
async def verify_chain(session: ArchiveSession, auth_subject: Auditor) -> dict[str, Any]:
    return (await verify(session)).as_dict()
