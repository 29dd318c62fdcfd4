"""Dashboard figures, each as a table plus chart data (the portal draws the charts)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accreditation.dashboard.schemas import Chart, ChartDataset, DashboardTable, Summary
from accreditation.libraries.repository import LibraryRepository
from accreditation.literacy.repository import LiteracyRepository
from accreditation.literacy.service import literacy_service
from accreditation.models import (
    CITY_NAMES,
    OPEN_STATUSES,
    PROVINCE,
    ActivityStatus,
    Assessment,
    AssessmentStatus,
    CertificationStatus,
    GuidanceActivity,
    JakartaCity,
    Library,
    LibraryStaff,
    LibraryType,
)
from pusip_kit.auth.subject import AuthSubject

GRADES = ("A", "B", "C", "TIDAK_TERAKREDITASI", "BELUM")
AREA_NAMES = {**CITY_NAMES, PROVINCE: "Provinsi DKI Jakarta"}


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


class DashboardService:
    async def libraries(self, session: AsyncSession, auth_subject: AuthSubject) -> DashboardTable:
        counts = {(t, c): n for t, c, n in await LibraryRepository(session).count_by("type", "city")}
        types = [t.value for t in LibraryType]
        cities = [c.value for c in JakartaCity]
        rows: list[list[Any]] = []
        for type_ in types:
            row = [counts.get((type_, city), 0) for city in cities]
            rows.append([type_, *row, sum(row)])
        totals = [sum(counts.get((t, c), 0) for t in types) for c in cities]
        rows.append(["jumlah", *totals, sum(totals)])
        return DashboardTable(
            name="libraries",
            title="Perpustakaan aktif per jenis dan kota",
            title_en="Active libraries by type and city",
            columns=["type", *cities, "total"],
            rows=rows,
            chart=Chart(
                type="bar",
                labels=cities,
                datasets=[
                    ChartDataset(label=t, data=[counts.get((t, c), 0) for c in cities])
                    for t in types
                    if any(counts.get((t, c), 0) for c in cities)
                ],
            ),
        )

    async def grades(
        self, session: AsyncSession, auth_subject: AuthSubject, *, today: date | None = None
    ) -> DashboardTable:
        """Each active library's current standing: its latest accreditation if still valid, else
        'BELUM' (none, or expired)."""
        today = today or datetime.now(UTC).date()
        repository = LibraryRepository(session)
        latest = {lib.id: rec for lib, rec in await repository.latest_accreditations()}
        table: dict[str, Counter[str]] = defaultdict(Counter)
        for library in await repository.all(active=True):
            record = latest.get(library.id)
            valid = record is not None and (record.valid_until is None or record.valid_until >= today)
            table[library.type][record.grade if valid and record else "BELUM"] += 1
        types = [t.value for t in LibraryType]
        rows = [[t, *[table[t][g] for g in GRADES], sum(table[t].values())] for t in types]
        totals = [sum(table[t][g] for t in types) for g in GRADES]
        rows.append(["jumlah", *totals, sum(totals)])
        return DashboardTable(
            name="grades",
            title="Sebaran peringkat akreditasi (berlaku) per jenis perpustakaan",
            title_en="Distribution of (valid) accreditation grades by library type",
            columns=["type", *GRADES, "total"],
            rows=rows,
            chart=Chart(
                type="pie", labels=list(GRADES), datasets=[ChartDataset(label="jumlah", data=list(totals))]
            ),
        )

    async def assessments(
        self, session: AsyncSession, auth_subject: AuthSubject, *, year: int | None
    ) -> DashboardTable:
        statement = select(Assessment.mode, Assessment.status, Library.city, func.count()).join(
            Library, Library.id == Assessment.library_id
        )
        if year is not None:
            statement = statement.where(Assessment.year == year)
        result = await session.execute(statement.group_by(Assessment.mode, Assessment.status, Library.city))
        counts: dict[tuple[str, str, str], int] = {(m, s, c): int(n) for m, s, c, n in result.all()}
        statuses = [s.value for s in AssessmentStatus]
        cities = [c.value for c in JakartaCity]
        modes = sorted({m for m, _, _ in counts} or {"akreditasi"})
        rows: list[list[Any]] = []
        for mode in modes:
            for city in cities:
                row = [counts.get((mode, s, city), 0) for s in statuses]
                if any(row):
                    rows.append([mode, city, *row, sum(row)])
        return DashboardTable(
            name="assessments",
            title=f"Kemajuan penilaian{f' tahun {year}' if year else ''} per status",
            title_en=f"Assessment progress{f' in {year}' if year else ''} by status",
            columns=["mode", "city", *statuses, "total"],
            rows=rows,
            chart=Chart(
                type="bar",
                labels=statuses,
                datasets=[
                    ChartDataset(
                        label=mode, data=[sum(counts.get((mode, s, c), 0) for c in cities) for s in statuses]
                    )
                    for mode in modes
                ],
            ),
        )

    async def literacy(
        self, session: AsyncSession, auth_subject: AuthSubject, *, year_from: int | None, year_to: int | None
    ) -> DashboardTable:
        repository = LiteracyRepository(session)
        years = sorted(
            {s.year for s in await repository.surveys_with_years(year_from=year_from, year_to=year_to)}
            | {r.year for r in await repository.results(year_from=year_from, year_to=year_to)}
        )
        tgm: dict[tuple[int, str], Any] = {}
        for year in years:
            result = await literacy_service.tgm_year(session, auth_subject, year=year)
            for score in [*result.cities, *([result.province] if result.province else [])]:
                tgm[(year, score.area)] = score
        iplm = {(r.year, r.area): r for r in await repository.results(year_from=year_from, year_to=year_to)}
        areas = [*[c.value for c in JakartaCity], PROVINCE]
        rows: list[list[Any]] = []
        for year in years:
            for area in areas:
                t, i = tgm.get((year, area)), iplm.get((year, area))
                if t is None and i is None:
                    continue
                rows.append(
                    [
                        year,
                        area,
                        _num(t.score) if t else None,
                        t.band if t else None,
                        t.respondents if t else None,
                        _num(Decimal(i.index)) if i else None,
                        i.band if i else None,
                    ]
                )
        labels = [str(y) for y in years]
        datasets = [
            ChartDataset(
                label=f"TGM {area}",
                data=[_num(tgm[(y, area)].score) if (y, area) in tgm else None for y in years],
            )
            for area in areas
            if any((y, area) in tgm for y in years)
        ] + [
            ChartDataset(
                label=f"IPLM {area}",
                data=[_num(Decimal(iplm[(y, area)].index)) if (y, area) in iplm else None for y in years],
            )
            for area in areas
            if any((y, area) in iplm for y in years)
        ]
        return DashboardTable(
            name="literacy",
            title="TGM dan IPLM per kota dan tahun",
            title_en="TGM and IPLM by city and year",
            columns=["year", "area", "tgm", "tgm_band", "tgm_respondents", "iplm", "iplm_band"],
            rows=rows,
            chart=Chart(type="line", labels=labels, datasets=datasets),
        )

    async def summary(self, session: AsyncSession, auth_subject: AuthSubject) -> Summary:
        today = datetime.now(UTC).date()
        repository = LibraryRepository(session)
        by_type = {t: n for t, n in await repository.count_by("type")}
        valid = [
            (lib, rec)
            for lib, rec in await repository.valid_on(today)
            if lib.active and rec.grade != "TIDAK_TERAKREDITASI"
        ]
        due = [rec for _, rec in valid if rec.valid_until and rec.valid_until <= today + timedelta(days=180)]
        open_count = await session.scalar(
            select(func.count())
            .select_from(Assessment)
            .where(Assessment.status.in_([s.value for s in OPEN_STATUSES]))
        )
        graded = await session.scalar(
            select(func.count())
            .select_from(Assessment)
            .where(
                Assessment.year == today.year,
                Assessment.status.in_([AssessmentStatus.GRADED.value, AssessmentStatus.CERTIFIED.value]),
            )
        )
        upcoming = await session.scalar(
            select(func.count())
            .select_from(GuidanceActivity)
            .where(
                GuidanceActivity.status == ActivityStatus.PUBLISHED.value,
                GuidanceActivity.ends_at >= datetime.now(UTC),
            )
        )
        certified = await session.scalar(
            select(func.count())
            .select_from(LibraryStaff)
            .where(
                LibraryStaff.active.is_(True),
                LibraryStaff.certification_status == CertificationStatus.CERTIFIED.value,
                (LibraryStaff.certified_until.is_(None)) | (LibraryStaff.certified_until >= today),
            )
        )
        return Summary(
            libraries=sum(by_type.values()),
            libraries_by_type=by_type,
            accredited=len(valid),
            accreditation_due_180_days=len(due),
            assessments_open=int(open_count or 0),
            assessments_graded_this_year=int(graded or 0),
            upcoming_activities=int(upcoming or 0),
            certified_staff=int(certified or 0),
        )


dashboard_service = DashboardService()
