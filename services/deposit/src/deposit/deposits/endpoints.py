"""HTTP routes for deposits: intake, the officer's queue and decisions, receipts, reading."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from deposit.common import actor
from deposit.deposits.schemas import (
    AccessLogRead,
    BibliographyEntry,
    CounterIntake,
    DecisionBody,
    DecisionCheck,
    DepositRead,
    MetadataFix,
    PrintedDeposit,
)
from deposit.deposits.service import (
    ACTION_ACCEPT,
    ACTION_INTAKE,
    ACTION_REJECT,
    ACTION_REQUEST_FIXES,
    copy_object_to_file,
    deposit_service,
)
from deposit.deposits.upload import DigitalIntake
from deposit.deposits.watermark import page_count, parse_pages, watermark_pdf
from deposit.models import Channel, DepositStatus
from deposit.obligations.schemas import HistoryRead
from deposit.rules import WorkKind
from pusip_kit.auth.fastapi import Authenticated, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.db import utcnow
from pusip_kit.deps import SessionDep
from pusip_kit.errors import Conflict, PayloadTooLarge
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(tags=["penyerahan / deposits"])

Member = Annotated[AuthSubject, Depends(require_roles(Role.PUBLISHER, Role.DEPOSIT_OFFICER))]
Officer = Annotated[AuthSubject, Depends(require_roles(Role.DEPOSIT_OFFICER))]
DryRun = Annotated[bool, Query(description="Hanya periksa / only check the refusals, change nothing")]
STREAM_CHUNK = 1024 * 1024


def _disposition(kind: str, filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@router.post(
    "/deposits/digital",
    response_model=DepositRead,
    status_code=201,
    summary="Serahkan karya digital / submit a digital deposit",
    description=(
        "Dua bentuk / two encodings:\n\n"
        "* `multipart/form-data`: bagian pertama `metadata` (JSON), lalu satu atau lebih berkas (`file`). / "
        "first part `metadata` (JSON), then one or more file parts.\n"
        "* badan mentah / raw body: the file itself, with `?filename=…&metadata=<JSON>`.\n\n"
        "Berkas dialirkan ke penyimpanan dengan SHA-256, jenisnya diperiksa dari isi; zip harus paket BagIt "
        "yang sah. Tanda terima bernomor langsung terbit. Unggahan yang gagal atau terputus tidak "
        "meninggalkan apa pun. / Files are streamed to storage with SHA-256 and checked by content; a zip must "
        "be a valid BagIt bag. The numbered receipt is issued at once. A failed or interrupted upload leaves "
        "nothing behind."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["metadata", "file"],
                        "properties": {
                            "metadata": {
                                "type": "string",
                                "description": "DigitalMetadata as JSON (first part)",
                            },
                            "file": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        },
                    },
                    "encoding": {"metadata": {"contentType": "application/json"}},
                },
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            },
        },
        "parameters": [
            {
                "name": "filename",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "raw body only: the file's name",
            },
            {
                "name": "metadata",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "raw body only: DigitalMetadata as JSON",
            },
        ],
    },
    responses={
        400: {"description": "invalid_filename, upload_interrupted, multipart_invalid, unsafe_archive_entry"},
        409: {"description": "refused (depositor not approved, obligation of another depositor)"},
        413: {"description": "payload_too_large"},
        415: {"description": "unsupported_file_type"},
        422: {"description": "validation_error, empty_file, bag_invalid, metadata_first, file_missing"},
    },
)
async def submit_digital(request: Request, auth_subject: Member) -> DepositRead:
    state = request.app.state
    intake = DigitalIntake(request, state.settings, state.deposit_stores, state.sessionmaker, auth_subject)
    return await intake.run()


@router.post(
    "/deposits/printed",
    response_model=DepositRead,
    status_code=201,
    summary="Nyatakan penyerahan eksemplar / announce printed copies",
    description="Status `awaiting_copies`; tanda terima terbit saat eksemplar diterima di loket. / "
    "Status `awaiting_copies`; the receipt is issued when the copies are received at the counter.",
)
async def declare_printed(session: SessionDep, auth_subject: Member, body: PrintedDeposit) -> DepositRead:
    return DepositRead.of(await deposit_service.declare_printed(session, auth_subject, data=body))


@router.post(
    "/counter/intake",
    response_model=DepositRead | DecisionCheck,
    summary="Penerimaan di loket / counter intake of copies",
    description="Petugas menerima eksemplar: untuk penyerahan yang sudah dinyatakan (`deposit_id`) atau "
    "penyerah yang datang langsung (`deposit`). Tanda terima bernomor terbit. / An officer receives copies.",
)
async def counter_intake(
    session: SessionDep, auth_subject: Officer, request: Request, body: CounterIntake, dry_run: DryRun = False
) -> DepositRead | DecisionCheck:
    if dry_run and body.deposit_id is not None:
        deposit, reasons = await deposit_service.check_intake(
            session, auth_subject, deposit_id=body.deposit_id
        )
        return DecisionCheck(
            deposit_id=deposit.id,
            action=ACTION_INTAKE,
            allowed=not reasons,
            reasons=[r.as_dict() for r in reasons],
        )
    deposit = await deposit_service.intake(session, request.app.state.settings, auth_subject, data=body)
    return DepositRead.of(deposit)


@router.get("/deposits", response_model=Page[DepositRead], summary="Daftar penyerahan / list deposits")
async def list_deposits(
    session: SessionDep,
    auth_subject: Member,
    page: Annotated[PaginationParams, Depends(pagination)],
    depositor_id: uuid.UUID | None = None,
    status: DepositStatus | None = None,
    kind: WorkKind | None = None,
    channel: Channel | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Judul, ISBN, nomor tanda terima")] = None,
) -> Page[DepositRead]:
    items, total = await deposit_service.list(
        session,
        auth_subject,
        pagination=page,
        depositor_id=depositor_id,
        status=status.value if status else None,
        kind=kind.value if kind else None,
        channel=channel.value if channel else None,
        query=q.strip() if q else None,
    )
    return Page.of([DepositRead.of(d) for d in items], total, page)


@router.get(
    "/deposits/queue",
    response_model=Page[DepositRead],
    summary="Antrean verifikasi / the officer's verification queue",
    description="Penyerahan yang menunggu verifikasi, yang paling lama diterima lebih dahulu. / "
    "Deposits waiting for verification, longest waiting first.",
)
async def verification_queue(
    session: SessionDep,
    auth_subject: Officer,
    page: Annotated[PaginationParams, Depends(pagination)],
    kind: WorkKind | None = None,
    channel: Channel | None = None,
) -> Page[DepositRead]:
    items, total = await deposit_service.list(
        session,
        auth_subject,
        pagination=page,
        status=DepositStatus.SUBMITTED.value,
        kind=kind.value if kind else None,
        channel=channel.value if channel else None,
        queue=True,
    )
    return Page.of([DepositRead.of(d) for d in items], total, page)


@router.get(
    "/bibliography",
    response_model=Page[BibliographyEntry],
    summary="Bibliografi daerah / the regional bibliography (public)",
    description="Karya yang diterima lewat serah simpan, metadata saja. / Accepted deposits, metadata only.",
)
async def regional_bibliography(
    session: SessionDep,
    page: Annotated[PaginationParams, Depends(pagination)],
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[BibliographyEntry]:
    items, total = await deposit_service.bibliography(
        session, pagination=page, query=q.strip() if q else None
    )
    entries = [
        BibliographyEntry.model_validate(
            {
                **{k: getattr(d, k) for k in BibliographyEntry.model_fields if k != "accepted_at"},
                "accepted_at": d.decided_at,
            }
        )
        for d in items
    ]
    return Page.of(entries, total, page)


@router.get("/deposits/{deposit_id}", response_model=DepositRead, summary="Satu penyerahan / one deposit")
async def get_deposit(session: SessionDep, auth_subject: Member, deposit_id: uuid.UUID) -> DepositRead:
    return DepositRead.of(await deposit_service.get(session, auth_subject, id=deposit_id))


@router.patch(
    "/deposits/{deposit_id}",
    response_model=DepositRead,
    summary="Perbaiki metadata / fix metadata (while fixes are requested)",
)
async def fix_deposit(
    session: SessionDep, auth_subject: Member, deposit_id: uuid.UUID, body: MetadataFix
) -> DepositRead:
    return DepositRead.of(await deposit_service.fix_metadata(session, auth_subject, id=deposit_id, data=body))


@router.post(
    "/deposits/{deposit_id}/resubmit",
    response_model=DepositRead,
    summary="Ajukan ulang setelah perbaikan / resubmit after fixes",
)
async def resubmit_deposit(session: SessionDep, auth_subject: Member, deposit_id: uuid.UUID) -> DepositRead:
    return DepositRead.of(await deposit_service.resubmit(session, auth_subject, id=deposit_id))


async def _decide(
    session: SessionDep,
    auth_subject: AuthSubject,
    deposit_id: uuid.UUID,
    action: str,
    body: DecisionBody | None,
    dry_run: bool,
) -> DepositRead | DecisionCheck:
    if dry_run:
        deposit, _, reasons = await deposit_service.check_decision(
            session, auth_subject, id=deposit_id, action=action
        )
        return DecisionCheck(
            deposit_id=deposit.id, action=action, allowed=not reasons, reasons=[r.as_dict() for r in reasons]
        )
    deposit = await deposit_service.decide(
        session,
        auth_subject,
        id=deposit_id,
        action=action,
        reasons=body.reasons if body else [],
        note=body.note if body else None,
    )
    return DepositRead.of(deposit)


@router.post(
    "/deposits/{deposit_id}/accept",
    response_model=DepositRead | DecisionCheck,
    summary="Terima / accept",
    description="Kewajiban dipenuhi; peristiwa `deposit.deposit.accepted` terbit (untuk karya digital setelah "
    "teks lengkapnya diekstrak). / The obligation is fulfilled; `deposit.deposit.accepted` follows.",
)
async def accept_deposit(
    session: SessionDep,
    auth_subject: Officer,
    deposit_id: uuid.UUID,
    body: Annotated[DecisionBody | None, Body()] = None,
    dry_run: DryRun = False,
) -> DepositRead | DecisionCheck:
    return await _decide(session, auth_subject, deposit_id, ACTION_ACCEPT, body, dry_run)


@router.post(
    "/deposits/{deposit_id}/request-fixes",
    response_model=DepositRead | DecisionCheck,
    summary="Minta perbaikan / request fixes (with reasons)",
)
async def request_fixes(
    session: SessionDep,
    auth_subject: Officer,
    deposit_id: uuid.UUID,
    body: Annotated[DecisionBody | None, Body()] = None,
    dry_run: DryRun = False,
) -> DepositRead | DecisionCheck:
    return await _decide(session, auth_subject, deposit_id, ACTION_REQUEST_FIXES, body, dry_run)


@router.post(
    "/deposits/{deposit_id}/reject",
    response_model=DepositRead | DecisionCheck,
    summary="Tolak / reject (with reasons)",
)
async def reject_deposit(
    session: SessionDep,
    auth_subject: Officer,
    deposit_id: uuid.UUID,
    body: Annotated[DecisionBody | None, Body()] = None,
    dry_run: DryRun = False,
) -> DepositRead | DecisionCheck:
    return await _decide(session, auth_subject, deposit_id, ACTION_REJECT, body, dry_run)


@router.get(
    "/deposits/{deposit_id}/history",
    response_model=Page[HistoryRead],
    summary="Riwayat penyerahan / a deposit's history",
)
async def deposit_history(
    session: SessionDep,
    auth_subject: Member,
    deposit_id: uuid.UUID,
    page: Annotated[PaginationParams, Depends(pagination)],
) -> Page[HistoryRead]:
    items, total = await deposit_service.history(session, auth_subject, id=deposit_id, pagination=page)
    return Page.of([HistoryRead.model_validate(h) for h in items], total, page)


@router.get(
    "/deposits/{deposit_id}/receipt",
    summary="Tanda terima (PDF) / the receipt",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, 409: {"description": "receipt_not_issued"}},
)
async def deposit_receipt(
    session: SessionDep, auth_subject: Member, request: Request, deposit_id: uuid.UUID
) -> Response:
    deposit, pdf = await deposit_service.receipt_pdf(
        session, request.app.state.settings, auth_subject, id=deposit_id
    )
    filename = (deposit.receipt_number or "tanda-terima").replace("/", "-") + ".pdf"
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": _disposition("inline", filename)}
    )


@router.get(
    "/deposits/{deposit_id}/access-log",
    response_model=Page[AccessLogRead],
    summary="Log akses berkas / who read the files",
)
async def deposit_access_log(
    session: SessionDep,
    auth_subject: Member,
    deposit_id: uuid.UUID,
    page: Annotated[PaginationParams, Depends(pagination)],
) -> Page[AccessLogRead]:
    items, total = await deposit_service.access_log(session, auth_subject, id=deposit_id, pagination=page)
    return Page.of([AccessLogRead.model_validate(e) for e in items], total, page)


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


async def _stream_file(path: Path) -> AsyncIterator[bytes]:
    handle = await anyio.to_thread.run_sync(lambda: open(path, "rb"))  # noqa: SIM115 - closed below
    try:
        while chunk := await anyio.to_thread.run_sync(handle.read, STREAM_CHUNK):
            yield chunk
    finally:
        await anyio.to_thread.run_sync(handle.close)


@router.get(
    "/deposits/{deposit_id}/files/{file_id}/download",
    summary="Baca berkas (PDF bertanda air) / read a deposited file (watermarked PDF)",
    description=(
        "Hanya untuk pengguna terautentikasi dan dicatat di log akses. PDF diberi tanda air nama/id pembaca "
        "dan waktu pada setiap halaman. PDF di atas batas ukuran hanya per rentang halaman (`pages=1-50`). / "
        "Authenticated and logged. PDFs are stamped on every page with the reader's name/id and the time; "
        "PDFs over the size limit are served as page ranges only (`pages=1-50`)."
    ),
    response_class=StreamingResponse,
    responses={413: {"description": "watermark_range_required"}},
)
async def download_file(
    session: SessionDep,
    auth_subject: Authenticated,
    request: Request,
    deposit_id: uuid.UUID,
    file_id: uuid.UUID,
    pages: Annotated[str | None, Query(pattern=r"^\d{1,6}(-\d{1,6})?$", description="mis. 1-20")] = None,
) -> StreamingResponse:
    settings = request.app.state.settings
    stores = request.app.state.deposit_stores
    deposit, file = await deposit_service.authorize_read(
        session, auth_subject, deposit_id=deposit_id, file_id=file_id
    )
    client = request.client.host if request.client else None
    log = {"client_ip": client, "user_agent": request.headers.get("user-agent")}
    if file.content_type != "application/pdf":
        await deposit_service.log_access(
            session,
            auth_subject,
            deposit=deposit,
            file=file,
            action="download",
            watermarked=False,
            pages=None,
            **log,
        )

        async def passthrough() -> AsyncIterator[bytes]:
            async with stores.files.get(file.object_key) as reader:
                async for chunk in reader:
                    yield chunk

        return StreamingResponse(
            passthrough(),
            media_type=file.content_type,
            headers={
                "Content-Disposition": _disposition("attachment", file.filename),
                "Content-Length": str(file.size),
                "Cache-Control": "private, no-store",
            },
        )
    if pages is None and file.size > settings.watermark_max_bytes:
        raise PayloadTooLarge(
            "Berkas terlalu besar untuk diberi tanda air sekaligus; unduh per rentang halaman (pages=1-50)",
            "The file is too large to watermark whole; download it by page range (pages=1-50)",
            code="watermark_range_required",
            details={"max_bytes": settings.watermark_max_bytes, "max_pages": settings.watermark_max_pages},
        )
    workdir = settings.service_dir / "tmp"
    await anyio.to_thread.run_sync(lambda: workdir.mkdir(parents=True, exist_ok=True))
    source = workdir / f"read-{uuid.uuid4().hex}.pdf"
    target = workdir / f"stamped-{uuid.uuid4().hex}.pdf"
    try:
        await copy_object_to_file(stores, file.object_key, source)
        count = await anyio.to_thread.run_sync(page_count, source)
        indexes = parse_pages(pages, count, settings.watermark_max_pages)
        when = utcnow().strftime("%Y-%m-%d %H:%M UTC")
        label = f"{auth_subject.name or actor(auth_subject)} ({auth_subject.subject}) · {when}"
        await anyio.to_thread.run_sync(lambda: watermark_pdf(source, target, label, pages=indexes))
        await anyio.to_thread.run_sync(_remove, source)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(_remove, source, target)
        raise
    await deposit_service.log_access(
        session,
        auth_subject,
        deposit=deposit,
        file=file,
        action="download",
        watermarked=True,
        pages=pages,
        **log,
    )
    size = (await anyio.to_thread.run_sync(target.stat)).st_size
    return StreamingResponse(
        _stream_file(target),
        media_type="application/pdf",
        headers={
            "Content-Disposition": _disposition("inline", file.filename),
            "Content-Length": str(size),
            "Cache-Control": "private, no-store",
        },
        background=BackgroundTask(_remove, target),
    )


@router.get(
    "/deposits/{deposit_id}/files/{file_id}/text",
    summary="Teks lengkap yang diekstrak / the extracted full text",
    description="Untuk pengindeks katalog, pustakawan dan penyerah (dicatat). / For the catalog's indexer, "
    "librarians and the depositor (logged).",
    response_class=StreamingResponse,
)
async def file_text(
    session: SessionDep,
    auth_subject: Authenticated,
    request: Request,
    deposit_id: uuid.UUID,
    file_id: uuid.UUID,
) -> StreamingResponse:
    stores = request.app.state.deposit_stores
    deposit, file = await deposit_service.authorize_read(
        session, auth_subject, deposit_id=deposit_id, file_id=file_id, text=True
    )
    if not file.text_object_key:
        raise Conflict(
            "Teks berkas ini belum atau tidak dapat diekstrak",
            "This file's text is not (or cannot be) extracted",
            code="text_not_available",
            details={"text_status": file.text_status},
        )
    client = request.client.host if request.client else None
    await deposit_service.log_access(
        session,
        auth_subject,
        deposit=deposit,
        file=file,
        action="text",
        watermarked=False,
        pages=None,
        client_ip=client,
        user_agent=request.headers.get("user-agent"),
    )
    key = file.text_object_key

    async def text() -> AsyncIterator[bytes]:
        async with stores.files.get(key) as reader:
            async for chunk in reader:
                yield chunk

    return StreamingResponse(text(), media_type="text/plain; charset=utf-8")
