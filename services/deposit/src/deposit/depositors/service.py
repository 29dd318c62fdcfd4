"""Depositor registration and its review: who may see, change, approve or reject which depositor.

Flow: a publisher registers itself (``pending``) → a deposit officer approves or rejects it
with a reason → a rejected registration may be corrected by its owner, which resubmits it
(``pending`` again). Approval and rejection run named refusal validators, each with a dry run.
"""

from __future__ import annotations

import builtins
import itertools
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from deposit.common import actor, record_history
from deposit.depositors.prefixes import parse_isbn_prefix, parse_ismn_prefix
from deposit.depositors.repository import DepositorRepository
from deposit.depositors.schemas import AccountLink, DepositorCreate, DepositorRefresh, DepositorUpdate
from deposit.models import AccountRole, Depositor, DepositorAccount, DepositorPrefix, DepositorStatus
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.db import utcnow
from pusip_kit.errors import Conflict, Forbidden, NotFound, Reason, Refused
from pusip_kit.outbox import emit_event
from pusip_kit.pagination import PaginationParams

EVENT_REGISTERED = "deposit.depositor.registered"
EVENT_UPDATED = "deposit.depositor.updated"
EVENT_APPROVED = "deposit.depositor.approved"
EVENT_REJECTED = "deposit.depositor.rejected"

OFFICER_ROLES = (Role.ADMIN, Role.DEPOSIT_OFFICER)

ACTION_APPROVE = "approve"
ACTION_REJECT = "reject"


def depositor_not_found(depositor_id: uuid.UUID) -> NotFound:
    return NotFound(
        "Penyerah karya tidak ditemukan",
        "Depositor not found",
        code="depositor_not_found",
        details={"id": str(depositor_id)},
    )


def depositor_event_payload(depositor: Depositor) -> dict[str, Any]:
    return {
        "id": str(depositor.id),
        "type": depositor.type,
        "name": depositor.name,
        "status": depositor.status,
        "domicile_province": depositor.domicile_province,
        "domicile_city": depositor.domicile_city,
        "isbn_prefixes": sorted(p.text for p in depositor.prefixes if p.scheme == "isbn"),
        "ismn_prefixes": sorted(p.text for p in depositor.prefixes if p.scheme == "ismn"),
        "updated_at": depositor.updated_at.isoformat(),
    }


# -- named refusals -----------------------------------------------------------------------------


def refuse_when_depositor_not_pending(depositor: Depositor, action: str) -> Reason | None:
    if depositor.status == DepositorStatus.PENDING:
        return None
    verb_id, verb_en = ("disetujui", "approved") if action == ACTION_APPROVE else ("ditolak", "rejected")
    return Reason(
        "refuse_when_depositor_not_pending",
        f"Pendaftaran berstatus '{depositor.status}', hanya yang menunggu yang dapat {verb_id}",
        f"Registration is '{depositor.status}'; only pending registrations can be {verb_en}",
        {"status": depositor.status},
    )


def refuse_when_deciding_own_registration(
    depositor: Depositor, action: str, auth_subject: AuthSubject
) -> Reason | None:
    if depositor.owner_subject != auth_subject.subject:
        return None
    return Reason(
        "refuse_when_deciding_own_registration",
        "Petugas tidak boleh memutuskan pendaftaran yang ia ajukan sendiri",
        "An officer may not decide a registration they submitted themselves",
    )


DecisionValidator = Callable[[Depositor, str, AuthSubject], Reason | None]
DECISION_VALIDATORS: tuple[DecisionValidator, ...] = (
    lambda depositor, action, _subject: refuse_when_depositor_not_pending(depositor, action),
    refuse_when_deciding_own_registration,
)


