"""Shapes of reviews and ratings over HTTP."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from catalog.models import Review
from pusip_kit.schemas import Schema, WriteSchema

ReviewText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class ReviewWrite(WriteSchema):
    rating: int = Field(
        ge=1, le=5, description="1 (buruk) sampai 5 (sangat baik) / 1 (poor) to 5 (excellent)"
    )
    text: ReviewText | None = Field(
        default=None,
        description="Ulasan; tanpa teks, penilaian langsung tampil; dengan teks, menunggu moderasi / a rating "
        "alone is public at once; with text it waits for moderation",
    )


class ModerationRequest(WriteSchema):
    reason: Reason | None = None


class PublicReview(Schema):
    """A review as everyone sees it (approved ones only)."""

    id: uuid.UUID
    record_id: uuid.UUID
    author_name: str
    rating: int
    text: str | None
    created_at: datetime
    updated_at: datetime


class ReviewRead(PublicReview):
    """A review as its author and the moderators see it."""

    status: str
    mine: bool = False
    moderated_by: str | None
    moderated_at: datetime | None
    moderation_reason: str | None
    record_title: str | None = None

    @classmethod
    def of(cls, review: Review, *, mine: bool = False, record_title: str | None = None) -> ReviewRead:
        return cls.model_validate(review).model_copy(update={"mine": mine, "record_title": record_title})


class RatingSummary(Schema):
    record_id: uuid.UUID
    count: int = Field(description="Penilaian yang tampil / public ratings")
    average: float | None
    distribution: dict[str, int] = Field(description="Jumlah per bintang 1–5 / count per star")
    reviews: int = Field(description="Ulasan bertulisan yang tampil / public written reviews")
