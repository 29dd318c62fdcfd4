"""Compliance of depositors: deposited obligations ÷ obligations that fell due, per period.

All figures come from :func:`deposit.rules.compliance_rate` over the obligations' current status;
exempt obligations are left out of the denominator. The ranking orders depositors by rate, then
on-time rate, then number of obligations; the appreciation list (*apresiasi penerbit tertib*)
keeps those meeting the criteria of the rule version in force at the end of the year.
"""

from __future__ import annotations

import builtins
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from deposit.common import is_officer, today_local
from deposit.compliance.schemas import (
    AppreciationEntry,
    AppreciationList,
    Chart,
    ChartPoint,
    DepositorCompliance,
    OverdueRow,
    Rate,
)
from deposit.depositors.repository import DepositorRepository
from deposit.depositors.service import depositor_service
from deposit.models import Depositor
from deposit.obligations.repository import ObligationRepository
from deposit.rulebook.service import rulebook_service
from deposit.rules import ComplianceRate, ObligationStatus, compliance_rate
from deposit.rules.compliance import ObligationFact
from deposit.rules.obligations import add_months
from deposit.sanctions.repository import WarningRepository
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import BadRequest

GRANULARITY_MONTHS = {"month": 1, "quarter": 3, "year": 12}
MAX_POINTS = 120


def as_rate(value: ComplianceRate) -> Rate:
    return Rate(
        due=value.due,
        fulfilled=value.fulfilled,
        fulfilled_on_time=value.fulfilled_on_time,
        rate=value.rate,
        on_time_rate=value.on_time_rate,
    )


def check_period(start: date, end: date) -> None:
    if end < start:
        raise BadRequest(
            "Akhir periode sebelum awalnya", "The period ends before it starts", code="invalid_period"
        )


def default_period(start: date | None, end: date | None) -> tuple[date, date]:
    today = today_local()
    start = start or date(today.year, 1, 1)
    end = end or date(start.year, 12, 31)
    check_period(start, end)
    return start, end


def _ranked(rows: builtins.list[DepositorCompliance]) -> builtins.list[DepositorCompliance]:
    def key(row: DepositorCompliance) -> tuple[Decimal, Decimal, int, str]:
        rate = row.rate.rate if row.rate.rate is not None else Decimal(-1)
        on_time = row.rate.on_time_rate if row.rate.on_time_rate is not None else Decimal(-1)
        return (-rate, -on_time, -row.rate.due, row.depositor_name)

    ordered = sorted(rows, key=key)
    for position, row in enumerate(ordered, start=1):
        row.rank = position if row.rate.due else None
    return ordered


