"""Administrators' view of the outbox and the dead letters of one service (admin role only)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pusip_kit.deps import SessionDep
from pusip_kit.errors import Conflict, NotFound
from pusip_kit.outbox.relay import retry_outbox_row
from pusip_kit.outbox.tables import DL_DEAD, DL_RETRYING, dead_letters, outbox
from pusip_kit.outbox.writer import _kick_callback, enqueue_task
from pusip_kit.pagination import Page, PaginationParams, pagination
from pusip_kit.uow import after_commit


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    dead = "dead"


class DeadLetterStatus(StrEnum):
    dead = "dead"
    retrying = "retrying"
    resolved = "resolved"


class OutboxEntry(BaseModel):
    id: uuid.UUID
    kind: str
    name: str
    producer: str
    key: str | None
    payload: dict[str, Any]
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class DeadLetterEntry(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    producer: str
    key: str | None
    occurred_at: datetime
    handler: str
    payload: dict[str, Any]
    error: str
    attempts: int
    status: DeadLetterStatus
    failed_at: datetime
    resolved_at: datetime | None


def _outbox_entry(row: Any) -> OutboxEntry:
    return OutboxEntry.model_validate(row._mapping, from_attributes=False)


def _dead_letter_entry(row: Any) -> DeadLetterEntry:
    return DeadLetterEntry.model_validate(row._mapping, from_attributes=False)


async def _outbox_row(session: AsyncSession, row_id: uuid.UUID) -> Any:
    row = (await session.execute(select(outbox).where(outbox.c.id == row_id))).first()
    if row is None:
        raise NotFound("Entri outbox tidak ditemukan", "Outbox entry not found")
    return row


async def _dead_letter_row(session: AsyncSession, dead_letter_id: uuid.UUID) -> Any:
    row = (await session.execute(select(dead_letters).where(dead_letters.c.id == dead_letter_id))).first()
    if row is None:
        raise NotFound("Dead letter tidak ditemukan", "Dead letter not found")
    return row


def make_outbox_admin_router(*, prefix: str = "/admin") -> APIRouter:
    """``/admin/outbox`` and ``/admin/dead-letters`` of the service that includes the router."""
    from pusip_kit.auth.fastapi import require_roles

    router = APIRouter(
        prefix=prefix,
        tags=["admin: outbox & dead letters"],
        dependencies=[Depends(require_roles("admin"))],
    )

    @router.get("/outbox", summary="Entri outbox / outbox entries", response_model=Page[OutboxEntry])
    async def list_outbox(
        session: SessionDep,
        params: Annotated[PaginationParams, Depends(pagination)],
        status: Annotated[
            OutboxStatus | None, Query(description="pending | sent | dead (semua bila kosong / all)")
        ] = None,
    ) -> Page[OutboxEntry]:
        where = [outbox.c.status == status.value] if status else []
        total = (await session.execute(select(func.count()).select_from(outbox).where(*where))).scalar_one()
        rows = (
            await session.execute(
                select(outbox)
                .where(*where)
                .order_by(outbox.c.seq.desc())
                .offset(params.offset)
                .limit(params.limit)
            )
        ).all()
        return Page[OutboxEntry].of([_outbox_entry(r) for r in rows], int(total), params)

    @router.post(
        "/outbox/{entry_id}/retry",
        summary="Kirim ulang entri outbox / retry an outbox entry",
        response_model=OutboxEntry,
    )
    async def retry_outbox(entry_id: uuid.UUID, session: SessionDep) -> OutboxEntry:
        row = await _outbox_row(session, entry_id)
        if row.status == "sent":
            raise Conflict(
                "Entri sudah terkirim; tidak perlu dikirim ulang",
                "Entry already sent; nothing to retry",
                code="outbox_already_sent",
            )
        await retry_outbox_row(session, entry_id)
        after_commit(session, _kick_callback(row.producer))
        return _outbox_entry(await _outbox_row(session, entry_id))

    @router.get(
        "/dead-letters",
        summary="Peristiwa gagal diproses / dead-lettered events",
        response_model=Page[DeadLetterEntry],
    )
    async def list_dead_letters(
        session: SessionDep,
        params: Annotated[PaginationParams, Depends(pagination)],
        status: Annotated[
            DeadLetterStatus | None, Query(description="dead | retrying | resolved (bawaan / default: dead)")
        ] = DeadLetterStatus.dead,
    ) -> Page[DeadLetterEntry]:
        where = [dead_letters.c.status == status.value] if status else []
        total = (
            await session.execute(select(func.count()).select_from(dead_letters).where(*where))
        ).scalar_one()
        rows = (
            await session.execute(
                select(dead_letters)
                .where(*where)
                .order_by(dead_letters.c.failed_at.desc(), dead_letters.c.id)
                .offset(params.offset)
                .limit(params.limit)
            )
        ).all()
        return Page[DeadLetterEntry].of([_dead_letter_entry(r) for r in rows], int(total), params)

    @router.post(
        "/dead-letters/{dead_letter_id}/retry",
        summary="Kirim ulang peristiwa ke penangannya / re-deliver to its handler",
        response_model=DeadLetterEntry,
    )
    async def retry_dead_letter(
        dead_letter_id: uuid.UUID, session: SessionDep, request: Request
    ) -> DeadLetterEntry:
        row = await _dead_letter_row(session, dead_letter_id)
        if row.status != DL_DEAD:
            raise Conflict(
                "Hanya dead letter berstatus 'dead' yang dapat dikirim ulang",
                "Only dead letters in status 'dead' can be retried",
                code="dead_letter_not_dead",
            )
        service = request.app.state.settings.service_name
        await session.execute(
            update(dead_letters).where(dead_letters.c.id == dead_letter_id).values(status=DL_RETRYING)
        )
        # Durable: the re-delivery task is itself an outbox row, sent once this transaction commits.
        await enqueue_task(session, f"{service}.events.redeliver", str(dead_letter_id))
        return _dead_letter_entry(await _dead_letter_row(session, dead_letter_id))

    return router
