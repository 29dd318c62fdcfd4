"""Patron contributions on record pages: reviews with ratings (moderated) and reading lists."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base
from pusip_kit.db import TimestampMixin, UTCDateTime, UUIDPrimaryKey, utcnow


class ReviewStatus(StrEnum):
    PENDING = "pending"  # waiting for a librarian
    APPROVED = "approved"  # public
    HIDDEN = "hidden"  # refused or taken down, with a reason the author sees


class Review(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("record_id", "author_subject"),)

    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("records.id"), nullable=False, index=True)
    author_subject: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    author_name: Mapped[str] = mapped_column(String(200), nullable=False)
    rating: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending", index=True)
    moderated_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    moderation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class ReadingList(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "reading_lists"

    owner_subject: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    owner_name: Mapped[str] = mapped_column(String(200), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)


class ReadingListEntry(Base):
    __tablename__ = "reading_list_entries"

    list_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reading_lists.id", ondelete="CASCADE"), primary_key=True
    )
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("records.id"), primary_key=True, index=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
