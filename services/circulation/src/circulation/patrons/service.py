"""Patrons: registration (online and at the counter), email verification, membership, blocks, privacy."""

from __future__ import annotations

import calendar as pycalendar
import hashlib
import hmac
import logging
import secrets
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from circulation import clock
from circulation.access import KIOSK_ROLE, is_staff, require_staff
from circulation.config import CirculationSettings
from circulation.db import begin_write
from circulation.models import EmailVerification, Hold, Patron, PatronBlock, PatronCategory
from circulation.models.loan import HOLD_CANCELLED, HOLD_WAITING
from circulation.models.patron import (
    BLOCK_MANUAL,
    CHANNEL_COUNTER,
    CHANNEL_ONLINE,
    PATRON_ACTIVE,
    PATRON_ANONYMISED,
    PATRON_PENDING,
)
from circulation.notices.mailer import send_mail
from circulation.patrons.blocks import ActiveBlock, current_blocks, sync_blocks
from circulation.patrons.cards import new_card_number
from circulation.patrons.photo import photo_service
from circulation.patrons.repository import PatronRepository
from circulation.patrons.schemas import (
    BlockCreate,
    PatronCounterCreate,
    PatronRegister,
    PatronSelfUpdate,
    PatronStaffUpdate,
)
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.db import utcnow
from pusip_kit.errors import BadRequest, Conflict, Forbidden, NotFound, Reason, Refused
from pusip_kit.outbox import emit_event, enqueue_task, to_json_value
from pusip_kit.pagination import PaginationParams

log = logging.getLogger(__name__)

EVENT_REGISTERED = "circulation.patron.registered"
EVENT_UPDATED = "circulation.patron.updated"
EVENT_ANONYMISED = "circulation.patron.anonymised"
TASK_SEND_VERIFICATION = "circulation.patrons.send_verification"

_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, pycalendar.monthrange(year, month)[1]))


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def verification_token(secret: str, verification_id: uuid.UUID) -> str:
    mac = hmac.new(secret.encode(), f"email-verification:{verification_id}".encode(), hashlib.sha256)
    return f"{verification_id.hex}.{mac.hexdigest()[:40]}"


def patron_not_found(card: str | None = None) -> NotFound:
    if card is None:
        return NotFound(
            "Anda belum terdaftar sebagai anggota perpustakaan",
            "You are not registered as a library member",
            code="patron_not_registered",
        )
    return NotFound(
        f"Anggota dengan kartu '{card}' tidak ditemukan",
        f"No patron with card '{card}'",
        code="patron_not_found",
        details={"card_number": card},
    )


def patron_event_payload(patron: Patron) -> dict[str, Any]:
    # No personal data leaves the service: other services learn membership facts, not who.
    return {
        "id": str(patron.id),
        "card_number": patron.card_number,
        "category": patron.category_code,
        "home_branch": patron.home_branch,
        "status": patron.status,
        "channel": patron.channel,
        "expires_on": patron.expires_on.isoformat(),
    }


