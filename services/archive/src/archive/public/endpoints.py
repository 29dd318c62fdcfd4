"""Public search and browse (no sign-in), and KIP access requests."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import StringConstraints

from archive.access.policy import AccessCategory, Viewer
from archive.deps import ArchiveSession, RuntimeDep
from archive.models.records import STATUS_STATIC
from archive.public.requests import access_request_service
from archive.records.repository import RecordRepository
from archive.records.schemas import PublicRecordRead
from archive.records.service import record_service
from archive.search.service import SearchFilters, search_service
from pusip_kit.auth.fastapi import CurrentSubject, authenticated, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.errors import NotFound
from pusip_kit.pagination import Page, PaginationParams, pagination
from pusip_kit.schemas import Schema, WriteSchema
from pusip_kit.storage.base import content_disposition

router = APIRouter(prefix="/public", tags=["layanan publik / public access"])
requests_router = APIRouter(prefix="/access-requests", tags=["permohonan informasi (KIP) / access requests"])
PUBLIC = Viewer(AccessCategory.PUBLIK)
Paging = Annotated[PaginationParams, Depends(pagination)]


def _public(record: Any) -> PublicRecordRead:
    return PublicRecordRead(
        id=record.id,
        reference_number=record.reference_number,
        title=record.title,
        record_date=record.record_date,
        unit=record.unit,
        description=record.description,
        classification_code=record.classification_code,
        status=record.status,
        kind="statis" if record.status == STATUS_STATIC else "dinamis",
    )


@router.get("/records", summary="Cari dan jelajahi arsip terbuka / search and browse open records")
async def public_search(
    session: ArchiveSession,
    subject: CurrentSubject,
    runtime: RuntimeDep,
    page: Paging,
    q: Annotated[str | None, Query(max_length=500)] = None,
    classification_code: Annotated[str | None, Query(max_length=64)] = None,
    unit: Annotated[str | None, Query(max_length=300)] = None,
    year: Annotated[int | None, Query(ge=1800, le=3000)] = None,
    kind: Annotated[str | None, Query(pattern="^(dinamis|statis)$")] = None,
) -> dict[str, Any]:
    result = await search_service.search(
        session,
        subject,
        runtime,
        text=q,
        filters=SearchFilters(classification_code, unit, year, kind),
        offset=page.offset,
        limit=page.limit,
        public=True,
    )
    facets = {k: v for k, v in result.facets.items() if k not in ("level", "status")}
    return {
        "items": [_public(r).model_dump(mode="json") for r in result.records],
        "total": result.total,
        "facets": facets,
        "page": page.page,
        "limit": page.limit,
    }


@router.get("/records/{record_id}", summary="Satu arsip terbuka / one open record")
async def public_record(
    session: ArchiveSession, subject: CurrentSubject, record_id: uuid.UUID
) -> dict[str, Any]:
    record = await record_service.read(session, subject, record_id=record_id, viewer=PUBLIC)
    files = await RecordRepository(session).files(record.id)
    return {
        **_public(record).model_dump(mode="json"),
        "files": [
            {
                "id": str(f.id),
                "filename": f.filename,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
            }
            for f in files
            if f.purged_at is None
        ],
    }


@router.get("/records/{record_id}/files/{file_id}", summary="Unduh berkas arsip terbuka / download")
async def public_file(
    session: ArchiveSession,
    subject: CurrentSubject,
    runtime: RuntimeDep,
    record_id: uuid.UUID,
    file_id: uuid.UUID,
) -> StreamingResponse:
    await record_service.read(session, subject, record_id=record_id, viewer=PUBLIC, action="download")
    item = await RecordRepository(session).file(record_id, file_id)
    if item is None or item.purged_at is not None:
        raise NotFound("Berkas tidak ditemukan", "File not found", code="file_not_found")
    reader = runtime.files.get(item.object_key)
    await reader.open()
    return StreamingResponse(
        reader,
        media_type=item.content_type,
        headers={
            "Content-Disposition": content_disposition(item.filename),
            "Content-Length": str(item.size),
            "ETag": f'"{item.sha256}"',
        },
    )


# ------------------------------------------------------------------------------------------ KIP requests

Purpose = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=5000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=5000)]


class AccessRequestCreate(WriteSchema):
    record_id: uuid.UUID | None = None
    reference_text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    purpose: Purpose
    requester_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    requester_contact: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None


class AccessDecision(WriteSchema):
    decision: Literal["setuju", "tolak"]
    reason: Reason
    record_id: uuid.UUID | None = None
    expires_on: date | None = None


class AccessRequestRead(Schema):
    id: uuid.UUID
    record_id: uuid.UUID | None
    reference_text: str | None
    requester: str
    requester_name: str
    purpose: str
    status: str
    decision_reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    grant_expires_on: date | None
    created_at: datetime


def _request_read(item: Any, auth_subject: AuthSubject) -> AccessRequestRead:
    out = AccessRequestRead.model_validate(item)
    if not auth_subject.has_role(Role.ARCHIVIST):
        # requesters see the id they asked for, never whether a record with that id exists
        out.record_id = item.requested_record_id if item.status != "disetujui" else item.record_id
    return out


Reader = Annotated[AuthSubject, Depends(authenticated)]
Archivist = Annotated[AuthSubject, Depends(require_roles(Role.ARCHIVIST, Role.ADMIN))]


@requests_router.post(
    "", response_model=AccessRequestRead, status_code=201, summary="Ajukan permohonan akses"
)
async def create_request(
    session: ArchiveSession, auth_subject: Reader, body: AccessRequestCreate
) -> AccessRequestRead:
    item = await access_request_service.create(
        session,
        auth_subject,
        record_id=body.record_id,
        reference_text=body.reference_text,
        purpose=body.purpose,
        requester_name=body.requester_name,
        requester_contact=body.requester_contact,
    )
    return _request_read(item, auth_subject)


@requests_router.get("", response_model=Page[AccessRequestRead], summary="Permohonan (milik sendiri / semua)")
async def list_requests(
    session: ArchiveSession,
    auth_subject: Reader,
    page: Paging,
    status: Annotated[str | None, Query(pattern="^(diajukan|disetujui|ditolak)$")] = None,
) -> Page[AccessRequestRead]:
    items, total = await access_request_service.list_requests(
        session, auth_subject, status=status, pagination=page
    )
    return Page.of([_request_read(i, auth_subject) for i in items], total, page)


@requests_router.get("/{request_id}", response_model=AccessRequestRead, summary="Satu permohonan")
async def get_request(
    session: ArchiveSession, auth_subject: Reader, request_id: uuid.UUID
) -> AccessRequestRead:
    return _request_read(
        await access_request_service.get(session, auth_subject, request_id=request_id), auth_subject
    )


@requests_router.post(
    "/{request_id}/decision", response_model=AccessRequestRead, summary="Putuskan permohonan dengan alasan"
)
async def decide_request(
    session: ArchiveSession, auth_subject: Archivist, request_id: uuid.UUID, body: AccessDecision
) -> AccessRequestRead:
    item = await access_request_service.decide(
        session,
        auth_subject,
        request_id=request_id,
        approve=body.decision == "setuju",
        reason=body.reason,
        record_id=body.record_id,
        expires_on=body.expires_on,
    )
    return AccessRequestRead.model_validate(item)
