"""Digital lending: licences with N concurrent copies, loans with an expiry, a waitlist."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from circulation.models.base import Base
from pusip_kit.db import TimestampMixin, UTCDateTime, UUIDPrimaryKey, utcnow

OPEN_DIGITAL_LOAN = text("returned_at IS NULL")
WAITING = text("status = 'waiting'")


class Licence(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "licences"
    __table_args__ = (CheckConstraint("copies >= 0 AND loan_days > 0", name="positive"),)

    eresource_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(1000), nullable=False)
    copies: Mapped[int] = mapped_column(Integer, nullable=False)
    loan_days: Mapped[int] = mapped_column(Integer, nullable=False, default=7)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class DigitalLoan(UUIDPrimaryKey, Base):
    __tablename__ = "digital_loans"
    __table_args__ = (
        Index(
            "uq_digital_loans_open_patron",
            "licence_id",
            "patron_id",
            unique=True,
            sqlite_where=OPEN_DIGITAL_LOAN,
            postgresql_where=OPEN_DIGITAL_LOAN,
        ),
        Index("ix_digital_loans_open_expiry", "returned_at", "expires_at"),
    )

    licence_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("licences.id"), nullable=False)
    patron_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patrons.id"), nullable=True)
    borrowed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    return_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)


class DigitalWait(UUIDPrimaryKey, Base):
    __tablename__ = "digital_waitlist"
    __table_args__ = (
        CheckConstraint("status IN ('waiting', 'fulfilled', 'cancelled')", name="status"),
        Index(
            "uq_digital_waitlist_waiting",
            "licence_id",
            "patron_id",
            unique=True,
            sqlite_where=WAITING,
            postgresql_where=WAITING,
        ),
        Index("ix_digital_waitlist_queue", "licence_id", "status", "placed_at"),
    )

    licence_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("licences.id"), nullable=False)
    patron_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patrons.id"), nullable=True)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="waiting")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    loan_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