class DepositorService:
    # -- policy -----------------------------------------------------------------------------------

    @staticmethod
    def _is_officer(auth_subject: AuthSubject) -> bool:
        return auth_subject.has_role(*OFFICER_ROLES)

    async def may_act_for(
        self, session: AsyncSession, auth_subject: AuthSubject, depositor_id: uuid.UUID
    ) -> bool:
        """Officers act for every depositor; anyone else for the depositors their account is linked to."""
        if self._is_officer(auth_subject):
            return True
        linked = await DepositorRepository(session).linked_ids(auth_subject.subject, auth_subject.username)
        return depositor_id in linked

    # -- reads ------------------------------------------------------------------------------------

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        status: str | None = None,
        type: str | None = None,
        province: str | None = None,
        query: str | None = None,
    ) -> tuple[Sequence[Depositor], int]:
        member = None if self._is_officer(auth_subject) else (auth_subject.subject, auth_subject.username)
        return await DepositorRepository(session).list(
            pagination=pagination,
            member=member,
            status=status,
            type=type,
            province=province,
            query=query,
        )

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID) -> Depositor:
        depositor = await DepositorRepository(session).get(id)
        if depositor is None or not await self.may_act_for(session, auth_subject, depositor.id):
            # Someone else's registration is reported as absent, not as forbidden.
            raise depositor_not_found(id)
        return depositor

    # -- writes -----------------------------------------------------------------------------------

    async def register(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: DepositorCreate
    ) -> Depositor:
        repository = DepositorRepository(session)
        existing = await repository.get_by_legal_identity(
            data.legal_identity_kind.value, data.legal_identity_number
        )
        if existing is not None:
            raise Conflict(
                "Identitas hukum ini sudah terdaftar sebagai penyerah karya",
                "This legal identity is already registered as a depositor",
                code="depositor_identity_taken",
                details={"legal_identity_kind": data.legal_identity_kind.value},
            )
        prefixes = self._prefixes(data.isbn_prefixes, data.ismn_prefixes)
        await self._check_prefixes_free(repository, prefixes, exclude=None)
        depositor = Depositor(
            type=data.type.value,
            name=data.name,
            legal_identity_kind=data.legal_identity_kind.value,
            legal_identity_number=data.legal_identity_number,
            domicile_province=data.domicile_province,
            domicile_city=data.domicile_city,
            address=data.address,
            email=data.email,
            phone=data.phone,
            website=data.website,
            contacts=[c.model_dump(exclude_none=True) for c in data.contacts],
            status=DepositorStatus.PENDING.value,
            owner_subject=auth_subject.subject,
            data_confirmed_at=utcnow(),
            prefixes=prefixes,
        )
        try:
            await repository.add(depositor)
        except IntegrityError as exc:
            raise Conflict(
                "Penyerah karya dengan identitas atau prefiks ini baru saja didaftarkan",
                "A depositor with this identity or prefix was registered concurrently",
                code="depositor_conflict",
            ) from exc
        session.add(
            DepositorAccount(
                depositor_id=depositor.id,
                subject=auth_subject.subject,
                username=auth_subject.username,
                display_name=auth_subject.name,
                email=auth_subject.email,
                role=AccountRole.OWNER.value,
                linked_by=actor(auth_subject),
            )
        )
        await repository.flush()
        await emit_event(session, EVENT_REGISTERED, depositor_event_payload(depositor), key=str(depositor.id))
        return depositor

    async def update(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, data: DepositorUpdate
    ) -> Depositor:
        repository = DepositorRepository(session)
        depositor = await self.get(session, auth_subject, id=id)
        officer = self._is_officer(auth_subject)
        if not officer and depositor.status == DepositorStatus.APPROVED:
            raise Refused(
                reasons=[
                    Reason(
                        "refuse_when_depositor_already_approved",
                        "Pendaftaran sudah disetujui; perubahan data dilakukan melalui petugas serah simpan",
                        "The registration is approved; changes now go through a deposit officer",
                    )
                ]
            )
        changes: dict[str, Any] = {}
        simple = ("name", "domicile_province", "domicile_city", "address", "email", "phone", "website")
        for field in simple:
            if field in data.model_fields_set and getattr(depositor, field) != getattr(data, field):
                setattr(depositor, field, getattr(data, field))
                changes[field] = True
        if data.contacts is not None:
            contacts = [c.model_dump(exclude_none=True) for c in data.contacts]
            if contacts != depositor.contacts:
                depositor.contacts = contacts
                changes["contacts"] = True
        if data.isbn_prefixes is not None or data.ismn_prefixes is not None:
            isbn = data.isbn_prefixes
            ismn = data.ismn_prefixes
            if isbn is None:
                isbn = [p.text for p in depositor.prefixes if p.scheme == "isbn"]
            if ismn is None:
                ismn = [p.text for p in depositor.prefixes if p.scheme == "ismn"]
            wanted = {p.digits: p for p in self._prefixes(isbn, ismn)}
            current = {p.digits: p for p in depositor.prefixes}
            if wanted.keys() != current.keys():
                await self._check_prefixes_free(repository, list(wanted.values()), exclude=depositor.id)
                depositor.prefixes = [current.get(d) or p for d, p in wanted.items()]
                changes["prefixes"] = True
        resubmitted = False
        if changes and not officer and depositor.status == DepositorStatus.REJECTED:
            # The owner corrected a rejected registration: it goes back for review.
            depositor.status = DepositorStatus.PENDING.value
            resubmitted = True
        if not changes:
            return depositor
        try:
            await repository.flush()
        except IntegrityError as exc:
            raise Conflict(
                "Prefiks ini baru saja didaftarkan oleh penyerah karya lain",
                "This prefix was registered by another depositor concurrently",
                code="depositor_prefix_taken",
            ) from exc
        payload = depositor_event_payload(depositor)
        payload["changed"] = sorted(changes)
        payload["resubmitted"] = resubmitted
        await emit_event(session, EVENT_UPDATED, payload, key=str(depositor.id))
        return depositor

    # -- review -----------------------------------------------------------------------------------

    async def check_decision(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, action: str
    ) -> tuple[Depositor, builtins.list[Reason]]:
        """Every reason ``action`` (approve/reject) would be refused now; nothing is changed."""
        if not self._is_officer(auth_subject):
            raise Forbidden(
                "Hanya petugas serah simpan yang dapat memutuskan pendaftaran",
                "Only deposit officers can decide registrations",
                code="missing_role",
            )
        depositor = await self.get(session, auth_subject, id=id)
        reasons = [r for v in DECISION_VALIDATORS if (r := v(depositor, action, auth_subject)) is not None]
        return depositor, reasons

    async def approve(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, note: str | None = None
    ) -> Depositor:
        depositor, reasons = await self.check_decision(session, auth_subject, id=id, action=ACTION_APPROVE)
        if reasons:
            raise Refused(reasons=reasons)
        self._decide(depositor, auth_subject, DepositorStatus.APPROVED, note)
        await DepositorRepository(session).flush()
        payload = depositor_event_payload(depositor)
        payload["decided_by"] = depositor.decided_by
        await emit_event(session, EVENT_APPROVED, payload, key=str(depositor.id))
        return depositor

    async def reject(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, reason: str
    ) -> Depositor:
        depositor, reasons = await self.check_decision(session, auth_subject, id=id, action=ACTION_REJECT)
        if reasons:
            raise Refused(reasons=reasons)
        self._decide(depositor, auth_subject, DepositorStatus.REJECTED, reason)
        await DepositorRepository(session).flush()
        payload = depositor_event_payload(depositor)
        payload["decided_by"] = depositor.decided_by
        payload["reason"] = reason
        await emit_event(session, EVENT_REJECTED, payload, key=str(depositor.id))
        return depositor

    # -- helpers ----------------------------------------------------------------------------------

    @staticmethod
    def _decide(
        depositor: Depositor, auth_subject: AuthSubject, status: DepositorStatus, reason: str | None
    ) -> None:
        depositor.status = status.value
        depositor.decision_reason = reason
        depositor.decided_by = auth_subject.username or auth_subject.subject
        depositor.decided_at = utcnow()

    @staticmethod
    def _prefixes(isbn: Sequence[str], ismn: Sequence[str]) -> builtins.list[DepositorPrefix]:
        out: dict[str, DepositorPrefix] = {}
        for text in isbn:
            parsed = parse_isbn_prefix(text)
            out.setdefault(
                parsed.digits, DepositorPrefix(scheme="isbn", text=parsed.text, digits=parsed.digits)
            )
        for text in ismn:
            parsed = parse_ismn_prefix(text)
            out.setdefault(
                parsed.digits, DepositorPrefix(scheme="ismn", text=parsed.text, digits=parsed.digits)
            )
        digits = sorted(out)
        for shorter, longer in itertools.pairwise(digits):
            if longer.startswith(shorter):
                raise Refused(
                    reasons=[
                        Reason(
                            "refuse_when_prefixes_overlap",
                            f"Prefiks {out[shorter].text} dan {out[longer].text} saling tumpang tindih",
                            f"Prefixes {out[shorter].text} and {out[longer].text} overlap",
                        )
                    ]
                )
        return list(out.values())

    @staticmethod
    async def _check_prefixes_free(
        repository: DepositorRepository, prefixes: Sequence[DepositorPrefix], *, exclude: uuid.UUID | None
    ) -> None:
        taken = await repository.prefix_conflicts([p.digits for p in prefixes], exclude_depositor_id=exclude)
        if taken:
            listed = ", ".join(sorted(p.text for p in taken))
            raise Conflict(
                f"Prefiks sudah terdaftar atas nama penyerah karya lain: {listed}",
                f"Prefix already registered to another depositor: {listed}",
                code="depositor_prefix_taken",
                details={"prefixes": sorted(p.text for p in taken)},
            )

    # -- accounts acting for a depositor ----------------------------------------------------------

    async def _require_owner(
        self, session: AsyncSession, auth_subject: AuthSubject, depositor_id: uuid.UUID
    ) -> None:
        if self._is_officer(auth_subject):
            return
        accounts = await DepositorRepository(session).accounts(depositor_id)
        if not any(a.role == AccountRole.OWNER and a.subject == auth_subject.subject for a in accounts):
            raise Forbidden(
                "Hanya pemilik akun penyerah karya atau petugas yang dapat mengelola akun",
                "Only the depositor's owner account or an officer can manage its accounts",
                code="not_depositor_owner",
            )

    async def accounts(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID
    ) -> Sequence[DepositorAccount]:
        await self.get(session, auth_subject, id=id)
        return await DepositorRepository(session).accounts(id)

    async def link_account(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, data: AccountLink
    ) -> DepositorAccount:
        depositor = await self.get(session, auth_subject, id=id)
        await self._require_owner(session, auth_subject, depositor.id)
        repository = DepositorRepository(session)
        for existing in await repository.accounts(depositor.id):
            if (data.subject and existing.subject == data.subject) or (
                data.username and existing.username == data.username
            ):
                raise Conflict(
                    "Akun ini sudah terhubung dengan penyerah karya",
                    "This account is already linked to the depositor",
                    code="account_already_linked",
                )
        account = DepositorAccount(
            depositor_id=depositor.id,
            subject=data.subject,
            username=data.username,
            display_name=data.display_name,
            email=data.email,
            role=data.role.value,
            linked_by=actor(auth_subject),
        )
        session.add(account)
        try:
            await repository.flush()
        except IntegrityError as exc:
            raise Conflict(
                "Akun ini baru saja dihubungkan",
                "This account was just linked",
                code="account_already_linked",
            ) from exc
        await record_history(
            session,
            depositor_id=depositor.id,
            entity="depositor",
            entity_id=depositor.id,
            action="account_linked",
            actor_name=actor(auth_subject),
            details={"subject": data.subject, "username": data.username, "role": data.role.value},
        )
        return account

    async def unlink_account(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, account_id: uuid.UUID
    ) -> None:
        depositor = await self.get(session, auth_subject, id=id)
        await self._require_owner(session, auth_subject, depositor.id)
        repository = DepositorRepository(session)
        account = await repository.account(depositor.id, account_id)
        if account is None:
            raise NotFound("Akun tidak ditemukan", "Account not found", code="account_not_found")
        owners = [a for a in await repository.accounts(depositor.id) if a.role == AccountRole.OWNER]
        if account.role == AccountRole.OWNER and len(owners) == 1:
            raise Refused(
                reasons=[
                    Reason(
                        "refuse_when_removing_last_owner",
                        "Akun pemilik terakhir tidak dapat dilepas",
                        "The last owner account cannot be removed",
                    )
                ]
            )
        await repository.delete_account(account)
        await record_history(
            session,
            depositor_id=depositor.id,
            entity="depositor",
            entity_id=depositor.id,
            action="account_unlinked",
            actor_name=actor(auth_subject),
            details={"subject": account.subject, "username": account.username},
        )

    async def mine(
        self, session: AsyncSession, auth_subject: AuthSubject
    ) -> builtins.list[tuple[Depositor, str]]:
        """The depositors the caller acts for, with its role; binds links made by user name."""
        repository = DepositorRepository(session)
        if auth_subject.username:
            for account in await repository.unbound_accounts(auth_subject.username):
                account.subject = auth_subject.subject
                if auth_subject.name and not account.display_name:
                    account.display_name = auth_subject.name
            await repository.flush()
        roles: dict[uuid.UUID, str] = {}
        for depositor_id in await repository.linked_ids(auth_subject.subject, auth_subject.username):
            for account in await repository.accounts(depositor_id):
                if account.subject == auth_subject.subject:
                    roles[depositor_id] = account.role
        depositors = await repository.by_ids(builtins.list(roles))
        return [(d, roles[d.id]) for d in depositors]

    # -- the yearly data refresh ------------------------------------------------------------------

    async def refresh(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, data: DepositorRefresh
    ) -> Depositor:
        """The depositor confirms (and corrects) its contact data; allowed in any status."""
        depositor = await self.get(session, auth_subject, id=id)
        changed: builtins.list[str] = []
        for field in ("address", "email", "phone", "website"):
            if field in data.model_fields_set and getattr(depositor, field) != getattr(data, field):
                setattr(depositor, field, getattr(data, field))
                changed.append(field)
        if data.contacts is not None:
            contacts = [c.model_dump(exclude_none=True) for c in data.contacts]
            if contacts != depositor.contacts:
                depositor.contacts = contacts
                changed.append("contacts")
        depositor.data_confirmed_at = utcnow()
        await DepositorRepository(session).flush()
        await record_history(
            session,
            depositor_id=depositor.id,
            entity="depositor",
            entity_id=depositor.id,
            action="data_refreshed",
            actor_name=actor(auth_subject),
            details={"changed": changed},
        )
        payload = depositor_event_payload(depositor)
        payload["changed"] = sorted(changed)
        payload["refreshed"] = True
        await emit_event(session, EVENT_UPDATED, payload, key=str(depositor.id))
        return depositor


depositor_service = DepositorService()
