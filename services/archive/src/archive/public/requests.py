"""KIP access requests (UU 14/2008): a request with its purpose → a decision with its reason → a grant.

Anyone signed in may ask for a record (by id or by a description/reference for records they cannot
see); the request is accepted whether or not the record exists, so asking reveals nothing. An
archivist decides; approval creates a record grant for the requester (optionally until a date),
through which the one access policy then lets them read that record.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from archive.access.grants import grant_service
from archive.access.records import actor_of
from archive.events import ACCESS_REQUEST_DECIDED, publish
from archive.models import AccessRequest
from archive.records.service import record_service
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.db import utcnow
from pusip_kit.errors import BadRequest, NotFound, Reason, Refused
from pusip_kit.pagination import PaginationParams

SUBMITTED = "diajukan"
APPROVED = "disetujui"
REJECTED = "ditolak"


def request_not_found(request_id: uuid.UUID) -> NotFound:
    return NotFound(
        "Permohonan tidak ditemukan",
        "Access request not found",
        code="access_request_not_found",
        details={"id": str(request_id)},
    )


class AccessRequestService:
    async def create(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        record_id: uuid.UUID | None,
        reference_text: str | None,
        purpose: str,
        requester_name: str,
        requester_contact: str | None,
    ) -> AccessRequest:
        if record_id is None and not reference_text:
            raise BadRequest(
                "Sebutkan arsip yang diminta (record_id atau reference_text)",
                "Name the record requested (record_id or reference_text)",
                code="access_request_target_missing",
            )
        item = AccessRequest(
            record_id=None,
            requested_record_id=record_id,
            reference_text=reference_text,
            requester=auth_subject.subject,
            requester_name=requester_name,
            requester_contact=requester_contact,
            purpose=purpose,
            status=SUBMITTED,
        )
        if record_id is not None:
            # Kept only if the record exists; the answer is the same either way.
            from archive.models import Record

            if await session.get(Record, record_id) is not None:
                item.record_id = record_id
        session.add(item)
        await session.flush()
        return item

    async def get(
        self, session: AsyncSession, auth_subject: AuthSubject, *, request_id: uuid.UUID
    ) -> AccessRequest:
        item = await session.get(AccessRequest, request_id)
        if item is None or not (
            auth_subject.has_role(Role.ARCHIVIST) or item.requester == auth_subject.subject
        ):
            raise request_not_found(request_id)
        return item

    async def list_requests(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        status: str | None,
        pagination: PaginationParams,
    ) -> tuple[Sequence[AccessRequest], int]:
        statement = select(AccessRequest)
        if not auth_subject.has_role(Role.ARCHIVIST):
            statement = statement.where(AccessRequest.requester == auth_subject.subject)
        if status:
            statement = statement.where(AccessRequest.status == status)
        total = await session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await session.execute(
            statement.order_by(AccessRequest.created_at.desc())
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def decide(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        request_id: uuid.UUID,
        approve: bool,
        reason: str,
        record_id: uuid.UUID | None,
        expires_on: date | None,
    ) -> AccessRequest:
        item = await self.get(session, auth_subject, request_id=request_id)
        if item.status != SUBMITTED:
            raise Refused(
                reasons=[
                    Reason(
                        "refuse_when_already_decided",
                        f"Permohonan sudah diputus ({item.status})",
                        f"The request was already decided ({item.status})",
                    )
                ]
            )
        target = record_id or item.record_id
        if approve:
            if target is None:
                raise BadRequest(
                    "Tetapkan arsip yang dibuka (record_id)",
                    "Name the record to open (record_id)",
                    code="access_request_record_required",
                )
            record = await record_service.read(session, auth_subject, record_id=target, action="grant")
            item.record_id = record.id
            await grant_service.grant_record(
                session,
                auth_subject,
                record_id=record.id,
                level=record.security_level,
                subject=item.requester,
                reason=f"Permohonan KIP {item.id}: {reason}",
                expires_on=expires_on,
                access_request_id=item.id,
            )
        item.status = APPROVED if approve else REJECTED
        item.decision_reason = reason
        item.decided_by = actor_of(auth_subject)
        item.decided_at = utcnow()
        item.grant_expires_on = expires_on if approve else None
        await session.flush()
        await publish(
            session,
            ACCESS_REQUEST_DECIDED,
            {"id": str(item.id), "status": item.status},
            key=str(item.id),
            unit=None,
        )
        return item


access_request_service = AccessRequestService()
