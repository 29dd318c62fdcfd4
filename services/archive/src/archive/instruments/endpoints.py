"""HTTP routes for instrument sets (classification + JRA + SKKAAD as versioned data)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response

from archive.deps import ArchiveSession
from archive.instruments.schemas import (
    AccessGroundRead,
    ActivateRequest,
    CloneRequest,
    InstrumentCodeCreate,
    InstrumentCodeRead,
    InstrumentCodeUpdate,
    InstrumentSetRead,
    ProblemFormat,
    ProblemRead,
    ProblemSummary,
    ResolvedSchedule,
)
from archive.instruments.service import MAX_SOURCE_BYTES, SourceFile, instrument_service
from pusip_kit.auth.fastapi import authenticated, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.errors import BadRequest
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(prefix="/instrument-sets", tags=["instrumen kearsipan / records instruments"])
grounds_router = APIRouter(tags=["instrumen kearsipan / records instruments"])

Reader = Annotated[AuthSubject, Depends(authenticated)]
Writer = Annotated[AuthSubject, Depends(require_roles(Role.ARCHIVIST, Role.ADMIN))]
Paging = Annotated[PaginationParams, Depends(pagination)]


@router.get("", response_model=Page[InstrumentSetRead], summary="Daftar set instrumen / list instrument sets")
async def list_sets(session: ArchiveSession, auth_subject: Reader, page: Paging) -> Page[InstrumentSetRead]:
    items, total = await instrument_service.list_sets(session, auth_subject, pagination=page)
    return Page.of([InstrumentSetRead.model_validate(i) for i in items], total, page)


@router.post(
    "/import",
    response_model=InstrumentSetRead,
    status_code=201,
    summary="Impor berkas klasifikasi dan JRA / import classification and JRA files",
    description=(
        "Berkas: skema klasifikasi `.csv` (OpenSID: id,kode,nama,uraian,enabled) atau `.sql` (SIMPEL "
        "`ref_klasifikasi`), dan jadwal `.json` (JRA + SKKAAD: kode, retensiAktif, retensiInaktif, "
        "nasibAkhir, keamanan). Skema pertama menjadi dasar; jadwal ditumpangkan. Hasilnya set draf beserta "
        "laporan masalah.\n\nFiles: a classification scheme (.csv/.sql) and schedules (.json). The first "
        "scheme is the base, schedules are laid over it. The result is a draft set with its problem report."
    ),
)
async def import_set(
    session: ArchiveSession,
    auth_subject: Writer,
    name: Annotated[str, Form(min_length=2, max_length=100)],
    version: Annotated[str, Form(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][\w.\-]*$")],
    files: Annotated[list[UploadFile], File(description="Berkas instrumen / instrument files")],
    description: Annotated[str | None, Form(max_length=5000)] = None,
) -> InstrumentSetRead:
    sources = []
    for upload in files:
        data = await upload.read(MAX_SOURCE_BYTES + 1)
        if len(data) > MAX_SOURCE_BYTES:
            raise BadRequest(
                f"Berkas {upload.filename} terlalu besar",
                f"File {upload.filename} is too large",
                code="instrument_file_too_large",
                details={"max_bytes": MAX_SOURCE_BYTES},
            )
        sources.append(SourceFile(upload.filename or "berkas", data))
    item = await instrument_service.import_files(
        session, auth_subject, name=name.strip(), version=version, sources=sources, description=description
    )
    return InstrumentSetRead.model_validate(item)


@router.get("/active", response_model=InstrumentSetRead, summary="Set yang berlaku / the active set")
async def get_active(session: ArchiveSession, auth_subject: Reader) -> InstrumentSetRead:
    item = await instrument_service.active(session)
    if item is None:
        from archive.instruments.service import set_not_found

        raise set_not_found("active")
    return InstrumentSetRead.model_validate(item)


@router.get("/{set_id}", response_model=InstrumentSetRead, summary="Satu set / one set")
async def get_set(session: ArchiveSession, auth_subject: Reader, set_id: uuid.UUID) -> InstrumentSetRead:
    return InstrumentSetRead.model_validate(
        await instrument_service.get(session, auth_subject, set_id=set_id)
    )


@router.post(
    "/{set_id}/activate",
    response_model=InstrumentSetRead,
    summary="Berlakukan set (dry_run: periksa saja) / activate a set (dry_run: check only)",
)
async def activate_set(
    session: ArchiveSession,
    auth_subject: Writer,
    set_id: uuid.UUID,
    body: ActivateRequest | None = None,
    dry_run: Annotated[bool, Query()] = False,
) -> InstrumentSetRead:
    item = await instrument_service.activate(
        session,
        auth_subject,
        set_id=set_id,
        acknowledge_problems=bool(body and body.acknowledge_problems),
        dry_run=dry_run,
    )
    return InstrumentSetRead.model_validate(item)


@router.post(
    "/{set_id}/clone",
    response_model=InstrumentSetRead,
    status_code=201,
    summary="Salin menjadi versi draf baru / clone into a new draft version",
)
async def clone_set(
    session: ArchiveSession, auth_subject: Writer, set_id: uuid.UUID, body: CloneRequest
) -> InstrumentSetRead:
    item = await instrument_service.clone(
        session, auth_subject, set_id=set_id, version=body.version, description=body.description
    )
    return InstrumentSetRead.model_validate(item)


@router.get("/{set_id}/codes", response_model=Page[InstrumentCodeRead], summary="Kode dalam set / codes")
async def list_codes(
    session: ArchiveSession,
    auth_subject: Reader,
    set_id: uuid.UUID,
    page: Paging,
    parent_code: Annotated[str | None, Query(max_length=64)] = None,
    root: Annotated[bool, Query()] = False,
    q: Annotated[str | None, Query(max_length=200, description="Kode atau judul / code or title")] = None,
    security_level: Annotated[str | None, Query(max_length=20)] = None,
    disposition: Annotated[str | None, Query(max_length=20)] = None,
) -> Page[InstrumentCodeRead]:
    items, total = await instrument_service.list_codes(
        session,
        auth_subject,
        set_id=set_id,
        pagination=page,
        parent_code=parent_code,
        roots_only=root,
        query=q.strip() if q else None,
        security_level=security_level,
        disposition=disposition,
    )
    return Page.of([InstrumentCodeRead.model_validate(i) for i in items], total, page)


@router.post("/{set_id}/codes", response_model=InstrumentCodeRead, status_code=201, summary="Tambah kode")
async def create_code(
    session: ArchiveSession, auth_subject: Writer, set_id: uuid.UUID, body: InstrumentCodeCreate
) -> InstrumentCodeRead:
    item = await instrument_service.create_code(session, auth_subject, set_id=set_id, data=body)
    return InstrumentCodeRead.model_validate(item)


@router.get("/{set_id}/codes/{code}", response_model=InstrumentCodeRead, summary="Satu kode / one code")
async def get_code(
    session: ArchiveSession, auth_subject: Reader, set_id: uuid.UUID, code: str
) -> InstrumentCodeRead:
    item = await instrument_service.get_code(session, auth_subject, set_id=set_id, code=code.strip())
    return InstrumentCodeRead.model_validate(item)


@router.get(
    "/{set_id}/codes/{code}/resolved",
    response_model=ResolvedSchedule,
    summary="Yang diwarisi arsip dengan kode ini / what a record under this code inherits",
)
async def resolve_code(
    session: ArchiveSession, auth_subject: Reader, set_id: uuid.UUID, code: str
) -> ResolvedSchedule:
    await instrument_service.get(session, auth_subject, set_id=set_id)
    return await instrument_service.resolve_code(session, set_id=set_id, code=code.strip())


@router.patch("/{set_id}/codes/{code}", response_model=InstrumentCodeRead, summary="Ubah kode (draf)")
async def update_code(
    session: ArchiveSession, auth_subject: Writer, set_id: uuid.UUID, code: str, body: InstrumentCodeUpdate
) -> InstrumentCodeRead:
    item = await instrument_service.update_code(
        session, auth_subject, set_id=set_id, code=code.strip(), data=body
    )
    return InstrumentCodeRead.model_validate(item)


@router.get(
    "/{set_id}/problems",
    response_model=None,
    summary="Laporan masalah impor (JSON atau CSV) / import problem report (JSON or CSV)",
)
async def list_problems(
    session: ArchiveSession,
    auth_subject: Reader,
    set_id: uuid.UUID,
    page: Paging,
    severity: Annotated[str | None, Query(pattern="^(error|warning|info)$")] = None,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    format: Annotated[ProblemFormat, Query(description="json (berhalaman) atau csv (semua)")] = "json",
) -> Page[ProblemRead] | Response:
    if format == "csv":
        text = await instrument_service.problems_csv(
            session, auth_subject, set_id=set_id, severity=severity, kind=kind
        )
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="masalah-instrumen-{set_id}.csv"'},
        )
    items, total = await instrument_service.problems(
        session,
        auth_subject,
        set_id=set_id,
        severity=severity,
        kind=kind,
        offset=page.offset,
        limit=page.limit,
    )
    return Page.of([ProblemRead.model_validate(i) for i in items], total, page)


@router.get("/{set_id}/problems/summary", response_model=ProblemSummary, summary="Ringkasan masalah")
async def problem_summary(session: ArchiveSession, auth_subject: Reader, set_id: uuid.UUID) -> ProblemSummary:
    return ProblemSummary.model_validate(
        await instrument_service.problem_summary(session, auth_subject, set_id=set_id)
    )


@grounds_router.get(
    "/access-grounds",
    response_model=list[AccessGroundRead],
    summary="Dasar penutupan akses (UU 43/2009 ps. 44) / grounds for closing access",
)
async def list_grounds(session: ArchiveSession) -> list[AccessGroundRead]:
    return [AccessGroundRead.model_validate(g) for g in await instrument_service.grounds(session)]
