"""Bibliographic records: the MARC21 record (lossless, MARC-in-JSON) and fields derived from it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base
from catalog.vocab import IdentifierKind, RecordSource
from pusip_kit.db import TimestampMixin, UTCDateTime, UUIDPrimaryKey, utcnow

__all__ = ["BibRecord", "IdentifierKind", "RecordIdentifier", "RecordSource"]


class BibRecord(UUIDPrimaryKey, TimestampMixin, Base):
    """One bibliographic record.

    ``marc`` is the source of truth (MARC-in-JSON text, UTF-8, leader/09 = ``a``); every other
    column is derived from it whenever it changes. ``derived`` holds all derived fields
    (:class:`catalog.marc.derive.BibFields`); the scalar columns repeat what SQL lists, sorts
    and filters on. A deleted record stays as a tombstone (``deleted``) so OAI-PMH can report
    it; ``datestamp`` changes with every change of the record or of its set membership.
    """

    __tablename__ = "records"
    __table_args__ = (Index("ix_records_datestamp_id", "datestamp", "id"),)

    marc: Mapped[str] = mapped_column(Text, nullable=False)
    control_number: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    title: Mapped[str] = mapped_column(Text, nullable=False, default="")
    title_sort: Mapped[str] = mapped_column(String(255), nullable=False, default="", index=True)
    authors: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    isbns: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True, index=True)
    material_type: Mapped[str] = mapped_column(String(32), nullable=False, default="book", index=True)
    publisher: Mapped[str | None] = mapped_column(Text, nullable=True)
    call_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    derived: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    source: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    source_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    regional: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)
    datestamp: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class RecordIdentifier(Base):
    """Match keys of a live record (removed when the record is deleted)."""

    __tablename__ = "record_identifiers"
    __table_args__ = (Index("ix_record_identifiers_kind_value", "kind", "value"),)

    record_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
