"""HTTP routes for records: the public record page, cataloguing, exports and JSON-LD."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from catalog.deps import Anyone, RuntimeDep, SessionmakerDep, Staff
from catalog.marc.export import TooLongForIso2709
from catalog.models import RecordSource
from catalog.records import export
from catalog.records.jsonld import record_jsonld
from catalog.records.repository import RecordRepository
from catalog.records.schemas import RecordRead, RecordSummary
from catalog.records.service import STAFF_ROLES, record_service
from catalog.search.audience import audience_of
from catalog.search.schemas import SearchParams
from catalog.search.service import search_service
from catalog.uploads import too_large
from pusip_kit.deps import SessionDep
from pusip_kit.errors import BadRequest, Forbidden, Unauthorized, Unprocessable
from pusip_kit.forwarded import public_base_url
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(prefix="/records", tags=["rekaman / records"])

PUBLIC_EXPORT_MAX = 1000


async def read_json_body(request: Request, limit: int) -> Any:
    """The request body as JSON, refused (413) past ``limit`` bytes without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large(limit)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise Unprocessable(
            "Badan permintaan bukan JSON yang sah", "The request body is not valid JSON", code="invalid_json",
            details={"error": str(exc)[:200]},
        ) from exc  # fmt: skip


def _if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise BadRequest(
            "If-Match harus nomor versi", "If-Match must be a version number", code="invalid_if_match"
        )
    return int(text)


async def _read(session: SessionDep, record: Any) -> RecordRead:
    holdings = await record_service.availability(session, record_id=record.id)
    names = await RecordRepository(session).branch_names()
    return RecordRead.of(record, orjson.loads(record.marc), holdings, names)


def _etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


# ----------------------------------------------------------------------------------- exports


def _download(fmt: export.ExportFormat, name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}.{export.MEDIA[fmt][1]}"'}


@router.get(
    "/export",
    summary="Ekspor hasil pencarian atau seluruh katalog / export a search result or the whole catalogue",
    response_class=StreamingResponse,
    description="Tanpa kriteria pencarian: seluruh katalog (petugas saja). With no search criteria: the "
    "whole catalogue (staff only); with criteria: the result, up to `max_records`.",
)
async def export_records(
    auth_subject: Anyone,
    runtime: RuntimeDep,
    sessionmaker: SessionmakerDep,
    params: Annotated[SearchParams, Query()],
    format: export.ExportFormat = export.ExportFormat.MARCXML,
    max_records: Annotated[int, Query(ge=1, le=100_000)] = PUBLIC_EXPORT_MAX,
) -> StreamingResponse:
    staff = auth_subject.has_role(*STAFF_ROLES)
    if params.is_empty:
        if not staff:
            if auth_subject.subject == "anonymous":
                raise Unauthorized(
                    "Ekspor seluruh katalog khusus petugas: silakan masuk",
                    "Exporting the whole catalogue is for staff: please sign in",
                    code="authentication_required",
                )
            raise Forbidden(
                "Ekspor seluruh katalog khusus petugas",
                "Exporting the whole catalogue is for staff",
                code="missing_role",
            )
        rows = export.all_rows(sessionmaker)
        name = "katalog"
    else:
        limit = min(max_records, runtime.settings.export_search_max if staff else PUBLIC_EXPORT_MAX)
        ids = await search_service.ids(
            runtime.index,
            params.model_copy(update={"page": 1}),
            maximum=limit,
            audience=audience_of(auth_subject),
        )
        rows = export.rows_by_ids(sessionmaker, [uuid.UUID(i) for i in ids])
        name = "hasil-pencarian"
    return StreamingResponse(
        export.render(format, rows), media_type=export.MEDIA[format][0], headers=_download(format, name)
    )


# ----------------------------------------------------------------------------------- staff


@router.get("", response_model=Page[RecordSummary], summary="Daftar rekaman (petugas) / list records (staff)")
async def list_records(
    session: SessionDep,
    auth_subject: Staff,
    page: Annotated[PaginationParams, Depends(pagination)],
    source: RecordSource | None = None,
    material_type: Annotated[str | None, Query(max_length=32)] = None,
    updated_since: datetime | None = None,
    include_deleted: bool = False,
) -> Page[RecordSummary]:
    records, total = await record_service.list(
        session,
        auth_subject,
        pagination=page,
        source=source.value if source else None,
        material_type=material_type,
        updated_since=updated_since,
        include_deleted=include_deleted,
    )
    return Page.of([RecordSummary.of(r) for r in records], total, page)


