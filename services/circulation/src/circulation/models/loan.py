"""Loans, holds, transits: the circulation transactions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from circulation.models.base import Base
from pusip_kit.db import UTCDateTime, UUIDPrimaryKey, utcnow

OPEN_LOAN = text("returned_at IS NULL")


class Loan(UUIDPrimaryKey, Base):
    __tablename__ = "loans"
    __table_args__ = (
        # One open loan per item, enforced by the database whatever the interleaving.
        Index(
            "uq_loans_open_item",
            "item_barcode",
            unique=True,
            sqlite_where=OPEN_LOAN,
            postgresql_where=OPEN_LOAN,
        ),
        Index("ix_loans_patron_open", "patron_id", "returned_at"),
        Index("ix_loans_branch_loaned", "branch", "loaned_at"),
        Index("ix_loans_due_open", "due_on", "returned_at"),
        Index("ix_loans_record", "record_id"),
        CheckConstraint("renewals >= 0", name="renewals"),
    )

    # NULL once anonymised (returned without reading-history opt-in, or the patron deleted on request).
    patron_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patrons.id"), nullable=True)
    # The patron's pseudonym (kept when the loan forgets the patron), only to count distinct members.
    patron_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    patron_category: Mapped[str] = mapped_column(String(32), nullable=False)
    item_barcode: Mapped[str] = mapped_column(ForeignKey("items.barcode"), nullable=False)
    record_id: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    material_type: Mapped[str] = mapped_column(String(64), nullable=False)
    branch: Mapped[str] = mapped_column(String(64), nullable=False)  # where it was checked out
    loaned_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    renewals: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_renewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    return_branch: Mapped[str | None] = mapped_column(String(64), nullable=True)
    rule_set_version: Mapped[str] = mapped_column(String(64), nullable=False)
    rule: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)  # the rule as it was at check-out
    channel: Mapped[str] = mapped_column(String(16), nullable=False, default="desk")
    checked_out_by: Mapped[str] = mapped_column(String(255), nullable=False)
    returned_by: Mapped[str | None] = mapped_column(String(255), nullable=True)


HOLD_WAITING = "waiting"
HOLD_IN_TRANSIT = "in_transit"  # trapped, travelling to the pickup branch
HOLD_READY = "ready"  # on the hold shelf, awaiting pickup
HOLD_FULFILLED = "fulfilled"
HOLD_CANCELLED = "cancelled"
HOLD_EXPIRED = "expired"
ACTIVE_HOLD_STATUSES = (HOLD_WAITING, HOLD_IN_TRANSIT, HOLD_READY)
TRAPPED = text("status IN ('in_transit', 'ready')")
ACTIVE_HOLD = text("status IN ('waiting', 'in_transit', 'ready')")


class Hold(UUIDPrimaryKey, Base):
    __tablename__ = "holds"
    __table_args__ = (
        CheckConstraint(
            "status IN ('waiting', 'in_transit', 'ready', 'fulfilled', 'cancelled', 'expired')", name="status"
        ),
        Index("ix_holds_record_queue", "record_id", "status", "placed_at"),
        Index("ix_holds_patron_status", "patron_id", "status"),
        # An item serves one hold at a time; a patron holds a title once.
        Index(
            "uq_holds_trapped_item",
            "trapped_barcode",
            unique=True,
            sqlite_where=TRAPPED,
            postgresql_where=TRAPPED,
        ),
        Index(
            "uq_holds_patron_record_active",
            "patron_id",
            "record_id",
            unique=True,
            sqlite_where=ACTIVE_HOLD,
            postgresql_where=ACTIVE_HOLD,
        ),
    )

    patron_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patrons.id"), nullable=True)
    record_id: Mapped[str] = mapped_column(String(64), nullable=False)
    item_barcode: Mapped[str | None] = mapped_column(String(64), nullable=True)  # item-level hold
    pickup_branch: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=HOLD_WAITING)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    trapped_barcode: Mapped[str | None] = mapped_column(String(64), nullable=True)
    trapped_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    pickup_deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    fulfilled_loan_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    close_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    placed_by: Mapped[str] = mapped_column(String(255), nullable=False)


TRANSIT_OPEN = "open"
TRANSIT_RECEIVED = "received"
TRANSIT_CANCELLED = "cancelled"
OPEN_TRANSIT = text("status = 'open'")


class Transit(UUIDPrimaryKey, Base):
    __tablename__ = "transits"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'received', 'cancelled')", name="status"),
        CheckConstraint("reason IN ('hold', 'home')", name="reason"),
        Index(
            "uq_transits_open_item",
            "item_barcode",
            unique=True,
            sqlite_where=OPEN_TRANSIT,
            postgresql_where=OPEN_TRANSIT,
        ),
        Index("ix_transits_to_status", "to_branch", "status"),
    )

    item_barcode: Mapped[str] = mapped_column(ForeignKey("items.barcode"), nullable=False)
    from_branch: Mapped[str] = mapped_column(String(64), nullable=False)
    to_branch: Mapped[str] = mapped_column(String(64), nullable=False)
    reason: Mapped[str] = mapped_column(String(8), nullable=False)
    hold_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("holds.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=TRANSIT_OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(255), nullable=False)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    received_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
