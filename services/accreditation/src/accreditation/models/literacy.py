"""Literacy indicators as versioned data: TGM/TKM survey answers and model, IPLM model and inputs.

Circulation figures arrive as ``circulation.stats.daily`` events and are kept here as a replica
(:class:`CirculationDailyStat`); this service never reads circulation's database.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accreditation.models.base import Base
from pusip_kit.db import CreatedAtMixin, TimestampMixin, UTCDateTime, UUIDPrimaryKey, utcnow

PROVINCE = "dki-jakarta"  # the area code of province-wide figures


class TgmModelVersion(UUIDPrimaryKey, TimestampMixin, Base):
    """One version of the TGM/TKM formula: weights, normalisation bounds, bands, age scope."""

    __tablename__ = "tgm_models"

    version: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    legal_basis: Mapped[str] = mapped_column(Text, nullable=False)
    weights: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)  # {"FM": "0.3", …}
    # {"FM": {"min": "0", "max": "7", "unit": "…", "note": "(check) …"}, …}
    normalisers: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, nullable=False)
    bands: Mapped[list[dict[str, str]]] = mapped_column(JSON, nullable=False)  # [{upper, label, label_en}]
    age_min: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    age_max: Mapped[int] = mapped_column(Integer, nullable=False, default=69)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class TgmSurvey(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "tgm_surveys"
    __table_args__ = (UniqueConstraint("city", "year"),)

    city: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    model_version: Mapped[str] = mapped_column(
        ForeignKey("tgm_models.version", ondelete="RESTRICT"), nullable=False
    )
    title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)


class TgmResponse(UUIDPrimaryKey, CreatedAtMixin, Base):
    """One respondent's answers (raw, as asked); the index is always recomputed from these."""

    __tablename__ = "tgm_responses"
    __table_args__ = (UniqueConstraint("survey_id", "respondent"),)

    survey_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tgm_surveys.id", ondelete="CASCADE"), nullable=False, index=True
    )
    respondent: Mapped[str] = mapped_column(String(64), nullable=False)  # questionnaire number
    age: Mapped[int] = mapped_column(Integer, nullable=False)
    sex: Mapped[str | None] = mapped_column(String(1), nullable=True)
    reading_frequency: Mapped[Decimal] = mapped_column(Numeric(8, 2), nullable=False)  # per week
    reading_minutes: Mapped[Decimal] = mapped_column(Numeric(8, 2), nullable=False)  # per day
    items_per_quarter: Mapped[Decimal] = mapped_column(Numeric(8, 2), nullable=False)
    internet_frequency: Mapped[Decimal] = mapped_column(Numeric(8, 2), nullable=False)  # per week
    internet_minutes: Mapped[Decimal] = mapped_column(Numeric(8, 2), nullable=False)  # per day
    entered_by: Mapped[str] = mapped_column(String(200), nullable=False)


class IplmModelVersion(UUIDPrimaryKey, TimestampMixin, Base):
    """One version of the IPLM model: its elements (with source and standard) and bands."""

    __tablename__ = "iplm_models"

    version: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    legal_basis: Mapped[str] = mapped_column(Text, nullable=False)
    # [{"code", "name", "source", "per_population", "basis", "note"}, …]
    elements: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    bands: Mapped[list[dict[str, str]]] = mapped_column(JSON, nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class CityPopulation(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "city_populations"
    __table_args__ = (UniqueConstraint("city", "year"),)

    city: Mapped[str] = mapped_column(String(40), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    population: Mapped[int] = mapped_column(Integer, nullable=False)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)


class IplmInput(UUIDPrimaryKey, TimestampMixin, Base):
    """An IPLM figure entered by hand for a city and year (an element the suite cannot count, such
    as community involvement, or a correction that takes precedence over the counted value)."""

    __tablename__ = "iplm_inputs"
    __table_args__ = (UniqueConstraint("city", "year", "element"),)

    city: Mapped[str] = mapped_column(String(40), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    element: Mapped[str] = mapped_column(String(20), nullable=False)
    value: Mapped[Decimal] = mapped_column(Numeric(16, 2), nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class IplmResult(UUIDPrimaryKey, CreatedAtMixin, Base):
    """A computed IPLM, kept with every input so a published figure can always be explained."""

    __tablename__ = "iplm_results"
    __table_args__ = (UniqueConstraint("year", "area", "model_version"),)

    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    area: Mapped[str] = mapped_column(String(40), nullable=False)  # a city, or PROVINCE
    model_version: Mapped[str] = mapped_column(String(32), nullable=False)
    population: Mapped[int] = mapped_column(Integer, nullable=False)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    ratios: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    index: Mapped[Decimal] = mapped_column(Numeric(6, 2), nullable=False)
    band: Mapped[str] = mapped_column(String(100), nullable=False)
    band_en: Mapped[str] = mapped_column(String(100), nullable=False)
    computed_by: Mapped[str] = mapped_column(String(200), nullable=False)


ALL_BRANCHES = "*"  # the branch code of province-wide figures (e.g. active memberships)


class CirculationDailyStat(UUIDPrimaryKey, Base):
    """Per-branch daily circulation counts, replicated from ``circulation.stats.daily`` events.

    A figure the event did not report stays NULL (unknown), which is not the same as zero.
    """

    __tablename__ = "circulation_daily_stats"
    __table_args__ = (UniqueConstraint("day", "branch"),)

    day: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    branch: Mapped[str] = mapped_column(String(64), nullable=False)
    city: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    active_members: Mapped[int | None] = mapped_column(Integer, nullable=True)
    visits: Mapped[int | None] = mapped_column(Integer, nullable=True)
    loans: Mapped[int | None] = mapped_column(Integer, nullable=True)
    titles_loaned: Mapped[int | None] = mapped_column(Integer, nullable=True)
    event_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class CirculationBranch(TimestampMixin, Base):
    """Which city a circulation branch is in: from the events that say so, from the catalogue's
    branch list (``POST /literacy/branches/sync``, through its API) or entered by an officer."""

    __tablename__ = "circulation_branches"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    city: Mapped[str | None] = mapped_column(String(40), nullable=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    source: Mapped[str] = mapped_column(String(20), nullable=False)  # event | catalog | manual
