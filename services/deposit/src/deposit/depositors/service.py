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

from deposit.depositors.prefixes import parse_isbn_prefix, parse_ismn_prefix
from deposit.depositors.repository import DepositorRepository
from deposit.depositors.schemas import DepositorCreate, DepositorUpdate
from deposit.models import Depositor, DepositorPrefix, DepositorStatus
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

    def _may_read(self, auth_subject: AuthSubject, depositor: Depositor) -> bool:
        return self._is_officer(auth_subject) or depositor.owner_subject == auth_subject.subject

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
        owner = None if self._is_officer(auth_subject) else auth_subject.subject
        return await DepositorRepository(session).list(
            pagination=pagination,
            owner_subject=owner,
            status=status,
            type=type,
            province=province,
            query=query,
        )

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID) -> Depositor:
        depositor = await DepositorRepository(session).get(id)
        if depositor is None or not self._may_read(auth_subject, depositor):
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


depositor_service = DepositorService()
