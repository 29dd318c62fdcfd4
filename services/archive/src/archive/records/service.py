"""Records: registration, classification under the instruments in force, SKKAAD, files, links, holds.

Every read goes through the access policy: lists through its SQL compilation, a read of one record
through :func:`~archive.access.can_read` (refused reads answer 404 exactly like a missing record,
so a refusal never confirms that a record exists). Every access to a non-``BIASA`` record and every
refusal is appended to the hash-chained audit log.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from archive.access.policy import Viewer, can_read, unit_ancestors
from archive.access.records import access_drafts, actor_of, facts_for, record_filter, viewer_for
from archive.audit import AuditDraft, append_many
from archive.errors import record_not_found
from archive.events import RECORD_CREATED, RECORD_SECURITY_CHANGED, RECORD_UPDATED, publish_record
from archive.instruments.repository import InstrumentRepository
from archive.instruments.schemas import ResolvedSchedule
from archive.instruments.service import instrument_service
from archive.lifecycle.retention import due_action, schedule_dates
from archive.models import Berkas, LegalHold, Record, RecordCase, RecordFile, RecordLink
from archive.models.records import STATUS_ACTIVE, STATUS_DESTROYED
from archive.records.files import PDF_TEXT_MAX_BYTES, SniffedBody, pdf_text
from archive.records.repository import RecordFilters, RecordRepository
from archive.records.schemas import BerkasCreate, LinkCreate, RecordCreate, RecordUpdate
from archive.runtime import ArchiveRuntime
from archive.search.indexer import enqueue_index
from pusip_kit.auth.subject import AuthSubject, SecurityLevel
from pusip_kit.db import utcnow
from pusip_kit.errors import BadRequest, Conflict, Forbidden, NotFound, Reason, Refused
from pusip_kit.files import FileKind
from pusip_kit.pagination import PaginationParams
from pusip_kit.storage import ObjectReader


def unit_is_under(unit: str, parent: str) -> bool:
    return parent.strip("/") in unit_ancestors(unit)


def refuse_when_unit_outside_caller(auth_subject: AuthSubject, unit: str) -> Reason | None:
    if auth_subject.is_admin:
        return None
    if auth_subject.unit and unit_is_under(unit, auth_subject.unit):
        return None
    return Reason(
        "refuse_when_unit_outside_caller",
        f"Unit {unit} bukan unit Anda ({auth_subject.unit or 'tanpa unit'}) atau turunannya",
        f"Unit {unit} is not your unit ({auth_subject.unit or 'none'}) or below it",
        {"unit": unit, "caller_unit": auth_subject.unit},
    )


def refuse_when_no_instruments(set_id: uuid.UUID | None) -> Reason | None:
    if set_id is not None:
        return None
    return Reason(
        "refuse_when_no_instruments",
        "Belum ada set instrumen (klasifikasi + JRA + SKKAAD) yang berlaku; impor dan berlakukan dahulu",
        "No instrument set (classification + JRA + SKKAAD) is active; import and activate one first",
    )


def refuse_when_code_unknown(code: str, known: bool) -> Reason | None:
    if known:
        return None
    return Reason(
        "refuse_when_code_unknown",
        f"Kode klasifikasi {code} tidak ada di set instrumen",
        f"Classification code {code} is not in the instrument set",
        {"classification_code": code},
    )


def refuse_when_override_unjustified(
    inherited: str, level: str, ground: str | None, reason: str | None, ground_known: bool
) -> list[Reason]:
    """A level other than the code's needs a reason; a restricting one also a legal ground (art. 44)."""
    if level == inherited:
        return []
    out = []
    if not reason:
        out.append(
            Reason(
                "refuse_when_override_without_reason",
                f"Tingkat keamanan {level} berbeda dari kode ({inherited}); sebutkan alasannya",
                f"Security level {level} differs from the code's ({inherited}); state the reason",
                {"inherited": inherited, "requested": level},
            )
        )
    if level != SecurityLevel.BIASA.value and (not ground or not ground_known):
        out.append(
            Reason(
                "refuse_when_override_without_legal_ground",
                "Penutupan akses memerlukan satu dasar dari UU 43/2009 pasal 44 (lihat /access-grounds)",
                "Closing access needs one ground from UU 43/2009 art. 44 (see /access-grounds)",
                {"ground": ground, "requested": level},
            )
        )
    return out


