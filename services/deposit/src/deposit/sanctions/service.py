"""Graded sanctions, decided daily from the overdue obligations and the warning steps in force.

For each depositor with overdue obligations (steps of the rule version in force today):

* no active warning: step 1 once the oldest overdue title is ``days_overdue`` days late;
* an active warning of level *n*: step *n+1* once it has stood ``days_after_previous`` days
  (the active one becomes ``superseded``); the last step is final.

A depositor left with no overdue obligation has its active warning ``resolved``; new overdue
titles later start again at step 1. Running the evaluation twice on a day issues nothing new.
Each warning's letter is rendered to PDF by the task ``deposit.sanctions.render_letter``.
"""

from __future__ import annotations

import builtins
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from deposit.common import is_officer, next_number, record_history, today_local
from deposit.config import DepositSettings
from deposit.depositors.repository import DepositorRepository
from deposit.depositors.service import depositor_service
from deposit.models import Obligation, Warning, WarningStatus, WarningStep
from deposit.obligations.repository import ObligationRepository
from deposit.rulebook.service import rulebook_service
from deposit.runtime import Stores
from deposit.sanctions.letters import letter_key, render_warning_letter
from deposit.sanctions.repository import WarningRepository
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.db import utcnow
from pusip_kit.errors import NotFound
from pusip_kit.outbox import enqueue_task
from pusip_kit.pagination import PaginationParams

TASK_RENDER_LETTER = "deposit.sanctions.render_letter"


def warning_not_found(warning_id: uuid.UUID) -> NotFound:
    return NotFound(
        "Surat teguran tidak ditemukan",
        "Warning not found",
        code="warning_not_found",
        details={"id": str(warning_id)},
    )


@dataclass
class PlannedWarning:
    depositor_id: uuid.UUID
    depositor_name: str
    level: int
    code: str
    name: str
    name_en: str
    obligation_ids: list[uuid.UUID]
    oldest_days_overdue: int
    replaces: uuid.UUID | None = None


@dataclass
class SanctionRun:
    planned: list[PlannedWarning] = field(default_factory=list)
    issued: list[Warning] = field(default_factory=list)
    resolved: list[uuid.UUID] = field(default_factory=list)


