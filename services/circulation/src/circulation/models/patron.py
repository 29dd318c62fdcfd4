"""Patrons (members, *pemustaka*): one membership valid at every branch."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from circulation.models.base import Base
from pusip_kit.db import TimestampMixin, UTCDateTime, UUIDPrimaryKey, utcnow

PATRON_PENDING = "pending"  # self-registered, email not verified yet
PATRON_ACTIVE = "active"
PATRON_ANONYMISED = "anonymised"  # deleted on request: personal data wiped, row kept for the ledger
PATRON_STATUSES = (PATRON_PENDING, PATRON_ACTIVE, PATRON_ANONYMISED)

CHANNEL_ONLINE = "online"
CHANNEL_COUNTER = "counter"


class Patron(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "patrons"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'active', 'anonymised')", name="status"),
        CheckConstraint("gender IS NULL OR gender IN ('L', 'P')", name="gender"),
        Index("ix_patrons_email", "email"),
    )

    card_number: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    # The identity provider's subject (token ``sub``) of the patron's own online account.
    subject: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    nik: Mapped[str | None] = mapped_column(String(16), unique=True, nullable=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    gender: Mapped[str | None] = mapped_column(String(1), nullable=True)
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    category_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("patron_categories.code"), nullable=False, index=True
    )
    home_branch: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=PATRON_PENDING, index=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False, default=CHANNEL_ONLINE)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expires_on: Mapped[date] = mapped_column(Date, nullable=False)
    reading_history: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    pin_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    registered_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # A random pseudonym copied onto loans: statistics count distinct members without knowing who.
    pseudonym: Mapped[str] = mapped_column(String(32), nullable=False, default=lambda: secrets.token_hex(16))
    # An optional photo in the object store (key ``patrons/<id>/photo``); type sniffed from its bytes.
    photo_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    photo_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    photo_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class EmailVerification(UUIDPrimaryKey, Base):
    """An email verification; the token mailed is ``<id>.<HMAC(id)>`` so no secret is stored."""

    __tablename__ = "email_verifications"

    patron_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patrons.id"), nullable=False, index=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    # Set when an online account asks to be linked to a counter-registered membership: verifying the
    # mail sent to the membership's address links that account.
    link_subject: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


BLOCK_MANUAL = "manual"
BLOCK_EXPIRED = "expired"
BLOCK_OVERDUE = "overdue"
BLOCK_FINES = "fines"
BLOCK_KINDS = (BLOCK_MANUAL, BLOCK_EXPIRED, BLOCK_OVERDUE, BLOCK_FINES)


class PatronBlock(UUIDPrimaryKey, Base):
    """A block on a patron, recorded: manual ones with a reason, automatic ones when they start and end."""

    __tablename__ = "patron_blocks"
    __table_args__ = (
        CheckConstraint("kind IN ('manual', 'expired', 'overdue', 'fines')", name="kind"),
        Index("ix_patron_blocks_patron_open", "patron_id", "lifted_at"),
    )

    patron_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patrons.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    reason_en: Mapped[str] = mapped_column(Text, nullable=False)
    created_by: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    lifted_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    lift_note: Mapped[str | None] = mapped_column(Text, nullable=True)
