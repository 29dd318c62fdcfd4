"""Special collections (e.g. the PDS H.B. Jassin literary documentation): the collection, the records
assigned to it, and its digitised documents (e-resources with conservation status and access
conditions)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base
from pusip_kit.db import TimestampMixin, UTCDateTime, UUIDPrimaryKey, utcnow


class SpecialCollection(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "special_collections"

    code: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    curator_branch: Mapped[str] = mapped_column(
        String(64), ForeignKey("branches.code"), nullable=False, index=True
    )
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, index=True)
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class CollectionRecord(Base):
    __tablename__ = "special_collection_records"

    collection_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("special_collections.id", ondelete="CASCADE"), primary_key=True
    )
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("records.id"), primary_key=True, index=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    added_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class DigitisedDocument(TimestampMixin, Base):
    """An e-resource that is the digitised surrogate of an original in a special collection."""

    __tablename__ = "digitised_documents"

    eresource_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("eresources.id", ondelete="CASCADE"), primary_key=True
    )
    collection_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("special_collections.id", ondelete="CASCADE"), nullable=False, index=True
    )
    conservation_status: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    access_condition: Mapped[str] = mapped_column(String(16), nullable=False)
    original_description: Mapped[str | None] = mapped_column(Text, nullable=True)
    digitised_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
