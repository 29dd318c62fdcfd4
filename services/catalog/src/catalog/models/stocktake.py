"""Stock-taking (stock opname): a counting session for one branch (or one location in it) and what
was scanned, and — once closed — what was missing."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base
from pusip_kit.db import TimestampMixin, UTCDateTime, UUIDPrimaryKey


class StocktakeStatus(StrEnum):
    OPEN = "open"  # opened, nothing scanned yet
    SCANNING = "scanning"  # at least one barcode scanned
    CLOSED = "closed"  # counted; the report is final


class ScanResult(StrEnum):
    FOUND = "found"  # belongs here (branch, and location when the session has one)
    MISPLACED = "misplaced"  # a known item that belongs to another branch or location
    UNEXPECTED = "unexpected"  # no item has this barcode
    MISSING = "missing"  # expected here, not scanned, not on loan (written when the session closes)


class Stocktake(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "stocktakes"

    number: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    branch_code: Mapped[str] = mapped_column(
        String(64), ForeignKey("branches.code"), nullable=False, index=True
    )
    location: Mapped[str | None] = mapped_column(String(100), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open", index=True)
    scans: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    found: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    misplaced: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unexpected: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    expected: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Items expected on the shelves, frozen when the session closes."""
    missing: Mapped[int | None] = mapped_column(Integer, nullable=True)
    statuses_updated: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    opened_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class StocktakeEntry(Base):
    """One barcode of a session: scanned (found, misplaced, unexpected) or, at closing, missing."""

    __tablename__ = "stocktake_entries"
    __table_args__ = (UniqueConstraint("stocktake_id", "barcode"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    stocktake_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("stocktakes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    barcode: Mapped[str] = mapped_column(String(64), nullable=False)
    result: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    item_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    call_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    item_branch: Mapped[str | None] = mapped_column(String(64), nullable=True)
    item_location: Mapped[str | None] = mapped_column(String(100), nullable=True)
    item_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    scan_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="single")
    first_scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    scanned_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
