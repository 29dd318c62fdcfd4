"""Fines, payments and waivers: the patron's ledger (amounts in whole Rupiah)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from circulation.models.base import Base
from pusip_kit.db import TimestampMixin, UTCDateTime, UUIDPrimaryKey, utcnow

FINE_OPEN = "open"
FINE_PAID = "paid"
FINE_WAIVED = "waived"  # closed, at least partly by a waiver


class Fine(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "fines"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'paid', 'waived')", name="status"),
        CheckConstraint(
            "amount > 0 AND paid >= 0 AND waived >= 0 AND paid + waived <= amount", name="amounts"
        ),
        Index("ix_fines_patron_status", "patron_id", "status"),
    )

    patron_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patrons.id"), nullable=False)
    loan_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("loans.id"), nullable=True, unique=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="overdue")
    description: Mapped[str] = mapped_column(Text, nullable=False)
    amount: Mapped[int] = mapped_column(Integer, nullable=False)
    paid: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    waived: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=FINE_OPEN)
    branch: Mapped[str | None] = mapped_column(String(64), nullable=True)
    overdue_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    chargeable_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    capped: Mapped[bool] = mapped_column(nullable=False, default=False)

    @property
    def balance(self) -> int:
        return self.amount - self.paid - self.waived


class Payment(UUIDPrimaryKey, Base):
    __tablename__ = "payments"

    patron_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patrons.id"), nullable=False, index=True)
    receipt_number: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    amount: Mapped[int] = mapped_column(Integer, nullable=False)
    method: Mapped[str] = mapped_column(String(16), nullable=False)
    branch: Mapped[str | None] = mapped_column(String(64), nullable=True)
    received_by: Mapped[str] = mapped_column(String(255), nullable=False)
    allocations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class Waiver(UUIDPrimaryKey, Base):
    __tablename__ = "waivers"

    fine_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("fines.id"), nullable=False, index=True)
    amount: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    waived_by: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
