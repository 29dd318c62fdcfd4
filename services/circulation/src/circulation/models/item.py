"""Circulation's replica of catalog items and records, plus the circulation status it owns."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from circulation.models.base import Base
from pusip_kit.db import UTCDateTime, utcnow

ITEM_AVAILABLE = "available"
ITEM_ON_LOAN = "on_loan"
ITEM_IN_TRANSIT = "in_transit"
ITEM_ON_HOLD_SHELF = "on_hold_shelf"  # trapped for a hold, awaiting pickup
ITEM_LOST = "lost"
ITEM_MISSING = "missing"
ITEM_WITHDRAWN = "withdrawn"  # deleted in the catalog; kept for the loan history
ITEM_STATUSES = (
    ITEM_AVAILABLE,
    ITEM_ON_LOAN,
    ITEM_IN_TRANSIT,
    ITEM_ON_HOLD_SHELF,
    ITEM_LOST,
    ITEM_MISSING,
    ITEM_WITHDRAWN,
)


class Record(Base):
    """The little circulation keeps of a bibliographic record (title-level holds, history)."""

    __tablename__ = "records"

    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    # From catalog's record events when they carry them (recommendations by author, display).
    authors: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    source_updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    synced_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow
    )


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint(
            "status IN ('available', 'on_loan', 'in_transit', 'on_hold_shelf', 'lost', 'missing', "
            "'withdrawn')",
            name="status",
        ),
        Index("ix_items_record_status", "record_id", "status"),
        Index("ix_items_branch_status", "current_branch", "status"),
    )

    barcode: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(64), nullable=False)
    home_branch: Mapped[str] = mapped_column(String(64), nullable=False)
    current_branch: Mapped[str] = mapped_column(String(64), nullable=False)
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    material_type: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=ITEM_AVAILABLE)
    # When catalog last changed the item: an older event never overwrites a newer state.
    source_updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