def refuse_when_destroyed(record: Record) -> Reason | None:
    if record.status != STATUS_DESTROYED:
        return None
    return Reason(
        "refuse_when_destroyed",
        "Arsip telah dimusnahkan; hanya metadatanya yang disimpan",
        "The record was destroyed; only its metadata is kept",
        {"record_id": str(record.id)},
    )


def _actor(auth_subject: AuthSubject) -> str:
    return auth_subject.username or auth_subject.subject


def apply_schedule(record: Record, schedule: ResolvedSchedule) -> None:
    for name in (
        "active_years",
        "active_event",
        "inactive_years",
        "inactive_event",
        "disposition",
        "exception_condition",
        "exception_disposition",
    ):
        setattr(record, name, getattr(schedule, name))
    if schedule.law_forbids_destruction:
        record.law_forbids_destruction = True
        record.law_reference = record.law_reference or schedule.law_reference


def refresh_dates(record: Record, today: date | None = None) -> None:
    dates = schedule_dates(record)
    record.active_until = dates.active_until
    record.inactive_until = dates.inactive_until
    action = due_action(record, today or date.today())
    if action != record.due_action:
        record.due_action = action
        record.due_since = (today or date.today()) if action else None


@dataclass
class Classification:
    set_id: uuid.UUID
    schedule: ResolvedSchedule


