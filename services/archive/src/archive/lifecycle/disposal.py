"""Destruction (*pemusnahan*): proposal list → appraisal panel → approvals → decree → witnessed
destruction → berita acara + list, kept permanently.

States (:data:`TRANSITIONS`)::

    usulan ──submit──▶ penilaian ──panel all decided──▶ persetujuan ──approvals──▶ disetujui
       │                   │ (a member refuses)              │ (an approver refuses)   │ decree
       ▼                   ▼                                 ▼                         ▼
    dibatalkan          ditolak                            ditolak                 ditetapkan ──execute──▶ dimusnahkan

The four-condition guard (+ legal holds, :mod:`archive.lifecycle.guards`) runs when a record is
proposed, when the proposal is submitted and again at execution, so a case opened or a hold placed
in the meantime still stops it. Execution is one transaction: records become ``musnah``, the
witnesses, the berita acara and the list (PDF, stored before the transaction commits) are recorded,
and an outbox task ``archive.disposal.purge`` is queued. Only that task, which runs after the
commit, deletes the records' files — so a crash at any point leaves either records that are not
destroyed (and no berita acara row) or destroyed records with their berita acara, and never a deleted
object whose destruction is not on record.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from archive.access.records import actor_of
from archive.audit import AuditDraft, append_many
from archive.events import DISPOSAL_DESTROYED as EVENT_DISPOSAL_DESTROYED
from archive.events import RECORD_DESTROYED, publish, publish_record
from archive.lifecycle import documents
from archive.lifecycle.guards import destruction_reasons
from archive.lifecycle.retention import total_retention_years
from archive.models import (
    DisposalApproval,
    DisposalItem,
    DisposalPanelMember,
    DisposalProposal,
    DisposalWitness,
    Document,
    Record,
    RecordFile,
)
from archive.models.lifecycle import (
    DISPOSAL_APPROVED,
    DISPOSAL_CANCELLED,
    DISPOSAL_DECREED,
    DISPOSAL_DESTROYED,
    DISPOSAL_DRAFT,
    DISPOSAL_REJECTED,
    DISPOSAL_REVIEWED,
    DISPOSAL_SUBMITTED,
)
from archive.models.records import STATUS_DESTROYED
from archive.records.service import record_service
from archive.runtime import ArchiveRuntime
from archive.search.indexer import enqueue_index
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.db import utcnow
from pusip_kit.documents import OfficialDocument, Signatory
from pusip_kit.errors import NotFound, Reason, Refused
from pusip_kit.outbox import enqueue_task
from pusip_kit.pagination import PaginationParams

TASK_PURGE = "archive.disposal.purge"
MIN_WITNESSES = 2
ITEM_PROPOSED = "diusulkan"
ITEM_EXCLUDED = "dikeluarkan"
ITEM_DESTROYED = "dimusnahkan"
KIND_BERITA_ACARA = "berita_acara_pemusnahan"
KIND_LIST = "daftar_arsip_musnah"

TRANSITIONS: dict[str, tuple[str, ...]] = {
    DISPOSAL_DRAFT: (DISPOSAL_SUBMITTED, DISPOSAL_CANCELLED),
    DISPOSAL_SUBMITTED: (DISPOSAL_REVIEWED, DISPOSAL_REJECTED),
    DISPOSAL_REVIEWED: (DISPOSAL_APPROVED, DISPOSAL_REJECTED),
    DISPOSAL_APPROVED: (DISPOSAL_DECREED, DISPOSAL_CANCELLED),
    DISPOSAL_DECREED: (DISPOSAL_DESTROYED, DISPOSAL_CANCELLED),
    DISPOSAL_DESTROYED: (),
    DISPOSAL_REJECTED: (),
    DISPOSAL_CANCELLED: (),
}
NEXT_STEP = {
    DISPOSAL_DRAFT: "tambahkan arsip dan panitia penilai, lalu ajukan / add records and the panel, then submit",
    DISPOSAL_SUBMITTED: "keputusan setiap anggota panitia penilai / each panel member decides",
    DISPOSAL_REVIEWED: "persetujuan pimpinan (dan atasan bila retensi ≥ 10 tahun) / approvals",
    DISPOSAL_APPROVED: "penetapan keputusan pemusnahan / the destruction decree",
    DISPOSAL_DECREED: "pemusnahan disaksikan sedikitnya dua pejabat / witnessed destruction",
}

# Fault injection for crash tests: called with a checkpoint name during execution.
FaultHook = Callable[[str], None]
fault_hook: FaultHook | None = None


def _checkpoint(name: str) -> None:
    if fault_hook is not None:
        fault_hook(name)


def proposal_not_found(proposal_id: Any) -> NotFound:
    return NotFound(
        "Usulan pemusnahan tidak ditemukan",
        "Destruction proposal not found",
        code="disposal_not_found",
        details={"id": str(proposal_id)},
    )


def refuse_when_state_is_not(proposal: DisposalProposal, *states: str) -> Reason | None:
    if proposal.status in states:
        return None
    return Reason(
        "refuse_when_wrong_state",
        f"Usulan berstatus {proposal.status}; langkah ini memerlukan status {' atau '.join(states)}",
        f"The proposal is {proposal.status}; this step needs {' or '.join(states)}",
        {"status": proposal.status, "needed": list(states)},
    )


def refuse_when_panel_incomplete(members: Sequence[DisposalPanelMember]) -> Reason | None:
    roles = {m.panel_role for m in members}
    missing = [r for r in ("kepala_unit_kearsipan", "kepala_unit_pengolah", "arsiparis") if r not in roles]
    if not missing:
        return None
    return Reason(
        "refuse_when_panel_incomplete",
        "Panitia penilai harus terdiri atas kepala unit kearsipan, kepala unit pengolah dan arsiparis; kurang: "
        + ", ".join(missing),
        "The appraisal panel needs the head of the archive unit, unit heads and archivists; missing: "
        + ", ".join(missing),
        {"missing": missing},
    )


def refuse_when_empty(items: Sequence[DisposalItem]) -> Reason | None:
    if any(i.status == ITEM_PROPOSED for i in items):
        return None
    return Reason("refuse_when_empty", "Usulan tidak memuat arsip", "The proposal lists no records")


def refuse_when_too_few_witnesses(witnesses: Sequence[Any]) -> Reason | None:
    if len(witnesses) >= MIN_WITNESSES:
        return None
    return Reason(
        "refuse_when_too_few_witnesses",
        f"Pemusnahan harus disaksikan sedikitnya {MIN_WITNESSES} pejabat (tercatat {len(witnesses)})",
        f"Destruction must be witnessed by at least {MIN_WITNESSES} officials ({len(witnesses)} given)",
        {"witnesses": len(witnesses), "minimum": MIN_WITNESSES},
    )


def refuse_when_approvals_missing(
    proposal: DisposalProposal, approvals: Sequence[DisposalApproval]
) -> Reason | None:
    agreed = {a.level for a in approvals if a.decision == "setuju"}
    missing = ["kepala_dinas"] if "kepala_dinas" not in agreed else []
    if proposal.requires_higher_approval and "atasan" not in agreed:
        missing.append("atasan")
    if not missing:
        return None
    return Reason(
        "refuse_when_approvals_missing",
        "Persetujuan belum lengkap: " + ", ".join(missing),
        "Approvals incomplete: " + ", ".join(missing),
        {"missing": missing},
    )


def _reason_dicts(reasons: dict[uuid.UUID, list[Reason]]) -> list[Reason]:
    out = []
    for reasons_of_record in reasons.values():
        out.extend(reasons_of_record)
    return out


class DisposalService:
    async def _proposal(self, session: AsyncSession, proposal_id: uuid.UUID) -> DisposalProposal:
        item = await session.get(DisposalProposal, proposal_id)
        if item is None:
            raise proposal_not_found(proposal_id)
        return item

    async def _items(self, session: AsyncSession, proposal_id: uuid.UUID) -> list[DisposalItem]:
        result = await session.execute(select(DisposalItem).where(DisposalItem.proposal_id == proposal_id))
        return list(result.scalars().all())

    async def _panel(self, session: AsyncSession, proposal_id: uuid.UUID) -> list[DisposalPanelMember]:
        result = await session.execute(
            select(DisposalPanelMember)
            .where(DisposalPanelMember.proposal_id == proposal_id)
            .order_by(DisposalPanelMember.created_at)
        )
        return list(result.scalars().all())

    async def _approvals(self, session: AsyncSession, proposal_id: uuid.UUID) -> list[DisposalApproval]:
        result = await session.execute(
            select(DisposalApproval)
            .where(DisposalApproval.proposal_id == proposal_id)
            .order_by(DisposalApproval.created_at)
        )
        return list(result.scalars().all())

    async def _records(
        self, session: AsyncSession, items: Sequence[DisposalItem], *, status: str = ITEM_PROPOSED
    ) -> list[Record]:
        ids = [i.record_id for i in items if i.status == status]
        if not ids:
            return []
        result = await session.execute(select(Record).where(Record.id.in_(ids)).with_for_update())
        return list(result.scalars().all())

    def _move(self, proposal: DisposalProposal, to: str) -> None:
        if to not in TRANSITIONS[proposal.status]:
            raise Refused(
                reasons=[
                    r
                    for r in [
                        refuse_when_state_is_not(proposal, *[s for s, t in TRANSITIONS.items() if to in t])
                    ]
                    if r
                ]
            )
        proposal.status = to

    async def detail(self, session: AsyncSession, *, proposal_id: uuid.UUID) -> dict[str, Any]:
        proposal = await self._proposal(session, proposal_id)
        witnesses = (
            (await session.execute(select(DisposalWitness).where(DisposalWitness.proposal_id == proposal_id)))
            .scalars()
            .all()
        )
        return {
            "proposal": proposal,
            "items": await self._items(session, proposal_id),
            "panel": await self._panel(session, proposal_id),
            "approvals": await self._approvals(session, proposal_id),
            "witnesses": [{"name": w.name, "nip": w.nip, "position": w.position} for w in witnesses],
            "documents": await documents.documents_of(session, proposal_id),
            "next_step": NEXT_STEP.get(proposal.status),
        }

    async def list_proposals(
        self, session: AsyncSession, *, status: str | None, pagination: PaginationParams
    ) -> tuple[Sequence[DisposalProposal], int]:
        statement = select(DisposalProposal)
        if status:
            statement = statement.where(DisposalProposal.status == status)
        total = await session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await session.execute(
            statement.order_by(DisposalProposal.created_at.desc())
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def create(
        self, session: AsyncSession, auth_subject: AuthSubject, *, title: str, number: str | None
    ) -> DisposalProposal:
        proposal = DisposalProposal(
            number=number or f"USUL-MUSNAH/{utcnow():%Y%m%d}/{uuid.uuid4().hex[:6].upper()}",
            title=title,
            status=DISPOSAL_DRAFT,
            created_by=actor_of(auth_subject),
        )
        session.add(proposal)
        await session.flush()
        return proposal

    async def check(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        record_ids: Sequence[uuid.UUID],
        today: date | None = None,
    ) -> dict[uuid.UUID, list[Reason]]:
        """The dry run of the destruction guard for records the caller may read."""
        records = [
            await record_service.read(session, auth_subject, record_id=i, action="disposal_check")
            for i in dict.fromkeys(record_ids)
        ]
        return await destruction_reasons(session, records, today or date.today())

    async def add_items(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        proposal_id: uuid.UUID,
        record_ids: Sequence[uuid.UUID],
        today: date | None = None,
    ) -> tuple[list[uuid.UUID], dict[uuid.UUID, list[Reason]]]:
        proposal = await self._proposal(session, proposal_id)
        state = refuse_when_state_is_not(proposal, DISPOSAL_DRAFT)
        if state is not None:
            raise Refused(reasons=[state])
        reasons = await self.check(session, auth_subject, record_ids=record_ids, today=today)
        existing = {i.record_id for i in await self._items(session, proposal_id)}
        elsewhere = await session.execute(
            select(DisposalItem.record_id)
            .join(DisposalProposal, DisposalProposal.id == DisposalItem.proposal_id)
            .where(
                DisposalItem.record_id.in_(list(reasons)),
                DisposalItem.proposal_id != proposal_id,
                DisposalItem.status == ITEM_PROPOSED,
                DisposalProposal.status.in_(
                    [
                        DISPOSAL_DRAFT,
                        DISPOSAL_SUBMITTED,
                        DISPOSAL_REVIEWED,
                        DISPOSAL_APPROVED,
                        DISPOSAL_DECREED,
                    ]
                ),
            )
        )
        for record_id in elsewhere.scalars().all():
            reasons[record_id].append(
                Reason(
                    "refuse_when_in_other_proposal",
                    "Arsip sudah ada dalam usulan pemusnahan lain yang berjalan",
                    "The record is already in another open destruction proposal",
                    {"record_id": str(record_id)},
                )
            )
        added = []
        for record_id, found in reasons.items():
            if found or record_id in existing:
                continue
            session.add(DisposalItem(proposal_id=proposal_id, record_id=record_id, status=ITEM_PROPOSED))
            added.append(record_id)
        await session.flush()
        return added, {k: v for k, v in reasons.items() if v}

    async def remove_item(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        proposal_id: uuid.UUID,
        record_id: uuid.UUID,
    ) -> None:
        proposal = await self._proposal(session, proposal_id)
        state = refuse_when_state_is_not(proposal, DISPOSAL_DRAFT)
        if state is not None:
            raise Refused(reasons=[state])
        item = await session.get(DisposalItem, (proposal_id, record_id))
        if item is not None:
            await session.delete(item)
            await session.flush()

    async def set_panel(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        proposal_id: uuid.UUID,
        members: Sequence[dict[str, Any]],
    ) -> list[DisposalPanelMember]:
        proposal = await self._proposal(session, proposal_id)
        state = refuse_when_state_is_not(proposal, DISPOSAL_DRAFT)
        if state is not None:
            raise Refused(reasons=[state])
        for old in await self._panel(session, proposal_id):
            await session.delete(old)
        await session.flush()
        created = [DisposalPanelMember(proposal_id=proposal_id, excluded_record_ids=[], **m) for m in members]
        session.add_all(created)
        await session.flush()
        return created

    async def submit(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        proposal_id: uuid.UUID,
        today: date | None = None,
    ) -> DisposalProposal:
        proposal = await self._proposal(session, proposal_id)
        items = await self._items(session, proposal_id)
        reasons = [
            r
            for r in (
                refuse_when_state_is_not(proposal, DISPOSAL_DRAFT),
                refuse_when_empty(items),
                refuse_when_panel_incomplete(await self._panel(session, proposal_id)),
            )
            if r
        ]
        reasons += _reason_dicts(
            await destruction_reasons(session, await self._records(session, items), today or date.today())
        )
        if reasons:
            raise Refused(reasons=reasons)
        self._move(proposal, DISPOSAL_SUBMITTED)
        proposal.submitted_at = utcnow()
        await session.flush()
        return proposal

    async def decide_member(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        proposal_id: uuid.UUID,
        member_id: uuid.UUID,
        decision: str,
        note: str | None,
        excluded: Sequence[uuid.UUID],
        settings_min_years: int = 10,
    ) -> DisposalProposal:
        proposal = await self._proposal(session, proposal_id)
        state = refuse_when_state_is_not(proposal, DISPOSAL_SUBMITTED)
        if state is not None:
            raise Refused(reasons=[state])
        member = await session.get(DisposalPanelMember, member_id)
        if member is None or member.proposal_id != proposal_id:
            raise NotFound(
                "Anggota panitia tidak ditemukan", "Panel member not found", code="panel_member_not_found"
            )
        member.decision = decision
        member.note = note
        member.excluded_record_ids = [str(i) for i in excluded]
        member.decided_at = utcnow()
        await session.flush()
        panel = await self._panel(session, proposal_id)
        if any(m.decision is None for m in panel):
            return proposal
        items = await self._items(session, proposal_id)
        if any(m.decision == "tolak" for m in panel):
            self._move(proposal, DISPOSAL_REJECTED)
            proposal.closed_reason = "; ".join(
                f"{m.name}: {m.note or 'menolak'}" for m in panel if m.decision == "tolak"
            )
        else:
            kept_out = {rid for m in panel for rid in m.excluded_record_ids}
            for item in items:
                if str(item.record_id) in kept_out and item.status == ITEM_PROPOSED:
                    item.status = ITEM_EXCLUDED
                    item.excluded_reason = (
                        "dikeluarkan oleh panitia penilai / kept out by the appraisal panel"
                    )
            remaining = await self._records(session, items)
            if not remaining:
                self._move(proposal, DISPOSAL_REJECTED)
                proposal.closed_reason = "semua arsip dikeluarkan panitia / the panel kept every record out"
            else:
                self._move(proposal, DISPOSAL_REVIEWED)
                proposal.requires_higher_approval = any(
                    total_retention_years(r) >= settings_min_years for r in remaining
                )
        proposal.reviewed_at = utcnow()
        await session.flush()
        return proposal

    async def approve(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        proposal_id: uuid.UUID,
        data: dict[str, Any],
    ) -> DisposalProposal:
        proposal = await self._proposal(session, proposal_id)
        state = refuse_when_state_is_not(proposal, DISPOSAL_REVIEWED)
        if state is not None:
            raise Refused(reasons=[state])
        session.add(DisposalApproval(proposal_id=proposal_id, recorded_by=actor_of(auth_subject), **data))
        await session.flush()
        if data["decision"] == "tolak":
            self._move(proposal, DISPOSAL_REJECTED)
            proposal.closed_reason = (
                f"{data['approver_name']} ({data['level']}): {data.get('note') or 'tidak setuju'}"
            )
        elif refuse_when_approvals_missing(proposal, await self._approvals(session, proposal_id)) is None:
            self._move(proposal, DISPOSAL_APPROVED)
            proposal.approved_at = utcnow()
        await session.flush()
        return proposal

    async def decree(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        proposal_id: uuid.UUID,
        number: str,
        day: date,
        signed_by: str,
    ) -> DisposalProposal:
        proposal = await self._proposal(session, proposal_id)
        reasons = [
            r
            for r in (
                refuse_when_state_is_not(proposal, DISPOSAL_APPROVED),
                refuse_when_approvals_missing(proposal, await self._approvals(session, proposal_id)),
            )
            if r
        ]
        if reasons:
            raise Refused(reasons=reasons)
        proposal.decree_number = number
        proposal.decree_date = day
        proposal.decree_signed_by = signed_by
        self._move(proposal, DISPOSAL_DECREED)
        await session.flush()
        return proposal

    async def cancel(
        self, session: AsyncSession, auth_subject: AuthSubject, *, proposal_id: uuid.UUID, reason: str
    ) -> DisposalProposal:
        proposal = await self._proposal(session, proposal_id)
        self._move(proposal, DISPOSAL_CANCELLED)
        proposal.closed_reason = reason
        await session.flush()
        return proposal

    async def execution_reasons(
        self, session: AsyncSession, proposal: DisposalProposal, witnesses: Sequence[Any], today: date
    ) -> tuple[list[Record], list[Reason]]:
        items = await self._items(session, proposal.id)
        records = await self._records(session, items)
        reasons = [
            r
            for r in (
                refuse_when_state_is_not(proposal, DISPOSAL_DECREED),
                refuse_when_approvals_missing(proposal, await self._approvals(session, proposal.id)),
                refuse_when_too_few_witnesses(witnesses),
                refuse_when_empty(items),
            )
            if r
        ]
        reasons += _reason_dicts(await destruction_reasons(session, records, today))
        return records, reasons

    async def execute(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        runtime: ArchiveRuntime,
        *,
        proposal_id: uuid.UUID,
        executed_on: date,
        method: str,
        place: str,
        witnesses: Sequence[dict[str, Any]],
        executor: dict[str, Any],
        dry_run: bool = False,
    ) -> DisposalProposal:
        """Witnessed destruction, all in the caller's transaction (see the module docs)."""
        proposal = await self._proposal(session, proposal_id)
        records, reasons = await self.execution_reasons(session, proposal, witnesses, executed_on)
        if reasons:
            raise Refused(reasons=reasons)
        if dry_run:
            return proposal
        actor = actor_of(auth_subject)
        now = utcnow()
        _checkpoint("start")
        for record in records:
            record.status = STATUS_DESTROYED
            record.destroyed_at = now
            record.due_action = None
            record.due_since = None
        for item in await self._items(session, proposal_id):
            if item.status == ITEM_PROPOSED:
                item.status = ITEM_DESTROYED
        session.add_all(DisposalWitness(proposal_id=proposal_id, **w) for w in witnesses)
        self._move(proposal, DISPOSAL_DESTROYED)
        proposal.executed_at = now
        proposal.executed_by = actor
        proposal.method = method
        proposal.place = place
        await session.flush()
        _checkpoint("records_marked")
        number = f"BA-MUSNAH/{proposal.number}"
        signers = [Signatory("Pelaksana", executor["name"], executor.get("nip"))] + [
            Signatory("Saksi", w["name"], w.get("nip")) for w in witnesses
        ]
        berita_acara = OfficialDocument(
            agency=runtime.settings.agency_name,
            title="Berita Acara Pemusnahan Arsip",
            number=number,
            issued_on=executed_on,
            facts=[
                (
                    "Dasar",
                    f"Keputusan {proposal.decree_number} tanggal {documents.long_date(proposal.decree_date or executed_on)}",
                ),
                ("Usulan", f"{proposal.number} — {proposal.title}"),
                ("Jumlah arsip", str(len(records))),
                ("Cara pemusnahan", method),
                ("Tempat", place),
                ("Pelaksana", f"{executor['name']} ({executor['position']})"),
                ("Saksi", "; ".join(f"{w['name']} ({w['position']})" for w in witnesses)),
            ],
            paragraphs=[
                f"Pada hari ini, {documents.long_date(executed_on)}, telah dilaksanakan pemusnahan {len(records)} "
                "arsip yang telah habis masa retensinya, bernasib akhir musnah menurut Jadwal Retensi Arsip, "
                "tidak dilarang oleh peraturan perundang-undangan dan tidak berkaitan dengan perkara yang belum "
                "selesai, sebagaimana tercantum dalam daftar arsip yang dimusnahkan terlampir.",
                "Berita acara ini beserta daftarnya disimpan secara permanen.",
            ],
            signatories=signers,
        )
        await documents.issue(
            session,
            runtime,
            kind=KIND_BERITA_ACARA,
            subject_type="disposal",
            subject_id=proposal_id,
            document=berita_acara,
            actor=actor,
        )
        await documents.issue(
            session,
            runtime,
            kind=KIND_LIST,
            subject_type="disposal",
            subject_id=proposal_id,
            document=documents.record_list(
                runtime,
                title="Daftar Arsip yang Dimusnahkan",
                number=number,
                issued_on=executed_on,
                records=records,
                note=f"Lampiran Berita Acara Pemusnahan Arsip nomor {number}.",
            ),
            actor=actor,
        )
        _checkpoint("documents_stored")
        await append_many(
            session,
            [
                AuditDraft(
                    actor=actor,
                    action="destroy",
                    outcome="done",
                    record_id=str(r.id),
                    level=r.security_level,
                    details={"proposal": proposal.number, "decree": proposal.decree_number},
                )
                for r in records
            ],
        )
        for record in records:
            await publish_record(session, RECORD_DESTROYED, record, proposal_id=str(proposal_id))
        await publish(
            session,
            EVENT_DISPOSAL_DESTROYED,
            {"id": str(proposal_id), "number": proposal.number, "records": len(records)},
            key=str(proposal_id),
            unit=None,
        )
        await enqueue_index(session, [r.id for r in records])
        await enqueue_task(session, TASK_PURGE, str(proposal_id))
        _checkpoint("before_commit")
        return proposal


