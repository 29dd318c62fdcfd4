"""Transfer (*pemindahan*: active → inactive, to the records centre) and hand-over (*penyerahan*:
permanent records → the static archive), each with a berita acara and a list (PDF).

A static archive keeps its security level until it opens: ``opens_on`` is the record date plus
``static_closure_years`` (25 by default, as data in the settings); the daily job then opens it
(level becomes ``BIASA``, the former level is kept in ``original_security_level``), which makes it
public through the one access policy.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from archive.access.records import actor_of
from archive.audit import AuditDraft, append_many
from archive.events import RECORD_HANDED_OVER, RECORD_TRANSFERRED, publish_record
from archive.lifecycle import documents
from archive.lifecycle.guards import handover_reasons, transfer_reasons
from archive.lifecycle.retention import add_years
from archive.models import Handover, HandoverItem, Record, Transfer, TransferItem
from archive.models.lifecycle import LIFECYCLE_DONE, LIFECYCLE_DRAFT
from archive.models.records import STATUS_INACTIVE, STATUS_STATIC
from archive.records.service import record_service, refresh_dates
from archive.runtime import ArchiveRuntime
from archive.search.indexer import enqueue_index
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.db import utcnow
from pusip_kit.documents import OfficialDocument
from pusip_kit.errors import NotFound, Reason, Refused
from pusip_kit.pagination import PaginationParams


def _not_found(what: str, what_en: str, item_id: Any) -> NotFound:
    return NotFound(
        f"{what} tidak ditemukan", f"{what_en} not found", code="not_found", details={"id": str(item_id)}
    )


def refuse_when_mixed_units(records: Sequence[Record]) -> Reason | None:
    units = sorted({r.unit for r in records})
    if len(units) <= 1:
        return None
    return Reason(
        "refuse_when_mixed_units",
        "Satu pemindahan hanya untuk arsip dari satu unit pengolah: " + ", ".join(units),
        "One transfer covers records of one creating unit only: " + ", ".join(units),
        {"units": units},
    )


def refuse_when_done(status: str) -> Reason | None:
    if status == LIFECYCLE_DRAFT:
        return None
    return Reason("refuse_when_done", f"Sudah berstatus {status}", f"Already {status}", {"status": status})


class TransferService:
    async def _readable(
        self, session: AsyncSession, auth_subject: AuthSubject, ids: Sequence[uuid.UUID], action: str
    ) -> list[Record]:
        return [
            await record_service.read(session, auth_subject, record_id=i, action=action)
            for i in dict.fromkeys(ids)
        ]

    async def record_ids(
        self, session: AsyncSession, table: Any, key: Any, parent_id: uuid.UUID
    ) -> list[uuid.UUID]:
        result = await session.execute(select(table.record_id).where(key == parent_id))
        return list(result.scalars().all())

    # ------------------------------------------------------------------ pemindahan

    async def create_transfer(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        runtime: ArchiveRuntime,
        *,
        record_ids: Sequence[uuid.UUID],
        number: str | None,
        destination: str | None,
        note: str | None,
        today: date | None = None,
    ) -> Transfer:
        records = await self._readable(session, auth_subject, record_ids, "transfer")
        today = today or date.today()
        reasons = [r for r in [refuse_when_mixed_units(records)] if r]
        for record in records:
            reasons += transfer_reasons(record, today)
        if reasons:
            raise Refused(reasons=reasons)
        transfer = Transfer(
            number=number or f"PINDAH/{utcnow():%Y%m%d}/{uuid.uuid4().hex[:6].upper()}",
            unit=records[0].unit,
            destination=destination or runtime.settings.records_centre,
            status=LIFECYCLE_DRAFT,
            note=note,
            created_by=actor_of(auth_subject),
        )
        session.add(transfer)
        await session.flush()
        session.add_all(TransferItem(transfer_id=transfer.id, record_id=r.id) for r in records)
        await session.flush()
        return transfer

    async def get_transfer(self, session: AsyncSession, *, transfer_id: uuid.UUID) -> Transfer:
        item = await session.get(Transfer, transfer_id)
        if item is None:
            raise _not_found("Pemindahan", "Transfer", transfer_id)
        return item

    async def list_transfers(
        self, session: AsyncSession, *, pagination: PaginationParams
    ) -> tuple[Sequence[Transfer], int]:
        total = await session.scalar(select(func.count()).select_from(Transfer))
        result = await session.execute(
            select(Transfer)
            .order_by(Transfer.created_at.desc())
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def execute_transfer(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        runtime: ArchiveRuntime,
        *,
        transfer_id: uuid.UUID,
        signatories: Sequence[dict[str, Any]],
        today: date | None = None,
    ) -> Transfer:
        transfer = await self.get_transfer(session, transfer_id=transfer_id)
        today = today or date.today()
        ids = await self.record_ids(session, TransferItem, TransferItem.transfer_id, transfer_id)
        records = await self._readable(session, auth_subject, ids, "transfer")
        reasons = [r for r in [refuse_when_done(transfer.status)] if r]
        for record in records:
            reasons += transfer_reasons(record, today)
        if reasons:
            raise Refused(reasons=reasons)
        now = utcnow()
        for record in records:
            record.status = STATUS_INACTIVE
            record.transferred_at = now
            refresh_dates(record, today)
        transfer.status = LIFECYCLE_DONE
        transfer.executed_at = now
        transfer.executed_by = actor_of(auth_subject)
        transfer.signatories = list(signatories)
        await session.flush()
        number = f"BA-PINDAH/{transfer.number}"
        await documents.issue(
            session,
            runtime,
            kind="berita_acara_pemindahan",
            subject_type="transfer",
            subject_id=transfer.id,
            document=OfficialDocument(
                agency=runtime.settings.agency_name,
                unit=transfer.unit,
                title="Berita Acara Pemindahan Arsip Inaktif",
                number=number,
                issued_on=today,
                facts=[
                    ("Unit pengolah", transfer.unit),
                    ("Tujuan", transfer.destination),
                    ("Jumlah arsip", str(len(records))),
                ],
                paragraphs=[
                    f"Pada hari ini, {documents.long_date(today)}, telah dilaksanakan pemindahan {len(records)} arsip "
                    f"inaktif dari {transfer.unit} ke {transfer.destination} sebagaimana tercantum dalam daftar "
                    "arsip yang dipindahkan terlampir.",
                ],
                signatories=documents.signatories(signatories),
            ),
            actor=actor_of(auth_subject),
        )
        await documents.issue(
            session,
            runtime,
            kind="daftar_arsip_pindah",
            subject_type="transfer",
            subject_id=transfer.id,
            document=documents.record_list(
                runtime,
                title="Daftar Arsip Inaktif yang Dipindahkan",
                number=number,
                issued_on=today,
                records=records,
                note=f"Lampiran Berita Acara Pemindahan Arsip nomor {number}.",
            ),
            actor=actor_of(auth_subject),
        )
        await append_many(
            session,
            [
                AuditDraft(
                    actor=actor_of(auth_subject),
                    action="transfer",
                    outcome="done",
                    record_id=str(r.id),
                    level=r.security_level,
                    details={"transfer": transfer.number},
                )
                for r in records
            ],
        )
        for record in records:
            await publish_record(session, RECORD_TRANSFERRED, record, transfer_id=str(transfer.id))
        await enqueue_index(session, [r.id for r in records])
        return transfer

    # ------------------------------------------------------------------ penyerahan

    async def create_handover(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        runtime: ArchiveRuntime,
        *,
        record_ids: Sequence[uuid.UUID],
        number: str | None,
        receiving_institution: str | None,
        note: str | None,
        today: date | None = None,
    ) -> Handover:
        records = await self._readable(session, auth_subject, record_ids, "handover")
        today = today or date.today()
        reasons: list[Reason] = []
        for record in records:
            reasons += handover_reasons(record, today)
        if reasons:
            raise Refused(reasons=reasons)
        handover = Handover(
            number=number or f"SERAH/{utcnow():%Y%m%d}/{uuid.uuid4().hex[:6].upper()}",
            receiving_institution=receiving_institution or runtime.settings.static_archive_institution,
            status=LIFECYCLE_DRAFT,
            note=note,
            created_by=actor_of(auth_subject),
        )
        session.add(handover)
        await session.flush()
        session.add_all(HandoverItem(handover_id=handover.id, record_id=r.id) for r in records)
        await session.flush()
        return handover

    async def get_handover(self, session: AsyncSession, *, handover_id: uuid.UUID) -> Handover:
        item = await session.get(Handover, handover_id)
        if item is None:
            raise _not_found("Penyerahan", "Hand-over", handover_id)
        return item

    async def list_handovers(
        self, session: AsyncSession, *, pagination: PaginationParams
    ) -> tuple[Sequence[Handover], int]:
        total = await session.scalar(select(func.count()).select_from(Handover))
        result = await session.execute(
            select(Handover)
            .order_by(Handover.created_at.desc())
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def execute_handover(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        runtime: ArchiveRuntime,
        *,
        handover_id: uuid.UUID,
        signatories: Sequence[dict[str, Any]],
        today: date | None = None,
    ) -> Handover:
        handover = await self.get_handover(session, handover_id=handover_id)
        today = today or date.today()
        ids = await self.record_ids(session, HandoverItem, HandoverItem.handover_id, handover_id)
        records = await self._readable(session, auth_subject, ids, "handover")
        reasons = [r for r in [refuse_when_done(handover.status)] if r]
        for record in records:
            reasons += handover_reasons(record, today)
        if reasons:
            raise Refused(reasons=reasons)
        now = utcnow()
        years = runtime.settings.static_closure_years
        for record in records:
            record.status = STATUS_STATIC
            record.static_since = now
            record.opens_on = add_years(record.record_date, years)
            record.due_action = None
            record.due_since = None
        handover.status = LIFECYCLE_DONE
        handover.executed_at = now
        handover.executed_by = actor_of(auth_subject)
        handover.signatories = list(signatories)
        await session.flush()
        number = f"BA-SERAH/{handover.number}"
        await documents.issue(
            session,
            runtime,
            kind="berita_acara_penyerahan",
            subject_type="handover",
            subject_id=handover.id,
            document=OfficialDocument(
                agency=runtime.settings.agency_name,
                title="Berita Acara Penyerahan Arsip Statis",
                number=number,
                issued_on=today,
                facts=[
                    ("Penerima", handover.receiving_institution),
                    ("Jumlah arsip", str(len(records))),
                    ("Terbuka untuk umum", f"{years} tahun sejak tanggal arsip (arsip tertutup)"),
                ],
                paragraphs=[
                    f"Pada hari ini, {documents.long_date(today)}, telah diserahkan {len(records)} arsip bernilai "
                    f"guna permanen kepada {handover.receiving_institution} sebagaimana tercantum dalam daftar arsip "
                    "yang diserahkan terlampir.",
                ],
                signatories=documents.signatories(signatories),
            ),
            actor=actor_of(auth_subject),
        )
        await documents.issue(
            session,
            runtime,
            kind="daftar_arsip_serah",
            subject_type="handover",
            subject_id=handover.id,
            document=documents.record_list(
                runtime,
                title="Daftar Arsip Statis yang Diserahkan",
                number=number,
                issued_on=today,
                records=records,
                note=f"Lampiran Berita Acara Penyerahan Arsip Statis nomor {number}.",
            ),
            actor=actor_of(auth_subject),
        )
        await append_many(
            session,
            [
                AuditDraft(
                    actor=actor_of(auth_subject),
                    action="handover",
                    outcome="done",
                    record_id=str(r.id),
                    level=r.security_level,
                    details={"handover": handover.number},
                )
                for r in records
            ],
        )
        for record in records:
            await publish_record(session, RECORD_HANDED_OVER, record, handover_id=str(handover.id))
        await enqueue_index(session, [r.id for r in records])
        return handover


transfer_service = TransferService()
