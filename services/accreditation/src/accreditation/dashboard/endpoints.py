"""HTTP routes for dashboard data: JSON (table + chart data) or the table as CSV/XLSX."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from accreditation.dashboard.schemas import DashboardTable, Summary
from accreditation.dashboard.service import dashboard_service
from accreditation.deps import Anyone, Staff
from accreditation.tabular import TableFormat, table_download
from pusip_kit.deps import SessionDep

router = APIRouter(prefix="/dashboard", tags=["dasbor / dashboard"])

Format = Annotated[TableFormat, Query(description="json (tabel + data grafik) | csv | xlsx")]
RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}
    }
}


def _out(table: DashboardTable, format: TableFormat) -> DashboardTable | Response:
    if format is TableFormat.JSON:
        return table
    return table_download(
        table.columns, table.rows, format=format, filename=f"dasbor-{table.name}", title=table.name
    )


@router.get("/summary", response_model=Summary, summary="Angka ringkas / key figures")
async def summary(session: SessionDep, auth_subject: Staff) -> Summary:
    return await dashboard_service.summary(session, auth_subject)


@router.get(
    "/libraries",
    response_model=DashboardTable,
    responses=RESPONSES,
    summary="Perpustakaan per jenis dan kota / libraries by type and city",
)
async def libraries(
    session: SessionDep, auth_subject: Anyone, format: Format = TableFormat.JSON
) -> DashboardTable | Response:
    return _out(await dashboard_service.libraries(session, auth_subject), format)


@router.get(
    "/grades",
    response_model=DashboardTable,
    responses=RESPONSES,
    summary="Sebaran peringkat akreditasi / grade distribution",
)
async def grades(
    session: SessionDep, auth_subject: Anyone, format: Format = TableFormat.JSON
) -> DashboardTable | Response:
    return _out(await dashboard_service.grades(session, auth_subject), format)


@router.get(
    "/assessments",
    response_model=DashboardTable,
    responses=RESPONSES,
    summary="Kemajuan penilaian / assessment progress",
)
async def assessments(
    session: SessionDep,
    auth_subject: Staff,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    format: Format = TableFormat.JSON,
) -> DashboardTable | Response:
    return _out(await dashboard_service.assessments(session, auth_subject, year=year), format)


@router.get(
    "/literacy",
    response_model=DashboardTable,
    responses=RESPONSES,
    summary="TGM dan IPLM per kota dan tahun / TGM and IPLM by city and year",
)
async def literacy(
    session: SessionDep,
    auth_subject: Anyone,
    year_from: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    format: Format = TableFormat.JSON,
) -> DashboardTable | Response:
    return _out(
        await dashboard_service.literacy(session, auth_subject, year_from=year_from, year_to=year_to), format
    )
