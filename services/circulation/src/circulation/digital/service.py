"""Digital lending (iJakarta): licences with N concurrent copies, time-limited signed access links,
automatic return at expiry (beat) and a FIFO waitlist served automatically when a copy frees up."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from circulation import clock
from circulation.access import require_staff
from circulation.config import CirculationSettings
from circulation.db import begin_write, conflicts_as_refusals
from circulation.digital.validators import DigitalContext, run_digital_validators
from circulation.models import DigitalLoan, DigitalWait, Licence, Patron
from circulation.notices.service import DIGITAL_READY, digital_ready_text, notify
from circulation.patrons.blocks import current_blocks
from circulation.patrons.repository import PatronRepository
from circulation.patrons.service import patron_service
from circulation.patrons.validators import patron_reasons
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import Conflict, Forbidden, NotFound, Reason, Refused
from pusip_kit.uow import commit

MAX_DIGITAL_LOANS = 5


def licence_not_found(eresource_id: str) -> NotFound:
    return NotFound(
        f"Judul digital '{eresource_id}' tidak memiliki lisensi",
        f"E-resource '{eresource_id}' has no licence",
        code="licence_not_found",
        details={"eresource_id": eresource_id},
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def access_token(secret: str, loan_id: uuid.UUID, expires: datetime) -> str:
    body = f"{loan_id.hex}.{int(expires.timestamp())}"
    mac = hmac.new(secret.encode(), f"digital-access:{body}".encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac[:24])}"


def read_token(secret: str, token: str) -> tuple[uuid.UUID, datetime] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    body = f"{parts[0]}.{parts[1]}"
    mac = hmac.new(secret.encode(), f"digital-access:{body}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(_b64(mac[:24]), parts[2]):
        return None
    try:
        return uuid.UUID(hex=parts[0]), datetime.fromtimestamp(int(parts[1]), tz=clock.now().tzinfo)
    except ValueError:
        return None


@dataclass
class AccessLink:
    url: str
    token: str
    expires_at: datetime


class DigitalService:
    # -- licences (staff) ------------------------------------------------------------------------

    async def licences(self, session: AsyncSession) -> Sequence[Licence]:
        return (await session.execute(select(Licence).order_by(Licence.title))).scalars().all()

    async def licence(self, session: AsyncSession, eresource_id: str, *, lock: bool = False) -> Licence:
        statement = select(Licence).where(Licence.eresource_id == eresource_id)
        if lock:
            statement = statement.with_for_update()
        licence = (await session.execute(statement)).scalar_one_or_none()
        if licence is None:
            raise licence_not_found(eresource_id)
        return licence

    async def create_licence(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        eresource_id: str,
        title: str,
        copies: int,
        loan_days: int,
    ) -> Licence:
        require_staff(auth_subject)
        exists = (
            await session.execute(select(Licence).where(Licence.eresource_id == eresource_id))
        ).scalar_one_or_none()
        if exists is not None:
            raise Conflict(
                f"Lisensi untuk '{eresource_id}' sudah ada",
                f"A licence for '{eresource_id}' exists",
                code="licence_exists",
            )
        licence = Licence(eresource_id=eresource_id, title=title, copies=copies, loan_days=loan_days)
        session.add(licence)
        await session.flush()
        return licence

    async def update_licence(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        eresource_id: str,
        changes: dict[str, object],
    ) -> Licence:
        require_staff(auth_subject)
        await begin_write(session)
        licence = await self.licence(session, eresource_id, lock=True)
        for key, value in changes.items():
            setattr(licence, key, value)
        await session.flush()
        return licence

    async def copies_on_loan(self, session: AsyncSession, licence: Licence) -> int:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(DigitalLoan)
                .where(DigitalLoan.licence_id == licence.id, DigitalLoan.returned_at.is_(None))
            )
            or 0
        )

    async def waiting(
        self, session: AsyncSession, licence: Licence, *, other_than: uuid.UUID | None = None
    ) -> int:
        statement = (
            select(func.count())
            .select_from(DigitalWait)
            .where(DigitalWait.licence_id == licence.id, DigitalWait.status == "waiting")
        )
        if other_than is not None:
            statement = statement.where(DigitalWait.patron_id != other_than)
        return int(await session.scalar(statement) or 0)

    # -- borrowing -------------------------------------------------------------------------------

    async def _context(self, session: AsyncSession, patron: Patron, licence: Licence) -> DigitalContext:
        own = (
            await session.execute(
                select(DigitalLoan).where(
                    DigitalLoan.licence_id == licence.id,
                    DigitalLoan.patron_id == patron.id,
                    DigitalLoan.returned_at.is_(None),
                )
            )
        ).scalar_one_or_none()
        mine = int(
            await session.scalar(
                select(func.count())
                .select_from(DigitalLoan)
                .where(DigitalLoan.patron_id == patron.id, DigitalLoan.returned_at.is_(None))
            )
            or 0
        )
        return DigitalContext(
            patron=patron,
            blocks=await current_blocks(session, patron, today=clock.today()),
            licence=licence,
            on_loan=await self.copies_on_loan(session, licence),
            own_loan=own,
            patron_digital_loans=mine,
            max_per_patron=MAX_DIGITAL_LOANS,
            waiting_ahead=await self.waiting(session, licence, other_than=patron.id),
        )

    async def borrow(
        self, session: AsyncSession, auth_subject: AuthSubject, *, eresource_id: str, dry_run: bool = False
    ) -> tuple[list[Reason], DigitalLoan | None]:
        async with conflicts_as_refusals():
            patron = await patron_service.me(session, auth_subject)
            licence = await self.licence(session, eresource_id)
            reasons = run_digital_validators(await self._context(session, patron, licence))
            if dry_run:
                return reasons, None
            if reasons:
                raise Refused(reasons=reasons)
            await begin_write(session)
            locked = await PatronRepository(session).get(patron.id, lock=True)
            assert locked is not None
            licence = await self.licence(session, eresource_id, lock=True)
            reasons = run_digital_validators(await self._context(session, locked, licence))
            if reasons:
                raise Refused(reasons=reasons)
            loan = await self._lend(session, licence, locked)
            return [], loan

    async def _lend(self, session: AsyncSession, licence: Licence, patron: Patron) -> DigitalLoan:
        now = clock.now()
        loan = DigitalLoan(
            licence_id=licence.id,
            patron_id=patron.id,
            borrowed_at=now,
            expires_at=now + timedelta(days=licence.loan_days),
        )
        session.add(loan)
        try:
            await session.flush()
        except IntegrityError as exc:
            raise Refused(
                reasons=[
                    Reason(
                        "refuse_when_already_borrowed", "Anda sedang meminjam judul ini", "Already borrowed"
                    )
                ]
            ) from exc
        return loan

    def access_link(self, settings: CirculationSettings, loan: DigitalLoan) -> AccessLink:
        expires = min(loan.expires_at, clock.now() + timedelta(minutes=settings.digital_access_minutes))
        token = access_token(settings.secret_key, loan.id, expires)
        # the gateway serves the service's routes under /api/circulation, this one without a sign-in
        url = f"{settings.public_url}/api/circulation/digital-access/{token}"
        return AccessLink(url, token, expires)

    async def own_loan(
        self, session: AsyncSession, auth_subject: AuthSubject, *, loan_id: uuid.UUID
    ) -> DigitalLoan:
        patron = await patron_service.me(session, auth_subject)
        loan = await session.get(DigitalLoan, loan_id)
        if loan is None or loan.patron_id != patron.id:
            raise NotFound(
                "Pinjaman digital tidak ditemukan", "Digital loan not found", code="digital_loan_not_found"
            )
        return loan

    async def link_for(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        loan_id: uuid.UUID,
        settings: CirculationSettings,
    ) -> AccessLink:
        loan = await self.own_loan(session, auth_subject, loan_id=loan_id)
        if loan.returned_at is not None or loan.expires_at <= clock.now():
            raise Conflict("Masa pinjam sudah berakhir", "The loan has ended", code="digital_loan_ended")
        return self.access_link(settings, loan)

    async def check_access(
        self, session: AsyncSession, *, token: str, settings: CirculationSettings
    ) -> tuple[DigitalLoan, Licence, datetime]:
        """Validate an access link: signed by us, not expired, and the loan still open."""
        parsed = read_token(settings.secret_key, token)
        denied = Forbidden(
            "Tautan akses tidak sah atau kedaluwarsa",
            "The access link is invalid or has expired",
            code="access_denied",
        )
        if parsed is None:
            raise denied
        loan_id, expires = parsed
        now = clock.now()
        if expires <= now:
            raise denied
        loan = await session.get(DigitalLoan, loan_id)
        if loan is None or loan.returned_at is not None or loan.expires_at <= now:
            raise denied
        licence = await session.get(Licence, loan.licence_id)
        assert licence is not None
        return loan, licence, expires

    async def give_back(
        self, session: AsyncSession, auth_subject: AuthSubject, *, loan_id: uuid.UUID
    ) -> DigitalLoan:
        await begin_write(session)
        loan = await self.own_loan(session, auth_subject, loan_id=loan_id)
        if loan.returned_at is None:
            await self._close(session, loan, "returned")
        return loan

    async def _close(self, session: AsyncSession, loan: DigitalLoan, reason: str) -> None:
        loan.returned_at = clock.now()
        loan.return_reason = reason
        await session.flush()
        licence = (
            await session.execute(select(Licence).where(Licence.id == loan.licence_id).with_for_update())
        ).scalar_one()
        await self._serve_waitlist(session, licence)

    async def _serve_waitlist(self, session: AsyncSession, licence: Licence) -> int:
        """Free copies go to the waitlist in order; a patron who may not borrow any more is skipped."""
        served = 0
        while licence.active and await self.copies_on_loan(session, licence) < licence.copies:
            entry = (
                await session.execute(
                    select(DigitalWait)
                    .where(DigitalWait.licence_id == licence.id, DigitalWait.status == "waiting")
                    .order_by(DigitalWait.placed_at, DigitalWait.id)
                    .limit(1)
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if entry is None:
                break
            patron = await session.get(Patron, entry.patron_id) if entry.patron_id else None
            entry.closed_at = clock.now()
            if patron is None or patron_reasons(
                patron, await current_blocks(session, patron, today=clock.today())
            ):
                entry.status = "cancelled"
                await session.flush()
                continue
            loan = await self._lend(session, licence, patron)
            entry.status = "fulfilled"
            entry.loan_id = loan.id
            await session.flush()
            await notify(
                session,
                patron=patron,
                kind=DIGITAL_READY,
                reference=str(loan.id),
                text=digital_ready_text(licence, loan),
            )
            served += 1
        return served

    async def join_waitlist(
        self, session: AsyncSession, auth_subject: AuthSubject, *, eresource_id: str
    ) -> DigitalWait:
        async with conflicts_as_refusals():
            await begin_write(session)
            patron = await patron_service.me(session, auth_subject)
            reasons = patron_reasons(patron, await current_blocks(session, patron, today=clock.today()))
            licence = await self.licence(session, eresource_id, lock=True)
            context = await self._context(session, patron, licence)
            if context.own_loan is not None:
                reasons.append(
                    Reason(
                        "refuse_when_already_borrowed",
                        "Anda sedang meminjam judul ini",
                        "You already have it on loan",
                    )
                )
            if reasons:
                raise Refused(reasons=reasons)
            entry = DigitalWait(
                licence_id=licence.id, patron_id=patron.id, placed_at=clock.now(), status="waiting"
            )
            session.add(entry)
            try:
                await session.flush()
            except IntegrityError as exc:
                raise Refused(
                    reasons=[
                        Reason(
                            "refuse_when_already_waiting",
                            "Anda sudah ada dalam daftar tunggu judul ini",
                            "You are already on this title's waitlist",
                        )
                    ]
                ) from exc
            await self._serve_waitlist(session, licence)  # a copy may be free already
            await session.refresh(entry)
            return entry

    async def waitlist_position(self, session: AsyncSession, entry: DigitalWait) -> int | None:
        if entry.status != "waiting":
            return None
        ahead = await session.scalar(
            select(func.count())
            .select_from(DigitalWait)
            .where(
                DigitalWait.licence_id == entry.licence_id,
                DigitalWait.status == "waiting",
                DigitalWait.placed_at < entry.placed_at,
            )
        )
        return int(ahead or 0) + 1

    async def leave_waitlist(
        self, session: AsyncSession, auth_subject: AuthSubject, *, eresource_id: str
    ) -> None:
        patron = await patron_service.me(session, auth_subject)
        licence = await self.licence(session, eresource_id)
        entry = (
            await session.execute(
                select(DigitalWait).where(
                    DigitalWait.licence_id == licence.id,
                    DigitalWait.patron_id == patron.id,
                    DigitalWait.status == "waiting",
                )
            )
        ).scalar_one_or_none()
        if entry is None:
            raise NotFound(
                "Anda tidak dalam daftar tunggu", "You are not on the waitlist", code="waitlist_not_found"
            )
        entry.status = "cancelled"
        entry.closed_at = clock.now()
        await session.flush()

    async def my_loans(
        self, session: AsyncSession, auth_subject: AuthSubject, *, active: bool
    ) -> Sequence[tuple[DigitalLoan, Licence]]:
        patron = await patron_service.me(session, auth_subject)
        statement = (
            select(DigitalLoan, Licence)
            .join(Licence, Licence.id == DigitalLoan.licence_id)
            .where(DigitalLoan.patron_id == patron.id)
        )
        if active:
            statement = statement.where(DigitalLoan.returned_at.is_(None))
        rows = await session.execute(statement.order_by(DigitalLoan.borrowed_at.desc()))
        return [(row[0], row[1]) for row in rows.all()]

    # -- beat --------------------------------------------------------------------------------------

    async def expire_due(self, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        """Return every digital loan past its expiry (each in its own transaction) and serve waitlists."""
        async with sessionmaker() as session:
            ids = (
                (
                    await session.execute(
                        select(DigitalLoan.id)
                        .where(DigitalLoan.returned_at.is_(None), DigitalLoan.expires_at <= clock.now())
                        .order_by(DigitalLoan.expires_at)
                        .limit(1000)
                    )
                )
                .scalars()
                .all()
            )
        returned = 0
        for loan_id in ids:
            async with sessionmaker() as session:
                await begin_write(session)
                loan = (
                    await session.execute(
                        select(DigitalLoan).where(DigitalLoan.id == loan_id).with_for_update()
                    )
                ).scalar_one_or_none()
                if loan is not None and loan.returned_at is None and loan.expires_at <= clock.now():
                    await self._close(session, loan, "expired")
                    returned += 1
                await commit(session)
        return returned


digital_service = DigitalService()
