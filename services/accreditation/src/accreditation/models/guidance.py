"""Guidance activities (*kegiatan pembinaan*): events per segment and level, registrations, materials."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accreditation.models.base import Base
from pusip_kit.db import CreatedAtMixin, TimestampMixin, UTCDateTime, UUIDPrimaryKey


class ActivityKind(StrEnum):
    BIMTEK = "bimtek"  # bimbingan teknis: technical training
    SOSIALISASI = "sosialisasi"
    PENDAMPINGAN = "pendampingan"  # on-site mentoring (e.g. towards accreditation)
    WORKSHOP = "workshop"
    LOMBA = "lomba"  # library competitions
    RAPAT = "rapat"  # coordination meeting


class ActivityLevel(StrEnum):
    """Who runs the activity and for whom: the province, a city, a sub-district or a village."""

    PROVINSI = "provinsi"
    KOTA = "kota"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"


class ActivityStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"
    CANCELLED = "cancelled"


class GuidanceActivity(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "guidance_activities"

    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    segment: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)  # None: all
    level: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    city: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    venue: Mapped[str | None] = mapped_column(String(300), nullable=True)
    online_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    organizer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    contact: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft", index=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)


class GuidanceRegistration(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "guidance_registrations"

    activity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("guidance_activities.id", ondelete="CASCADE"), nullable=False, index=True
    )
    library_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("libraries.id", ondelete="SET NULL"), nullable=True, index=True
    )
    staff_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("library_staff.id", ondelete="SET NULL"), nullable=True
    )
    participant_name: Mapped[str] = mapped_column(String(200), nullable=False)
    participant_email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    participant_phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    participant_position: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="registered")
    attended: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    registered_by: Mapped[str] = mapped_column(String(200), nullable=False)


class GuidanceMaterial(UUIDPrimaryKey, CreatedAtMixin, Base):
    """A file handed out at an activity (slides, handbooks); public ones are on the public page."""

    __tablename__ = "guidance_materials"

    activity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("guidance_activities.id", ondelete="CASCADE"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    content_type: Mapped[str] = mapped_column(String(255), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    object_key: Mapped[str] = mapped_column(String(500), nullable=False, unique=True)
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    uploaded_by: Mapped[str] = mapped_column(String(200), nullable=False)
