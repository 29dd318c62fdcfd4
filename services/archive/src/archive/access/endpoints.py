"""HTTP routes for legal cases, case grants and record grants (access as data)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import Field, StringConstraints

from archive.access.grants import grant_service
from archive.deps import ArchiveSession
from archive.records.service import record_service
from pusip_kit.auth.fastapi import authenticated, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.pagination import Page, PaginationParams, pagination
from pusip_kit.schemas import Schema, WriteSchema

router = APIRouter(tags=["akses / access grants"])
Reader = Annotated[AuthSubject, Depends(authenticated)]
Archivist = Annotated[AuthSubject, Depends(require_roles(Role.ARCHIVIST, Role.ADMIN))]
Paging = Annotated[PaginationParams, Depends(pagination)]
CaseNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]


class CaseCreate(WriteSchema):
    case_number: CaseNumber
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)]
    agency: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None


class CaseStatus(WriteSchema):
    status: Literal["open", "closed"]


class CaseRead(Schema):
    id: uuid.UUID
    case_number: str
    title: str
    agency: str | None
    status: str
    closed_at: datetime | None
    created_at: datetime


class CaseGrantCreate(WriteSchema):
    case_number: CaseNumber
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="Subjek token petugas (sub) / the officer's token subject"
    )
    reason: Reason
    expires_on: date | None = None


class CaseGrantRead(Schema):
    id: uuid.UUID
    case_number: str
    subject: str
    reason: str
    granted_by: str
    expires_on: date | None
    revoked_at: datetime | None
    created_at: datetime


class RecordGrantCreate(WriteSchema):
    record_id: uuid.UUID
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    reason: Reason
    expires_on: date | None = None


class RecordGrantRead(Schema):
    id: uuid.UUID
    record_id: uuid.UUID
    subject: str
    access_request_id: uuid.UUID | None
    reason: str
    granted_by: str
    expires_on: date | None
    revoked_at: datetime | None
    created_at: datetime


@router.post(
    "/legal-cases", response_model=CaseRead, status_code=201, summary="Catat perkara / record a legal case"
)
async def create_case(session: ArchiveSession, auth_subject: Archivist, body: CaseCreate) -> CaseRead:
    item = await grant_service.create_case(
        session, auth_subject, case_number=body.case_number, title=body.title, agency=body.agency
    )
    return CaseRead.model_validate(item)


@router.get("/legal-cases", response_model=Page[CaseRead], summary="Daftar perkara / legal cases")
async def list_cases(
    session: ArchiveSession,
    auth_subject: Archivist,
    page: Paging,
    status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
) -> Page[CaseRead]:
    items, total = await grant_service.list_cases(session, status=status, pagination=page)
    return Page.of([CaseRead.model_validate(i) for i in items], total, page)


@router.patch(
    "/legal-cases/{case_number:path}", response_model=CaseRead, summary="Tutup/buka perkara / close or reopen"
)
async def set_case_status(
    session: ArchiveSession, auth_subject: Archivist, case_number: str, body: CaseStatus
) -> CaseRead:
    item = await grant_service.set_case_status(
        session, auth_subject, case_number=case_number, status=body.status
    )
    return CaseRead.model_validate(item)


@router.post(
    "/case-grants",
    response_model=CaseGrantRead,
    status_code=201,
    summary="Izinkan penegak hukum membaca arsip perkara / grant a case to a law-enforcement officer",
)
async def grant_case(
    session: ArchiveSession, auth_subject: Archivist, body: CaseGrantCreate
) -> CaseGrantRead:
    item = await grant_service.grant_case(
        session,
        auth_subject,
        case_number=body.case_number,
        subject=body.subject,
        reason=body.reason,
        expires_on=body.expires_on,
    )
    return CaseGrantRead.model_validate(item)


@router.get("/case-grants", response_model=Page[CaseGrantRead], summary="Izin perkara / case grants")
async def list_case_grants(
    session: ArchiveSession,
    auth_subject: Reader,
    page: Paging,
    subject: Annotated[str | None, Query(max_length=200)] = None,
    case_number: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[CaseGrantRead]:
    if not auth_subject.has_role(Role.ARCHIVIST):
        subject = auth_subject.subject  # others see their own grants only
    items, total = await grant_service.list_case_grants(
        session, subject=subject, case_number=case_number, pagination=page
    )
    return Page.of([CaseGrantRead.model_validate(i) for i in items], total, page)


@router.post("/case-grants/{grant_id}/revoke", response_model=CaseGrantRead, summary="Cabut izin perkara")
async def revoke_case_grant(
    session: ArchiveSession, auth_subject: Archivist, grant_id: uuid.UUID
) -> CaseGrantRead:
    return CaseGrantRead.model_validate(
        await grant_service.revoke_case_grant(session, auth_subject, grant_id=grant_id)
    )


@router.post(
    "/record-grants",
    response_model=RecordGrantRead,
    status_code=201,
    summary="Buka satu arsip untuk satu subjek / open one record to one subject",
)
async def grant_record(
    session: ArchiveSession, auth_subject: Archivist, body: RecordGrantCreate
) -> RecordGrantRead:
    record = await record_service.read(session, auth_subject, record_id=body.record_id, action="grant")
    item = await grant_service.grant_record(
        session,
        auth_subject,
        record_id=record.id,
        level=record.security_level,
        subject=body.subject,
        reason=body.reason,
        expires_on=body.expires_on,
    )
    return RecordGrantRead.model_validate(item)


@router.get("/record-grants", response_model=Page[RecordGrantRead], summary="Izin per arsip / record grants")
async def list_record_grants(
    session: ArchiveSession,
    auth_subject: Reader,
    page: Paging,
    subject: Annotated[str | None, Query(max_length=200)] = None,
    record_id: uuid.UUID | None = None,
) -> Page[RecordGrantRead]:
    if not auth_subject.has_role(Role.ARCHIVIST):
        subject = auth_subject.subject
    items, total = await grant_service.list_record_grants(
        session, subject=subject, record_id=record_id, pagination=page
    )
    return Page.of([RecordGrantRead.model_validate(i) for i in items], total, page)


@router.post("/record-grants/{grant_id}/revoke", response_model=RecordGrantRead, summary="Cabut izin arsip")
async def revoke_record_grant(
    session: ArchiveSession, auth_subject: Archivist, grant_id: uuid.UUID
) -> RecordGrantRead:
    return RecordGrantRead.model_validate(
        await grant_service.revoke_record_grant(session, auth_subject, grant_id=grant_id)
    )
