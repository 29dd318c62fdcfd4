"""Yearly data-refresh reminders (the seed decree: publisher data is to be refreshed every year).

A depositor's data is due for a refresh ``refresh_interval_days`` after it was last confirmed
(registration counts as a confirmation). The daily beat task mails every approved depositor whose
refresh is due, **at most once per due date**: a ``refresh_reminders`` row (unique per depositor
and due date) is claimed in its own transaction before the mail goes out, so a second run, a
second worker or a re-delivered task finds it claimed and sends nothing. A send that failed is
retried by later runs, up to :data:`MAX_ATTEMPTS`. Confirming the data moves the due date a year on.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import anyio
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from deposit.common import JAKARTA, today_local
from deposit.config import DepositSettings
from deposit.depositors.repository import DepositorRepository
from deposit.models import Depositor, RefreshReminder
from pusip_kit.db import utcnow
from pusip_kit.uow import unit_of_work

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
SENDING, SENT, FAILED, NO_ADDRESS = "sending", "sent", "failed", "no_address"


def refresh_due_on(depositor: Depositor, interval_days: int) -> date:
    base = depositor.data_confirmed_at or depositor.created_at
    return (base + timedelta(days=interval_days)).astimezone(JAKARTA).date()


def recipients_of(depositor: Depositor) -> list[str]:
    found: list[str] = []
    for address in [depositor.email, *[c.get("email") for c in depositor.contacts or []]]:
        if address and address.lower() not in found:
            found.append(address.lower())
    return found


@dataclass(frozen=True)
class Candidate:
    id: uuid.UUID
    name: str
    due: date
    to: list[str]


def reminder_message(settings: DepositSettings, depositor: Candidate) -> EmailMessage:
    due, to = depositor.due, depositor.to
    link = f"{settings.public_url}/portal/serah-simpan/penyerah/{depositor.id}/pemutakhiran"
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = ", ".join(to)
    message["Subject"] = "Pemutakhiran data penyerah karya / Yearly depositor data refresh"
    message["Message-ID"] = make_msgid(domain="pusip.local")
    message.set_content(
        f"Yth. {depositor.name},\n\n"
        f"Data penyerah karya Anda perlu dimutakhirkan setiap tahun (jatuh tempo {due.isoformat()}). "
        "Mohon periksa alamat, surel, telepon dan kontak, lalu konfirmasi melalui tautan berikut:\n"
        f"{link}\n\n"
        "Your depositor data is due for its yearly refresh "
        f"(due {due.isoformat()}). Please check your address, e-mail, phone and contacts and confirm "
        "them at the link above.\n\n"
        f"{settings.agency_name}\n{settings.agency_unit}\n"
    )
    return message


class Mailer:
    """Sends one message through the configured SMTP server (blocking; run it in a thread)."""

    def __init__(self, settings: DepositSettings) -> None:
        self.settings = settings

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password or "")
            smtp.send_message(message)


@dataclass
class ReminderRun:
    due: int = 0
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    no_address: list[str] = field(default_factory=list)
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "due": self.due,
            "sent": len(self.sent),
            "failed": len(self.failed),
            "no_address": len(self.no_address),
            "skipped": self.skipped,
        }


async def _claim(session: AsyncSession, depositor_id: uuid.UUID, due: date, to: list[str]) -> bool:
    """Take the reminder for (depositor, due date); False when another run has it or it is done."""
    existing = await session.scalar(
        select(RefreshReminder).where(
            RefreshReminder.depositor_id == depositor_id, RefreshReminder.due_on == due
        )
    )
    if existing is None:
        session.add(
            RefreshReminder(depositor_id=depositor_id, due_on=due, recipients=to, status=SENDING, attempts=1)
        )
        try:
            await session.flush()
        except IntegrityError:
            return False
        return True
    if existing.status != FAILED or existing.attempts >= MAX_ATTEMPTS:
        return False
    result = await session.execute(
        update(RefreshReminder)
        .where(RefreshReminder.id == existing.id, RefreshReminder.status == FAILED)
        .values(status=SENDING, attempts=RefreshReminder.attempts + 1, recipients=to)
        .returning(RefreshReminder.id)
    )
    return result.first() is not None


async def send_refresh_reminders(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: DepositSettings,
    *,
    today: date | None = None,
    mailer: Mailer | None = None,
) -> ReminderRun:
    """Mail every approved depositor whose yearly refresh is due (idempotent; see the module docs)."""
    today = today or today_local()
    mailer = mailer or Mailer(settings)
    run = ReminderRun()
    async with sessionmaker() as session:
        candidates = [
            Candidate(d.id, d.name, refresh_due_on(d, settings.refresh_interval_days), recipients_of(d))
            for d in await DepositorRepository(session).approved()
        ]
    due_now = [c for c in candidates if c.due <= today]
    run.due = len(due_now)
    for candidate in due_now:
        async with unit_of_work(sessionmaker) as session:
            claimed = await _claim(session, candidate.id, candidate.due, candidate.to)
        if not claimed:
            run.skipped += 1
            continue
        status, error = SENT, None
        if not candidate.to:
            status = NO_ADDRESS
        elif settings.mail_enabled:
            try:
                await anyio.to_thread.run_sync(mailer.send, reminder_message(settings, candidate))
            except (OSError, smtplib.SMTPException) as exc:
                status, error = FAILED, f"{type(exc).__name__}: {exc}"[:2000]
                log.warning("refresh reminder to %s failed: %s", candidate.name, error)
        async with unit_of_work(sessionmaker) as session:
            await session.execute(
                update(RefreshReminder)
                .where(RefreshReminder.depositor_id == candidate.id, RefreshReminder.due_on == candidate.due)
                .values(status=status, error=error, sent_at=utcnow() if status == SENT else None)
            )
        {SENT: run.sent, FAILED: run.failed, NO_ADDRESS: run.no_address}[status].append(str(candidate.id))
    return run
