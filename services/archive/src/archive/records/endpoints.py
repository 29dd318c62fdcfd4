"""HTTP routes for records, their files, links, cases, legal holds, imports and berkas.

Refused reads answer **404** with the same body as a missing record (``record_not_found``), so the
existence of a record is never confirmed to someone who may not read it; the refusal is audited.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import StreamingResponse

from archive.deps import ArchiveSession, RuntimeDep
from archive.records.imports import register_rows
from archive.records.repository import RecordFilters
from archive.records.schemas import (
    BerkasCreate,
    BerkasRead,
    CaseLink,
    HoldCreate,
    HoldRead,
    ImportResult,
    LinkCreate,
    LinkRead,
    Reclassify,
    RecordCreate,
    RecordFileRead,
    RecordRead,
    RecordUpdate,
    SecurityOverride,
)
from archive.records.service import berkas_service, record_service
from archive.records.srikandi import ExportFormatError, read_export
from archive.search.service import SearchFilters, search_service
from pusip_kit.auth.fastapi import authenticated, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.errors import BadRequest
from pusip_kit.pagination import Page, PaginationParams, pagination
from pusip_kit.storage.base import content_disposition

router = APIRouter(prefix="/records", tags=["arsip / records"])
berkas_router = APIRouter(prefix="/berkas", tags=["berkas / files and series"])
holds_router = APIRouter(tags=["arsip / records"])

Reader = Annotated[AuthSubject, Depends(authenticated)]
Writer = Annotated[
    AuthSubject, Depends(require_roles(Role.ARCHIVIST, Role.RECORDS_CREATOR, Role.AGENCY_SYSTEM, Role.ADMIN))
]
Archivist = Annotated[AuthSubject, Depends(require_roles(Role.ARCHIVIST, Role.ADMIN))]
Paging = Annotated[PaginationParams, Depends(pagination)]
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _file_read(item: Any) -> RecordFileRead:
    out = RecordFileRead.model_validate(item)
    out.has_text = bool(item.text_content)
    return out


@router.post("", response_model=RecordRead, status_code=201, summary="Daftarkan arsip / register a record")
async def create_record(session: ArchiveSession, auth_subject: Writer, body: RecordCreate) -> RecordRead:
    return RecordRead.model_validate(await record_service.create(session, auth_subject, data=body))


@router.post("/check", summary="Uji pendaftaran tanpa menyimpan / dry run of a registration")
async def check_record(session: ArchiveSession, auth_subject: Writer, body: RecordCreate) -> dict[str, Any]:
    classification, reasons = await record_service.check_create(session, auth_subject, data=body)
    return {
        "ok": not reasons,
        "reasons": [r.as_dict() for r in reasons],
        "inherits": classification.schedule.model_dump() if classification else None,
    }


@router.get(
    "", response_model=Page[RecordRead], summary="Daftar arsip yang boleh Anda lihat / records you may see"
)
async def list_records(
    session: ArchiveSession,
    auth_subject: Reader,
    page: Paging,
    q: Annotated[
        str | None, Query(max_length=200, description="Perihal atau nomor / title or number")
    ] = None,
    unit: Annotated[
        str | None, Query(max_length=300, description="Unit dan turunannya / unit and below")
    ] = None,
    classification_code: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(pattern="^(aktif|inaktif|statis|musnah)$")] = None,
    security_level: Annotated[str | None, Query(max_length=20)] = None,
    berkas_id: uuid.UUID | None = None,
    due_action: Annotated[str | None, Query(max_length=24)] = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Page[RecordRead]:
    filters = RecordFilters(
        query=q.strip() if q else None,
        unit=unit.strip("/").lower() if unit else None,
        classification_code=classification_code,
        status=status,
        security_level=security_level,
        berkas_id=berkas_id,
        due_action=due_action,
        date_from=date_from,
        date_to=date_to,
    )
    items, total = await record_service.list_records(session, auth_subject, filters=filters, pagination=page)
    return Page.of([RecordRead.model_validate(i) for i in items], total, page)


@router.get("/search", summary="Cari arsip (teks penuh) / full-text search of records you may see")
async def search_records(
    session: ArchiveSession,
    auth_subject: Reader,
    runtime: RuntimeDep,
    page: Paging,
    q: Annotated[str | None, Query(max_length=500)] = None,
    classification_code: Annotated[str | None, Query(max_length=64)] = None,
    unit: Annotated[str | None, Query(max_length=300)] = None,
    year: Annotated[int | None, Query(ge=1800, le=3000)] = None,
    kind: Annotated[str | None, Query(pattern="^(dinamis|statis)$")] = None,
    status: Annotated[str | None, Query(pattern="^(aktif|inaktif|statis)$")] = None,
    level: Annotated[str | None, Query(max_length=20)] = None,
    facets: Annotated[bool, Query(description="Hitung faset / compute facets")] = True,
) -> dict[str, Any]:
    result = await search_service.search(
        session,
        auth_subject,
        runtime,
        text=q,
        filters=SearchFilters(classification_code, unit, year, kind, status, level),
        offset=page.offset,
        limit=page.limit,
        facets=facets,
    )
    return {
        "items": [
            {**RecordRead.model_validate(r).model_dump(mode="json"), "score": result.scores.get(r.id)}
            for r in result.records
        ],
        "total": result.total,
        "facets": result.facets,
        "page": page.page,
        "limit": page.limit,
    }


@router.post(
    "/import",
    response_model=ImportResult,
    summary="Impor ekspor SRIKANDI (JSON/CSV) dengan hasil per baris / import a SRIKANDI export",
)
async def import_records(
    session: ArchiveSession,
    auth_subject: Writer,
    file: Annotated[UploadFile, File(description="Ekspor JSON atau CSV / JSON or CSV export")],
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
    dry_run: bool = False,
) -> ImportResult:
    data = await file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise BadRequest("Berkas terlalu besar", "File too large", code="import_too_large")
    try:
        rows = read_export(data, format or file.filename or "")
    except ExportFormatError as exc:
        raise BadRequest(
            f"Ekspor tidak dapat dibaca: {exc}", f"Export could not be read: {exc}", code="import_unreadable"
        ) from exc
    return await register_rows(session, auth_subject, rows=rows, dry_run=dry_run, source="srikandi")


@router.get("/{record_id}", response_model=RecordRead, summary="Satu arsip / one record")
async def get_record(session: ArchiveSession, auth_subject: Reader, record_id: uuid.UUID) -> RecordRead:
    return RecordRead.model_validate(await record_service.read(session, auth_subject, record_id=record_id))


@router.patch("/{record_id}", response_model=RecordRead, summary="Ubah uraian arsip / update a record")
async def update_record(
    session: ArchiveSession, auth_subject: Writer, record_id: uuid.UUID, body: RecordUpdate
) -> RecordRead:
    item = await record_service.update(session, auth_subject, record_id=record_id, data=body)
    return RecordRead.model_validate(item)


@router.post(
    "/{record_id}/classification", response_model=RecordRead, summary="Klasifikasi ulang / reclassify"
)
async def reclassify_record(
    session: ArchiveSession, auth_subject: Archivist, record_id: uuid.UUID, body: Reclassify
) -> RecordRead:
    item = await record_service.reclassify(
        session,
        auth_subject,
        record_id=record_id,
        code=body.classification_code,
        set_id=body.instrument_set_id,
        reason=body.reason,
    )
    return RecordRead.model_validate(item)


@router.post(
    "/{record_id}/security",
    response_model=RecordRead,
    summary="Ubah tingkat keamanan dengan dasar hukum / change the security level with a legal ground",
)
async def override_security(
    session: ArchiveSession, auth_subject: Archivist, record_id: uuid.UUID, body: SecurityOverride
) -> RecordRead:
    item = await record_service.override_security(
        session,
        auth_subject,
        record_id=record_id,
        level=body.security_level,
        ground=body.ground,
        reason=body.reason,
    )
    return RecordRead.model_validate(item)


@router.get("/{record_id}/files", response_model=list[RecordFileRead], summary="Berkas digital arsip / files")
async def list_files(
    session: ArchiveSession, auth_subject: Reader, record_id: uuid.UUID
) -> list[RecordFileRead]:
    return [_file_read(f) for f in await record_service.files(session, auth_subject, record_id=record_id)]


@router.post(
    "/{record_id}/files",
    response_model=RecordFileRead,
    status_code=201,
    summary="Unggah berkas (badan permintaan mentah, dialirkan) / upload a file (raw streamed body)",
    description="Jenis berkas dibaca dari isinya / the type is read from the content. SHA-256 dihitung saat mengalir.",
)
async def upload_file(
    request: Request,
    session: ArchiveSession,
    auth_subject: Writer,
    runtime: RuntimeDep,
    record_id: uuid.UUID,
    filename: Annotated[str, Query(min_length=1, max_length=255)],
) -> RecordFileRead:
    item = await record_service.add_file(
        session, auth_subject, runtime, record_id=record_id, filename=filename, body=request.stream()
    )
    return _file_read(item)


@router.get(
    "/{record_id}/files/{file_id}", summary="Unduh berkas / download a file", response_class=StreamingResponse
)
async def download_file(
    session: ArchiveSession,
    auth_subject: Reader,
    runtime: RuntimeDep,
    record_id: uuid.UUID,
    file_id: uuid.UUID,
) -> StreamingResponse:
    item, reader = await record_service.open_file(
        session, auth_subject, runtime, record_id=record_id, file_id=file_id
    )
    return StreamingResponse(
        reader,
        media_type=item.content_type,
        headers={
            "Content-Length": str(item.size),
            "Content-Disposition": content_disposition(item.filename),
            "ETag": f'"{item.sha256}"',
            "Digest": f"sha-256={item.sha256}",
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/{record_id}/links", response_model=list[LinkRead], summary="Tautan arsip / links")
async def list_links(session: ArchiveSession, auth_subject: Reader, record_id: uuid.UUID) -> list[LinkRead]:
    return [
        LinkRead(
            id=link.id,
            from_record_id=link.from_record_id,
            to_record_id=link.to_record_id,
            relation=link.relation,
            note=link.note,
            direction=direction,
            other_title=other.title,
            other_reference_number=other.reference_number,
        )
        for link, other, direction in await record_service.links(session, auth_subject, record_id=record_id)
    ]


@router.post("/{record_id}/links", status_code=201, summary="Tautkan arsip / link two records")
async def create_link(
    session: ArchiveSession, auth_subject: Writer, record_id: uuid.UUID, body: LinkCreate
) -> dict[str, Any]:
    link = await record_service.add_link(session, auth_subject, record_id=record_id, data=body)
    return {
        "id": str(link.id),
        "from_record_id": str(link.from_record_id),
        "to_record_id": str(link.to_record_id),
        "relation": link.relation,
    }


@router.delete("/{record_id}/links/{link_id}", status_code=204, summary="Hapus tautan / remove a link")
async def delete_link(
    session: ArchiveSession, auth_subject: Writer, record_id: uuid.UUID, link_id: uuid.UUID
) -> None:
    await record_service.delete_link(session, auth_subject, record_id=record_id, link_id=link_id)


@router.get("/{record_id}/cases", summary="Perkara terkait / legal cases")
async def list_cases(session: ArchiveSession, auth_subject: Archivist, record_id: uuid.UUID) -> list[str]:
    return await record_service.cases(session, auth_subject, record_id=record_id)


@router.post("/{record_id}/cases", summary="Kaitkan dengan perkara / tie to a legal case")
async def link_case(
    session: ArchiveSession, auth_subject: Archivist, record_id: uuid.UUID, body: CaseLink
) -> list[str]:
    return await record_service.link_case(
        session, auth_subject, record_id=record_id, case_number=body.case_number
    )


@router.delete("/{record_id}/cases/{case_number:path}", summary="Lepas dari perkara / untie from a case")
async def unlink_case(
    session: ArchiveSession, auth_subject: Archivist, record_id: uuid.UUID, case_number: str
) -> list[str]:
    return await record_service.unlink_case(
        session, auth_subject, record_id=record_id, case_number=case_number
    )


@router.get(
    "/{record_id}/legal-holds", response_model=list[HoldRead], summary="Penahanan hukum / legal holds"
)
async def list_holds(
    session: ArchiveSession, auth_subject: Archivist, record_id: uuid.UUID
) -> list[HoldRead]:
    return [
        HoldRead.model_validate(h)
        for h in await record_service.holds(session, auth_subject, record_id=record_id)
    ]


@router.post(
    "/{record_id}/legal-holds",
    response_model=HoldRead,
    status_code=201,
    summary="Tahan arsip / place a legal hold",
)
async def place_hold(
    session: ArchiveSession, auth_subject: Archivist, record_id: uuid.UUID, body: HoldCreate
) -> HoldRead:
    return HoldRead.model_validate(
        await record_service.place_hold(session, auth_subject, record_id=record_id, reason=body.reason)
    )


@holds_router.post(
    "/legal-holds/{hold_id}/release", response_model=HoldRead, summary="Lepas penahanan / release"
)
async def release_hold(session: ArchiveSession, auth_subject: Archivist, hold_id: uuid.UUID) -> HoldRead:
    return HoldRead.model_validate(await record_service.release_hold(session, auth_subject, hold_id=hold_id))


# ---------------------------------------------------------------------------------------------- berkas


@berkas_router.post("", response_model=BerkasRead, status_code=201, summary="Buat berkas/seri/fonds")
async def create_berkas(session: ArchiveSession, auth_subject: Writer, body: BerkasCreate) -> BerkasRead:
    return BerkasRead.model_validate(await berkas_service.create(session, auth_subject, data=body))


@berkas_router.get("", response_model=Page[BerkasRead], summary="Daftar berkas / list berkas")
async def list_berkas(
    session: ArchiveSession,
    auth_subject: Reader,
    page: Paging,
    unit: Annotated[str | None, Query(max_length=300)] = None,
    kind: Annotated[str | None, Query(pattern="^(fonds|series|file)$")] = None,
    parent_id: uuid.UUID | None = None,
) -> Page[BerkasRead]:
    items, total = await berkas_service.list_berkas(
        session, auth_subject, unit=unit, kind=kind, parent_id=parent_id, pagination=page
    )
    return Page.of([BerkasRead.model_validate(i) for i in items], total, page)


@berkas_router.get("/{berkas_id}", response_model=BerkasRead, summary="Satu berkas / one berkas")
async def get_berkas(session: ArchiveSession, auth_subject: Reader, berkas_id: uuid.UUID) -> BerkasRead:
    return BerkasRead.model_validate(await berkas_service.get(session, auth_subject, berkas_id=berkas_id))


@berkas_router.get(
    "/{berkas_id}/records",
    response_model=list[RecordRead],
    summary="Arsip dalam berkas (dan turunannya) yang boleh Anda lihat / records in it you may see",
)
async def berkas_records(
    session: ArchiveSession, auth_subject: Reader, berkas_id: uuid.UUID
) -> list[RecordRead]:
    _, _, by_berkas = await berkas_service.tree(session, auth_subject, berkas_id=berkas_id)
    return [RecordRead.model_validate(r) for records in by_berkas.values() for r in records]
