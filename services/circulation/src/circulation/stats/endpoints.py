"""Statistics for dashboards (loans per branch per day, top titles, active members)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from circulation import clock
from circulation.stats.service import stats_service
from pusip_kit.auth.fastapi import require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep
from pusip_kit.errors import BadRequest

router = APIRouter(prefix="/stats", tags=["statistik / statistics"])

Staff = Annotated[AuthSubject, Depends(require_roles(Role.ADMIN, Role.LIBRARIAN, Role.ACCREDITATION_OFFICER))]
Start = Annotated[date | None, Query(alias="from", description="Awal (default 30 hari lalu) / from")]
End = Annotated[date | None, Query(alias="to", description="Akhir (default hari ini) / to")]
BranchQ = Annotated[str | None, Query(max_length=64)]


def _range(start: date | None, end: date | None) -> tuple[date, date]:
    end = end or clock.today()
    start = start or end - timedelta(days=29)
    if start > end:
        raise BadRequest(
            "Awal periode setelah akhirnya", "The period starts after it ends", code="invalid_period"
        )
    if (end - start).days > 3660:
        raise BadRequest(
            "Periode terlalu panjang (maks. 10 tahun)",
            "Period too long (10 years max)",
            code="invalid_period",
        )
    return start, end


@router.get("/loans-per-branch-day", summary="Peminjaman per cabang per hari / loans per branch per day")
async def loans_per_branch_day(
    session: SessionDep, auth_subject: Staff, start: Start = None, end: End = None, branch: BranchQ = None
) -> dict[str, Any]:
    s, e = _range(start, end)
    rows = await stats_service.loans_per_branch_day(session, start=s, end=e, branch=branch)
    return {"from": s.isoformat(), "to": e.isoformat(), "rows": rows}


@router.get("/top-titles", summary="Judul terpopuler / top titles")
async def top_titles(
    session: SessionDep,
    auth_subject: Staff,
    start: Start = None,
    end: End = None,
    branch: BranchQ = None,
    patron_category: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    s, e = _range(start, end)
    rows = await stats_service.top_titles(
        session, start=s, end=e, branch=branch, patron_category=patron_category, limit=limit
    )
    return {"from": s.isoformat(), "to": e.isoformat(), "titles": rows}


@router.get("/active-members", summary="Anggota aktif / active members")
async def active_members(
    session: SessionDep, auth_subject: Staff, start: Start = None, end: End = None, branch: BranchQ = None
) -> dict[str, Any]:
    s, e = _range(start, end)
    return await stats_service.active_members(session, start=s, end=e, branch=branch)


@router.get("/visits", summary="Kunjungan per cabang per hari / visits per branch per day")
async def visits(
    session: SessionDep, auth_subject: Staff, start: Start = None, end: End = None, branch: BranchQ = None
) -> dict[str, Any]:
    s, e = _range(start, end)
    rows = await stats_service.visits_per_branch_day(session, start=s, end=e, branch=branch)
    return {"from": s.isoformat(), "to": e.isoformat(), "rows": rows}


@router.get("/members-by-city", summary="Anggota aktif per kota / active members per city")
async def members_by_city(session: SessionDep, auth_subject: Staff) -> dict[str, Any]:
    return await stats_service.members_by_city(session)