@router.post(
    "",
    status_code=201,
    response_model=RecordRead,
    summary="Katalogisasi: buat rekaman dari MARC-in-JSON / create a record from MARC-in-JSON",
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}, "required": True}
    },
)
async def create_record(
    request: Request,
    response: Response,
    session: SessionDep,
    auth_subject: Staff,
    runtime: RuntimeDep,
    source: Annotated[
        RecordSource, Query(description="cataloging | copy_cataloging | legal_deposit")
    ] = RecordSource.CATALOGING,
    allow_duplicate: bool = False,
) -> RecordRead:
    if source is RecordSource.IMPORT:
        raise Unprocessable(
            "Gunakan /imports untuk impor", "Use /imports to import files", code="source_invalid"
        )
    marc = await read_json_body(request, runtime.settings.marc_json_max_bytes)
    record = await record_service.create(
        session, auth_subject, marc=marc, source=source, allow_duplicate=allow_duplicate
    )
    response.headers["Location"] = f"/records/{record.id}"
    _etag(response, record.version)
    return await _read(session, record)


@router.put(
    "/{record_id}",
    response_model=RecordRead,
    summary="Ubah rekaman (MARC-in-JSON lengkap) / replace a record's MARC",
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}, "required": True}
    },
)
async def update_record(
    request: Request,
    response: Response,
    session: SessionDep,
    auth_subject: Staff,
    runtime: RuntimeDep,
    record_id: uuid.UUID,
    if_match: Annotated[str | None, Header(description="Versi yang diharapkan / expected version")] = None,
) -> RecordRead:
    expected = _if_match(if_match)
    marc = await read_json_body(request, runtime.settings.marc_json_max_bytes)
    record = await record_service.update(
        session, auth_subject, record_id=record_id, marc=marc, expected_version=expected
    )
    _etag(response, record.version)
    return await _read(session, record)


@router.delete("/{record_id}", status_code=204, summary="Hapus rekaman / delete a record")
async def delete_record(session: SessionDep, auth_subject: Staff, record_id: uuid.UUID) -> Response:
    await record_service.delete(session, auth_subject, record_id=record_id)
    return Response(status_code=204)


# ----------------------------------------------------------------------------------- public


@router.get("/{record_id}", response_model=RecordRead, summary="Halaman rekaman / a record with availability")
async def get_record(
    session: SessionDep, auth_subject: Anyone, response: Response, record_id: uuid.UUID
) -> RecordRead:
    record = await record_service.get(session, auth_subject, record_id=record_id)
    _etag(response, record.version)
    return await _read(session, record)


@router.get(
    "/{record_id}/jsonld",
    summary="Schema.org JSON-LD",
    response_class=Response,
    responses={200: {"content": {"application/ld+json": {}}}},
)
async def get_record_jsonld(
    request: Request, session: SessionDep, auth_subject: Anyone, record_id: uuid.UUID
) -> Response:
    record = await record_service.get(session, auth_subject, record_id=record_id)
    read = await _read(session, record)
    body = record_jsonld(record, read.availability, public_base_url(request))
    return Response(orjson.dumps(body), media_type="application/ld+json")


@router.get(
    "/{record_id}/export",
    summary="Ekspor satu rekaman / export one record",
    response_class=Response,
)
async def export_record(
    session: SessionDep,
    auth_subject: Anyone,
    record_id: uuid.UUID,
    format: export.ExportFormat = export.ExportFormat.MARCXML,
) -> Response:
    record = await record_service.get(session, auth_subject, record_id=record_id)
    try:
        body = export.one(format, record.id, record.marc, record.derived)
    except TooLongForIso2709 as exc:
        raise Unprocessable(
            f"Rekaman terlalu panjang untuk MARC21 biner ({exc.detail}); gunakan marcxml atau json",
            f"The record is too long for binary MARC21 ({exc.detail}); use marcxml or json",
            code="record_too_long_for_iso2709",
        ) from exc
    name = record.control_number or str(record.id)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name.strip())[:80] or str(record.id)
    return Response(body, media_type=export.MEDIA[format][0], headers=_download(format, safe))
