"""Deposit obligations (one per published title), graded warnings and the history of both."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from deposit.models.base import Base
from pusip_kit.db import CreatedAtMixin, TimestampMixin, UTCDateTime, UUIDPrimaryKey


class ObligationSource(StrEnum):
    DECLARED = "declared"  # the depositor declared the title
    IMPORTED = "imported"  # from a CSV of ISBN assignments
    DEPOSIT = "deposit"  # created by a deposit that matched no declared title


class Obligation(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "obligations"
    __table_args__ = (UniqueConstraint("identifier", name="uq_obligations_identifier"),)

    depositor_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("depositors.id", ondelete="CASCADE"), nullable=False, index=True
    )
    rule_version_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("rule_versions.id"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    # "isbn:9786237654001", "issn:1234-5679", "ismn:9790230600001"; unique: one obligation per identifier.
    identifier: Mapped[str | None] = mapped_column(String(40), nullable=True)
    published_on: Mapped[date] = mapped_column(Date, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    copies_required: Mapped[int] = mapped_column(Integer, nullable=False)
    copies_accepted: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    exempt_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    fulfilled_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)


class WarningStatus(StrEnum):
    ACTIVE = "active"  # the latest grade issued, obligations still overdue
    SUPERSEDED = "superseded"  # followed by a higher grade
    RESOLVED = "resolved"  # every overdue obligation was settled


class Warning(UUIDPrimaryKey, CreatedAtMixin, Base):
    """A graded sanction issued to a depositor, with its letter (PDF, rendered by a task)."""

    __tablename__ = "warnings"

    depositor_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("depositors.id", ondelete="CASCADE"), nullable=False, index=True
    )
    rule_version_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("rule_versions.id"), nullable=False)
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    number: Mapped[str] = mapped_column(String(60), nullable=False, unique=True)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    obligation_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    letter_object_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    issued_by: Mapped[str] = mapped_column(String(200), nullable=False)


class HistoryEntry(UUIDPrimaryKey, Base):
    """What happened to a depositor's obligations, deposits and warnings, in order."""

    __tablename__ = "history"

    depositor_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("depositors.id", ondelete="CASCADE"), nullable=False, index=True
    )
    entity: Mapped[str] = mapped_column(
        String(16), nullable=False
    )  # obligation | deposit | warning | depositor
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)


class Sequence(Base):
    """Per-year document numbers (receipts, warning letters), gap-free within committed work."""

    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
