"""Sending email over SMTP (the server named by the settings; a local sink in tests)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import anyio

from circulation.config import CirculationSettings


class MailError(RuntimeError):
    pass


def _send_blocking(settings: CirculationSettings, message: EmailMessage) -> None:
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{type(exc).__name__}: {exc}") from exc


def build_message(settings: CirculationSettings, *, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="pusip.local")
    message["Content-Language"] = "id, en"
    message.set_content(body)
    return message


async def send_mail(settings: CirculationSettings, *, to: str, subject: str, body: str) -> None:
    """Send one plain-text mail; :class:`MailError` when the SMTP server refuses or is unreachable."""
    message = build_message(settings, to=to, subject=subject, body=body)
    await anyio.to_thread.run_sync(_send_blocking, settings, message)
