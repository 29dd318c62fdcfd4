"""Deposit rules as versioned data: periods, copies, graded warnings, appreciation criteria.

A version applies to works published on or after ``valid_from`` (until the next version), so an
obligation keeps the rules in force when its work was published. The first version (PP 55/2021)
is written by the migration; an administrator adds later ones through the API.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deposit.models.base import Base
from pusip_kit.db import CreatedAtMixin, UUIDPrimaryKey


class RuleVersion(UUIDPrimaryKey, CreatedAtMixin, Base):
    __tablename__ = "rule_versions"

    code: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    legal_basis: Mapped[str] = mapped_column(Text, nullable=False)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False, unique=True)
    printed_months: Mapped[int] = mapped_column(Integer, nullable=False)
    printed_copies: Mapped[int] = mapped_column(Integer, nullable=False)
    recorded_months: Mapped[int] = mapped_column(Integer, nullable=False)
    recorded_copies: Mapped[int] = mapped_column(Integer, nullable=False)
    # Appreciation (apresiasi penerbit tertib): who counts as a compliant publisher in a year.
    appreciation_min_due: Mapped[int] = mapped_column(Integer, nullable=False)
    appreciation_min_rate: Mapped[Decimal] = mapped_column(Numeric(5, 1), nullable=False)
    appreciation_min_on_time_rate: Mapped[Decimal] = mapped_column(Numeric(5, 1), nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)

    warning_steps: Mapped[list[WarningStep]] = relationship(
        back_populates="rule_version",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="WarningStep.level",
    )


class WarningStep(UUIDPrimaryKey, Base):
    """One grade of sanction: written warning → temporary suspension → revocation.

    Step 1 is due once a depositor's oldest overdue obligation is ``days_overdue`` days late; a
    later step once the previous step has been unanswered for ``days_after_previous`` days (and
    obligations are still overdue).
    """

    __tablename__ = "warning_steps"
    __table_args__ = (UniqueConstraint("rule_version_id", "level", name="uq_warning_steps_level"),)

    rule_version_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("rule_versions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    days_overdue: Mapped[int] = mapped_column(Integer, nullable=False)
    days_after_previous: Mapped[int] = mapped_column(Integer, nullable=False)
    letter_text: Mapped[str] = mapped_column(Text, nullable=False)

    rule_version: Mapped[RuleVersion] = relationship(back_populates="warning_steps", lazy="raise")