class ComplianceService:
    async def _facts(
        self, session: AsyncSession, depositor_ids: Sequence[uuid.UUID] | None = None, kind: str | None = None
    ) -> dict[uuid.UUID, builtins.list[ObligationFact]]:
        facts: dict[uuid.UUID, builtins.list[ObligationFact]] = defaultdict(builtins.list)
        for depositor_id, due, status, fulfilled_on, obligation_kind in await ObligationRepository(
            session
        ).facts(depositor_ids=depositor_ids):
            if kind is not None and obligation_kind != kind:
                continue
            facts[depositor_id].append(ObligationFact(due, ObligationStatus(status), fulfilled_on))
        return facts

    def _row(
        self, depositor: Depositor, facts: builtins.list[ObligationFact], start: date, end: date
    ) -> DepositorCompliance:
        return DepositorCompliance(
            depositor_id=depositor.id,
            depositor_name=depositor.name,
            depositor_type=depositor.type,
            city=depositor.domicile_city,
            start=start,
            end=end,
            rate=as_rate(compliance_rate(facts, start=start, end=end)),
            overdue_now=sum(1 for f in facts if f.status is ObligationStatus.OVERDUE),
        )

    async def for_depositor(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        depositor_id: uuid.UUID,
        start: date,
        end: date,
    ) -> DepositorCompliance:
        depositor = await depositor_service.get(session, auth_subject, id=depositor_id)
        facts = await self._facts(session, [depositor.id])
        return self._row(depositor, facts.get(depositor.id, []), start, end)

    async def ranking(
        self,
        session: AsyncSession,
        *,
        start: date,
        end: date,
        depositor_type: str | None = None,
        min_due: int = 1,
    ) -> builtins.list[DepositorCompliance]:
        depositors = [
            d for d in await DepositorRepository(session).approved() if depositor_type in (None, d.type)
        ]
        facts = await self._facts(session, [d.id for d in depositors])
        rows = [self._row(d, facts.get(d.id, []), start, end) for d in depositors]
        return _ranked([r for r in rows if r.rate.due >= min_due])

    async def appreciation(self, session: AsyncSession, *, year: int) -> AppreciationList:
        version = await rulebook_service.in_force_on(session, date(year, 12, 31))
        rows = await self.ranking(
            session, start=date(year, 1, 1), end=date(year, 12, 31), min_due=version.appreciation_min_due
        )
        chosen = [
            r
            for r in rows
            if r.rate.rate is not None
            and r.rate.rate >= version.appreciation_min_rate
            and (r.rate.on_time_rate or Decimal(0)) >= version.appreciation_min_on_time_rate
            and r.overdue_now == 0
        ]
        return AppreciationList(
            year=year,
            rules=version.code,
            criteria={
                "min_due": str(version.appreciation_min_due),
                "min_rate": str(version.appreciation_min_rate),
                "min_on_time_rate": str(version.appreciation_min_on_time_rate),
                "no_overdue": "true",
            },
            publishers=[
                AppreciationEntry(
                    depositor_id=r.depositor_id,
                    depositor_name=r.depositor_name,
                    depositor_type=r.depositor_type,
                    city=r.city,
                    rate=r.rate,
                    rank=n,
                )
                for n, r in enumerate(chosen, start=1)
            ],
        )

    async def overdue(
        self, session: AsyncSession, auth_subject: AuthSubject, *, depositor_id: uuid.UUID | None = None
    ) -> builtins.list[OverdueRow]:
        ids: builtins.list[uuid.UUID] | None = None
        if depositor_id is not None:
            await depositor_service.get(session, auth_subject, id=depositor_id)
            ids = [depositor_id]
        elif not is_officer(auth_subject):
            ids = builtins.list(
                await DepositorRepository(session).linked_ids(auth_subject.subject, auth_subject.username)
            )
        today = today_local()
        obligations = await ObligationRepository(session).overdue(depositor_ids=ids)
        names = {
            d.id: d.name
            for d in await DepositorRepository(session).by_ids(
                builtins.list({o.depositor_id for o in obligations})
            )
        }
        active = await WarningRepository(session).active()
        return [
            OverdueRow(
                obligation_id=o.id,
                depositor_id=o.depositor_id,
                depositor_name=names.get(o.depositor_id, ""),
                title=o.title,
                identifier=o.identifier,
                kind=o.kind,
                published_on=o.published_on,
                due_on=o.due_on,
                days_overdue=(today - o.due_on).days,
                warning_level=active[o.depositor_id].level if o.depositor_id in active else None,
            )
            for o in obligations
        ]

    async def chart(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject | None,
        *,
        start: date,
        end: date,
        granularity: str,
        depositor_id: uuid.UUID | None = None,
    ) -> Chart:
        ids: builtins.list[uuid.UUID] | None = None
        if depositor_id is not None:
            assert auth_subject is not None
            await depositor_service.get(session, auth_subject, id=depositor_id)
            ids = [depositor_id]
        step = GRANULARITY_MONTHS[granularity]
        facts = [f for group in (await self._facts(session, ids)).values() for f in group]
        points: builtins.list[ChartPoint] = []
        cursor = start
        while cursor <= end:
            if len(points) >= MAX_POINTS:
                raise BadRequest(
                    f"Paling banyak {MAX_POINTS} titik; perbesar satuan waktu",
                    f"At most {MAX_POINTS} points; use a coarser granularity",
                    code="invalid_period",
                )
            following = add_months(cursor, step)
            last = min(end, date.fromordinal(following.toordinal() - 1))
            value = compliance_rate(facts, start=cursor, end=last)
            label = (
                f"{cursor.year}"
                if granularity == "year"
                else f"{cursor.year}-Q{(cursor.month - 1) // 3 + 1}"
                if granularity == "quarter"
                else f"{cursor.year}-{cursor.month:02d}"
            )
            points.append(
                ChartPoint(
                    period=label,
                    start=cursor,
                    end=last,
                    due=value.due,
                    fulfilled=value.fulfilled,
                    fulfilled_on_time=value.fulfilled_on_time,
                    rate=value.rate,
                    on_time_rate=value.on_time_rate,
                )
            )
            cursor = following
        by_kind: dict[str, Rate] = {}
        for kind in ("karya_cetak", "karya_rekam", "karya_digital"):
            kind_facts = [f for group in (await self._facts(session, ids, kind)).values() for f in group]
            by_kind[kind] = as_rate(compliance_rate(kind_facts, start=start, end=end))
        return Chart(granularity=granularity, depositor_id=depositor_id, points=points, by_kind=by_kind)


compliance_service = ComplianceService()
