"""Announcements to patrons (*media komunikasi dengan pemustaka*): per branch or network-wide, dated."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from circulation.models.base import Base
from pusip_kit.db import TimestampMixin, UUIDPrimaryKey


class Announcement(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "announcements"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="window"),
        Index("ix_announcements_branch_window", "branch_code", "starts_on", "ends_on"),
    )

    # NULL: for the whole network (every patron sees it).
    branch_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)
    created_by: Mapped[str] = mapped_column(String(255), nullable=False)
    updated_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