class SanctionService:
    async def plan(self, session: AsyncSession, *, today: date) -> tuple[list[PlannedWarning], list[Warning]]:
        """What a run today would issue, and which active warnings it would resolve."""
        version = await rulebook_service.in_force_on(session, today)
        steps: dict[int, WarningStep] = {s.level: s for s in version.warning_steps}
        top = max(steps) if steps else 0
        overdue: dict[uuid.UUID, list[Obligation]] = defaultdict(list)
        for obligation in await ObligationRepository(session).overdue():
            overdue[obligation.depositor_id].append(obligation)
        active = await WarningRepository(session).active()
        names = {d.id: d.name for d in await DepositorRepository(session).by_ids(builtins.list(overdue))}
        planned: list[PlannedWarning] = []
        for depositor_id, titles in sorted(overdue.items(), key=lambda kv: names.get(kv[0], "")):
            oldest = max((today - o.due_on).days for o in titles)
            current = active.get(depositor_id)
            level = 1 if current is None else current.level + 1
            step = steps.get(level)
            if step is None or level > top or oldest < step.days_overdue:
                continue
            if current is not None and (today - current.issued_on).days < step.days_after_previous:
                continue
            planned.append(
                PlannedWarning(
                    depositor_id=depositor_id,
                    depositor_name=names.get(depositor_id, ""),
                    level=step.level,
                    code=step.code,
                    name=step.name,
                    name_en=step.name_en,
                    obligation_ids=[o.id for o in titles],
                    oldest_days_overdue=oldest,
                    replaces=current.id if current is not None else None,
                )
            )
        resolving = [w for depositor_id, w in active.items() if depositor_id not in overdue]
        return planned, resolving

    async def run(
        self,
        session: AsyncSession,
        *,
        actor_name: str,
        agency_code: str,
        today: date | None = None,
        dry_run: bool = False,
    ) -> SanctionRun:
        today = today or today_local()
        planned, resolving = await self.plan(session, today=today)
        result = SanctionRun(planned=planned)
        if dry_run:
            result.resolved = [w.id for w in resolving]
            return result
        version = await rulebook_service.in_force_on(session, today)
        repository = WarningRepository(session)
        for warning in resolving:
            warning.status = WarningStatus.RESOLVED.value
            warning.resolved_at = utcnow()
            result.resolved.append(warning.id)
            await record_history(
                session,
                depositor_id=warning.depositor_id,
                entity="warning",
                entity_id=warning.id,
                action="resolved",
                actor_name=actor_name,
                from_status=WarningStatus.ACTIVE.value,
                to_status=WarningStatus.RESOLVED.value,
            )
        for plan in planned:
            if plan.replaces is not None:
                previous = await repository.get(plan.replaces)
                if previous is not None:
                    previous.status = WarningStatus.SUPERSEDED.value
            sequence = await next_number(session, "warning", today.year)
            warning = Warning(
                depositor_id=plan.depositor_id,
                rule_version_id=version.id,
                level=plan.level,
                code=plan.code,
                name=plan.name,
                number=f"ST-{plan.level}/{agency_code}/{today.year}/{sequence:04d}",
                issued_on=today,
                obligation_ids=[str(i) for i in plan.obligation_ids],
                status=WarningStatus.ACTIVE.value,
                issued_by=actor_name,
            )
            await repository.add(warning)
            await record_history(
                session,
                depositor_id=plan.depositor_id,
                entity="warning",
                entity_id=warning.id,
                action="issued",
                actor_name=actor_name,
                to_status=WarningStatus.ACTIVE.value,
                note=f"{plan.name} ({warning.number})",
                details={"level": plan.level, "obligations": len(plan.obligation_ids)},
            )
            await enqueue_task(session, TASK_RENDER_LETTER, str(warning.id))
            result.issued.append(warning)
        return result

    # -- reads -------------------------------------------------------------------------------------

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        depositor_id: uuid.UUID | None = None,
        status: str | None = None,
    ) -> tuple[Sequence[Warning], int]:
        ids: builtins.list[uuid.UUID] | None = None
        if depositor_id is not None:
            await depositor_service.get(session, auth_subject, id=depositor_id)
            ids = [depositor_id]
        elif not is_officer(auth_subject):
            ids = builtins.list(
                await DepositorRepository(session).linked_ids(auth_subject.subject, auth_subject.username)
            )
        return await WarningRepository(session).list(pagination=pagination, depositor_ids=ids, status=status)

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID) -> Warning:
        warning = await WarningRepository(session).get(id)
        if warning is None or not await depositor_service.may_act_for(
            session, auth_subject, warning.depositor_id
        ):
            raise warning_not_found(id)
        return warning

    # -- letters -----------------------------------------------------------------------------------

    async def letter_pdf(self, session: AsyncSession, settings: DepositSettings, warning: Warning) -> bytes:
        depositor = await DepositorRepository(session).get(warning.depositor_id)
        if depositor is None:
            raise warning_not_found(warning.id)
        version = await rulebook_service.get(session, id=warning.rule_version_id)
        step = next((s for s in version.warning_steps if s.level == warning.level), None)
        obligations = await WarningRepository(session).obligations(warning.obligation_ids)
        return render_warning_letter(settings, warning, depositor, step, obligations)

    async def store_letter(
        self, session: AsyncSession, settings: DepositSettings, stores: Stores, *, warning_id: uuid.UUID
    ) -> str | None:
        """Render and store a warning's letter once (the task body; safe to repeat)."""
        warning = await WarningRepository(session).get(warning_id)
        if warning is None:
            return None
        key = letter_key(warning)
        if warning.letter_object_key and await stores.documents.exists(warning.letter_object_key):
            return warning.letter_object_key
        pdf = await self.letter_pdf(session, settings, warning)
        await stores.documents.put(key, pdf, content_type="application/pdf")
        warning.letter_object_key = key
        await session.flush()
        return key


sanction_service = SanctionService()
