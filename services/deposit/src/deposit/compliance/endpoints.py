"""HTTP routes for compliance: rates, ranking, appreciation list, overdue list, charts, exports."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from deposit.common import today_local
from deposit.compliance.exports import to_csv, to_xlsx
from deposit.compliance.schemas import AppreciationList, Chart, DepositorCompliance, OverdueRow
from deposit.compliance.service import check_period, compliance_service, default_period
from deposit.models import DepositorType
from pusip_kit.auth.fastapi import CurrentSubject, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep
from pusip_kit.errors import Unauthorized

router = APIRouter(prefix="/compliance", tags=["kepatuhan / compliance"])

Member = Annotated[AuthSubject, Depends(require_roles(Role.PUBLISHER, Role.DEPOSIT_OFFICER))]
Officer = Annotated[AuthSubject, Depends(require_roles(Role.DEPOSIT_OFFICER))]
Start = Annotated[date | None, Query(description="Awal periode (jatuh tempo) / period start; default 1 Jan")]
End = Annotated[date | None, Query(description="Akhir periode / period end; default 31 Dec")]


class Granularity(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Report(StrEnum):
    RANKING = "ranking"
    APPRECIATION = "appreciation"
    OVERDUE = "overdue"


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@router.get(
    "/depositors/{depositor_id}",
    response_model=DepositorCompliance,
    summary="Tingkat kepatuhan penyerah / a depositor's compliance rate",
)
async def depositor_compliance(
    session: SessionDep, auth_subject: Member, depositor_id: uuid.UUID, start: Start = None, end: End = None
) -> DepositorCompliance:
    first, last = default_period(start, end)
    return await compliance_service.for_depositor(
        session, auth_subject, depositor_id=depositor_id, start=first, end=last
    )


@router.get(
    "/ranking",
    response_model=list[DepositorCompliance],
    summary="Peringkat kepatuhan (publik) / compliance ranking (public)",
)
async def compliance_ranking(
    session: SessionDep,
    start: Start = None,
    end: End = None,
    type: DepositorType | None = None,
    min_due: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> list[DepositorCompliance]:
    first, last = default_period(start, end)
    return await compliance_service.ranking(
        session, start=first, end=last, depositor_type=type.value if type else None, min_due=min_due
    )


@router.get(
    "/appreciation",
    response_model=AppreciationList,
    summary="Apresiasi penerbit tertib (publik) / compliant publishers (public)",
    description="Kriteria diambil dari versi aturan yang berlaku (data). / Criteria come from the rule version.",
)
async def appreciation(
    session: SessionDep, year: Annotated[int | None, Query(ge=2000, le=2200)] = None
) -> AppreciationList:
    return await compliance_service.appreciation(session, year=year or today_local().year)


@router.get("/overdue", response_model=list[OverdueRow], summary="Daftar terlambat / overdue obligations")
async def overdue(
    session: SessionDep, auth_subject: Member, depositor_id: uuid.UUID | None = None
) -> list[OverdueRow]:
    return await compliance_service.overdue(session, auth_subject, depositor_id=depositor_id)


@router.get(
    "/chart",
    response_model=Chart,
    summary="Data grafik kepatuhan / chart data",
    description="Seluruh penyerah (publik) atau satu penyerah (`depositor_id`, anggota/petugas). / All depositors "
    "(public) or one (`depositor_id`, its accounts or officers).",
)
async def chart(
    session: SessionDep,
    subject: CurrentSubject,
    start: Start = None,
    end: End = None,
    granularity: Granularity = Granularity.MONTH,
    depositor_id: uuid.UUID | None = None,
) -> Chart:
    first, last = default_period(start, end)
    if depositor_id is not None and subject.subject == "anonymous":
        raise Unauthorized(code="authentication_required")
    return await compliance_service.chart(
        session, subject, start=first, end=last, granularity=granularity.value, depositor_id=depositor_id
    )


@router.get(
    "/export",
    summary="Ekspor laporan (CSV/XLSX) / export a report",
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
async def export(
    session: SessionDep,
    auth_subject: Officer,
    report: Report,
    format: Format = Format.CSV,
    start: Start = None,
    end: End = None,
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
) -> Response:
    first, last = default_period(start, end)
    check_period(first, last)
    header: list[str]
    rows: list[list[Any]]
    if report is Report.RANKING:
        header = ["peringkat", "penyerah", "jenis", "kota", "jatuh_tempo", "dipenuhi", "tepat_waktu",
                  "tingkat_kepatuhan_persen", "tepat_waktu_persen", "terlambat_sekarang"]  # fmt: skip
        ranking = await compliance_service.ranking(session, start=first, end=last)
        rows = [
            [
                r.rank,
                r.depositor_name,
                r.depositor_type,
                r.city,
                r.rate.due,
                r.rate.fulfilled,
                r.rate.fulfilled_on_time,
                r.rate.rate,
                r.rate.on_time_rate,
                r.overdue_now,
            ]
            for r in ranking
        ]
        name = f"kepatuhan-{first.isoformat()}-{last.isoformat()}"
    elif report is Report.APPRECIATION:
        listing = await compliance_service.appreciation(session, year=year or today_local().year)
        header = ["no", "penerbit", "jenis", "kota", "jatuh_tempo", "dipenuhi", "tingkat_kepatuhan_persen",
                  "tepat_waktu_persen"]  # fmt: skip
        rows = [
            [
                p.rank,
                p.depositor_name,
                p.depositor_type,
                p.city,
                p.rate.due,
                p.rate.fulfilled,
                p.rate.rate,
                p.rate.on_time_rate,
            ]
            for p in listing.publishers
        ]
        name = f"apresiasi-penerbit-tertib-{listing.year}"
    else:
        header = [
            "penyerah",
            "judul",
            "nomor",
            "jenis",
            "terbit",
            "jatuh_tempo",
            "hari_terlambat",
            "tingkat_sanksi",
        ]
        rows = [
            [
                o.depositor_name,
                o.title,
                (o.identifier or "").split(":", 1)[-1],
                o.kind,
                o.published_on,
                o.due_on,
                o.days_overdue,
                o.warning_level,
            ]
            for o in await compliance_service.overdue(session, auth_subject)
        ]
        name = f"terlambat-{today_local().isoformat()}"
    if format is Format.CSV:
        return Response(
            to_csv(header, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return Response(
        to_xlsx(report.value, header, rows),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )
