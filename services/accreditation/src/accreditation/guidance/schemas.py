"""Request and response shapes for guidance activities."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from accreditation.models import ActivityKind, ActivityLevel, ActivityStatus, JakartaCity, LibrarySegment
from pusip_kit.schemas import RecordSchema, Schema, WriteSchema

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500, pattern=r"^https?://\S+$")]


class ActivityCreate(WriteSchema):
    title: Title
    description: Text | None = None
    kind: ActivityKind
    segment: LibrarySegment | None = Field(
        default=None, description="Kosong: semua segmen / empty: every segment"
    )
    level: ActivityLevel
    city: JakartaCity | None = None
    venue: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=300)] | None = (
        None
    )
    online_url: Url | None = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    registration_closes_at: AwareDatetime | None = None
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    organizer: Short | None = None
    contact: Short | None = None

    @model_validator(mode="after")
    def _times(self) -> ActivityCreate:
        if self.ends_at <= self.starts_at:
            raise ValueError("waktu selesai harus setelah waktu mulai / ends_at must follow starts_at")
        if self.registration_closes_at is not None and self.registration_closes_at > self.ends_at:
            raise ValueError(
                "pendaftaran harus ditutup sebelum kegiatan selesai / registration must close before the end"
            )
        if (
            self.level in (ActivityLevel.KOTA, ActivityLevel.KECAMATAN, ActivityLevel.KELURAHAN)
            and self.city is None
        ):
            raise ValueError(
                "kegiatan tingkat kota ke bawah memerlukan kota / city-level activities need a city"
            )
        return self


class ActivityUpdate(WriteSchema):
    title: Title | None = None
    description: Text | None = None
    kind: ActivityKind | None = None
    segment: LibrarySegment | None = None
    level: ActivityLevel | None = None
    city: JakartaCity | None = None
    venue: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=300)] | None = (
        None
    )
    online_url: Url | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    registration_closes_at: AwareDatetime | None = None
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    organizer: Short | None = None
    contact: Short | None = None


class ActivityRead(RecordSchema):
    title: str
    description: str | None
    kind: ActivityKind
    segment: LibrarySegment | None
    level: ActivityLevel
    city: JakartaCity | None
    venue: str | None
    online_url: str | None
    starts_at: datetime
    ends_at: datetime
    registration_closes_at: datetime | None
    capacity: int | None
    organizer: str | None
    contact: str | None
    status: ActivityStatus
    created_by: str
    registered: int = 0
    attended: int = 0


class PublicMaterial(Schema):
    id: uuid.UUID
    title: str
    filename: str | None
    content_type: str
    size: int
    url: str


class PublicActivity(Schema):
    """What the public page shows: no internal fields, no participant names."""

    id: uuid.UUID
    title: str
    description: str | None
    kind: ActivityKind
    segment: LibrarySegment | None
    level: ActivityLevel
    city: JakartaCity | None
    venue: str | None
    online_url: str | None
    starts_at: datetime
    ends_at: datetime
    registration_closes_at: datetime | None
    capacity: int | None
    seats_left: int | None
    registration_open: bool
    organizer: str | None
    contact: str | None
    status: ActivityStatus
    materials: list[PublicMaterial] = Field(default_factory=list)
    calendar_url: str


class RegistrationCreate(WriteSchema):
    library: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=2, max_length=64)
    ] = Field(description="Kode perpustakaan peserta")
    staff_id: uuid.UUID | None = Field(
        default=None, description="Tenaga perpustakaan terdaftar (mengisi nama)"
    )
    participant_name: Short | None = None
    participant_email: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
        ]
        | None
    ) = None
    participant_phone: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=40)] | None
    ) = None
    participant_position: Short | None = None

    @model_validator(mode="after")
    def _someone(self) -> RegistrationCreate:
        if self.staff_id is None and self.participant_name is None:
            raise ValueError("isi staff_id atau participant_name / give staff_id or participant_name")
        return self


class RegistrationRead(RecordSchema):
    activity_id: uuid.UUID
    library_id: uuid.UUID | None
    library_code: str | None = None
    staff_id: uuid.UUID | None
    participant_name: str
    participant_email: str | None
    participant_phone: str | None
    participant_position: str | None
    status: str
    attended: bool
    attended_at: datetime | None
    registered_by: str


class AttendanceUpdate(WriteSchema):
    present: list[uuid.UUID] = Field(default_factory=list)
    absent: list[uuid.UUID] = Field(default_factory=list)


class MaterialRead(Schema):
    id: uuid.UUID
    activity_id: uuid.UUID
    title: str
    filename: str | None
    content_type: str
    size: int
    sha256: str
    public: bool
    uploaded_by: str
    created_at: datetime
