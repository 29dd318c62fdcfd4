"""Daily circulation statistics, emitted once per day as ``circulation.stats.daily``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date
from sqlalchemy.orm import Mapped, mapped_column

from circulation.models.base import Base
from pusip_kit.db import UTCDateTime, utcnow


class DailyStats(Base):
    __tablename__ = "daily_stats"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    emitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