class RecordService:
    # ---------------------------------------------------------------- classification

    async def classify(
        self, session: AsyncSession, *, code: str, set_id: uuid.UUID | None
    ) -> tuple[Classification | None, list[Reason]]:
        repository = InstrumentRepository(session)
        if set_id is None:
            active = await repository.active_set()
            set_id = active.id if active else None
        elif await repository.get_set(set_id) is None:
            set_id = None
        reason = refuse_when_no_instruments(set_id)
        if reason is not None or set_id is None:
            return None, [r for r in [reason] if r]
        for candidate in dict.fromkeys([code, code.upper()]):
            if await repository.get_code(set_id, candidate) is not None:
                schedule = await instrument_service.resolve_code(session, set_id=set_id, code=candidate)
                return Classification(set_id, schedule), []
        return None, [r for r in [refuse_when_code_unknown(code, False)] if r]

    async def check_create(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: RecordCreate
    ) -> tuple[Classification | None, list[Reason]]:
        """Every reason a registration would be refused (the dry run of :meth:`create`)."""
        reasons: list[Reason] = []
        unit_reason = refuse_when_unit_outside_caller(auth_subject, data.unit)
        if unit_reason:
            reasons.append(unit_reason)
        classification, class_reasons = await self.classify(
            session, code=data.classification_code, set_id=data.instrument_set_id
        )
        reasons += class_reasons
        if classification is not None and data.security_level is not None:
            ground_known = bool(
                data.security_ground and await InstrumentRepository(session).ground(data.security_ground)
            )
            reasons += refuse_when_override_unjustified(
                classification.schedule.security_level,
                data.security_level.value,
                data.security_ground,
                data.security_reason,
                ground_known,
            )
        if data.berkas_id is not None:
            berkas = await RecordRepository(session).berkas(data.berkas_id)
            if berkas is None or berkas.unit != data.unit:
                reasons.append(
                    Reason(
                        "refuse_when_berkas_unknown",
                        "Berkas tidak ada atau milik unit lain",
                        "The berkas does not exist or belongs to another unit",
                        {"berkas_id": str(data.berkas_id)},
                    )
                )
        if await RecordRepository(session).by_reference(data.unit, data.reference_number) is not None:
            reasons.append(
                Reason(
                    "refuse_when_reference_exists",
                    f"Nomor {data.reference_number} sudah terdaftar untuk unit {data.unit}",
                    f"Reference {data.reference_number} is already registered for unit {data.unit}",
                    {"unit": data.unit, "reference_number": data.reference_number},
                )
            )
        return classification, reasons

    async def create(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: RecordCreate, source: str = "manual"
    ) -> Record:
        classification, reasons = await self.check_create(session, auth_subject, data=data)
        if reasons or classification is None:
            raise Refused(reasons=reasons)
        inherited = classification.schedule.security_level
        level = data.security_level.value if data.security_level else inherited
        overridden = level != inherited
        record = Record(
            reference_number=data.reference_number,
            title=data.title,
            record_date=data.record_date,
            unit=data.unit.strip("/"),
            description=data.description,
            berkas_id=data.berkas_id,
            instrument_set_id=classification.set_id,
            classification_code=classification.schedule.code,
            security_level=level,
            security_inherited=not overridden,
            security_ground=data.security_ground if overridden else None,
            security_reason=data.security_reason if overridden else None,
            event_date=data.event_date,
            law_forbids_destruction=False,
            status=STATUS_ACTIVE,
            source=source,
            created_by=actor_of(auth_subject),
        )
        apply_schedule(record, classification.schedule)
        refresh_dates(record)
        session.add(record)
        try:
            await session.flush()
        except IntegrityError as exc:
            raise Conflict(
                f"Nomor {data.reference_number} sudah terdaftar untuk unit {data.unit}",
                f"Reference {data.reference_number} is already registered for unit {data.unit}",
                code="record_exists",
            ) from exc
        if overridden:
            await append_many(
                session,
                [
                    AuditDraft(
                        actor=actor_of(auth_subject),
                        action="security_set",
                        outcome="done",
                        record_id=str(record.id),
                        level=level,
                        details={"inherited": inherited, "ground": record.security_ground},
                    )
                ],
            )
        await publish_record(session, RECORD_CREATED, record)
        await enqueue_index(session, [record.id])
        return record

    # ---------------------------------------------------------------- reads

    async def read(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        record_id: uuid.UUID,
        action: str = "read",
        viewer: Viewer | None = None,
    ) -> Record:
        """One record if the policy lets the caller read it (audited); else 404 (refusal audited)."""
        viewer = viewer or await viewer_for(session, auth_subject)
        record = await RecordRepository(session).get(record_id)
        if record is None:
            raise record_not_found(record_id)
        known = await facts_for(session, [record])
        if not can_read(viewer, known[record.id]):
            raise record_not_found(
                record_id, access_drafts(auth_subject, viewer, [record], action, "refused")
            )
        await append_many(session, access_drafts(auth_subject, viewer, [record], action))
        return record

    async def list_records(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        filters: RecordFilters,
        pagination: PaginationParams,
        action: str = "list",
    ) -> tuple[Sequence[Record], int]:
        viewer = await viewer_for(session, auth_subject)
        items, total = await RecordRepository(session).list_records(
            policy=record_filter(viewer), filters=filters, pagination=pagination
        )
        await append_many(session, access_drafts(auth_subject, viewer, items, action))
        return items, total

    async def for_write(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        record_id: uuid.UUID,
        action: str = "update",
    ) -> Record:
        """A record the caller may read *and* change (their unit, or below it; admins any)."""
        record = await self.read(session, auth_subject, record_id=record_id, action=action)
        reason = refuse_when_unit_outside_caller(auth_subject, record.unit)
        if reason is not None:
            raise Forbidden(reason.message, reason.message_en, code=reason.code, details=reason.details)
        return record

    # ---------------------------------------------------------------- changes

    async def update(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID, data: RecordUpdate
    ) -> Record:
        record = await self.for_write(session, auth_subject, record_id=record_id)
        destroyed = refuse_when_destroyed(record)
        if destroyed is not None:
            raise Refused(reasons=[destroyed])
        changes = {
            n: getattr(data, n) for n in data.model_fields_set if getattr(record, n) != getattr(data, n)
        }
        if "berkas_id" in changes and changes["berkas_id"] is not None:
            berkas = await RecordRepository(session).berkas(changes["berkas_id"])
            if berkas is None or berkas.unit != record.unit:
                raise Refused(
                    reasons=[
                        Reason(
                            "refuse_when_berkas_unknown",
                            "Berkas tidak ada atau milik unit lain",
                            "The berkas does not exist or belongs to another unit",
                            {"berkas_id": str(changes["berkas_id"])},
                        )
                    ]
                )
        if changes.get("law_forbids_destruction") and not (
            changes.get("law_reference") or record.law_reference
        ):
            raise BadRequest(
                "Sebutkan dasar hukum (law_reference) yang melarang pemusnahan",
                "Name the law (law_reference) that forbids destruction",
                code="law_reference_required",
            )
        if not changes:
            return record
        for name, value in changes.items():
            setattr(record, name, value)
        refresh_dates(record)
        await session.flush()
        await publish_record(session, RECORD_UPDATED, record, changed=sorted(changes))
        await enqueue_index(session, [record.id])
        return record

    async def reclassify(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        record_id: uuid.UUID,
        code: str,
        set_id: uuid.UUID | None,
        reason: str,
    ) -> Record:
        record = await self.for_write(session, auth_subject, record_id=record_id)
        if record.status != STATUS_ACTIVE:
            raise Refused(
                reasons=[
                    Reason(
                        "refuse_when_not_active",
                        "Hanya arsip aktif yang dapat diklasifikasi ulang",
                        "Only active records can be reclassified",
                        {"status": record.status},
                    )
                ]
            )
        classification, reasons = await self.classify(session, code=code, set_id=set_id)
        if reasons or classification is None:
            raise Refused(reasons=reasons)
        before = (str(record.instrument_set_id), record.classification_code, record.security_level)
        record.instrument_set_id = classification.set_id
        record.classification_code = classification.schedule.code
        apply_schedule(record, classification.schedule)
        if record.security_inherited:
            record.security_level = classification.schedule.security_level
        refresh_dates(record)
        await session.flush()
        await append_many(
            session,
            [
                AuditDraft(
                    actor=actor_of(auth_subject),
                    action="reclassify",
                    outcome="done",
                    record_id=str(record.id),
                    level=record.security_level,
                    details={
                        "before": {"set_id": before[0], "code": before[1], "level": before[2]},
                        "reason": reason,
                    },
                )
            ],
        )
        await publish_record(session, RECORD_UPDATED, record, changed=["classification_code"])
        await enqueue_index(session, [record.id])
        return record

    async def override_security(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        record_id: uuid.UUID,
        level: SecurityLevel,
        ground: str | None,
        reason: str,
    ) -> Record:
        record = await self.for_write(session, auth_subject, record_id=record_id, action="security_change")
        destroyed = refuse_when_destroyed(record)
        if destroyed is not None:
            raise Refused(reasons=[destroyed])
        schedule = await instrument_service.resolve_code(
            session, set_id=record.instrument_set_id, code=record.classification_code
        )
        ground_known = bool(ground and await InstrumentRepository(session).ground(ground))
        reasons = refuse_when_override_unjustified(
            schedule.security_level, level.value, ground, reason, ground_known
        )
        if reasons:
            raise Refused(reasons=reasons)
        before = record.security_level
        record.security_level = level.value
        record.security_inherited = level.value == schedule.security_level
        record.security_ground = None if record.security_inherited else ground
        record.security_reason = reason
        await session.flush()
        await append_many(
            session,
            [
                AuditDraft(
                    actor=actor_of(auth_subject),
                    action="security_change",
                    outcome="done",
                    record_id=str(record.id),
                    level=level.value,
                    details={"before": before, "ground": record.security_ground, "reason": reason},
                )
            ],
        )
        await publish_record(session, RECORD_SECURITY_CHANGED, record, before=before)
        await enqueue_index(session, [record.id])
        return record

    # ---------------------------------------------------------------- files

    async def add_file(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        runtime: ArchiveRuntime,
        *,
        record_id: uuid.UUID,
        filename: str,
        body: AsyncIterator[bytes],
    ) -> RecordFile:
        """Stream a file into object storage (SHA-256 computed while streaming), typed by its content."""
        record = await self.for_write(session, auth_subject, record_id=record_id, action="upload")
        destroyed = refuse_when_destroyed(record)
        if destroyed is not None:
            raise Refused(reasons=[destroyed])
        settings = runtime.settings
        sniffed = SniffedBody(body, keep_text=settings.fulltext_max_chars * 4)
        kind = await sniffed.open()
        file_id = uuid.uuid4()
        key = f"records/{record.id}/{file_id}"
        stored = await runtime.files.put(
            key,
            sniffed.stream(),
            content_type=kind.value,
            max_size=settings.max_file_bytes,
            metadata={"record-id": str(record.id), "file-id": str(file_id)},
        )
        text = sniffed.text
        if kind is FileKind.PDF and stored.size <= PDF_TEXT_MAX_BYTES:
            text = await pdf_text(await runtime.files.read_bytes(key), settings.fulltext_max_chars)
        item = RecordFile(
            id=file_id,
            record_id=record.id,
            object_key=key,
            filename=_safe_filename(filename),
            content_type=kind.value,
            size=stored.size,
            sha256=stored.sha256,
            text_content=text[: settings.fulltext_max_chars] if text else None,
            uploaded_by=actor_of(auth_subject),
        )
        session.add(item)
        await session.flush()
        await enqueue_index(session, [record.id])
        return item

    async def files(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID
    ) -> Sequence[RecordFile]:
        await self.read(session, auth_subject, record_id=record_id, action="read")
        return await RecordRepository(session).files(record_id)

    async def open_file(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        runtime: ArchiveRuntime,
        *,
        record_id: uuid.UUID,
        file_id: uuid.UUID,
    ) -> tuple[RecordFile, ObjectReader]:
        await self.read(session, auth_subject, record_id=record_id, action="download")
        item = await RecordRepository(session).file(record_id, file_id)
        if item is None or item.purged_at is not None:
            raise NotFound(
                "Berkas tidak ditemukan (atau telah dimusnahkan bersama arsipnya)",
                "File not found (or destroyed with its record)",
                code="file_not_found",
                details={"file_id": str(file_id)},
            )
        reader = runtime.files.get(item.object_key)
        await reader.open()
        return item, reader

    # ---------------------------------------------------------------- links

    async def add_link(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID, data: LinkCreate
    ) -> RecordLink:
        record = await self.for_write(session, auth_subject, record_id=record_id, action="link")
        other = await self.read(session, auth_subject, record_id=data.to_record_id, action="link")
        if other.id == record.id:
            raise BadRequest(
                "Arsip tidak dapat ditautkan ke dirinya", "A record cannot link to itself", code="self_link"
            )
        link = RecordLink(
            from_record_id=record.id,
            to_record_id=other.id,
            relation=data.relation,
            note=data.note,
            created_by=actor_of(auth_subject),
        )
        session.add(link)
        try:
            await session.flush()
        except IntegrityError as exc:
            raise Conflict("Tautan sudah ada", "The link already exists", code="link_exists") from exc
        return link

    async def links(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID
    ) -> list[tuple[RecordLink, Record, str]]:
        """Links of a readable record, to records the caller may also read (others are left out)."""
        viewer = await viewer_for(session, auth_subject)
        await self.read(session, auth_subject, record_id=record_id, viewer=viewer)
        repository = RecordRepository(session)
        links = await repository.links(record_id)
        others = await repository.get_many(
            [link.to_record_id if link.from_record_id == record_id else link.from_record_id for link in links]
        )
        known = await facts_for(session, others)
        by_id = {r.id: r for r in others if can_read(viewer, known[r.id])}
        out = []
        for link in links:
            outgoing = link.from_record_id == record_id
            other = by_id.get(link.to_record_id if outgoing else link.from_record_id)
            if other is not None:
                out.append((link, other, "keluar" if outgoing else "masuk"))
        await append_many(session, access_drafts(auth_subject, viewer, [o for _, o, _ in out], "list"))
        return out

    async def delete_link(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID, link_id: uuid.UUID
    ) -> None:
        await self.for_write(session, auth_subject, record_id=record_id, action="link")
        repository = RecordRepository(session)
        link = await repository.link(link_id)
        if link is None or record_id not in (link.from_record_id, link.to_record_id):
            raise NotFound("Tautan tidak ditemukan", "Link not found", code="link_not_found")
        await repository.delete_link(link)

    # ---------------------------------------------------------------- cases and legal holds

    async def link_case(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID, case_number: str
    ) -> list[str]:
        repository = RecordRepository(session)
        record = await self.read(session, auth_subject, record_id=record_id, action="case_link")
        case = await repository.case(case_number)
        if case is None:
            raise NotFound(
                f"Perkara {case_number} tidak ditemukan",
                f"Case {case_number} not found",
                code="case_not_found",
            )
        if await repository.record_case(record.id, case_number) is None:
            session.add(
                RecordCase(record_id=record.id, case_number=case_number, created_by=actor_of(auth_subject))
            )
            await session.flush()
            await append_many(
                session,
                [
                    AuditDraft(
                        actor=actor_of(auth_subject),
                        action="case_link",
                        outcome="done",
                        record_id=str(record.id),
                        level=record.security_level,
                        details={"case_number": case_number},
                    )
                ],
            )
            await enqueue_index(session, [record.id])
        return await repository.case_numbers(record.id)

    async def unlink_case(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID, case_number: str
    ) -> list[str]:
        repository = RecordRepository(session)
        record = await self.read(session, auth_subject, record_id=record_id, action="case_link")
        await repository.unlink_case(record.id, case_number)
        await append_many(
            session,
            [
                AuditDraft(
                    actor=actor_of(auth_subject),
                    action="case_unlink",
                    outcome="done",
                    record_id=str(record.id),
                    level=record.security_level,
                    details={"case_number": case_number},
                )
            ],
        )
        await enqueue_index(session, [record.id])
        return await repository.case_numbers(record.id)

    async def cases(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID
    ) -> list[str]:
        await self.read(session, auth_subject, record_id=record_id)
        return await RecordRepository(session).case_numbers(record_id)

    async def place_hold(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID, reason: str
    ) -> LegalHold:
        record = await self.read(session, auth_subject, record_id=record_id, action="legal_hold")
        hold = LegalHold(record_id=record.id, reason=reason, placed_by=actor_of(auth_subject))
        session.add(hold)
        await session.flush()
        await append_many(
            session,
            [
                AuditDraft(
                    actor=actor_of(auth_subject),
                    action="legal_hold",
                    outcome="done",
                    record_id=str(record.id),
                    level=record.security_level,
                    details={"hold_id": str(hold.id), "reason": reason},
                )
            ],
        )
        return hold

    async def release_hold(
        self, session: AsyncSession, auth_subject: AuthSubject, *, hold_id: uuid.UUID
    ) -> LegalHold:
        hold = await RecordRepository(session).hold(hold_id)
        if hold is None:
            raise NotFound("Penahanan tidak ditemukan", "Legal hold not found", code="legal_hold_not_found")
        record = await self.read(session, auth_subject, record_id=hold.record_id, action="legal_hold")
        if hold.released_at is None:
            hold.released_at = utcnow()
            hold.released_by = actor_of(auth_subject)
            await session.flush()
            await append_many(
                session,
                [
                    AuditDraft(
                        actor=actor_of(auth_subject),
                        action="legal_hold_release",
                        outcome="done",
                        record_id=str(record.id),
                        level=record.security_level,
                        details={"hold_id": str(hold.id)},
                    )
                ],
            )
        return hold

    async def holds(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID
    ) -> Sequence[LegalHold]:
        await self.read(session, auth_subject, record_id=record_id)
        return await RecordRepository(session).holds(record_id)