class PatronService:
    # -- lookups ---------------------------------------------------------------------------------

    async def me(self, session: AsyncSession, auth_subject: AuthSubject) -> Patron:
        patron = await PatronRepository(session).by_subject(auth_subject.subject)
        if patron is None or patron.status == PATRON_ANONYMISED:
            raise patron_not_found()
        return patron

    async def get_by_card(
        self, session: AsyncSession, auth_subject: AuthSubject, *, card_number: str, lock: bool = False
    ) -> Patron:
        """A patron by card: staff (and kiosks) see anyone, a patron only themself."""
        patron = await PatronRepository(session).by_card(card_number, lock=lock)
        if patron is None or patron.status == PATRON_ANONYMISED:
            raise patron_not_found(card_number)
        if (
            not is_staff(auth_subject)
            and not auth_subject.has_role("kiosk")
            and patron.subject != auth_subject.subject
        ):
            raise patron_not_found(card_number)
        return patron

    async def find(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        query: str | None,
        category: str | None,
        status: str | None,
        branch: str | None,
    ) -> tuple[Sequence[Patron], int]:
        require_staff(auth_subject)
        return await PatronRepository(session).list(
            pagination=pagination, query=query, category=category, status=status, branch=branch
        )

    # -- registration ----------------------------------------------------------------------------

    async def registration_reasons(
        self,
        session: AsyncSession,
        *,
        category: str,
        nik: str | None,
        email: str | None,
        birth_date: date | None,
        subject: str | None,
        today: date | None = None,
    ) -> tuple[list[Reason], PatronCategory | None]:
        """Every reason a registration would be refused (named, bilingual); empty when it may go ahead."""
        today = today or clock.today()
        repository = PatronRepository(session)
        reasons: list[Reason] = []
        found = (
            await session.execute(select(PatronCategory).where(PatronCategory.code == category))
        ).scalar_one_or_none()
        if found is None or not found.active:
            reasons.append(
                Reason(
                    "refuse_when_category_unknown",
                    f"Kategori anggota '{category}' tidak tersedia",
                    f"Patron category '{category}' is not available",
                    {"category": category},
                )
            )
        elif birth_date is not None:
            age = age_on(birth_date, today)
            if (found.min_age is not None and age < found.min_age) or (
                found.max_age is not None and age > found.max_age
            ):
                reasons.append(
                    Reason(
                        "refuse_when_age_outside_category",
                        f"Usia {age} tahun tidak sesuai kategori '{category}'",
                        f"Age {age} does not fit category '{category}'",
                        {"age": age, "min_age": found.min_age, "max_age": found.max_age},
                    )
                )
        if nik is not None and await repository.by_nik(nik) is not None:
            reasons.append(
                Reason(
                    "refuse_when_nik_registered",
                    "NIK ini sudah terdaftar sebagai anggota; satu NIK satu keanggotaan",
                    "This NIK is already registered; one membership per NIK",
                )
            )
        if email is not None and await repository.email_in_use(email):
            reasons.append(
                Reason(
                    "refuse_when_email_registered",
                    "Alamat email ini sudah dipakai anggota lain",
                    "This email address is already used by another patron",
                )
            )
        if subject is not None and await repository.by_subject(subject) is not None:
            reasons.append(
                Reason(
                    "refuse_when_account_already_member",
                    "Akun Anda sudah terdaftar sebagai anggota",
                    "Your account is already registered as a patron",
                )
            )
        return reasons, found

    async def check_registration(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: PatronRegister | PatronCounterCreate
    ) -> list[Reason]:
        online = isinstance(data, PatronRegister)
        reasons, _ = await self.registration_reasons(
            session,
            category=data.category,
            nik=data.nik,
            email=data.email if online else None,
            birth_date=self._birth_date(data),
            subject=auth_subject.subject if online else None,
        )
        return reasons

    @staticmethod
    def _birth_date(data: PatronRegister | PatronCounterCreate) -> date | None:
        if data.birth_date is not None:
            return data.birth_date
        if data.nik is not None:
            from circulation.patrons.nik import parse_nik

            return parse_nik(data.nik).birth_date
        return None

    async def register(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        data: PatronRegister,
        settings: CirculationSettings,
    ) -> Patron:
        """Online self-registration: the caller's account becomes a patron, pending email verification."""
        await begin_write(session)
        return await self._create(session, auth_subject, data=data, settings=settings, online=True)

    async def register_at_counter(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        data: PatronCounterCreate,
        settings: CirculationSettings,
    ) -> Patron:
        """Counter registration: active at once (the librarian saw the identity document)."""
        await begin_write(session)
        require_staff(auth_subject)
        return await self._create(session, auth_subject, data=data, settings=settings, online=False)

    async def _create(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        data: PatronRegister | PatronCounterCreate,
        settings: CirculationSettings,
        online: bool,
    ) -> Patron:
        today = clock.today()
        reasons, category = await self.registration_reasons(
            session,
            category=data.category,
            nik=data.nik,
            email=data.email if online else None,
            birth_date=self._birth_date(data),
            subject=auth_subject.subject if online else None,
            today=today,
        )
        if reasons or category is None:
            raise Refused(reasons=reasons)
        info_birth = self._birth_date(data)
        gender = data.gender
        if gender is None and data.nik is not None:
            from circulation.patrons.nik import parse_nik

            gender = parse_nik(data.nik).gender
        repository = PatronRepository(session)
        card = await self._unique_card(repository, settings.card_prefix)
        patron = Patron(
            card_number=card,
            subject=auth_subject.subject if online else None,
            nik=data.nik,
            name=data.name,
            email=data.email,
            phone=data.phone,
            birth_date=info_birth,
            gender=gender,
            address=data.address,
            category_code=category.code,
            home_branch=data.home_branch,
            status=PATRON_PENDING if online else PATRON_ACTIVE,
            channel=CHANNEL_ONLINE if online else CHANNEL_COUNTER,
            email_verified_at=None,
            expires_on=add_months(today, category.membership_validity_months),
            reading_history=data.reading_history,
            registered_by=auth_subject.subject,
        )
        try:
            await repository.add(patron)
        except IntegrityError as exc:  # a concurrent registration with the same NIK or account
            raise Conflict(
                "Pendaftaran yang sama sedang diproses",
                "The same registration is in progress",
                code="concurrent_update",
            ) from exc
        if data.email is not None:
            await self._start_verification(session, patron, settings=settings)
        await emit_event(session, EVENT_REGISTERED, patron_event_payload(patron), key=str(patron.id))
        return patron

    @staticmethod
    async def _unique_card(repository: PatronRepository, prefix: str) -> str:
        for _ in range(20):
            card = new_card_number(prefix)
            if not await repository.card_exists(card):
                return card
        raise Conflict(
            "Gagal membuat nomor kartu", "Could not allocate a card number", code="card_number_exhausted"
        )

    async def _start_verification(
        self,
        session: AsyncSession,
        patron: Patron,
        *,
        settings: CirculationSettings,
        link_subject: str | None = None,
    ) -> EmailVerification:
        assert patron.email is not None
        verification = EmailVerification(
            patron_id=patron.id,
            email=patron.email,
            link_subject=link_subject,
            expires_at=utcnow() + timedelta(hours=settings.email_verification_hours),
        )
        await PatronRepository(session).add(verification)
        await enqueue_task(session, TASK_SEND_VERIFICATION, str(verification.id))
        return verification

    async def send_verification_email(
        self, session: AsyncSession, *, verification_id: uuid.UUID, settings: CirculationSettings
    ) -> bool:
        """Mail the verification link (the task behind :data:`TASK_SEND_VERIFICATION`); False if moot."""
        repository = PatronRepository(session)
        verification = await repository.verification(verification_id)
        if verification is None or verification.used_at is not None or verification.sent_at is not None:
            return False
        patron = await repository.get(verification.patron_id)
        if patron is None or patron.status == PATRON_ANONYMISED:
            return False
        token = verification_token(settings.secret_key, verification.id)
        link = f"{settings.public_url}/akun/verifikasi-email?token={token}"
        body = (
            f"Yth. {patron.name},\n\n"
            "Terima kasih telah mendaftar sebagai anggota Perpustakaan Jakarta.\n"
            f"Nomor kartu anggota Anda: {patron.card_number}\n"
            f"Untuk memverifikasi alamat email ini, buka tautan berikut:\n{link}\n\n"
            f"Atau masukkan kode verifikasi ini: {token}\n"
            f"Tautan berlaku sampai {verification.expires_at:%d-%m-%Y %H:%M} UTC.\n\n"
            "---\n"
            f"Dear {patron.name},\n\nThank you for registering with the Jakarta Public Library.\n"
            f"Your card number: {patron.card_number}\nTo verify this email address open:\n{link}\n"
            f"or enter this verification code: {token}\n"
        )
        if settings.mail_enabled:
            await send_mail(
                settings,
                to=verification.email,
                subject="Verifikasi email keanggotaan perpustakaan / Verify your library membership email",
                body=body,
            )
        verification.sent_at = utcnow()
        await repository.flush()
        return True

    async def verify_email(
        self, session: AsyncSession, *, token: str, settings: CirculationSettings
    ) -> Patron:
        await begin_write(session)
        invalid = BadRequest(
            "Kode verifikasi tidak sah atau sudah kedaluwarsa",
            "The verification code is invalid or has expired",
            code="verification_invalid",
        )
        head, _, _mac = token.partition(".")
        try:
            verification_id = uuid.UUID(hex=head)
        except ValueError as exc:
            raise invalid from exc
        if not hmac.compare_digest(verification_token(settings.secret_key, verification_id), token):
            raise invalid
        repository = PatronRepository(session)
        verification = await repository.verification(verification_id)
        if verification is None or verification.used_at is not None or verification.expires_at < utcnow():
            raise invalid
        patron = await repository.get(verification.patron_id)
        if patron is None or patron.status == PATRON_ANONYMISED or patron.email != verification.email:
            raise invalid
        now = utcnow()
        if verification.link_subject is not None:
            if (
                patron.subject is not None
                or await repository.by_subject(verification.link_subject) is not None
            ):
                raise invalid
            patron.subject = verification.link_subject
        verification.used_at = now
        patron.email_verified_at = now
        if patron.status == PATRON_PENDING:
            patron.status = PATRON_ACTIVE
        await repository.flush()
        await emit_event(
            session,
            EVENT_UPDATED,
            {**patron_event_payload(patron), "changed": ["status"]},
            key=str(patron.id),
        )
        return patron

    async def resend_verification(
        self, session: AsyncSession, auth_subject: AuthSubject, *, settings: CirculationSettings
    ) -> Patron:
        await begin_write(session)
        patron = await self.me(session, auth_subject)
        if patron.email is None or patron.email_verified_at is not None:
            raise Conflict(
                "Email Anda sudah terverifikasi atau belum diisi",
                "Your email is already verified or not set",
                code="verification_not_needed",
            )
        await self._start_verification(session, patron, settings=settings)
        return patron

    async def request_link(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        card_number: str,
        settings: CirculationSettings,
    ) -> None:
        """An online account asks to become the account of a counter-registered membership.

        A mail goes to the membership's own address; following it links the account. The answer is
        the same whether or not the card exists, so cards cannot be probed.
        """
        await begin_write(session)
        repository = PatronRepository(session)
        if await repository.by_subject(auth_subject.subject) is not None:
            raise Refused(
                reasons=[
                    Reason(
                        "refuse_when_account_already_member",
                        "Akun Anda sudah terdaftar sebagai anggota",
                        "Your account is already registered as a patron",
                    )
                ]
            )
        patron = await repository.by_card(card_number)
        if (
            patron is None
            or patron.status == PATRON_ANONYMISED
            or patron.subject is not None
            or not patron.email
        ):
            log.info("link request for an unlinkable card")
            return
        await self._start_verification(session, patron, settings=settings, link_subject=auth_subject.subject)

    # -- the account -----------------------------------------------------------------------------

    async def account_summary(self, session: AsyncSession, patron: Patron) -> dict[str, Any]:
        repository = PatronRepository(session)
        today = clock.today()
        blocks = await current_blocks(session, patron, today=today)
        return {
            "blocks": [self.block_dict(b) for b in blocks],
            "open_loans": await repository.open_loan_count(patron.id),
            "overdue_loans": await repository.overdue_loan_count(patron.id, today),
            "active_holds": await repository.active_hold_count(patron.id),
            "fines_balance": await repository.fines_balance(patron.id),
        }

    @staticmethod
    def block_dict(block: ActiveBlock | PatronBlock) -> dict[str, Any]:
        return {
            "id": block.id,
            "kind": block.kind,
            "reason": block.reason,
            "reason_en": block.reason_en,
            "created_at": block.created_at,
            "created_by": block.created_by,
            "lifted_at": block.lifted_at,
            "lifted_by": block.lifted_by,
        }

    async def update(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        patron: Patron,
        data: PatronSelfUpdate | PatronStaffUpdate,
        settings: CirculationSettings,
    ) -> Patron:
        await begin_write(session)
        repository = PatronRepository(session)
        changes: dict[str, Any] = {}
        for name in data.model_fields_set:
            value = getattr(data, name)
            column = "category_code" if name == "category" else name
            if name in ("name", "category", "reading_history") and value is None:
                raise BadRequest(
                    f"{name} tidak boleh kosong", f"{name} cannot be null", code="validation_error"
                )
            if getattr(patron, column) != value:
                changes[column] = value
        if "category_code" in changes:
            reasons, _ = await self.registration_reasons(
                session,
                category=changes["category_code"],
                nik=None,
                email=None,
                birth_date=patron.birth_date,
                subject=None,
            )
            if reasons:
                raise Refused(reasons=reasons)
        if (
            "email" in changes
            and changes["email"] is not None
            and await repository.email_in_use(changes["email"], other_than=patron.id)
        ):
            raise Refused(
                reasons=[
                    Reason(
                        "refuse_when_email_registered",
                        "Alamat email ini sudah dipakai anggota lain",
                        "This email address is already used by another patron",
                    )
                ]
            )
        if not changes:
            return patron
        for column, value in changes.items():
            setattr(patron, column, value)
        if "email" in changes:
            patron.email_verified_at = None
            if patron.email is not None and not is_staff(auth_subject):
                await self._start_verification(session, patron, settings=settings)
            elif patron.email is not None:
                patron.email_verified_at = utcnow()  # staff saw the patron in person
        await repository.flush()
        await emit_event(
            session,
            EVENT_UPDATED,
            {**patron_event_payload(patron), "changed": sorted(changes)},
            key=str(patron.id),
        )
        return patron

    async def set_pin(
        self, session: AsyncSession, auth_subject: AuthSubject, *, patron: Patron, pin: str
    ) -> None:
        pin_hash = await anyio.to_thread.run_sync(_hasher.hash, pin)
        await begin_write(session)
        patron.pin_hash = pin_hash
        await PatronRepository(session).flush()

    @staticmethod
    async def pin_matches(patron: Patron, pin: str) -> bool:
        if patron.pin_hash is None:
            return False

        def check() -> bool:
            try:
                return bool(_hasher.verify(patron.pin_hash or "", pin))
            except (VerificationError, InvalidHashError):
                return False

        return await anyio.to_thread.run_sync(check)

    async def renew_membership(
        self, session: AsyncSession, auth_subject: AuthSubject, *, card_number: str
    ) -> Patron:
        """Extend the membership by the category's validity, from today or from the current expiry."""
        await begin_write(session)
        require_staff(auth_subject)
        repository = PatronRepository(session)
        patron = await self.get_by_card(session, auth_subject, card_number=card_number)
        category = (
            await session.execute(select(PatronCategory).where(PatronCategory.code == patron.category_code))
        ).scalar_one()
        today = clock.today()
        start = max(today, patron.expires_on)
        patron.expires_on = add_months(start, category.membership_validity_months)
        await repository.flush()
        await sync_blocks(session, patron, today=today, by=auth_subject.subject)
        await emit_event(
            session,
            EVENT_UPDATED,
            {**patron_event_payload(patron), "changed": ["expires_on"]},
            key=str(patron.id),
        )
        return patron

    # -- blocks ----------------------------------------------------------------------------------

    async def add_block(
        self, session: AsyncSession, auth_subject: AuthSubject, *, card_number: str, data: BlockCreate
    ) -> PatronBlock:
        await begin_write(session)
        if not auth_subject.has_role(KIOSK_ROLE):  # a kiosk blocks a card it retained (SIP2 01)
            require_staff(auth_subject)
        patron = await self.get_by_card(session, auth_subject, card_number=card_number)
        block = PatronBlock(
            patron_id=patron.id,
            kind=BLOCK_MANUAL,
            reason=data.reason,
            reason_en=data.reason_en or data.reason,
            created_by=auth_subject.subject,
        )
        await PatronRepository(session).add(block)
        return block

    async def lift_block(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        card_number: str,
        block_id: uuid.UUID,
        note: str | None,
    ) -> PatronBlock:
        await begin_write(session)
        require_staff(auth_subject)
        patron = await self.get_by_card(session, auth_subject, card_number=card_number)
        repository = PatronRepository(session)
        block = await repository.block(block_id)
        if block is None or block.patron_id != patron.id:
            raise NotFound("Blokir tidak ditemukan", "Block not found", code="block_not_found")
        if block.kind != BLOCK_MANUAL:
            raise Conflict(
                "Blokir otomatis berakhir sendiri bila penyebabnya selesai",
                "Automatic blocks end by themselves when their cause is resolved",
                code="block_automatic",
            )
        if block.lifted_at is None:
            block.lifted_at = utcnow()
            block.lifted_by = auth_subject.subject
            block.lift_note = note
            await repository.flush()
        return block

    async def blocks(
        self, session: AsyncSession, auth_subject: AuthSubject, *, patron: Patron, history: bool
    ) -> list[dict[str, Any]]:
        if history:
            await sync_blocks(session, patron, today=clock.today(), by="system")
            return [
                self.block_dict(b)
                for b in await PatronRepository(session).blocks(patron.id, include_lifted=True)
            ]
        return [self.block_dict(b) for b in await current_blocks(session, patron, today=clock.today())]

    # -- privacy ---------------------------------------------------------------------------------

    async def export(
        self, session: AsyncSession, auth_subject: AuthSubject, *, patron: Patron
    ) -> dict[str, Any]:
        """Everything the service keeps about the patron, as JSON (UU 27/2022 on personal data)."""
        repository = PatronRepository(session)
        skip = {"pin_hash"}

        def row(obj: Any) -> dict[str, Any]:
            return {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in skip}

        data = {
            "exported_at": utcnow(),
            "patron": row(patron),
            "loans": [row(x) for x in await repository.loans_of(patron.id)],
            "holds": [row(x) for x in await repository.holds_of(patron.id)],
            "fines": [row(x) for x in await repository.fines_of(patron.id)],
            "payments": [row(x) for x in await repository.payments_of(patron.id)],
            "digital_loans": [row(x) for x in await repository.digital_loans_of(patron.id)],
            "notices": [row(x) for x in await repository.notices_of(patron.id)],
            "blocks": [row(x) for x in await repository.blocks(patron.id, include_lifted=True)],
        }
        exported: dict[str, Any] = to_json_value(data)
        return exported

    async def deletion_reasons(self, session: AsyncSession, patron: Patron) -> list[Reason]:
        repository = PatronRepository(session)
        reasons: list[Reason] = []
        open_loans = await repository.open_loan_count(patron.id)
        if open_loans:
            reasons.append(
                Reason(
                    "refuse_when_patron_has_open_loans",
                    f"Masih ada {open_loans} pinjaman yang belum dikembalikan",
                    f"{open_loans} loans are not returned yet",
                    {"open_loans": open_loans},
                )
            )
        balance = await repository.fines_balance(patron.id)
        if balance:
            reasons.append(
                Reason(
                    "refuse_when_patron_has_unpaid_fines",
                    f"Masih ada denda Rp{balance} yang belum dibayar",
                    f"Rp{balance} of fines are unpaid",
                    {"balance": balance},
                )
            )
        return reasons

    async def anonymise(self, session: AsyncSession, auth_subject: AuthSubject, *, patron: Patron) -> Patron:
        """Delete on request: wipe personal data, detach loans and holds (statistics keep only counts)."""
        await begin_write(session)
        if not is_staff(auth_subject) and patron.subject != auth_subject.subject:
            raise Forbidden()
        reasons = await self.deletion_reasons(session, patron)
        if reasons:
            raise Refused(reasons=reasons)
        now = utcnow()
        # Waiting holds are cancelled; an item already trapped for the patron goes back into circulation
        # at its next check-in (the hold row no longer names anyone and is closed here).
        await session.execute(
            update(Hold)
            .where(Hold.patron_id == patron.id, Hold.status.in_((HOLD_WAITING, "in_transit", "ready")))
            .values(status=HOLD_CANCELLED, closed_at=now, close_reason="anggota dihapus / patron deleted")
        )
        await photo_service.forget(session, patron)  # the object goes after commit
        repository = PatronRepository(session)
        await repository.anonymise_related(patron.id)
        patron.name = "Anonim"
        for column in (
            "subject",
            "nik",
            "email",
            "phone",
            "birth_date",
            "gender",
            "address",
            "pin_hash",
            "home_branch",
        ):
            setattr(patron, column, None)
        patron.email_verified_at = None
        patron.reading_history = False
        patron.status = PATRON_ANONYMISED
        patron.anonymised_at = now
        patron.pseudonym = secrets.token_hex(16)
        await repository.flush()
        await emit_event(session, EVENT_ANONYMISED, {"id": str(patron.id)}, key=str(patron.id))
        return patron


patron_service = PatronService()
