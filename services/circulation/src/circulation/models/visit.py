"""Library visits (*kunjungan*), recorded at a branch's gate or counter: the source of visit statistics.

A visit by a known patron is stored under the patron's pseudonym (never who), once per branch and
day: scanning the card again the same day counts nobody twice. A gate counter without cards records
anonymous visitors as a number.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from circulation.models.base import Base
from pusip_kit.db import UTCDateTime, UUIDPrimaryKey, utcnow

KNOWN_PATRON = text("patron_ref IS NOT NULL")
VISIT_SOURCES = ("gate", "counter", "kiosk")


class Visit(UUIDPrimaryKey, Base):
    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint("visitors >= 1", name="visitors"),
        CheckConstraint("source IN ('gate', 'counter', 'kiosk')", name="source"),
        Index(
            "uq_visits_patron_day",
            "branch",
            "day",
            "patron_ref",
            unique=True,
            sqlite_where=KNOWN_PATRON,
            postgresql_where=KNOWN_PATRON,
        ),
        Index("ix_visits_day_branch", "day", "branch"),
    )

    branch: Mapped[str] = mapped_column(String(64), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)  # the Jakarta date of the visit
    # The patron's pseudonym; NULL for anonymous visitors counted by a gate.
    patron_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    patron_category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    visitors: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="gate")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(255), nullable=False)