def _safe_filename(name: str) -> str:
    cleaned = "".join(c for c in name.replace("\\", "/").rsplit("/", 1)[-1] if c.isprintable()).strip()
    return (cleaned or "berkas")[:255]


record_service = RecordService()


class BerkasService:
    async def create(self, session: AsyncSession, auth_subject: AuthSubject, *, data: BerkasCreate) -> Berkas:
        reason = refuse_when_unit_outside_caller(auth_subject, data.unit)
        if reason is not None:
            raise Refused(reasons=[reason])
        repository = RecordRepository(session)
        if data.parent_id is not None:
            parent = await repository.berkas(data.parent_id)
            order = {"fonds": 0, "series": 1, "file": 2}
            if parent is None or order[parent.kind] >= order[data.kind]:
                raise Refused(
                    reasons=[
                        Reason(
                            "refuse_when_parent_invalid",
                            "Induk tidak ada atau tingkatnya tidak lebih tinggi (fonds > series > file)",
                            "The parent does not exist or is not higher (fonds > series > file)",
                            {"parent_id": str(data.parent_id)},
                        )
                    ]
                )
        item = Berkas(**data.model_dump(), created_by=_actor(auth_subject))
        session.add(item)
        try:
            await session.flush()
        except IntegrityError as exc:
            raise Conflict(
                f"Berkas nomor {data.number} sudah ada di unit {data.unit}",
                f"Berkas number {data.number} already exists in unit {data.unit}",
                code="berkas_exists",
            ) from exc
        return item

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, berkas_id: uuid.UUID) -> Berkas:
        item = await RecordRepository(session).berkas(berkas_id)
        if item is None:
            raise NotFound("Berkas tidak ditemukan", "Berkas not found", code="berkas_not_found")
        return item

    async def list_berkas(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        unit: str | None,
        kind: str | None,
        parent_id: uuid.UUID | None,
        pagination: PaginationParams,
    ) -> tuple[Sequence[Berkas], int]:
        return await RecordRepository(session).list_berkas(
            unit=unit, kind=kind, parent_id=parent_id, pagination=pagination
        )

    async def tree(
        self, session: AsyncSession, auth_subject: AuthSubject, *, berkas_id: uuid.UUID, action: str = "list"
    ) -> tuple[Berkas, dict[uuid.UUID, list[Berkas]], dict[uuid.UUID, list[Record]]]:
        """A berkas with every descendant and the records in them the caller may read (audited)."""
        root = await self.get(session, auth_subject, berkas_id=berkas_id)
        repository = RecordRepository(session)
        children: dict[uuid.UUID, list[Berkas]] = {}
        queue = [root]
        everything = [root]
        while queue:
            node = queue.pop(0)
            kids = list(await repository.berkas_children(node.id))
            children[node.id] = kids
            queue.extend(kids)
            everything.extend(kids)
            if len(everything) > 5000:
                break
        viewer = await viewer_for(session, auth_subject)
        records = await repository.records_in_berkas([b.id for b in everything], record_filter(viewer))
        by_berkas: dict[uuid.UUID, list[Record]] = {}
        for record in records:
            if record.berkas_id is not None:
                by_berkas.setdefault(record.berkas_id, []).append(record)
        await append_many(session, access_drafts(auth_subject, viewer, records, action))
        return root, children, by_berkas


berkas_service = BerkasService()
