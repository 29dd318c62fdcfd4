"""Items (eksemplar): the physical copies of a record held by a branch."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Numeric, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base
from pusip_kit.db import TimestampMixin, UTCDateTime, UUIDPrimaryKey


class ItemStatus(StrEnum):
    """Where a copy stands. Circulation owns loans and holds; the catalogue mirrors its events."""

    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    ON_HOLD = "on_hold"
    IN_TRANSIT = "in_transit"
    IN_PROCESSING = "in_processing"
    IN_REPAIR = "in_repair"
    MISSING = "missing"
    LOST = "lost"
    DAMAGED = "damaged"
    WITHDRAWN = "withdrawn"


CIRCULATION_STATUSES = frozenset({ItemStatus.ON_LOAN, ItemStatus.ON_HOLD, ItemStatus.IN_TRANSIT})
"""Statuses only circulation sets (staff cannot put an item on loan from the catalogue)."""


class AcquisitionSource(StrEnum):
    PURCHASE = "purchase"
    GIFT = "gift"
    LEGAL_DEPOSIT = "legal_deposit"
    EXCHANGE = "exchange"
    GRANT = "grant"
    UNKNOWN = "unknown"


class Item(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "items"

    barcode: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("records.id"), nullable=False, index=True)
    branch_code: Mapped[str] = mapped_column(
        String(64), ForeignKey("branches.code"), nullable=False, index=True
    )
    location: Mapped[str | None] = mapped_column(String(100), nullable=True)
    call_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    material_type: Mapped[str] = mapped_column(String(32), nullable=False, default="book")
    acquisition_source: Mapped[str] = mapped_column(String(32), nullable=False, default="unknown")
    price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    status: Mapped[str] = mapped_column(String(32), nullable=False, default="available", index=True)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
