"""HTTP routes for import jobs."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from catalog.deps import RuntimeDep, SessionmakerDep, Staff
from catalog.imports.schemas import ImportFormat, ImportJobRead, ImportOptions, ImportRecordSource
from catalog.imports.service import import_service
from catalog.models import AcquisitionSource, DedupePolicy, ImportStatus, ProblemSeverity
from catalog.uploads import Upload, check_declared_length, stream_upload
from pusip_kit.deps import SessionDep
from pusip_kit.errors import Unprocessable
from pusip_kit.pagination import Page, PaginationParams, pagination
from pusip_kit.storage import ObjectStore
from pusip_kit.uow import unit_of_work

router = APIRouter(prefix="/imports", tags=["impor / imports"])

OPTION_FIELDS = {"format", "dedupe", "branch", "acquisition_source", "record_source"}


async def _discard(store: ObjectStore, key: str) -> None:
    await store.delete(key)


@router.post(
    "",
    status_code=202,
    response_model=ImportJobRead,
    summary="Unggah berkas MARC untuk diimpor / upload a MARC file to import",
    description=(
        "Badan permintaan: `multipart/form-data` dengan isian `file` (opsi boleh sebagai isian formulir) "
        "atau berkas mentah. / Body: `multipart/form-data` with a `file` part (options may also be form "
        "fields), or the raw file. The file is streamed to storage; the import runs in the background."
    ),
)
async def start_import(
    request: Request,
    response: Response,
    auth_subject: Staff,
    runtime: RuntimeDep,
    sessionmaker: SessionmakerDep,
    format: Annotated[ImportFormat | None, Query(description="Format; kosong = dikenali otomatis")] = None,
    dedupe: Annotated[DedupePolicy, Query(description="skip | replace | merge_items")] = DedupePolicy.SKIP,
    branch: Annotated[
        str | None, Query(max_length=64, description="Cabang untuk eksemplar tanpa cabang")
    ] = None,
    acquisition_source: AcquisitionSource = AcquisitionSource.UNKNOWN,
    record_source: ImportRecordSource = ImportRecordSource.IMPORT,
) -> ImportJobRead:
    settings = runtime.settings
    check_declared_length(request, settings.import_max_bytes)
    options = ImportOptions(
        format=format,
        dedupe=dedupe,
        branch=branch,
        acquisition_source=acquisition_source,
        record_source=record_source,
    )
    async with unit_of_work(sessionmaker) as session:
        await import_service.check_options(session, auth_subject, options=options)
    job_id = uuid.uuid4()
    upload = Upload()
    key = f"jobs/{job_id}/upload"
    store = runtime.imports_store
    stored = await store.put(
        key,
        stream_upload(request, upload),
        content_type="application/octet-stream",
        max_size=settings.import_max_bytes,
    )
    extra = {k: v for k, v in upload.fields.items() if v != ""}
    unknown = sorted(set(extra) - OPTION_FIELDS)
    if unknown:
        await _discard(store, key)
        raise Unprocessable(
            f"Isian tidak dikenal: {', '.join(unknown)}",
            f"Unknown fields: {', '.join(unknown)}",
            code="unknown_field",
        )
    if extra:
        try:
            options = ImportOptions.model_validate({**options.model_dump(exclude_none=True), **extra})
        except ValidationError as exc:
            await _discard(store, key)
            raise Unprocessable(
                details=[{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
            ) from exc
    if stored.size == 0:
        await _discard(store, key)
        raise Unprocessable("Berkas kosong", "The file is empty", code="file_empty")
    try:
        async with unit_of_work(sessionmaker) as session:
            await import_service.check_options(session, auth_subject, options=options)
            job = await import_service.create_job(
                session,
                auth_subject,
                job_id=job_id,
                options=options,
                filename=upload.filename,
                stored=stored,
                total_bytes=stored.size,
            )
    except BaseException:
        await _discard(store, key)
        raise
    response.headers["Location"] = f"/imports/{job.id}"
    return ImportJobRead.of(job)


@router.get("", response_model=Page[ImportJobRead], summary="Daftar pekerjaan impor / list import jobs")
async def list_imports(
    session: SessionDep,
    auth_subject: Staff,
    page: Annotated[PaginationParams, Depends(pagination)],
    status: ImportStatus | None = None,
) -> Page[ImportJobRead]:
    jobs, total = await import_service.list(
        session, auth_subject, pagination=page, status=status.value if status else None
    )
    return Page.of([ImportJobRead.of(j) for j in jobs], total, page)


@router.get(
    "/{job_id}",
    response_model=ImportJobRead,
    summary="Status dan kemajuan impor / import status and progress",
)
async def get_import(session: SessionDep, auth_subject: Staff, job_id: uuid.UUID) -> ImportJobRead:
    return ImportJobRead.of(await import_service.get(session, auth_subject, job_id=job_id))


@router.get(
    "/{job_id}/problems",
    summary="Laporan masalah impor (CSV atau JSON) / the import's problem report",
    response_class=StreamingResponse,
)
async def import_problems(
    session: SessionDep,
    auth_subject: Staff,
    sessionmaker: SessionmakerDep,
    job_id: uuid.UUID,
    format: Literal["csv", "json"] = "csv",
    severity: Annotated[list[ProblemSeverity] | None, Query(description="error, duplicate, warning")] = None,
) -> StreamingResponse:
    await import_service.get(session, auth_subject, job_id=job_id)
    severities = [s.value for s in severity] if severity else None
    if format == "json":
        body = import_service.problems_json(sessionmaker, job_id, severities)
        media, name = "application/json", f"import-{job_id}-problems.json"
    else:
        body = import_service.problems_csv(sessionmaker, job_id, severities)
        media, name = "text/csv; charset=utf-8", f"import-{job_id}-problems.csv"
    return StreamingResponse(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
