"""E-resources: digital files of a record, kept in object storage, with extracted full text."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base
from pusip_kit.db import TimestampMixin, UUIDPrimaryKey


class AccessRule(StrEnum):
    """Who may open the file."""

    PUBLIC = "public"  # anyone
    MEMBERS = "members"  # any signed-in user (patron or staff)
    ON_SITE = "on_site"  # from the library's own networks, or staff
    RESTRICTED = "restricted"  # staff only


class TextStatus(StrEnum):
    PENDING = "pending"
    EXTRACTED = "extracted"
    NONE = "none"  # a format without text (image, audio) or a scan without a text layer
    FAILED = "failed"


class EResource(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "eresources"

    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("records.id"), nullable=False, index=True)
    object_key: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    format: Mapped[str] = mapped_column(String(20), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    access: Mapped[str] = mapped_column(String(20), nullable=False, default="public")
    text_status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    fulltext: Mapped[str | None] = mapped_column(Text, nullable=True)
    uploaded_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
