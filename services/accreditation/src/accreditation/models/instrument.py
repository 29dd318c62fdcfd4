"""Accreditation instruments as versioned data: per library type and version, components with
weights, indicators with options a–e and their points, evidence requirements, grade bands and how
long an accreditation stays valid.

The scoring objects of :mod:`accreditation.scoring` are built from these rows
(:func:`accreditation.instruments.build.to_scoring`), never from constants in code.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accreditation.models.base import Base
from pusip_kit.db import TimestampMixin, UTCDateTime, UUIDPrimaryKey


class InstrumentStatus(StrEnum):
    DRAFT = "draft"  # editable; not offered for new assessments
    PUBLISHED = "published"  # the version new assessments of its library type use
    RETIRED = "retired"  # replaced; assessments that pinned it keep it


class Instrument(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "instruments"
    __table_args__ = (UniqueConstraint("library_type", "version"),)

    library_type: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    version: Mapped[str] = mapped_column(String(32), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    legal_basis: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft", index=True)
    # True when the component weights are the published ones (RULES §3): they cannot be edited,
    # only replaced by a new version. Other types ship default weights an administrator may edit.
    weights_published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    weights_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # [{"grade": "A", "minimum": "91", "label": "…", "label_en": "…"}, …]
    bands: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    bands_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    validity_years: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    components: Mapped[list[InstrumentComponent]] = relationship(
        back_populates="instrument",
        lazy="raise",
        order_by="InstrumentComponent.position",
        cascade="all, delete-orphan",
    )


class InstrumentComponent(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "instrument_components"
    __table_args__ = (UniqueConstraint("instrument_id", "code"),)

    instrument_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("instruments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    instrument: Mapped[Instrument] = relationship(back_populates="components", lazy="raise")
    indicators: Mapped[list[InstrumentIndicator]] = relationship(
        back_populates="component",
        lazy="raise",
        order_by="InstrumentIndicator.position",
        cascade="all, delete-orphan",
    )


class InstrumentIndicator(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "instrument_indicators"
    __table_args__ = (UniqueConstraint("instrument_id", "code"),)

    instrument_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("instruments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    component_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("instrument_components.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # {"a": {"points": 5, "text": "…"}, …, "e": {"points": 1, "text": "…"}}
    options: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)  # what proof is expected
    evidence_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    component: Mapped[InstrumentComponent] = relationship(back_populates="indicators", lazy="raise")
