"""HTTP routes for libraries: authentication and request/response shapes only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from accreditation.deps import Anyone, DryRun, Editor, Officer, Reader, SettingsDep
from accreditation.files import read_small_body
from accreditation.libraries.schemas import (
    AccreditationDue,
    AccreditationRecordCreate,
    AccreditationRecordRead,
    ImportReport,
    LibraryCreate,
    LibraryProfile,
    LibraryRead,
    LibraryUpdate,
    PublicLibrary,
    RefreshStatus,
    StaffCreate,
    StaffRead,
    StaffUpdate,
)
from accreditation.libraries.service import TABLE_COLUMNS, library_service, staff_read
from accreditation.models import JakartaCity, LibrarySegment, LibraryType
from accreditation.tabular import TableFormat, read_table, table_download
from pusip_kit.deps import SessionDep
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(prefix="/libraries", tags=["perpustakaan / libraries"])
public_router = APIRouter(prefix="/public/libraries", tags=["publik / public"])


@router.get("", response_model=Page[LibraryRead], summary="Daftar perpustakaan / list libraries")
async def list_libraries(
    session: SessionDep,
    auth_subject: Reader,
    page: Annotated[PaginationParams, Depends(pagination)],
    type: Annotated[LibraryType | None, Query(description="Jenis / type")] = None,
    city: Annotated[JakartaCity | None, Query(description="Kota / city")] = None,
    segment: Annotated[LibrarySegment | None, Query(description="Segmen / segment")] = None,
    active: Annotated[bool | None, Query(description="Aktif / active")] = None,
    has_npp: Annotated[bool | None, Query(description="Sudah ber-NPP / has an NPP")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Nama, kode, lembaga induk, wilayah, NPP")
    ] = None,
) -> Page[LibraryRead]:
    items, total = await library_service.list(
        session,
        auth_subject,
        pagination=page,
        type=type.value if type else None,
        city=city.value if city else None,
        segment=segment.value if segment else None,
        active=active,
        has_npp=has_npp,
        query=q.strip() if q else None,
    )
    return Page.of([LibraryRead.model_validate(x) for x in items], total, page)


@router.get(
    "/export",
    summary="Ekspor perpustakaan (CSV/XLSX) / export libraries",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        }
    },
)
async def export_libraries(
    session: SessionDep,
    auth_subject: Reader,
    format: Annotated[TableFormat, Query(description="csv | xlsx")] = TableFormat.CSV,
    type: Annotated[LibraryType | None, Query()] = None,
    city: Annotated[JakartaCity | None, Query()] = None,
    segment: Annotated[LibrarySegment | None, Query()] = None,
    active: Annotated[bool | None, Query()] = None,
) -> Response:
    rows = await library_service.export_rows(
        session,
        auth_subject,
        type=type.value if type else None,
        city=city.value if city else None,
        segment=segment.value if segment else None,
        active=active,
    )
    fmt = TableFormat.CSV if format is TableFormat.JSON else format
    return table_download(TABLE_COLUMNS, rows, format=fmt, filename="perpustakaan", title="Perpustakaan")


@router.post(
    "/import",
    response_model=ImportReport,
    summary="Impor perpustakaan (CSV/XLSX) / import libraries",
    description="Berkas CSV atau XLSX (multipart `file` atau isi mentah) dengan kolom seperti ekspor; "
    "baris dengan kode yang sudah ada memperbarui perpustakaan itu (sel kosong dibiarkan). Hasil per baris. / "
    "A CSV or XLSX file with the export's columns; an existing code updates that library (blank cells "
    "are left as they are). One result per row; `dry_run` changes nothing.",
)
async def import_libraries(
    request: Request,
    session: SessionDep,
    auth_subject: Officer,
    settings: SettingsDep,
    dry_run: DryRun = False,
) -> ImportReport:
    data, _ = await read_small_body(request, max_size=settings.import_max_bytes)
    _, rows = read_table(data)
    return await library_service.import_rows(session, auth_subject, rows=rows, dry_run=dry_run)


@router.get(
    "/refresh-due",
    response_model=list[RefreshStatus],
    summary="Belum memperbarui data tahun ini / libraries yet to confirm their data this year",
)
async def refresh_due(
    session: SessionDep,
    auth_subject: Officer,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> list[RefreshStatus]:
    return await library_service.refresh_status(session, auth_subject, year=year or datetime.now(UTC).year)


@router.get(
    "/accreditation-due",
    response_model=list[AccreditationDue],
    summary="Jatuh tempo reakreditasi / re-accreditation due",
)
async def accreditation_due(
    session: SessionDep,
    auth_subject: Reader,
    within_days: Annotated[int, Query(ge=0, le=3650, description="Dalam N hari / within N days")] = 180,
) -> list[AccreditationDue]:
    return await library_service.accreditation_due(session, auth_subject, within_days=within_days)


@router.get("/{code}", response_model=LibraryRead, summary="Satu perpustakaan / one library")
async def get_library(session: SessionDep, auth_subject: Reader, code: str) -> LibraryRead:
    return LibraryRead.model_validate(await library_service.get(session, auth_subject, code=code))


@router.get(
    "/{code}/profile",
    response_model=LibraryProfile,
    summary="Profil lengkap: tenaga, riwayat akreditasi / full profile: staff, accreditation history",
)
async def get_profile(session: SessionDep, auth_subject: Reader, code: str) -> LibraryProfile:
    library = await library_service.get(session, auth_subject, code=code)
    library_service.check_see_internal(auth_subject, library)
    _, staff = await library_service.list_staff(session, auth_subject, code=code)
    records = await library_service.accreditations(session, auth_subject, code=code)
    today = datetime.now(UTC).date()
    current = library_service.current_accreditation(records, today)
    confirmed = library.data_confirmed_at
    return LibraryProfile(
        library=LibraryRead.model_validate(library),
        staff=[staff_read(s, today) for s in staff],
        staff_summary=library_service.staff_summary(staff, today),
        accreditations=[AccreditationRecordRead.model_validate(r) for r in records],
        current_accreditation=AccreditationRecordRead.model_validate(current) if current else None,
        refresh_due=library.active and (confirmed is None or confirmed.year < today.year),
    )


@router.post("", response_model=LibraryRead, status_code=201, summary="Tambah perpustakaan / add a library")
async def create_library(session: SessionDep, auth_subject: Officer, body: LibraryCreate) -> LibraryRead:
    return LibraryRead.model_validate(await library_service.create(session, auth_subject, data=body))


@router.patch("/{code}", response_model=LibraryRead, summary="Ubah profil / update a library")
async def update_library(
    session: SessionDep, auth_subject: Editor, code: str, body: LibraryUpdate
) -> LibraryRead:
    return LibraryRead.model_validate(
        await library_service.update(session, auth_subject, code=code, data=body)
    )


@router.post(
    "/{code}/confirm",
    response_model=LibraryRead,
    summary="Konfirmasi data masih benar (pemutakhiran tahunan) / confirm the profile is current",
)
async def confirm_library(session: SessionDep, auth_subject: Editor, code: str) -> LibraryRead:
    return LibraryRead.model_validate(await library_service.confirm(session, auth_subject, code=code))


# -- staff -----------------------------------------------------------------------------------------


@router.get("/{code}/staff", response_model=list[StaffRead], summary="Tenaga perpustakaan / staff")
async def list_staff(session: SessionDep, auth_subject: Reader, code: str) -> list[StaffRead]:
    _, staff = await library_service.list_staff(session, auth_subject, code=code)
    return [staff_read(s) for s in staff]


@router.post("/{code}/staff", response_model=StaffRead, status_code=201, summary="Tambah tenaga / add staff")
async def add_staff(session: SessionDep, auth_subject: Editor, code: str, body: StaffCreate) -> StaffRead:
    return staff_read(await library_service.add_staff(session, auth_subject, code=code, data=body))


@router.patch("/{code}/staff/{staff_id}", response_model=StaffRead, summary="Ubah tenaga / update staff")
async def update_staff(
    session: SessionDep, auth_subject: Editor, code: str, staff_id: uuid.UUID, body: StaffUpdate
) -> StaffRead:
    return staff_read(
        await library_service.update_staff(session, auth_subject, code=code, staff_id=staff_id, data=body)
    )


@router.delete("/{code}/staff/{staff_id}", status_code=204, summary="Hapus tenaga / remove staff")
async def delete_staff(session: SessionDep, auth_subject: Editor, code: str, staff_id: uuid.UUID) -> Response:
    await library_service.delete_staff(session, auth_subject, code=code, staff_id=staff_id)
    return Response(status_code=204)


# -- accreditation history -------------------------------------------------------------------------


@router.get(
    "/{code}/accreditations",
    response_model=list[AccreditationRecordRead],
    summary="Riwayat akreditasi / accreditation history",
)
async def list_accreditations(
    session: SessionDep, auth_subject: Reader, code: str
) -> list[AccreditationRecordRead]:
    records = await library_service.accreditations(session, auth_subject, code=code)
    return [AccreditationRecordRead.model_validate(r) for r in records]


@router.post(
    "/{code}/accreditations",
    response_model=AccreditationRecordRead,
    status_code=201,
    summary="Catat akreditasi terdahulu / record a past accreditation",
)
async def add_accreditation(
    session: SessionDep, auth_subject: Officer, code: str, body: AccreditationRecordCreate
) -> AccreditationRecordRead:
    record = await library_service.add_accreditation(session, auth_subject, code=code, data=body)
    return AccreditationRecordRead.model_validate(record)


# -- the public directory --------------------------------------------------------------------------


@public_router.get(
    "",
    response_model=Page[PublicLibrary],
    summary="Direktori perpustakaan (publik) / public library directory",
    description="Tanpa token: perpustakaan aktif dengan alamat, jam buka dan peringkat akreditasi yang "
    "berlaku. / No token needed: active libraries with address, opening hours and the grade in force.",
)
async def public_libraries(
    session: SessionDep,
    auth_subject: Anyone,
    page: Annotated[PaginationParams, Depends(pagination)],
    type: Annotated[LibraryType | None, Query(description="Jenis / type")] = None,
    city: Annotated[JakartaCity | None, Query(description="Kota / city")] = None,
    segment: Annotated[LibrarySegment | None, Query(description="Segmen / segment")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Nama, kode, lembaga induk, wilayah")] = None,
) -> Page[PublicLibrary]:
    items, total = await library_service.public_list(
        session,
        pagination=page,
        type=type.value if type else None,
        city=city.value if city else None,
        segment=segment.value if segment else None,
        query=q.strip() if q and q.strip() else None,
    )
    return Page.of(items, total, page)
