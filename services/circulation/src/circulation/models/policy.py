"""Circulation policy as data: versioned rule sets, branch calendars and closures."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from circulation.models.base import Base
from pusip_kit.db import TimestampMixin, UTCDateTime, UUIDPrimaryKey

RULE_SET_DRAFT = "draft"
RULE_SET_ACTIVE = "active"
RULE_SET_RETIRED = "retired"


class RuleSetRow(UUIDPrimaryKey, TimestampMixin, Base):
    """A version of the rules matrix. Drafts are edited; exactly one version is active; never edited after."""

    __tablename__ = "rule_sets"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'active', 'retired')", name="status"),
        # At most one active rule set, enforced by the database.
        Index(
            "uq_rule_sets_one_active",
            "status",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    version: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=RULE_SET_DRAFT)
    # Patron blocks: this many overdue items, or unpaid fines above this (Rupiah), block borrowing.
    block_overdue_items: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    block_unpaid_fines: Mapped[int] = mapped_column(Integer, nullable=False, default=50_000)
    created_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LoanRuleRow(UUIDPrimaryKey, Base):
    __tablename__ = "loan_rules"
    __table_args__ = (
        CheckConstraint("loan_days > 0 AND max_loans >= 0 AND renewals >= 0", name="positive"),
        CheckConstraint("fine_per_day >= 0 AND fine_cap >= 0 AND grace_days >= 0", name="fines"),
    )

    rule_set_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("rule_sets.id", ondelete="CASCADE"), nullable=False, index=True
    )
    patron_category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    material_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    branch: Mapped[str | None] = mapped_column(String(64), nullable=True)
    loanable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    loan_days: Mapped[int] = mapped_column(Integer, nullable=False, default=14)
    max_loans: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    max_loans_of_type: Mapped[int | None] = mapped_column(Integer, nullable=True)
    renewals: Mapped[int] = mapped_column(Integer, nullable=False, default=2)
    renewal_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    holds_allowed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    max_holds: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    hold_pickup_days: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    fine_per_day: Mapped[int] = mapped_column(Integer, nullable=False, default=500)
    fine_cap: Mapped[int] = mapped_column(Integer, nullable=False, default=50_000)
    grace_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class BranchCalendarRow(TimestampMixin, Base):
    """A branch's weekly closing days (``"6"`` = closed on Sundays, ``"0,6"`` Mondays and Sundays)."""

    __tablename__ = "branch_calendars"

    branch: Mapped[str] = mapped_column(String(64), primary_key=True)
    closed_weekdays: Mapped[str] = mapped_column(String(13), nullable=False, default="")


class ClosureRow(UUIDPrimaryKey, TimestampMixin, Base):
    """A dated closure: a national holiday (no branch) or one branch's closed day."""

    __tablename__ = "closures"
    __table_args__ = (
        CheckConstraint("kind IN ('libur', 'cuti_bersama', 'cabang')", name="kind"),
        Index("ix_closures_day_branch", "day", "branch"),
    )

    day: Mapped[date] = mapped_column(Date, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    branch: Mapped[str | None] = mapped_column(String(64), nullable=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="libur")
