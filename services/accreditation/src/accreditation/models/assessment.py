"""Assessments against an instrument: self-assessment, verification, assessor visit, grade, certificate.

Status flow (accreditation mode)::

    draft ──submit──▶ submitted ──verify──▶ verified ──complete visit──▶ graded ──certify──▶ certified
      ▲                   │
      └──── returned ◀────┘ (officer returns with notes; the library edits and submits again)

Pre-measurement mode (*pengukuran awal menuju SNP*, yearly) is graded from the self-assessment at
submission (status ``graded``) and never certified.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accreditation.models.base import Base
from pusip_kit.db import CreatedAtMixin, TimestampMixin, UTCDateTime, UUIDPrimaryKey


class AssessmentMode(StrEnum):
    ACCREDITATION = "akreditasi"
    PRE_MEASUREMENT = "pengukuran-awal"


class AssessmentStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    VERIFIED = "verified"
    GRADED = "graded"
    CERTIFIED = "certified"
    CANCELLED = "cancelled"


OPEN_STATUSES = (
    AssessmentStatus.DRAFT,
    AssessmentStatus.SUBMITTED,
    AssessmentStatus.RETURNED,
    AssessmentStatus.VERIFIED,
)
EDITABLE_STATUSES = (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)


class Assessment(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "assessments"

    number: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    library_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("libraries.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    instrument_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("instruments.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    mode: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft", index=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)

    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    verified_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    assessor: Mapped[str | None] = mapped_column(String(200), nullable=True)  # username; None: any
    visit_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    visited_by: Mapped[str | None] = mapped_column(String(200), nullable=True)

    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    total: Mapped[Decimal | None] = mapped_column(Numeric(6, 2), nullable=True)
    grade: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    grade_label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    grade_label_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # [{"code", "name", "points", "maximum", "weight", "score"}, …] as strings for the decimals
    component_scores: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)

    certificate_number: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    certified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    certified_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    certified_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)


class AssessmentAnswer(UUIDPrimaryKey, TimestampMixin, Base):
    """The library's own answer to one indicator, and the assessor's, which overrides it."""

    __tablename__ = "assessment_answers"
    __table_args__ = (UniqueConstraint("assessment_id", "indicator_code"),)

    assessment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    indicator_code: Mapped[str] = mapped_column(String(40), nullable=False)
    self_option: Mapped[str | None] = mapped_column(String(1), nullable=True)
    self_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    assessor_option: Mapped[str | None] = mapped_column(String(1), nullable=True)
    assessor_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class AssessmentEvidence(UUIDPrimaryKey, CreatedAtMixin, Base):
    __tablename__ = "assessment_evidence"

    assessment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    indicator_code: Mapped[str] = mapped_column(String(40), nullable=False)
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    content_type: Mapped[str] = mapped_column(String(255), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    object_key: Mapped[str] = mapped_column(String(500), nullable=False, unique=True)
    uploaded_by: Mapped[str] = mapped_column(String(200), nullable=False)


class AssessmentStep(UUIDPrimaryKey, CreatedAtMixin, Base):
    """The assessment's trail: who submitted, returned, verified, scored, certified, with notes."""

    __tablename__ = "assessment_steps"

    assessment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
