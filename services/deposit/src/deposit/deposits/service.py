"""Deposits: intake (digital files, printed copies at the counter), verification, publication, reading.

Flow::

    digital:  upload (files streamed to storage) ─┐
    printed:  declare (awaiting_copies) → counter intake ─┤→ submitted (receipt) → accepted
                                                          │                     → fixes_requested → submitted …
                                                          │                     → rejected

Acceptance counts the copies against the title's obligation (creating one from the deposit when
the title was never declared) and publishes ``deposit.deposit.accepted`` — at once for printed
works, after the full text of the digital files is extracted (task ``deposit.deposits.publish``)
for digital ones. Decisions run named refusal validators, each with a dry run.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from deposit.common import actor, is_officer, record_history, require_officer, today_local
from deposit.config import DepositSettings
from deposit.depositors.repository import DepositorRepository
from deposit.depositors.service import depositor_service
from deposit.deposits.extract import extract
from deposit.deposits.receipts import issue_receipt, render_receipt
from deposit.deposits.repository import DepositRepository
from deposit.deposits.schemas import CounterIntake, DigitalMetadata, MetadataFix, PrintedDeposit
from deposit.models import (
    AccessLogEntry,
    Channel,
    Deposit,
    DepositFile,
    Depositor,
    DepositorStatus,
    DepositStatus,
    FileRole,
    Obligation,
    TextStatus,
)
from deposit.obligations.repository import ObligationRepository
from deposit.obligations.schemas import identifier_of
from deposit.obligations.service import obligation_service
from deposit.rules import FileKind, WorkKind
from deposit.runtime import FILES_BUCKET, Stores
from pusip_kit.auth.subject import DEPOSIT_READER_ROLES, AuthSubject, Role
from pusip_kit.db import utcnow
from pusip_kit.errors import Conflict, NotFound, Reason, Refused, Unprocessable
from pusip_kit.outbox import emit_event, enqueue_task
from pusip_kit.pagination import PaginationParams
from pusip_kit.uow import unit_of_work

EVENT_RECEIVED = "deposit.deposit.received"
EVENT_ACCEPTED = "deposit.deposit.accepted"
EVENT_FIXES_REQUESTED = "deposit.deposit.fixes_requested"
EVENT_REJECTED = "deposit.deposit.rejected"
TASK_PUBLISH = "deposit.deposits.publish"

ACTION_ACCEPT = "accept"
ACTION_REQUEST_FIXES = "request_fixes"
ACTION_REJECT = "reject"
ACTION_INTAKE = "intake"
ONLINE_INTAKE = "Sistem Pusip (unggahan daring)"

# Who may read accepted digital deposits (besides officers and the depositor's own accounts).
READER_ROLES = DEPOSIT_READER_ROLES
# Who may fetch the extracted text (the catalog's indexer, cataloguers).
TEXT_ROLES = (Role.LIBRARIAN, Role.CATALOGER, Role.AGENCY_SYSTEM)
TEXT_TYPES = (FileKind.PDF.value, FileKind.TEXT.value)


def deposit_not_found(deposit_id: uuid.UUID) -> NotFound:
    return NotFound(
        "Penyerahan tidak ditemukan",
        "Deposit not found",
        code="deposit_not_found",
        details={"id": str(deposit_id)},
    )


@dataclass(frozen=True)
class StoredFile:
    """A file already in the object store, waiting for its deposit row."""

    file_id: uuid.UUID
    role: FileRole
    filename: str
    path_in_package: str | None
    content_type: str
    size: int
    sha256: str
    key: str


# -- named refusals -----------------------------------------------------------------------------------


def refuse_when_depositor_not_approved(depositor: Depositor) -> Reason | None:
    if depositor.status == DepositorStatus.APPROVED:
        return None
    return Reason(
        "refuse_when_depositor_not_approved",
        f"Pendaftaran penyerah karya berstatus '{depositor.status}'; penyerahan memerlukan pendaftaran yang disetujui",
        f"The depositor's registration is '{depositor.status}'; deposits need an approved registration",
        {"status": depositor.status},
    )


def refuse_when_deposit_not_submitted(deposit: Deposit, action: str) -> Reason | None:
    if deposit.status == DepositStatus.SUBMITTED:
        return None
    return Reason(
        "refuse_when_deposit_not_submitted",
        f"Penyerahan berstatus '{deposit.status}'; hanya yang menunggu verifikasi dapat diputuskan",
        f"The deposit is '{deposit.status}'; only deposits waiting for verification can be decided",
        {"status": deposit.status, "action": action},
    )


def refuse_when_deciding_own_deposit(deposit: Deposit, auth_subject: AuthSubject) -> Reason | None:
    if deposit.submitted_subject != auth_subject.subject:
        return None
    return Reason(
        "refuse_when_deciding_own_deposit",
        "Petugas tidak boleh memverifikasi penyerahan yang ia ajukan sendiri",
        "An officer may not verify a deposit they submitted themselves",
    )


def refuse_when_not_awaiting_copies(deposit: Deposit) -> Reason | None:
    if deposit.status == DepositStatus.AWAITING_COPIES:
        return None
    return Reason(
        "refuse_when_not_awaiting_copies",
        f"Penyerahan berstatus '{deposit.status}'; eksemplar hanya diterima untuk penyerahan yang menunggu eksemplar",
        f"The deposit is '{deposit.status}'; copies are received only for deposits awaiting them",
        {"status": deposit.status},
    )


def refuse_when_obligation_of_another(obligation: Obligation | None, depositor: Depositor) -> Reason | None:
    if obligation is not None and obligation.depositor_id == depositor.id:
        return None
    return Reason(
        "refuse_when_obligation_of_another",
        "Kewajiban yang dirujuk tidak ada atau milik penyerah lain",
        "The obligation referred to does not exist or belongs to another depositor",
    )


def refuse_when_not_fixing(deposit: Deposit) -> Reason | None:
    if deposit.status == DepositStatus.FIXES_REQUESTED:
        return None
    return Reason(
        "refuse_when_not_fixing",
        f"Penyerahan berstatus '{deposit.status}'; perbaikan hanya saat petugas meminta perbaikan",
        f"The deposit is '{deposit.status}'; it can be changed only while fixes are requested",
        {"status": deposit.status},
    )


DecisionValidator = Callable[[Deposit, Depositor, str, AuthSubject], Reason | None]
DECISION_VALIDATORS: tuple[DecisionValidator, ...] = (
    lambda d, _p, action, _s: refuse_when_deposit_not_submitted(d, action),
    lambda d, _p, _a, subject: refuse_when_deciding_own_deposit(d, subject),
    lambda _d, p, action, _s: refuse_when_depositor_not_approved(p) if action == ACTION_ACCEPT else None,
)


def accepted_payload(deposit: Deposit, depositor: Depositor) -> dict[str, Any]:
    """The ``deposit.deposit.accepted`` payload (contract: services/deposit/EVENTS.md)."""
    return {
        "deposit_id": str(deposit.id),
        "receipt_number": deposit.receipt_number,
        "accepted_at": deposit.decided_at.isoformat() if deposit.decided_at else None,
        "obligation_id": str(deposit.obligation_id) if deposit.obligation_id else None,
        "depositor": {
            "id": str(depositor.id),
            "name": depositor.name,
            "type": depositor.type,
            "city": depositor.domicile_city,
            "province": depositor.domicile_province,
        },
        "channel": deposit.channel,
        "kind": deposit.kind,
        "title": deposit.title,
        "subtitle": deposit.subtitle,
        "creators": list(deposit.creators),
        "isbn": deposit.isbn,
        "issn": deposit.issn,
        "ismn": deposit.ismn,
        "edition": deposit.edition,
        "year": deposit.year,
        "published_on": deposit.published_on.isoformat() if deposit.published_on else None,
        "language": deposit.language,
        "pages": deposit.pages,
        "duration_minutes": deposit.duration_minutes,
        "publisher": deposit.publisher,
        "place": deposit.place,
        "description": deposit.description,
        "copies": deposit.copies_received if deposit.channel == Channel.PRINTED else 0,
        "files": [
            {
                "file_id": str(f.id),
                "role": f.role,
                "object_key": f.object_key,
                "bucket": f.bucket,
                "filename": f.filename,
                "path_in_package": f.path_in_package,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
                "pages": f.pages,
                "text_status": f.text_status,
                "text_object_key": f.text_object_key,
                "text_chars": f.text_chars,
                "text_path": f"/deposits/{deposit.id}/files/{f.id}/text" if f.text_object_key else None,
                "download_path": f"/deposits/{deposit.id}/files/{f.id}/download",
            }
            for f in deposit.files
        ],
    }


def _deposit_fields(data: DigitalMetadata | PrintedDeposit) -> dict[str, Any]:
    return data.model_dump(exclude={"depositor_id", "obligation_id", "copies"})


class DepositService:
    # -- policy and reads ------------------------------------------------------------------------------

    async def _visible(
        self, session: AsyncSession, auth_subject: AuthSubject
    ) -> builtins.list[uuid.UUID] | None:
        if is_officer(auth_subject):
            return None
        ids = await DepositorRepository(session).linked_ids(auth_subject.subject, auth_subject.username)
        return builtins.list(ids)

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID) -> Deposit:
        deposit = await DepositRepository(session).get(id)
        if deposit is None or not await depositor_service.may_act_for(
            session, auth_subject, deposit.depositor_id
        ):
            raise deposit_not_found(id)
        return deposit

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        depositor_id: uuid.UUID | None = None,
        status: str | None = None,
        kind: str | None = None,
        channel: str | None = None,
        query: str | None = None,
        queue: bool = False,
    ) -> tuple[Sequence[Deposit], int]:
        ids = await self._visible(session, auth_subject)
        if depositor_id is not None:
            if ids is not None and depositor_id not in ids:
                return [], 0
            ids = [depositor_id]
        return await DepositRepository(session).list(
            pagination=pagination,
            depositor_ids=ids,
            status=status,
            kind=kind,
            channel=channel,
            query=query,
            oldest_first=queue,
        )

    async def bibliography(
        self, session: AsyncSession, *, pagination: PaginationParams, query: str | None = None
    ) -> tuple[Sequence[Deposit], int]:
        return await DepositRepository(session).accepted(pagination=pagination, query=query)

    # -- intake ------------------------------------------------------------------------------------------

    async def check_submitter(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        depositor_id: uuid.UUID,
        obligation_id: uuid.UUID | None,
    ) -> Depositor:
        """The depositor a submission is for, if the caller may submit for it now (else 404/409)."""
        depositor = await depositor_service.get(session, auth_subject, id=depositor_id)
        reasons = [r for r in (refuse_when_depositor_not_approved(depositor),) if r is not None]
        if obligation_id is not None:
            obligation = await ObligationRepository(session).get(obligation_id)
            if (reason := refuse_when_obligation_of_another(obligation, depositor)) is not None:
                reasons.append(reason)
        if reasons:
            raise Refused(reasons=reasons)
        return depositor

    async def _obligation_for(
        self, session: AsyncSession, depositor: Depositor, obligation_id: uuid.UUID | None, deposit: Deposit
    ) -> uuid.UUID | None:
        if obligation_id is not None:
            return obligation_id
        identifier = identifier_of(deposit.isbn, deposit.issn, deposit.ismn)
        if identifier is None:
            return None
        existing = await ObligationRepository(session).by_identifier(identifier)
        if existing is not None and existing.depositor_id == depositor.id:
            return existing.id
        return None

    async def create_digital(
        self,
        session: AsyncSession,
        settings: DepositSettings,
        auth_subject: AuthSubject,
        *,
        deposit_id: uuid.UUID,
        metadata: DigitalMetadata,
        files: Sequence[StoredFile],
    ) -> Deposit:
        """The deposit row of files already stored, with its receipt (one transaction)."""
        depositor = await self.check_submitter(
            session, auth_subject, depositor_id=metadata.depositor_id, obligation_id=metadata.obligation_id
        )
        who = actor(auth_subject)
        deposit = Deposit(
            id=deposit_id,
            depositor_id=depositor.id,
            channel=Channel.DIGITAL.value,
            status=DepositStatus.SUBMITTED.value,
            copies_declared=1,
            copies_received=1,
            submitted_by=who,
            submitted_subject=auth_subject.subject,
            decision_reasons=[],
            **_deposit_fields(metadata),
        )
        deposit.files = [
            DepositFile(
                id=f.file_id,
                position=n,
                role=f.role.value,
                filename=f.filename,
                path_in_package=f.path_in_package,
                content_type=f.content_type,
                size=f.size,
                sha256=f.sha256,
                bucket=FILES_BUCKET,
                object_key=f.key,
                text_status=(
                    TextStatus.PENDING.value
                    if f.role != FileRole.PACKAGE and f.content_type in TEXT_TYPES
                    else TextStatus.NOT_APPLICABLE.value
                ),
            )
            for n, f in enumerate(files)
        ]
        deposit.obligation_id = await self._obligation_for(
            session, depositor, metadata.obligation_id, deposit
        )
        await DepositRepository(session).add(deposit)
        await issue_receipt(session, settings, deposit, depositor, deposit.files, received_by=ONLINE_INTAKE)
        await DepositRepository(session).flush()
        await self._received(session, deposit, who)
        return deposit

    async def _received(self, session: AsyncSession, deposit: Deposit, who: str) -> None:
        await record_history(
            session,
            depositor_id=deposit.depositor_id,
            entity="deposit",
            entity_id=deposit.id,
            action="received",
            actor_name=who,
            to_status=deposit.status,
            note=deposit.receipt_number,
            details={
                "channel": deposit.channel,
                "files": len(deposit.files),
                "copies": deposit.copies_received,
            },
        )
        await emit_event(
            session,
            EVENT_RECEIVED,
            {
                "deposit_id": str(deposit.id),
                "depositor_id": str(deposit.depositor_id),
                "receipt_number": deposit.receipt_number,
                "channel": deposit.channel,
                "kind": deposit.kind,
                "title": deposit.title,
            },
            key=str(deposit.id),
        )

    async def declare_printed(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: PrintedDeposit
    ) -> Deposit:
        """A printed (or physical recorded) work announced online; its receipt comes at the counter."""
        if data.kind is WorkKind.DIGITAL:
            raise Unprocessable(
                "Karya digital diserahkan sebagai berkas (POST /deposits/digital)",
                "Digital works are deposited as files (POST /deposits/digital)",
                code="wrong_channel",
            )
        depositor = await self.check_submitter(
            session, auth_subject, depositor_id=data.depositor_id, obligation_id=data.obligation_id
        )
        deposit = self._printed(depositor, data, auth_subject)
        deposit.obligation_id = await self._obligation_for(session, depositor, data.obligation_id, deposit)
        await DepositRepository(session).add(deposit)
        await record_history(
            session,
            depositor_id=depositor.id,
            entity="deposit",
            entity_id=deposit.id,
            action="declared",
            actor_name=actor(auth_subject),
            to_status=deposit.status,
            details={"copies": data.copies},
        )
        return await self._reload(session, deposit.id)

    @staticmethod
    def _printed(depositor: Depositor, data: PrintedDeposit, auth_subject: AuthSubject) -> Deposit:
        return Deposit(
            depositor_id=depositor.id,
            channel=Channel.PRINTED.value,
            status=DepositStatus.AWAITING_COPIES.value,
            copies_declared=data.copies,
            copies_received=0,
            submitted_by=actor(auth_subject),
            submitted_subject=auth_subject.subject,
            decision_reasons=[],
            files=[],
            **_deposit_fields(data),
        )

    async def check_intake(
        self, session: AsyncSession, auth_subject: AuthSubject, *, deposit_id: uuid.UUID
    ) -> tuple[Deposit, builtins.list[Reason]]:
        deposit = await self.get(session, auth_subject, id=deposit_id)
        depositor = await depositor_service.get(session, auth_subject, id=deposit.depositor_id)
        reasons = [
            r
            for r in (refuse_when_not_awaiting_copies(deposit), refuse_when_depositor_not_approved(depositor))
            if r is not None
        ]
        return deposit, reasons

    async def intake(
        self,
        session: AsyncSession,
        settings: DepositSettings,
        auth_subject: AuthSubject,
        *,
        data: CounterIntake,
    ) -> Deposit:
        """An officer receives copies at the counter: the receipt is numbered now."""
        who = actor(auth_subject)
        if data.deposit_id is not None:
            deposit, reasons = await self.check_intake(session, auth_subject, deposit_id=data.deposit_id)
            if reasons:
                raise Refused(reasons=reasons)
            depositor = await depositor_service.get(session, auth_subject, id=deposit.depositor_id)
        else:
            assert data.deposit is not None
            if data.deposit.kind is WorkKind.DIGITAL:
                raise Unprocessable(
                    "Karya digital diserahkan sebagai berkas",
                    "Digital works are deposited as files",
                    code="wrong_channel",
                )
            depositor = await self.check_submitter(
                session,
                auth_subject,
                depositor_id=data.deposit.depositor_id,
                obligation_id=data.deposit.obligation_id,
            )
            deposit = self._printed(depositor, data.deposit, auth_subject)
            deposit.obligation_id = await self._obligation_for(
                session, depositor, data.deposit.obligation_id, deposit
            )
            await DepositRepository(session).add(deposit)
        deposit.copies_received = data.copies_received
        deposit.status = DepositStatus.SUBMITTED.value
        await issue_receipt(session, settings, deposit, depositor, [], received_by=who)
        await DepositRepository(session).flush()
        await self._received(session, deposit, who)
        return await self._reload(session, deposit.id)

    async def _reload(self, session: AsyncSession, deposit_id: uuid.UUID) -> Deposit:
        await session.flush()
        session.expire_all()
        deposit = await DepositRepository(session).get(deposit_id)
        assert deposit is not None
        return deposit

    # -- fixes -------------------------------------------------------------------------------------------

    async def fix_metadata(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, data: MetadataFix
    ) -> Deposit:
        deposit = await self.get(session, auth_subject, id=id)
        if (reason := refuse_when_not_fixing(deposit)) is not None:
            raise Refused(reasons=[reason])
        changes = {k: getattr(data, k) for k in data.model_fields_set}
        current = {
            name: getattr(deposit, name)
            for name in (
                "kind", "title", "subtitle", "creators", "isbn", "issn", "ismn", "edition", "year",
                "published_on", "language", "pages", "duration_minutes", "publisher", "place", "description",
            )
        }  # fmt: skip
        merged = {**current, **changes, "depositor_id": deposit.depositor_id}
        try:
            checked = DigitalMetadata.model_validate(merged)
        except ValueError as exc:
            raise Unprocessable(
                "Perbaikan metadata tidak valid", "Invalid metadata fix", details=[{"msg": str(exc)[:2000]}]
            ) from exc
        for name, value in _deposit_fields(checked).items():
            setattr(deposit, name, value)
        await DepositRepository(session).flush()
        await record_history(
            session,
            depositor_id=deposit.depositor_id,
            entity="deposit",
            entity_id=deposit.id,
            action="metadata_fixed",
            actor_name=actor(auth_subject),
            details={"changed": sorted(changes)},
        )
        return await self._reload(session, deposit.id)

    async def resubmit(self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID) -> Deposit:
        deposit = await self.get(session, auth_subject, id=id)
        if (reason := refuse_when_not_fixing(deposit)) is not None:
            raise Refused(reasons=[reason])
        deposit.status = DepositStatus.SUBMITTED.value
        await DepositRepository(session).flush()
        await record_history(
            session,
            depositor_id=deposit.depositor_id,
            entity="deposit",
            entity_id=deposit.id,
            action="resubmitted",
            actor_name=actor(auth_subject),
            from_status=DepositStatus.FIXES_REQUESTED.value,
            to_status=deposit.status,
        )
        return await self._reload(session, deposit.id)

    # -- verification ------------------------------------------------------------------------------------

    async def check_decision(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, action: str
    ) -> tuple[Deposit, Depositor, builtins.list[Reason]]:
        require_officer(auth_subject)
        deposit = await self.get(session, auth_subject, id=id)
        depositor = await depositor_service.get(session, auth_subject, id=deposit.depositor_id)
        reasons = [
            r for v in DECISION_VALIDATORS if (r := v(deposit, depositor, action, auth_subject)) is not None
        ]
        return deposit, depositor, reasons

    async def decide(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        id: uuid.UUID,
        action: str,
        reasons: Sequence[str] = (),
        note: str | None = None,
    ) -> Deposit:
        deposit, depositor, refusals = await self.check_decision(session, auth_subject, id=id, action=action)
        if refusals:
            raise Refused(reasons=refusals)
        if action != ACTION_ACCEPT and not reasons:
            raise Unprocessable(
                "Permintaan perbaikan dan penolakan memerlukan alasan (reasons)",
                "Requesting fixes and rejecting need reasons",
                details=[{"loc": ["body", "reasons"], "msg": "At least one reason", "type": "missing"}],
            )
        who = actor(auth_subject)
        previous = deposit.status
        deposit.status = {
            ACTION_ACCEPT: DepositStatus.ACCEPTED,
            ACTION_REQUEST_FIXES: DepositStatus.FIXES_REQUESTED,
            ACTION_REJECT: DepositStatus.REJECTED,
        }[action].value
        deposit.decided_at = utcnow()
        deposit.decided_by = who
        deposit.decision_reasons = builtins.list(reasons)
        await record_history(
            session,
            depositor_id=deposit.depositor_id,
            entity="deposit",
            entity_id=deposit.id,
            action={
                ACTION_ACCEPT: "accepted",
                ACTION_REQUEST_FIXES: "fixes_requested",
                ACTION_REJECT: "rejected",
            }[action],
            actor_name=who,
            from_status=previous,
            to_status=deposit.status,
            note=note,
            details={"reasons": builtins.list(reasons)} if reasons else None,
        )
        if action == ACTION_ACCEPT:
            await self._accept(session, deposit, depositor, who)
        else:
            await emit_event(
                session,
                EVENT_FIXES_REQUESTED if action == ACTION_REQUEST_FIXES else EVENT_REJECTED,
                {
                    "deposit_id": str(deposit.id),
                    "depositor_id": str(deposit.depositor_id),
                    "receipt_number": deposit.receipt_number,
                    "reasons": builtins.list(reasons),
                },
                key=str(deposit.id),
            )
        await DepositRepository(session).flush()
        return await self._reload(session, deposit.id)

    async def _accept(self, session: AsyncSession, deposit: Deposit, depositor: Depositor, who: str) -> None:
        obligation: Obligation | None = None
        if deposit.obligation_id is not None:
            obligation = await ObligationRepository(session).get(deposit.obligation_id)
        if obligation is None:
            obligation = await obligation_service.for_deposit(
                session,
                depositor_id=depositor.id,
                identifier=identifier_of(deposit.isbn, deposit.issn, deposit.ismn),
                kind=WorkKind(deposit.kind),
                title=deposit.title,
                published_on=deposit.published_on or date(deposit.year, 1, 1),
                actor_name=who,
            )
            deposit.obligation_id = obligation.id
        copies = deposit.copies_received if deposit.channel == Channel.PRINTED else 1
        await obligation_service.record_accepted_copies(
            session,
            obligation=obligation,
            copies=copies,
            day=today_local(),
            deposit_id=deposit.id,
            actor_name=who,
        )
        if any(f.text_status == TextStatus.PENDING for f in deposit.files):
            await enqueue_task(session, TASK_PUBLISH, str(deposit.id))
        else:
            await self._publish(session, deposit, depositor)

    async def _publish(self, session: AsyncSession, deposit: Deposit, depositor: Depositor) -> None:
        deposit.published_at = utcnow()
        await emit_event(session, EVENT_ACCEPTED, accepted_payload(deposit, depositor), key=str(deposit.id))

    # -- publication (the task body) ---------------------------------------------------------------------

    async def publish_accepted(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: DepositSettings,
        stores: Stores,
        *,
        deposit_id: uuid.UUID,
    ) -> bool:
        """Extract the text of an accepted deposit's files, store it, then emit the accepted event.

        Safe to run again: texts are stored under keys derived from the file ids (a rerun
        overwrites them), and the event is written once, guarded by ``published_at``.
        """
        async with sessionmaker() as session:
            deposit = await DepositRepository(session).get(deposit_id)
            if (
                deposit is None
                or deposit.status != DepositStatus.ACCEPTED
                or deposit.published_at is not None
            ):
                return False
            pending = [
                (f.id, f.object_key, f.content_type)
                for f in deposit.files
                if f.text_status == TextStatus.PENDING
            ]
        results: dict[uuid.UUID, tuple[str, str | None, int | None, int | None]] = {}
        for file_id, key, content_type in pending:
            results[file_id] = await self._extract_one(
                settings, stores, deposit_id, file_id, key, content_type
            )
        async with unit_of_work(sessionmaker) as session:
            deposit = await DepositRepository(session).get(deposit_id, for_update=True)
            if deposit is None or deposit.published_at is not None:
                return False
            for f in deposit.files:
                if f.id in results:
                    f.text_status, f.text_object_key, f.text_chars, f.pages = results[f.id]
            depositor = await DepositorRepository(session).get(deposit.depositor_id)
            assert depositor is not None
            await self._publish(session, deposit, depositor)
        return True

    async def _extract_one(
        self,
        settings: DepositSettings,
        stores: Stores,
        deposit_id: uuid.UUID,
        file_id: uuid.UUID,
        key: str,
        content_type: str,
    ) -> tuple[str, str | None, int | None, int | None]:
        workdir = settings.service_dir / "tmp"
        await anyio.to_thread.run_sync(lambda: workdir.mkdir(parents=True, exist_ok=True))
        path = workdir / f"extract-{uuid.uuid4().hex}"
        try:
            await copy_object_to_file(stores, key, path)
            try:
                found = await anyio.to_thread.run_sync(
                    lambda: extract(
                        path,
                        content_type,
                        max_chars=settings.text_max_chars,
                        max_pages=settings.text_max_pages,
                    )
                )
            except Exception:  # a damaged file is kept and deposited; it just has no text
                return (TextStatus.FAILED.value, None, None, None)
            if found is None:
                return (TextStatus.NOT_APPLICABLE.value, None, None, None)
            if not found.text:
                return (TextStatus.EMPTY.value, None, 0, found.pages)
            text_key = f"text/{deposit_id}/{file_id}.txt"
            await stores.files.put(
                text_key, found.text.encode("utf-8"), content_type="text/plain; charset=utf-8"
            )
            return (TextStatus.EXTRACTED.value, text_key, len(found.text), found.pages)
        finally:
            await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))

    # -- reading -----------------------------------------------------------------------------------------

    async def authorize_read(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        deposit_id: uuid.UUID,
        file_id: uuid.UUID,
        text: bool = False,
    ) -> tuple[Deposit, DepositFile]:
        """The file, if the caller may read it: officers and the depositor's accounts always; readers
        (patrons, librarians, cataloguers, agency systems) once the deposit is accepted. Else 404."""
        repository = DepositRepository(session)
        deposit = await repository.get(deposit_id)
        file = await repository.file(deposit_id, file_id) if deposit is not None else None
        if deposit is None or file is None:
            raise deposit_not_found(deposit_id)
        if await depositor_service.may_act_for(session, auth_subject, deposit.depositor_id):
            return deposit, file
        roles = TEXT_ROLES if text else READER_ROLES
        if deposit.status == DepositStatus.ACCEPTED and auth_subject.has_role(*roles):
            return deposit, file
        raise deposit_not_found(deposit_id)

    async def log_access(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        deposit: Deposit,
        file: DepositFile,
        action: str,
        watermarked: bool,
        pages: str | None,
        client_ip: str | None,
        user_agent: str | None,
    ) -> None:
        await DepositRepository(session).log_access(
            AccessLogEntry(
                deposit_id=deposit.id,
                file_id=file.id,
                subject=auth_subject.subject,
                username=auth_subject.username,
                reader_name=auth_subject.name,
                roles=sorted(auth_subject.roles),
                action=action,
                watermarked=watermarked,
                pages=pages,
                client_ip=client_ip,
                user_agent=(user_agent or "")[:300] or None,
                at=utcnow(),
            )
        )

    async def access_log(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, pagination: PaginationParams
    ) -> tuple[Sequence[AccessLogEntry], int]:
        deposit = await self.get(session, auth_subject, id=id)
        return await DepositRepository(session).access_log(deposit.id, pagination=pagination)

    async def receipt_pdf(
        self, session: AsyncSession, settings: DepositSettings, auth_subject: AuthSubject, *, id: uuid.UUID
    ) -> tuple[Deposit, bytes]:
        deposit = await self.get(session, auth_subject, id=id)
        if not deposit.receipt_facts:
            raise Conflict(
                "Tanda terima diterbitkan saat eksemplar diterima di loket",
                "The receipt is issued when the copies are received at the counter",
                code="receipt_not_issued",
            )
        facts = deposit.receipt_facts
        return deposit, await anyio.to_thread.run_sync(lambda: render_receipt(settings, facts))

    async def history(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, pagination: PaginationParams
    ) -> Any:
        deposit = await self.get(session, auth_subject, id=id)
        return await ObligationRepository(session).history(pagination=pagination, entity_id=deposit.id)


async def copy_object_to_file(stores: Stores, key: str, path: Path) -> None:
    """Stream an object into a local file (for pypdf, zipfile, bagit), one chunk at a time."""
    handle = await anyio.to_thread.run_sync(lambda: open(path, "wb"))  # noqa: SIM115 - closed below
    try:
        async with stores.files.get(key) as reader:
            async for chunk in reader:
                await anyio.to_thread.run_sync(handle.write, chunk)
    finally:
        await anyio.to_thread.run_sync(handle.close)


deposit_service = DepositService()
