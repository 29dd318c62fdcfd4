"""HTTP routes for policies as data: rule sets (admin edits, everyone reads), calendars and closures."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from circulation.models import LoanRuleRow, RuleSetRow
from circulation.policies.schemas import (
    CalendarRead,
    CalendarUpdate,
    ClosureCreate,
    ClosureRead,
    HolidayImport,
    HolidayImportResult,
    LoanRuleRead,
    ResolvedRule,
    RuleSetCreate,
    RuleSetRead,
    RuleSetSummary,
    RuleSetUpdate,
)
from circulation.policies.service import policy_service, rule_as_dict
from pusip_kit.auth.fastapi import current_subject, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep

router = APIRouter(tags=["kebijakan / policies"])

Reader = Annotated[AuthSubject, Depends(current_subject)]
Admin = Annotated[AuthSubject, Depends(require_roles(Role.ADMIN))]
Staff = Annotated[AuthSubject, Depends(require_roles(Role.ADMIN, Role.LIBRARIAN))]
Slug = Annotated[str, Query(min_length=1, max_length=64)]


def _read(row: RuleSetRow, rules: Sequence[LoanRuleRow]) -> RuleSetRead:
    return RuleSetRead.model_validate(
        {**RuleSetSummary.model_validate(row).model_dump(), "block_overdue_items": row.block_overdue_items,
         "block_unpaid_fines": row.block_unpaid_fines, "rules": [LoanRuleRead.model_validate(r) for r in rules]}
    )  # fmt: skip


@router.get(
    "/rule-sets", response_model=list[RuleSetSummary], summary="Versi aturan peminjaman / rule set versions"
)
async def list_rule_sets(session: SessionDep, auth_subject: Staff) -> list[RuleSetSummary]:
    return [
        RuleSetSummary.model_validate(r) for r in await policy_service.list_rule_sets(session, auth_subject)
    ]


@router.get(
    "/rule-sets/active/resolve",
    response_model=ResolvedRule,
    summary="Aturan yang berlaku untuk kategori × jenis bahan × cabang / the rule that applies",
)
async def resolve_rule(
    session: SessionDep,
    auth_subject: Reader,
    patron_category: Slug,
    material_type: Slug,
    branch: Slug,
    on: Annotated[date | None, Query(description="Tanggal pinjam / loan date")] = None,
) -> ResolvedRule:
    version, rule, due = await policy_service.resolve(
        session,
        auth_subject,
        patron_category=patron_category,
        material_type=material_type,
        branch=branch,
        on=on,
    )
    return ResolvedRule(
        rule_set_version=version, rule=LoanRuleRead.model_validate(rule_as_dict(rule)), due_date=due
    )


@router.get(
    "/rule-sets/{version}", response_model=RuleSetRead, summary="Satu versi aturan (`active` = yang berlaku)"
)
async def get_rule_set(session: SessionDep, auth_subject: Reader, version: str) -> RuleSetRead:
    return _read(*await policy_service.get_rule_set(session, auth_subject, version=version))


@router.post(
    "/rule-sets", response_model=RuleSetRead, status_code=201, summary="Draf versi aturan baru / new draft"
)
async def create_rule_set(session: SessionDep, auth_subject: Admin, body: RuleSetCreate) -> RuleSetRead:
    return _read(*await policy_service.create_rule_set(session, auth_subject, data=body))


@router.patch("/rule-sets/{version}", response_model=RuleSetRead, summary="Ubah draf / edit a draft")
async def update_rule_set(
    session: SessionDep, auth_subject: Admin, version: str, body: RuleSetUpdate
) -> RuleSetRead:
    return _read(*await policy_service.update_rule_set(session, auth_subject, version=version, data=body))


@router.post("/rule-sets/{version}/activate", response_model=RuleSetRead, summary="Berlakukan / activate")
async def activate_rule_set(session: SessionDep, auth_subject: Admin, version: str) -> RuleSetRead:
    return _read(*await policy_service.activate(session, auth_subject, version=version))


@router.get("/calendars/{branch}", response_model=CalendarRead, summary="Kalender cabang / branch calendar")
async def get_calendar(
    session: SessionDep,
    auth_subject: Reader,
    branch: str,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> CalendarRead:
    weekdays, closures = await policy_service.get_calendar(session, auth_subject, branch=branch, year=year)
    return CalendarRead(
        branch=branch, closed_weekdays=weekdays, closures=[ClosureRead.model_validate(c) for c in closures]
    )


@router.put(
    "/calendars/{branch}", response_model=CalendarRead, summary="Hari tutup mingguan / weekly closing days"
)
async def put_calendar(
    session: SessionDep, auth_subject: Staff, branch: str, body: CalendarUpdate
) -> CalendarRead:
    await policy_service.set_weekdays(
        session, auth_subject, branch=branch, closed_weekdays=body.closed_weekdays
    )
    return await get_calendar(session, auth_subject, branch)


@router.get(
    "/calendars/{branch}/due-date", summary="Tanggal jatuh tempo menurut kalender / due date by the calendar"
)
async def calendar_due_date(
    session: SessionDep,
    auth_subject: Reader,
    branch: str,
    start: Annotated[date, Query(alias="from")],
    days: Annotated[int, Query(ge=0, le=365)],
) -> dict[str, str]:
    due = await policy_service.due_date(session, auth_subject, branch=branch, start=start, days=days)
    return {"branch": branch, "due_date": due.isoformat()}


@router.get("/closures", response_model=list[ClosureRead], summary="Hari tutup / closures")
async def list_closures(
    session: SessionDep,
    auth_subject: Reader,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    branch: Annotated[str | None, Query(max_length=64)] = None,
) -> list[ClosureRead]:
    rows = await policy_service.list_closures(session, auth_subject, year=year, branch=branch)
    return [ClosureRead.model_validate(c) for c in rows]


@router.post(
    "/closures", response_model=ClosureRead, status_code=201, summary="Tambah hari tutup / add a closure"
)
async def add_closure(session: SessionDep, auth_subject: Staff, body: ClosureCreate) -> ClosureRead:
    return ClosureRead.model_validate(await policy_service.add_closure(session, auth_subject, data=body))


@router.delete("/closures/{closure_id}", status_code=204, summary="Hapus hari tutup / remove a closure")
async def delete_closure(session: SessionDep, auth_subject: Staff, closure_id: uuid.UUID) -> Response:
    await policy_service.delete_closure(session, auth_subject, closure_id=closure_id)
    return Response(status_code=204)


@router.post(
    "/closures/national-holidays",
    response_model=HolidayImportResult,
    summary="Muat hari libur nasional setahun / load a year's national holidays",
)
async def import_holidays(
    session: SessionDep, auth_subject: Admin, body: HolidayImport
) -> HolidayImportResult:
    created, skipped = await policy_service.import_national_holidays(session, auth_subject, year=body.year)
    return HolidayImportResult(year=body.year, created=created, skipped=skipped)
