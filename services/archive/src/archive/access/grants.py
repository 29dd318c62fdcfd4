"""Legal cases, case grants (law enforcement) and per-record grants, as data.

A law-enforcement officer (access category ``penegak_hukum``) reads the records tied to a case only
while they hold an unrevoked, unexpired grant for that case and the case is open. A record grant
opens one record to one subject (normally created by an approved KIP access request). Every grant
and revocation is audited; the policy reads them through :func:`~archive.access.records.viewer_for`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from archive.access.records import actor_of
from archive.audit import AuditDraft, append_many
from archive.models import CaseGrant, LegalCase, RecordGrant
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.db import utcnow
from pusip_kit.errors import Conflict, NotFound
from pusip_kit.pagination import PaginationParams


def case_not_found(case_number: str) -> NotFound:
    return NotFound(
        f"Perkara {case_number} tidak ditemukan", f"Case {case_number} not found", code="case_not_found"
    )


class GrantService:
    async def create_case(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        case_number: str,
        title: str,
        agency: str | None,
    ) -> LegalCase:
        item = LegalCase(
            case_number=case_number,
            title=title,
            agency=agency,
            status="open",
            created_by=actor_of(auth_subject),
        )
        session.add(item)
        try:
            await session.flush()
        except IntegrityError as exc:
            raise Conflict(
                f"Perkara {case_number} sudah ada", f"Case {case_number} already exists", code="case_exists"
            ) from exc
        return item

    async def get_case(self, session: AsyncSession, *, case_number: str) -> LegalCase:
        result = await session.execute(select(LegalCase).where(LegalCase.case_number == case_number))
        item = result.scalar_one_or_none()
        if item is None:
            raise case_not_found(case_number)
        return item

    async def list_cases(
        self, session: AsyncSession, *, status: str | None, pagination: PaginationParams
    ) -> tuple[Sequence[LegalCase], int]:
        statement = select(LegalCase)
        if status:
            statement = statement.where(LegalCase.status == status)
        total = await session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await session.execute(
            statement.order_by(LegalCase.created_at.desc()).offset(pagination.offset).limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def set_case_status(
        self, session: AsyncSession, auth_subject: AuthSubject, *, case_number: str, status: str
    ) -> LegalCase:
        item = await self.get_case(session, case_number=case_number)
        if item.status != status:
            item.status = status
            item.closed_at = utcnow() if status == "closed" else None
            await session.flush()
            await append_many(
                session,
                [
                    AuditDraft(
                        actor=actor_of(auth_subject),
                        action="case_" + ("close" if status == "closed" else "reopen"),
                        outcome="done",
                        details={"case_number": case_number},
                    )
                ],
            )
        return item

    async def grant_case(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        case_number: str,
        subject: str,
        reason: str,
        expires_on: date | None,
    ) -> CaseGrant:
        await self.get_case(session, case_number=case_number)
        grant = CaseGrant(
            case_number=case_number,
            subject=subject,
            reason=reason,
            granted_by=actor_of(auth_subject),
            expires_on=expires_on,
        )
        session.add(grant)
        await session.flush()
        await append_many(
            session,
            [
                AuditDraft(
                    actor=actor_of(auth_subject),
                    action="grant_case",
                    outcome="done",
                    details={"case_number": case_number, "subject": subject, "grant_id": str(grant.id)},
                )
            ],
        )
        return grant

    async def list_case_grants(
        self,
        session: AsyncSession,
        *,
        subject: str | None,
        case_number: str | None,
        pagination: PaginationParams,
    ) -> tuple[Sequence[CaseGrant], int]:
        statement = select(CaseGrant)
        if subject:
            statement = statement.where(CaseGrant.subject == subject)
        if case_number:
            statement = statement.where(CaseGrant.case_number == case_number)
        total = await session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await session.execute(
            statement.order_by(CaseGrant.created_at.desc()).offset(pagination.offset).limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def revoke_case_grant(
        self, session: AsyncSession, auth_subject: AuthSubject, *, grant_id: uuid.UUID
    ) -> CaseGrant:
        grant = await session.get(CaseGrant, grant_id)
        if grant is None:
            raise NotFound("Izin tidak ditemukan", "Grant not found", code="grant_not_found")
        if grant.revoked_at is None:
            grant.revoked_at = utcnow()
            grant.revoked_by = actor_of(auth_subject)
            await session.flush()
            await append_many(
                session,
                [
                    AuditDraft(
                        actor=actor_of(auth_subject),
                        action="revoke_case",
                        outcome="done",
                        details={
                            "grant_id": str(grant.id),
                            "case_number": grant.case_number,
                            "subject": grant.subject,
                        },
                    )
                ],
            )
        return grant

    async def grant_record(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        record_id: uuid.UUID,
        level: str | None,
        subject: str,
        reason: str,
        expires_on: date | None,
        access_request_id: uuid.UUID | None = None,
    ) -> RecordGrant:
        grant = RecordGrant(
            record_id=record_id,
            subject=subject,
            access_request_id=access_request_id,
            reason=reason,
            granted_by=actor_of(auth_subject),
            expires_on=expires_on,
        )
        session.add(grant)
        await session.flush()
        await append_many(
            session,
            [
                AuditDraft(
                    actor=actor_of(auth_subject),
                    action="grant_record",
                    outcome="done",
                    record_id=str(record_id),
                    level=level,
                    details={
                        "subject": subject,
                        "grant_id": str(grant.id),
                        "access_request_id": str(access_request_id) if access_request_id else None,
                    },
                )
            ],
        )
        return grant

    async def list_record_grants(
        self,
        session: AsyncSession,
        *,
        subject: str | None,
        record_id: uuid.UUID | None,
        pagination: PaginationParams,
    ) -> tuple[Sequence[RecordGrant], int]:
        statement = select(RecordGrant)
        if subject:
            statement = statement.where(RecordGrant.subject == subject)
        if record_id:
            statement = statement.where(RecordGrant.record_id == record_id)
        total = await session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await session.execute(
            statement.order_by(RecordGrant.created_at.desc())
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def revoke_record_grant(
        self, session: AsyncSession, auth_subject: AuthSubject, *, grant_id: uuid.UUID
    ) -> RecordGrant:
        grant = await session.get(RecordGrant, grant_id)
        if grant is None:
            raise NotFound("Izin tidak ditemukan", "Grant not found", code="grant_not_found")
        if grant.revoked_at is None:
            grant.revoked_at = utcnow()
            grant.revoked_by = actor_of(auth_subject)
            await session.flush()
            await append_many(
                session,
                [
                    AuditDraft(
                        actor=actor_of(auth_subject),
                        action="revoke_record",
                        outcome="done",
                        record_id=str(grant.record_id),
                        details={"grant_id": str(grant.id), "subject": grant.subject},
                    )
                ],
            )
        return grant


grant_service = GrantService()
