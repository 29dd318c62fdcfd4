"""Recording visits: one per known patron per branch and day (a repeat scan counts nobody twice),
or a number of anonymous visitors from a gate counter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from circulation import clock
from circulation.access import require_branch
from circulation.branches.repository import BranchRepository
from circulation.db import begin_write
from circulation.models import Visit
from circulation.patrons.service import patron_service
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import BadRequest


@dataclass
class VisitOutcome:
    branch: str
    day: date
    counted: bool
    visits_today: int


async def visits_on(session: AsyncSession, branch: str, day: date) -> int:
    """Unique known patrons plus anonymous visitors at ``branch`` on ``day``."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Visit.visitors), 0)).where(Visit.branch == branch, Visit.day == day)
    )
    return int(total or 0)


class VisitService:
    async def record(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        branch: str,
        patron_card: str | None,
        visitors: int,
        source: str,
    ) -> VisitOutcome:
        require_branch(auth_subject, branch)
        if await BranchRepository(session).get_by_code(branch) is None:
            raise BadRequest(
                f"Cabang '{branch}' tidak dikenal", f"Unknown branch '{branch}'", code="branch_unknown"
            )
        if patron_card is not None and visitors != 1:
            raise BadRequest(
                "Kunjungan anggota dicatat satu per satu",
                "A patron's visit counts one visitor",
                code="visitors_with_patron",
            )
        await begin_write(session)
        day = clock.today()
        visit = Visit(
            branch=branch, day=day, visitors=visitors, source=source, recorded_by=auth_subject.subject
        )
        if patron_card is not None:
            patron = await patron_service.get_by_card(session, auth_subject, card_number=patron_card)
            visit.patron_ref, visit.patron_category = patron.pseudonym, patron.category_code
        counted = True
        try:
            async with session.begin_nested():
                session.add(visit)
                await session.flush()
        except IntegrityError:  # this patron was already counted here today
            counted = False
        return VisitOutcome(branch, day, counted, await visits_on(session, branch, day))


visit_service = VisitService()
