"""HTTP routes for accreditation instruments."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from accreditation.checks import ActionCheck, action_check
from accreditation.deps import DryRun, Officer, Reader, SettingsDep
from accreditation.files import read_small_body
from accreditation.instruments.loader import TABLE_COLUMNS, parse_indicators
from accreditation.instruments.schemas import (
    InstrumentCreate,
    InstrumentRead,
    InstrumentSummary,
    InstrumentUpdate,
    LoadReport,
    NewVersion,
    WeightsUpdate,
)
from accreditation.instruments.service import ACTION_PUBLISH, instrument_service, read_instrument
from accreditation.models import InstrumentStatus, LibraryType
from accreditation.tabular import TableFormat, table_download
from pusip_kit.deps import SessionDep

router = APIRouter(prefix="/instruments", tags=["instrumen / instruments"])


@router.get("", response_model=list[InstrumentSummary], summary="Daftar instrumen / list instruments")
async def list_instruments(
    session: SessionDep,
    auth_subject: Reader,
    library_type: Annotated[LibraryType | None, Query(description="Jenis perpustakaan")] = None,
    status: Annotated[InstrumentStatus | None, Query()] = None,
) -> list[InstrumentSummary]:
    rows = await instrument_service.list(
        session,
        auth_subject,
        library_type=library_type.value if library_type else None,
        status=status.value if status else None,
    )
    return [InstrumentSummary.model_validate(r) for r in rows]


@router.get(
    "/current",
    response_model=InstrumentRead,
    summary="Instrumen terbit untuk suatu jenis / the published instrument of a library type",
)
async def current_instrument(
    session: SessionDep, auth_subject: Reader, library_type: Annotated[LibraryType, Query()]
) -> InstrumentRead:
    return read_instrument(
        await instrument_service.current(session, auth_subject, library_type=library_type.value)
    )


@router.post(
    "",
    response_model=InstrumentRead,
    status_code=201,
    summary="Versi instrumen baru / a new instrument version",
    description="Draf baru dengan komponen, bobot, pita nilai dan (boleh) indikator. Masalah dirinci di "
    "`error.details.problems`. / A new draft; problems are itemised in `error.details.problems`.",
)
async def create_instrument(
    session: SessionDep, auth_subject: Officer, body: InstrumentCreate
) -> InstrumentRead:
    return read_instrument(await instrument_service.create(session, auth_subject, data=body))


@router.get(
    "/{instrument_id}", response_model=InstrumentRead, summary="Satu instrumen lengkap / one instrument"
)
async def get_instrument(
    session: SessionDep, auth_subject: Reader, instrument_id: uuid.UUID
) -> InstrumentRead:
    return read_instrument(await instrument_service.get(session, auth_subject, id=instrument_id))


@router.patch("/{instrument_id}", response_model=InstrumentRead, summary="Ubah draf / update a draft")
async def update_instrument(
    session: SessionDep, auth_subject: Officer, instrument_id: uuid.UUID, body: InstrumentUpdate
) -> InstrumentRead:
    return read_instrument(
        await instrument_service.update(session, auth_subject, id=instrument_id, data=body)
    )


@router.put(
    "/{instrument_id}/weights",
    response_model=InstrumentRead,
    summary="Ubah bobot komponen / edit component weights",
    description="Hanya untuk draf yang bobotnya tidak ditetapkan naskah resmi; jumlah harus 100. / Only "
    "drafts whose weights are not the published ones; they must sum to 100.",
)
async def update_weights(
    session: SessionDep, auth_subject: Officer, instrument_id: uuid.UUID, body: WeightsUpdate
) -> InstrumentRead:
    return read_instrument(
        await instrument_service.update_weights(session, auth_subject, id=instrument_id, weights=body.weights)
    )


@router.put(
    "/{instrument_id}/indicators",
    response_model=LoadReport,
    summary="Muat teks indikator (JSON/CSV/XLSX) / load the indicator texts",
    description="Berkas JSON, CSV atau XLSX (multipart `file` atau isi mentah) yang menggantikan seluruh "
    "indikator draf. Semua masalah dirinci; `dry_run` hanya memeriksa. / Replaces every indicator of the "
    "draft; every problem is itemised; `dry_run` only checks.",
)
async def load_indicators(
    request: Request,
    session: SessionDep,
    auth_subject: Officer,
    settings: SettingsDep,
    instrument_id: uuid.UUID,
    dry_run: DryRun = False,
) -> LoadReport:
    data, _ = await read_small_body(request, max_size=settings.import_max_bytes)
    load, problems = parse_indicators(data)
    _, report = await instrument_service.load_indicators(
        session, auth_subject, id=instrument_id, load=load, problems=problems, dry_run=dry_run
    )
    return report


@router.get(
    "/{instrument_id}/indicators/template",
    summary="Templat tabel indikator (CSV/XLSX) / indicator table template",
    response_class=Response,
)
async def indicators_template(
    session: SessionDep,
    auth_subject: Reader,
    instrument_id: uuid.UUID,
    format: Annotated[TableFormat, Query(description="csv | xlsx")] = TableFormat.CSV,
) -> Response:
    instrument = await instrument_service.get(session, auth_subject, id=instrument_id)
    rows = []
    for component in instrument.components:
        indicators = component.indicators or []
        if not indicators:
            rows.append(
                [component.code, f"{component.code}.1", "", "", "", "", "", "", 5, 4, 3, 2, 1, "", "tidak"]
            )
        for i in indicators:
            letters = ("a", "b", "c", "d", "e")
            rows.append(
                [
                    component.code,
                    i.code,
                    i.text,
                    *[(i.options.get(x) or {}).get("text") or "" for x in letters],
                    *[(i.options.get(x) or {}).get("points", "") for x in letters],
                    i.evidence or "",
                    "ya" if i.evidence_required else "tidak",
                ]
            )
    fmt = TableFormat.CSV if format is TableFormat.JSON else format
    filename = f"instrumen-{instrument.library_type}-{instrument.version}"
    return table_download(TABLE_COLUMNS, rows, format=fmt, filename=filename, title="Indikator")


@router.post(
    "/{instrument_id}/publish",
    response_model=InstrumentRead | ActionCheck,
    summary="Terbitkan instrumen / publish an instrument",
    description="Versi terbit sebelumnya untuk jenis yang sama dipensiunkan; penilaian yang sudah berjalan "
    "tetap memakai versinya. / The previous published version of the type is retired; assessments keep "
    "the version they started with.",
)
async def publish_instrument(
    session: SessionDep, auth_subject: Officer, instrument_id: uuid.UUID, dry_run: DryRun = False
) -> InstrumentRead | ActionCheck:
    if dry_run:
        instrument, reasons = await instrument_service.check_publish(session, auth_subject, id=instrument_id)
        return action_check(ACTION_PUBLISH, reasons, instrument.id)
    return read_instrument(await instrument_service.publish(session, auth_subject, id=instrument_id))


@router.post(
    "/{instrument_id}/versions",
    response_model=InstrumentRead,
    status_code=201,
    summary="Salin sebagai versi baru / copy as a new version",
)
async def new_version(
    session: SessionDep, auth_subject: Officer, instrument_id: uuid.UUID, body: NewVersion
) -> InstrumentRead:
    return read_instrument(
        await instrument_service.new_version(session, auth_subject, id=instrument_id, version=body.version)
    )
