"""Notices to patrons (due soon, overdue, hold ready, …): shown in the account and mailed once."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from circulation.models.base import Base
from pusip_kit.db import UTCDateTime, UUIDPrimaryKey, utcnow

EMAIL_PENDING = "pending"
EMAIL_SENT = "sent"
EMAIL_FAILED = "failed"
EMAIL_SKIPPED = "skipped"  # no address, or the patron was anonymised
EMAIL_SENDING = "sending"  # claimed by a worker (reclaimed if it stays so for long: the worker died)


class Notice(UUIDPrimaryKey, Base):
    __tablename__ = "notices"
    __table_args__ = (
        # One notice per kind and subject (a loan, a hold): re-running a beat task sends nothing twice.
        UniqueConstraint("kind", "reference", name="uq_notices_kind_reference"),
        CheckConstraint(
            "email_status IN ('pending', 'sending', 'sent', 'failed', 'skipped')", name="email_status"
        ),
        Index("ix_notices_patron_created", "patron_id", "created_at"),
        Index("ix_notices_email_status", "email_status"),
    )

    patron_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patrons.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    reference: Mapped[str] = mapped_column(String(80), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    subject_en: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    body_en: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    email_to: Mapped[str | None] = mapped_column(String(254), nullable=True)
    email_status: Mapped[str] = mapped_column(String(16), nullable=False, default=EMAIL_PENDING)
    email_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    email_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    email_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