disposal_service = DisposalService()


async def purge_destroyed_files(
    sessionmaker: async_sessionmaker[AsyncSession], runtime: ArchiveRuntime, proposal_id: uuid.UUID
) -> dict[str, int]:
    """Delete the files of a committed destruction (the outbox task ``archive.disposal.purge``).

    Idempotent: objects already gone are skipped; a crash between deleting an object and marking it
    purged only means the delete is repeated. Refuses to touch anything unless the proposal is
    ``dimusnahkan`` *and* its berita acara is on record.
    """
    async with sessionmaker() as session:
        proposal = await session.get(DisposalProposal, proposal_id)
        if proposal is None or proposal.status != DISPOSAL_DESTROYED:
            return {"purged": 0, "skipped": 1}
        has_minutes = await session.scalar(
            select(func.count())
            .select_from(Document)
            .where(Document.subject_id == proposal_id, Document.kind == KIND_BERITA_ACARA)
        )
        if not has_minutes:
            return {"purged": 0, "skipped": 1}
        result = await session.execute(
            select(RecordFile)
            .join(DisposalItem, DisposalItem.record_id == RecordFile.record_id)
            .join(Record, Record.id == RecordFile.record_id)
            .where(
                DisposalItem.proposal_id == proposal_id,
                DisposalItem.status == ITEM_DESTROYED,
                Record.status == STATUS_DESTROYED,
                RecordFile.purged_at.is_(None),
            )
        )
        files = list(result.scalars().all())
    purged = 0
    for item in files:
        await runtime.files.delete(item.object_key)
        async with sessionmaker() as session:
            row = await session.get(RecordFile, item.id)
            if row is not None and row.purged_at is None:
                row.purged_at = utcnow()
                row.text_content = None
                await session.commit()
        purged += 1
    return {"purged": purged, "skipped": 0}
