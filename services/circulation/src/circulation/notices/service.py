"""Notices: recorded once per (kind, reference) in the patron's account, then mailed once.

Creating a notice is idempotent (a unique key and ``INSERT … ON CONFLICT DO NOTHING``), so the beat
tasks that look for due-soon, overdue and ready-for-pickup situations can run as often as they like.
Mailing claims a notice before sending, so two workers never send the same one.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from circulation import clock
from circulation.config import CirculationSettings
from circulation.db import begin_write
from circulation.models import DigitalLoan, Hold, Licence, Loan, Notice, Patron
from circulation.models.loan import HOLD_READY
from circulation.models.notice import EMAIL_FAILED, EMAIL_PENDING, EMAIL_SENDING, EMAIL_SENT, EMAIL_SKIPPED
from circulation.models.patron import PATRON_ANONYMISED
from circulation.notices.mailer import MailError, send_mail
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import NotFound
from pusip_kit.outbox import enqueue_task
from pusip_kit.pagination import PaginationParams
from pusip_kit.uow import commit

log = logging.getLogger(__name__)

DUE_SOON = "due_soon"
OVERDUE = "overdue"
HOLD_READY_NOTICE = "hold_ready"
DIGITAL_READY = "digital_ready"
TASK_SEND = "circulation.notices.send"
MAX_ATTEMPTS = 5
CLAIM_SECONDS = 600


@dataclass(frozen=True)
class Text:
    subject: str
    subject_en: str
    body: str
    body_en: str


async def notify(
    session: AsyncSession, *, patron: Patron, kind: str, reference: str, text: Text, send_now: bool = True
) -> uuid.UUID | None:
    """Record a notice unless one of ``kind`` for ``reference`` exists; returns the new id or None."""
    if patron.status == PATRON_ANONYMISED:
        return None
    notice_id = uuid.uuid4()
    values = {
        "id": notice_id,
        "patron_id": patron.id,
        "kind": kind,
        "reference": reference,
        "subject": text.subject,
        "subject_en": text.subject_en,
        "body": text.body,
        "body_en": text.body_en,
        "created_at": clock.now(),
        "email_to": patron.email
        if patron.email_verified_at is not None or patron.channel == "counter"
        else None,
        "email_status": EMAIL_PENDING,
        "email_attempts": 0,
    }
    if not values["email_to"]:
        values["email_status"] = EMAIL_SKIPPED
    bind = session.bind
    dialect = bind.dialect.name if bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Notice).values(**values).on_conflict_do_nothing().returning(Notice.id)
    inserted = (await session.execute(statement)).first()
    if inserted is None:
        return None
    if send_now and values["email_status"] == EMAIL_PENDING:
        await enqueue_task(session, TASK_SEND, str(notice_id))
    return notice_id


def _rp(amount: int) -> str:
    return f"Rp{amount:,}".replace(",", ".")


def due_soon_text(loan: Loan) -> Text:
    return Text(
        f"Pengingat: '{loan.title}' jatuh tempo {loan.due_on:%d-%m-%Y}",
        f"Reminder: '{loan.title}' is due on {loan.due_on:%Y-%m-%d}",
        f"Buku '{loan.title}' (barcode {loan.item_barcode}) harus dikembalikan paling lambat "
        f"{loan.due_on:%d-%m-%Y}. Anda dapat memperpanjangnya melalui akun Anda atau mengembalikannya "
        "di cabang mana pun.",
        f"'{loan.title}' (barcode {loan.item_barcode}) is due on {loan.due_on:%Y-%m-%d}. Renew it from your "
        "account or return it at any branch.",
    )


def overdue_text(loan: Loan) -> Text:
    fine = loan.rule.get("fine_per_day", 0)
    return Text(
        f"Terlambat: '{loan.title}' jatuh tempo {loan.due_on:%d-%m-%Y}",
        f"Overdue: '{loan.title}' was due on {loan.due_on:%Y-%m-%d}",
        f"Buku '{loan.title}' (barcode {loan.item_barcode}) telah melewati tanggal jatuh tempo "
        f"{loan.due_on:%d-%m-%Y}. Denda {_rp(fine)} per hari buka berlaku sampai dikembalikan.",
        f"'{loan.title}' (barcode {loan.item_barcode}) was due on {loan.due_on:%Y-%m-%d}. A fine of "
        f"{_rp(fine)} per opening day applies until it is returned.",
    )


def hold_ready_text(hold: Hold, title: str) -> Text:
    deadline = hold.pickup_deadline or clock.today()
    return Text(
        f"Pesanan siap diambil: '{title}'",
        f"Your reservation is ready: '{title}'",
        f"Buku '{title}' yang Anda pesan sudah siap diambil di {hold.pickup_branch} sampai "
        f"{deadline:%d-%m-%Y}. Lewat tanggal itu pesanan dibatalkan dan buku diteruskan ke pemesan berikutnya.",
        f"'{title}' is waiting for you at {hold.pickup_branch} until {deadline:%Y-%m-%d}. After that the "
        "reservation lapses and the book goes to the next reader.",
    )


def digital_ready_text(licence: Licence, loan: DigitalLoan) -> Text:
    return Text(
        f"Buku digital siap dibaca: '{licence.title}'",
        f"Your e-book is ready: '{licence.title}'",
        f"Giliran Anda tiba: '{licence.title}' kini dipinjamkan kepada Anda sampai "
        f"{loan.expires_at:%d-%m-%Y %H:%M} UTC. Buka akun Anda untuk membacanya.",
        f"Your turn has come: '{licence.title}' is on loan to you until {loan.expires_at:%Y-%m-%d %H:%M} UTC. "
        "Open your account to read it.",
    )


class NoticeService:
    async def list_for(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        patron: Patron,
        pagination: PaginationParams,
    ) -> tuple[Sequence[Notice], int]:
        statement = select(Notice).where(Notice.patron_id == patron.id)
        total = await session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await session.execute(
            statement.order_by(Notice.created_at.desc()).offset(pagination.offset).limit(pagination.limit)
        )
        return rows.scalars().all(), int(total or 0)

    async def mark_read(
        self, session: AsyncSession, auth_subject: AuthSubject, *, patron: Patron, notice_id: uuid.UUID
    ) -> Notice:
        await begin_write(session)
        notice = await session.get(Notice, notice_id)
        if notice is None or notice.patron_id != patron.id:
            raise NotFound("Pemberitahuan tidak ditemukan", "Notice not found", code="notice_not_found")
        if notice.read_at is None:
            notice.read_at = clock.now()
            await session.flush()
        return notice

    # -- beat: find the situations that call for a notice ---------------------------------------------

    async def scan_due_soon(self, session: AsyncSession, *, today: date, days: int) -> int:
        rows = await session.execute(
            select(Loan, Patron)
            .join(Patron, Patron.id == Loan.patron_id)
            .where(
                Loan.returned_at.is_(None), Loan.due_on >= today, Loan.due_on <= today + timedelta(days=days)
            )
        )
        created = 0
        for loan, patron in rows.all():
            # One reminder per loan and due date (a renewal earns a new reminder).
            reference = f"{loan.id}:{loan.due_on.isoformat()}"
            created += (
                await notify(
                    session, patron=patron, kind=DUE_SOON, reference=reference, text=due_soon_text(loan)
                )
                is not None
            )
        return created

    async def scan_overdue(self, session: AsyncSession, *, today: date) -> int:
        rows = await session.execute(
            select(Loan, Patron)
            .join(Patron, Patron.id == Loan.patron_id)
            .where(Loan.returned_at.is_(None), Loan.due_on < today)
        )
        created = 0
        for loan, patron in rows.all():
            reference = f"{loan.id}:{loan.due_on.isoformat()}"
            created += (
                await notify(
                    session, patron=patron, kind=OVERDUE, reference=reference, text=overdue_text(loan)
                )
                is not None
            )
        return created

    async def scan_hold_ready(self, session: AsyncSession) -> int:
        from circulation.models import Item

        rows = await session.execute(
            select(Hold, Patron, Item)
            .join(Patron, Patron.id == Hold.patron_id)
            .join(Item, Item.barcode == Hold.trapped_barcode)
            .where(Hold.status == HOLD_READY)
        )
        created = 0
        for hold, patron, item in rows.all():
            created += (
                await notify(
                    session,
                    patron=patron,
                    kind=HOLD_READY_NOTICE,
                    reference=str(hold.id),
                    text=hold_ready_text(hold, item.title),
                )
                is not None
            )
        return created

    # -- mailing --------------------------------------------------------------------------------------

    async def send(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        notice_id: uuid.UUID,
        settings: CirculationSettings,
    ) -> str:
        """Mail one notice once: claim it (attempts+1) in one transaction, send, record the outcome."""
        now = clock.now()
        async with sessionmaker() as session:
            claimed = await session.execute(
                update(Notice)
                .where(
                    Notice.id == notice_id,
                    Notice.email_attempts < MAX_ATTEMPTS,
                    or_(
                        Notice.email_status == EMAIL_PENDING,
                        and_(
                            Notice.email_status == EMAIL_SENDING,
                            Notice.email_claimed_at < now - timedelta(seconds=CLAIM_SECONDS),
                        ),
                    ),
                )
                .values(
                    email_attempts=Notice.email_attempts + 1, email_status=EMAIL_SENDING, email_claimed_at=now
                )
                .returning(Notice.email_to, Notice.subject, Notice.subject_en, Notice.body, Notice.body_en)
            )
            row = claimed.first()
            await commit(session)
        if row is None:
            return "skipped"
        status, error = EMAIL_SENT, None
        if settings.mail_enabled and row.email_to:
            try:
                await send_mail(
                    settings,
                    to=row.email_to,
                    subject=f"{row.subject} / {row.subject_en}",
                    body=f"{row.body}\n\n---\n{row.body_en}\n\nDinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta\n",
                )
            except MailError as exc:
                log.warning("notice %s not mailed: %s", notice_id, exc)
                status, error = EMAIL_PENDING, str(exc)
        elif not row.email_to:
            status = EMAIL_SKIPPED
        async with sessionmaker() as session:
            notice = await session.get(Notice, notice_id)
            if notice is not None:
                if status == EMAIL_PENDING and notice.email_attempts >= MAX_ATTEMPTS:
                    status = EMAIL_FAILED
                notice.email_status = status
                notice.email_error = error
                if status == EMAIL_SENT:
                    notice.email_sent_at = clock.now()
                await commit(session)
        return status

    async def pending_ids(self, session: AsyncSession, *, limit: int = 200) -> list[uuid.UUID]:
        rows = await session.execute(
            select(Notice.id)
            .where(Notice.email_status == EMAIL_PENDING, Notice.email_attempts < MAX_ATTEMPTS)
            .order_by(Notice.created_at)
            .limit(limit)
        )
        return list(rows.scalars().all())


notice_service = NoticeService()
