"""Circulation's replica of the catalog's branches, fed by ``catalog.branch.*`` events.

Catalog owns branches; circulation keeps the little it needs on its hot path (a check-out
or return at a branch is one local transaction) and never reads catalog's tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from circulation.models.base import Base
from pusip_kit.db import UTCDateTime, utcnow


class Branch(Base):
    __tablename__ = "branches"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    city: Mapped[str | None] = mapped_column(String(40), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # When catalog last changed the branch: an older event never overwrites a newer state.
    source_updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    synced_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow
    )
