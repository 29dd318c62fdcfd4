"""Obligations: declaring and importing titles, exemptions, the daily overdue update, fulfilment.

An obligation's due date and copies come from the rule version in force on its publication date
(:mod:`deposit.rulebook`), and are kept with it: a later rule version does not move the due date
of a title already published. Status: ``due`` → ``overdue`` (daily job, the day after the due
date) → ``fulfilled`` (enough copies accepted) or ``exempt`` (an officer, with a reason).
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from deposit.common import actor, is_officer, record_history, require_officer, today_local
from deposit.depositors.repository import DepositorRepository
from deposit.depositors.service import depositor_not_found, depositor_service
from deposit.models import DepositorPrefix, HistoryEntry, Obligation, ObligationSource
from deposit.obligations.importer import CsvFormatError, parse_assignments
from deposit.obligations.repository import ObligationRepository
from deposit.obligations.schemas import (
    ImportResult,
    ImportRowError,
    ObligationDeclare,
    identifier_of,
)
from deposit.rulebook.service import as_rules, rulebook_service
from deposit.rules import ObligationStatus, WorkKind, obligation_status
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import Conflict, NotFound, Reason, Refused, Unprocessable
from pusip_kit.pagination import PaginationParams

ACTION_EXEMPT = "exempt"
SYSTEM = "system:daily-job"


def obligation_not_found(obligation_id: uuid.UUID) -> NotFound:
    return NotFound(
        "Kewajiban serah simpan tidak ditemukan",
        "Deposit obligation not found",
        code="obligation_not_found",
        details={"id": str(obligation_id)},
    )


def refuse_when_obligation_fulfilled(obligation: Obligation) -> Reason | None:
    if obligation.status != ObligationStatus.FULFILLED:
        return None
    return Reason(
        "refuse_when_obligation_fulfilled",
        "Kewajiban sudah dipenuhi; tidak dapat dibebaskan",
        "The obligation is fulfilled; it cannot be exempted",
    )


def refuse_when_obligation_exempt(obligation: Obligation) -> Reason | None:
    if obligation.status != ObligationStatus.EXEMPT:
        return None
    return Reason(
        "refuse_when_obligation_exempt",
        "Kewajiban sudah dibebaskan",
        "The obligation is already exempt",
        {"reason": obligation.exempt_reason},
    )


EXEMPT_VALIDATORS = (refuse_when_obligation_fulfilled, refuse_when_obligation_exempt)


class ObligationService:
    async def _visible_depositors(
        self, session: AsyncSession, auth_subject: AuthSubject
    ) -> builtins.list[uuid.UUID] | None:
        if is_officer(auth_subject):
            return None
        ids = await DepositorRepository(session).linked_ids(auth_subject.subject, auth_subject.username)
        return builtins.list(ids)

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID) -> Obligation:
        obligation = await ObligationRepository(session).get(id)
        if obligation is None or not await depositor_service.may_act_for(
            session, auth_subject, obligation.depositor_id
        ):
            raise obligation_not_found(id)
        return obligation

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        depositor_id: uuid.UUID | None = None,
        status: str | None = None,
        kind: str | None = None,
        query: str | None = None,
    ) -> tuple[Sequence[Obligation], int]:
        visible = await self._visible_depositors(session, auth_subject)
        ids: builtins.list[uuid.UUID] | None = visible
        if depositor_id is not None:
            if visible is not None and depositor_id not in visible:
                raise depositor_not_found(depositor_id)
            ids = [depositor_id]
        return await ObligationRepository(session).list(
            pagination=pagination, depositor_ids=ids, status=status, kind=kind, query=query
        )

    async def _new(
        self,
        session: AsyncSession,
        *,
        depositor_id: uuid.UUID,
        kind: WorkKind,
        title: str,
        identifier: str | None,
        published_on: date,
        source: ObligationSource,
        actor_name: str,
        today: date | None = None,
    ) -> Obligation:
        version = await rulebook_service.in_force_on(session, published_on)
        rules = as_rules(version)
        due = rules.due_date(kind, published_on)
        copies = rules.copies_required(kind)
        obligation = Obligation(
            depositor_id=depositor_id,
            rule_version_id=version.id,
            kind=kind.value,
            title=title,
            identifier=identifier,
            published_on=published_on,
            due_on=due,
            copies_required=copies,
            copies_accepted=0,
            status=obligation_status(
                due=due, today=today or today_local(), copies_required=copies, copies_accepted=0
            ).value,
            source=source.value,
            created_by=actor_name,
        )
        await ObligationRepository(session).add(obligation)
        await record_history(
            session,
            depositor_id=depositor_id,
            entity="obligation",
            entity_id=obligation.id,
            action=source.value,
            actor_name=actor_name,
            to_status=obligation.status,
            details={
                "title": title,
                "identifier": identifier,
                "due_on": due.isoformat(),
                "rules": version.code,
            },
        )
        return obligation

    async def declare(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: ObligationDeclare
    ) -> Obligation:
        depositor = await depositor_service.get(session, auth_subject, id=data.depositor_id)
        identifier = identifier_of(data.isbn, data.issn, data.ismn)
        if identifier and await ObligationRepository(session).by_identifier(identifier) is not None:
            raise Conflict(
                "Judul dengan nomor ini sudah tercatat sebagai kewajiban serah simpan",
                "A title with this identifier is already recorded as an obligation",
                code="obligation_exists",
                details={"identifier": identifier},
            )
        try:
            return await self._new(
                session,
                depositor_id=depositor.id,
                kind=data.kind,
                title=data.title,
                identifier=identifier,
                published_on=data.published_on,
                source=ObligationSource.DECLARED,
                actor_name=actor(auth_subject),
            )
        except IntegrityError as exc:
            raise Conflict(
                "Judul ini baru saja dicatat", "This title was just recorded", code="obligation_exists"
            ) from exc

    async def import_csv(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        data: bytes,
        depositor_id: uuid.UUID | None,
        dry_run: bool,
    ) -> ImportResult:
        """Import ISBN assignments; each ISBN goes to the depositor whose registered prefix it starts with.

        With ``depositor_id`` every row goes to that depositor (a publisher importing its own list;
        officers may do it too). Rows whose ISBN is already an obligation are counted, not changed,
        so importing the same file twice creates nothing the second time.
        """
        if depositor_id is None:
            require_officer(auth_subject)
        else:
            await depositor_service.get(session, auth_subject, id=depositor_id)
        try:
            rows, parse_errors = parse_assignments(data)
        except CsvFormatError as exc:
            raise Unprocessable(exc.message, exc.message_en, code="csv_invalid") from exc
        errors = [ImportRowError.model_validate(e, from_attributes=True) for e in parse_errors]
        prefixes: builtins.list[tuple[str, uuid.UUID]] = []
        if depositor_id is None:
            result = await session.execute(
                select(DepositorPrefix.digits, DepositorPrefix.depositor_id).where(
                    DepositorPrefix.scheme == "isbn"
                )
            )
            prefixes = sorted(((d, i) for d, i in result.all()), key=lambda p: -len(p[0]))
        known = await ObligationRepository(session).by_identifiers([f"isbn:{r.isbn}" for r in rows])
        created: builtins.list[uuid.UUID] = []
        already = 0
        who = actor(auth_subject)
        today = today_local()
        for row in rows:
            if f"isbn:{row.isbn}" in known:
                already += 1
                continue
            owner = depositor_id or next((i for d, i in prefixes if row.isbn.startswith(d)), None)
            if owner is None:
                errors.append(
                    ImportRowError(
                        line=row.line,
                        value=row.isbn,
                        code="no_depositor_for_prefix",
                        message="Tidak ada penyerah karya terdaftar dengan prefiks ISBN ini",
                        message_en="No registered depositor has this ISBN prefix",
                    )
                )
                continue
            if dry_run:
                continue
            obligation = await self._new(
                session,
                depositor_id=owner,
                kind=row.kind,
                title=row.title,
                identifier=f"isbn:{row.isbn}",
                published_on=row.published_on,
                source=ObligationSource.IMPORTED,
                actor_name=who,
                today=today,
            )
            created.append(obligation.id)
        errors.sort(key=lambda e: e.line)
        would_create = len(rows) - already - sum(1 for e in errors if e.code == "no_depositor_for_prefix")
        return ImportResult(
            dry_run=dry_run,
            rows=len(rows) + len(parse_errors),
            created=would_create if dry_run else len(created),
            already_known=already,
            errors=errors,
            created_ids=created,
        )

    # -- exemption (named refusals, dry run) -------------------------------------------------------

    async def check_exempt(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID
    ) -> tuple[Obligation, builtins.list[Reason]]:
        require_officer(auth_subject)
        obligation = await self.get(session, auth_subject, id=id)
        return obligation, [r for v in EXEMPT_VALIDATORS if (r := v(obligation)) is not None]

    async def exempt(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, reason: str
    ) -> Obligation:
        obligation, reasons = await self.check_exempt(session, auth_subject, id=id)
        if reasons:
            raise Refused(reasons=reasons)
        previous = obligation.status
        obligation.status = ObligationStatus.EXEMPT.value
        obligation.exempt_reason = reason
        await ObligationRepository(session).flush()
        await record_history(
            session,
            depositor_id=obligation.depositor_id,
            entity="obligation",
            entity_id=obligation.id,
            action="exempted",
            actor_name=actor(auth_subject),
            from_status=previous,
            to_status=obligation.status,
            note=reason,
        )
        return obligation

    # -- the daily job and fulfilment --------------------------------------------------------------

    async def update_overdue(self, session: AsyncSession, *, today: date | None = None) -> int:
        """Mark due obligations past their due date overdue (idempotent: already overdue stay)."""
        today = today or today_local()
        repository = ObligationRepository(session)
        late = await repository.newly_overdue(today)
        changed = await repository.mark_overdue([o.id for o in late])
        for obligation in late:
            await session.refresh(obligation)
            if obligation.status != ObligationStatus.OVERDUE:
                continue
            await record_history(
                session,
                depositor_id=obligation.depositor_id,
                entity="obligation",
                entity_id=obligation.id,
                action="overdue",
                actor_name=SYSTEM,
                from_status=ObligationStatus.DUE.value,
                to_status=ObligationStatus.OVERDUE.value,
                details={"due_on": obligation.due_on.isoformat()},
            )
        return changed

    async def record_accepted_copies(
        self,
        session: AsyncSession,
        *,
        obligation: Obligation,
        copies: int,
        day: date,
        deposit_id: uuid.UUID,
        actor_name: str,
    ) -> None:
        """Count copies of an accepted deposit; enough of them fulfil the obligation."""
        previous = obligation.status
        obligation.copies_accepted += copies
        if previous == ObligationStatus.EXEMPT:
            await ObligationRepository(session).flush()
            return
        if (
            obligation.copies_accepted >= obligation.copies_required
            and previous != ObligationStatus.FULFILLED
        ):
            obligation.status = ObligationStatus.FULFILLED.value
            obligation.fulfilled_on = day
        await ObligationRepository(session).flush()
        await record_history(
            session,
            depositor_id=obligation.depositor_id,
            entity="obligation",
            entity_id=obligation.id,
            action="copies_accepted",
            actor_name=actor_name,
            from_status=previous,
            to_status=obligation.status,
            details={
                "deposit_id": str(deposit_id),
                "copies": copies,
                "copies_accepted": obligation.copies_accepted,
            },
        )

    async def for_deposit(
        self,
        session: AsyncSession,
        *,
        depositor_id: uuid.UUID,
        identifier: str | None,
        kind: WorkKind,
        title: str,
        published_on: date,
        actor_name: str,
    ) -> Obligation:
        """The obligation a deposit fulfils: the title's, or a new one recorded from the deposit."""
        if identifier:
            existing = await ObligationRepository(session).by_identifier(identifier)
            if existing is not None and existing.depositor_id == depositor_id:
                return existing
            if existing is not None:
                identifier = None  # someone else's number: keep the deposit, flag it in its history
        return await self._new(
            session,
            depositor_id=depositor_id,
            kind=kind,
            title=title,
            identifier=identifier,
            published_on=published_on,
            source=ObligationSource.DEPOSIT,
            actor_name=actor_name,
        )

    # -- history -----------------------------------------------------------------------------------

    async def history(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        depositor_id: uuid.UUID,
        pagination: PaginationParams,
    ) -> tuple[Sequence[HistoryEntry], int]:
        await depositor_service.get(session, auth_subject, id=depositor_id)
        return await ObligationRepository(session).history(pagination=pagination, depositor_id=depositor_id)


obligation_service = ObligationService()
