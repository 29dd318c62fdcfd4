"""HTTP routes for stock-taking (stock opname): staff only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import StreamingResponse
from starlette.datastructures import UploadFile

from catalog.checks import ActionCheck, DryRun, action_check, refuse_if
from catalog.deps import SessionmakerDep, Staff
from catalog.models import ScanResult, Stocktake, StocktakeStatus
from catalog.stocktake.report import report_csv, report_pdf
from catalog.stocktake.schemas import (
    BatchReport,
    CloseRequest,
    EntryRead,
    ScanCreate,
    ScanOutcome,
    StocktakeCreate,
    StocktakeRead,
)
from catalog.stocktake.service import (
    ACTION_CLOSE,
    ACTION_OPEN,
    ACTION_SCAN,
    BATCH_MAX_BYTES,
    stocktake_service,
)
from catalog.uploads import check_declared_length
from pusip_kit.deps import SessionDep
from pusip_kit.errors import PayloadTooLarge, Unprocessable
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(prefix="/stocktakes", tags=["stock opname / stock-taking"])


async def _read(session: SessionDep, stocktake: Stocktake) -> StocktakeRead:
    summary = await stocktake_service.summary(session, stocktake)
    name = await stocktake_service.branch_name(session, stocktake.branch_code)
    return StocktakeRead.of(stocktake, summary, name)


@router.get("", response_model=Page[StocktakeRead], summary="Daftar sesi stock opname / stock-take sessions")
async def list_stocktakes(
    session: SessionDep,
    auth_subject: Staff,
    page: Annotated[PaginationParams, Depends(pagination)],
    branch: str | None = None,
    status: StocktakeStatus | None = None,
) -> Page[StocktakeRead]:
    rows, total = await stocktake_service.list(
        session, auth_subject, pagination=page, branch=branch, status=status.value if status else None
    )
    return Page.of([await _read(session, s) for s in rows], total, page)


@router.post(
    "",
    status_code=201,
    response_model=StocktakeRead | ActionCheck,
    summary="Buka sesi stock opname / open a stock-take session",
    description="Ditolak bila cabang tidak dikenal (`branch_unknown`) atau tidak aktif (`branch_inactive`), "
    "petugas tidak ditugaskan di cabang itu (`branch_not_assigned`), atau sesi lain masih berjalan untuk rak "
    "yang sama (`stocktake_already_running`). / Refused for an unknown or inactive branch, staff not assigned "
    "to it, or another session still counting the same shelves. `?dry_run=true` only checks.",
)
async def open_stocktake(
    session: SessionDep,
    auth_subject: Staff,
    body: StocktakeCreate,
    response: Response,
    dry_run: DryRun = False,
) -> StocktakeRead | ActionCheck:
    if dry_run:
        response.status_code = 200
        return action_check(ACTION_OPEN, await stocktake_service.check_open(session, auth_subject, data=body))
    stocktake = await stocktake_service.open(session, auth_subject, data=body)
    response.headers["Location"] = f"/stocktakes/{stocktake.id}"
    return await _read(session, stocktake)


@router.get(
    "/{stocktake_id}", response_model=StocktakeRead, summary="Satu sesi dan ringkasannya / one session"
)
async def get_stocktake(session: SessionDep, auth_subject: Staff, stocktake_id: uuid.UUID) -> StocktakeRead:
    return await _read(session, await stocktake_service.get(session, auth_subject, stocktake_id=stocktake_id))


@router.post(
    "/{stocktake_id}/scans",
    response_model=ScanOutcome | ActionCheck,
    summary="Pindai satu barkode / scan one barcode",
    description="Hasil: `found`, `misplaced` (milik cabang/lokasi lain), `unexpected` (barkode tak dikenal); "
    "pindai ulang dihitung, tidak ditolak. Ditolak bila sesi sudah ditutup (`stocktake_closed`). / The verdict "
    "comes back at once; a repeat is counted, not refused; refused when the session is closed.",
)
async def scan(
    session: SessionDep,
    auth_subject: Staff,
    stocktake_id: uuid.UUID,
    body: ScanCreate,
    dry_run: DryRun = False,
) -> ScanOutcome | ActionCheck:
    if dry_run:
        stocktake = await stocktake_service.get(session, auth_subject, stocktake_id=stocktake_id)
        reasons = await stocktake_service.check_scan(session, auth_subject, stocktake=stocktake)
        preview = await stocktake_service.preview_scan(session, stocktake, body.barcode)
        return action_check(ACTION_SCAN, reasons, stocktake.id, preview)
    return await stocktake_service.scan(
        session, auth_subject, stocktake_id=stocktake_id, barcode=body.barcode
    )


async def _batch_bytes(request: Request) -> bytes:
    check_declared_length(request, BATCH_MAX_BYTES)
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=5)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Unprocessable(
                "Isian berkas 'file' tidak ada", "The 'file' part is missing", code="file_missing"
            )
        data = await upload.read(BATCH_MAX_BYTES + 1)
    else:
        buffer = bytearray()
        async for chunk in request.stream():
            buffer += chunk
            if len(buffer) > BATCH_MAX_BYTES:
                break
        data = bytes(buffer)
    if len(data) > BATCH_MAX_BYTES:
        raise PayloadTooLarge(
            f"Berkas pindaian melebihi {BATCH_MAX_BYTES} bita",
            f"The scan file exceeds {BATCH_MAX_BYTES} bytes",
            code="payload_too_large",
            details={"max_size": BATCH_MAX_BYTES},
        )
    if not data.strip():
        raise Unprocessable("Berkas kosong", "The file is empty", code="file_empty")
    return data


@router.post(
    "/{stocktake_id}/scans/batch",
    response_model=BatchReport,
    summary="Pindai banyak barkode dari berkas / scan a file of barcodes",
    description="Berkas teks satu barkode per baris, atau CSV (kolom `barcode`/`barkode` bila ada tajuk, "
    "jika tidak kolom pertama), sebagai `multipart/form-data` (`file`) atau badan mentah; maks. 2 MiB, "
    "20.000 baris. / One barcode per line or CSV; multipart `file` or the raw body.",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
                "text/plain": {"schema": {"type": "string"}},
            }
        }
    },
)
async def scan_batch(
    request: Request, session: SessionDep, auth_subject: Staff, stocktake_id: uuid.UUID
) -> BatchReport:
    stocktake = await stocktake_service.get(session, auth_subject, stocktake_id=stocktake_id)
    refuse_if(await stocktake_service.check_scan(session, auth_subject, stocktake=stocktake))
    data = await _batch_bytes(request)
    return await stocktake_service.scan_batch(session, auth_subject, stocktake_id=stocktake_id, data=data)


@router.get(
    "/{stocktake_id}/entries",
    response_model=Page[EntryRead],
    summary="Hasil per barkode / the result per barcode",
    description="`result=missing` sebelum sesi ditutup: eksemplar yang belum dipindai. / Before closing, "
    "`result=missing` lists the items not scanned yet.",
)
async def list_entries(
    session: SessionDep,
    auth_subject: Staff,
    stocktake_id: uuid.UUID,
    page: Annotated[PaginationParams, Depends(pagination)],
    result: ScanResult | None = None,
) -> Page[EntryRead]:
    stocktake = await stocktake_service.get(session, auth_subject, stocktake_id=stocktake_id)
    rows, total = await stocktake_service.entries(
        session, auth_subject, stocktake=stocktake, pagination=page, result=result
    )
    return Page.of(rows, total, page)


@router.post(
    "/{stocktake_id}/close",
    response_model=StocktakeRead | ActionCheck,
    summary="Tutup sesi / close the session",
    description="Mencatat eksemplar hilang dan membekukan hitungan. Ditolak bila sudah ditutup "
    "(`stocktake_closed`) atau belum ada pindaian (`stocktake_empty`). `update_statuses` menandai yang hilang "
    "sebagai `missing` dan yang ditemukan kembali sebagai `available`. / Writes down the missing items and "
    "freezes the counts; `?dry_run=true` checks and previews the counts.",
)
async def close_stocktake(
    session: SessionDep,
    auth_subject: Staff,
    stocktake_id: uuid.UUID,
    body: Annotated[CloseRequest | None, Body()] = None,
    dry_run: DryRun = False,
) -> StocktakeRead | ActionCheck:
    if dry_run:
        stocktake = await stocktake_service.get(session, auth_subject, stocktake_id=stocktake_id)
        reasons = await stocktake_service.check_close(session, auth_subject, stocktake=stocktake)
        summary = await stocktake_service.summary(session, stocktake)
        return action_check(ACTION_CLOSE, reasons, stocktake.id, summary.model_dump())
    outcome = await stocktake_service.close(
        session, auth_subject, stocktake_id=stocktake_id, data=body or CloseRequest()
    )
    return await _read(session, outcome.stocktake)


@router.get(
    "/{stocktake_id}/report.pdf",
    summary="Berita acara stock opname (PDF) / the report as PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def report_as_pdf(session: SessionDep, auth_subject: Staff, stocktake_id: uuid.UUID) -> Response:
    stocktake = await stocktake_service.get(session, auth_subject, stocktake_id=stocktake_id)
    summary = await stocktake_service.summary(session, stocktake)
    name = await stocktake_service.branch_name(session, stocktake.branch_code)
    body = await report_pdf(session, stocktake, summary, name)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="stock-opname-{stocktake.number}.pdf"'},
    )


@router.get(
    "/{stocktake_id}/report.csv",
    summary="Hasil lengkap per barkode (CSV) / every barcode as CSV",
    response_class=StreamingResponse,
)
async def report_as_csv(
    session: SessionDep, auth_subject: Staff, sessionmaker: SessionmakerDep, stocktake_id: uuid.UUID
) -> StreamingResponse:
    stocktake = await stocktake_service.get(session, auth_subject, stocktake_id=stocktake_id)
    return StreamingResponse(
        report_csv(sessionmaker, stocktake.id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="stock-opname-{stocktake.number}.csv"'},
    )
