"""Versioned records-management instruments: a classification scheme with JRA and SKKAAD per code.

An :class:`InstrumentSet` is one version of the agency's instruments (``draft`` while it is being
imported and corrected, ``active`` once in force, ``retired`` when a newer version replaced it).
Codes of a set can be edited only while it is a draft; a record keeps the set it was classified
under, so a later version never changes what an existing record inherited.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.models.base import Base, JSONType
from pusip_kit.db import TimestampMixin, UTCDateTime, UUIDPrimaryKey

SET_DRAFT = "draft"
SET_ACTIVE = "active"
SET_RETIRED = "retired"


class InstrumentSet(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "instrument_sets"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_instrument_sets_name_version"),)

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    version: Mapped[str] = mapped_column(String(50), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=SET_DRAFT, index=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    summary: Mapped[dict[str, int]] = mapped_column(JSONType, nullable=False, default=dict)
    problem_kinds: Mapped[dict[str, int]] = mapped_column(JSONType, nullable=False, default=dict)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    based_on_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("instrument_sets.id"), nullable=True)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    activated_by: Mapped[str | None] = mapped_column(String(200), nullable=True)

    codes: Mapped[list[InstrumentCode]] = relationship(back_populates="instrument_set", lazy="raise")


class InstrumentCode(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "instrument_codes"
    __table_args__ = (UniqueConstraint("set_id", "code", name="uq_instrument_codes_set_id_code"),)

    set_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("instrument_sets.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    parent_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str | None] = mapped_column(String(500), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    # JRA: retention in whole years, counted from an event when one is named
    active_years: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active_event: Mapped[str | None] = mapped_column(String(500), nullable=True)
    active_raw: Mapped[str | None] = mapped_column(String(500), nullable=True)
    inactive_years: Mapped[int | None] = mapped_column(Integer, nullable=True)
    inactive_event: Mapped[str | None] = mapped_column(String(500), nullable=True)
    inactive_raw: Mapped[str | None] = mapped_column(String(500), nullable=True)
    disposition: Mapped[str | None] = mapped_column(String(20), nullable=True)
    exception_condition: Mapped[str | None] = mapped_column(Text, nullable=True)
    exception_disposition: Mapped[str | None] = mapped_column(String(20), nullable=True)
    follows_file: Mapped[str | None] = mapped_column(String(200), nullable=True)
    disposition_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    disposition_raw: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # SKKAAD
    security_level: Mapped[str | None] = mapped_column(String(20), nullable=True)
    access_categories: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    # a law forbidding destruction of records under this code (inherited by its records)
    law_forbids_destruction: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    law_reference: Mapped[str | None] = mapped_column(String(500), nullable=True)
    source_row: Mapped[int | None] = mapped_column(Integer, nullable=True)

    instrument_set: Mapped[InstrumentSet] = relationship(back_populates="codes", lazy="raise")


class InstrumentProblem(UUIDPrimaryKey, Base):
    __tablename__ = "instrument_problems"

    set_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("instrument_sets.id"), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    source_file: Mapped[str | None] = mapped_column(String(300), nullable=True)
    source_row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    code: Mapped[str | None] = mapped_column(String(200), nullable=True)
    kind: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    severity: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    message_en: Mapped[str] = mapped_column(Text, nullable=False)
    raw: Mapped[str | None] = mapped_column(Text, nullable=True)


class AccessGround(Base):
    """A ground for closing access (UU 43/2009 art. 44), loaded as data by a migration."""

    __tablename__ = "access_grounds"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    article: Mapped[str] = mapped_column(String(100), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    title_en: Mapped[str] = mapped_column(String(300), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
