"""The access policy bound to this service's data: viewers with their grants, and record facts.

``viewer_for`` builds a :class:`Viewer` from the token subject plus what the database says about
them (cases granted to a law-enforcement officer, records opened to them by approved requests);
``record_filter`` compiles the policy to SQL over ``records``; ``facts_for`` gives the facts a direct
read is decided on. Nothing here decides who may read what: that is :func:`readable` alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from archive.access.policy import AccessCategory, Condition, RecordFacts, Viewer, can_read, readable
from archive.access.sql import SqlCompiler
from archive.audit import AuditDraft
from archive.models import CaseGrant, LegalCase, Record, RecordCase, RecordGrant
from pusip_kit.auth.subject import AuthSubject, SecurityLevel


def _case_match(values: frozenset[str]) -> ColumnElement[bool]:
    return exists(
        select(RecordCase.record_id).where(
            RecordCase.record_id == Record.id, RecordCase.case_number.in_(sorted(values))
        )
    )


class _RecordsCompiler(SqlCompiler):
    """Record ids are strings in the policy and UUIDs in the table."""

    def compile(self, condition: Condition) -> ColumnElement[bool]:
        if condition.op == "id_in":
            ids = []
            for value in sorted(condition.values):
                try:
                    ids.append(uuid.UUID(value))
                except ValueError:
                    continue
            return Record.id.in_(ids)
        return super().compile(condition)


_RECORDS = Record.__table__.c
_COMPILER = _RecordsCompiler(
    id_column=_RECORDS.id,
    level_column=_RECORDS.security_level,
    unit_column=_RECORDS.unit,
    case_match=_case_match,
)


def record_filter(viewer: Viewer) -> ColumnElement[bool]:
    """The policy as a SQL condition over ``records``."""
    return _COMPILER.compile(readable(viewer))


async def viewer_for(session: AsyncSession, subject: AuthSubject, *, today: date | None = None) -> Viewer:
    """The viewer the policy decides for: the token's claims plus the grants stored here."""
    base = Viewer.from_subject(subject)
    if subject.subject == "anonymous":
        return base
    today = today or date.today()
    cases: frozenset[str] = frozenset()
    if base.category is AccessCategory.PENEGAK_HUKUM:
        result = await session.execute(
            select(CaseGrant.case_number)
            .join(LegalCase, LegalCase.case_number == CaseGrant.case_number)
            .where(
                CaseGrant.subject == subject.subject,
                CaseGrant.revoked_at.is_(None),
                or_(CaseGrant.expires_on.is_(None), CaseGrant.expires_on >= today),
                LegalCase.status == "open",
            )
        )
        cases = frozenset(result.scalars().all())
    granted = await session.execute(
        select(RecordGrant.record_id).where(
            RecordGrant.subject == subject.subject,
            RecordGrant.revoked_at.is_(None),
            or_(RecordGrant.expires_on.is_(None), RecordGrant.expires_on >= today),
        )
    )
    return Viewer.from_subject(
        subject, cases=cases, granted=frozenset(str(i) for i in granted.scalars().all())
    )


async def cases_of(session: AsyncSession, record_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, frozenset[str]]:
    out: dict[uuid.UUID, set[str]] = {i: set() for i in record_ids}
    if record_ids:
        rows = await session.execute(
            select(RecordCase.record_id, RecordCase.case_number).where(RecordCase.record_id.in_(record_ids))
        )
        for record_id, case_number in rows:
            out.setdefault(record_id, set()).add(case_number)
    return {k: frozenset(v) for k, v in out.items()}


def facts(record: Record, cases: frozenset[str]) -> RecordFacts:
    return RecordFacts(str(record.id), SecurityLevel(record.security_level), record.unit, cases)


async def facts_for(session: AsyncSession, records: Sequence[Record]) -> dict[uuid.UUID, RecordFacts]:
    cases = await cases_of(session, [r.id for r in records])
    return {r.id: facts(r, cases.get(r.id, frozenset())) for r in records}


async def readable_by(session: AsyncSession, viewer: Viewer, records: Sequence[Record]) -> list[Record]:
    """``records`` the viewer may read (a direct-read check over many, e.g. after a search)."""
    known = await facts_for(session, records)
    return [r for r in records if can_read(viewer, known[r.id])]


def actor_of(subject: AuthSubject) -> str:
    if subject.client_id and subject.is_service_account:
        return f"client:{subject.client_id}"
    return (subject.username and f"{subject.subject}:{subject.username}") or subject.subject


def access_drafts(
    subject: AuthSubject, viewer: Viewer, records: Iterable[Record], action: str, outcome: str = "allowed"
) -> list[AuditDraft]:
    """Audit entries for ``action`` on every non-BIASA record of ``records``."""
    return [
        AuditDraft(
            actor=actor_of(subject),
            actor_category=viewer.category.value + (f":{viewer.tier.value}" if viewer.tier else ""),
            action=action,
            outcome=outcome,
            record_id=str(record.id),
            level=record.security_level,
            details={"unit": record.unit},
        )
        for record in records
        if record.security_level != SecurityLevel.BIASA.value or outcome != "allowed"
    ]
