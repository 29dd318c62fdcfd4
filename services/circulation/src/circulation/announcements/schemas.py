"""Shapes of announcements."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import StringConstraints

from pusip_kit.schemas import Schema, WriteSchema

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
BranchCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class AnnouncementCreate(WriteSchema):
    branch_code: BranchCode | None = None  # none: the whole network
    title: Title
    body: Body
    starts_on: date
    ends_on: date


class AnnouncementUpdate(WriteSchema):
    branch_code: BranchCode | None = None
    title: Title | None = None
    body: Body | None = None
    starts_on: date | None = None
    ends_on: date | None = None


class AnnouncementPublic(Schema):
    """What a patron sees (the For-you page)."""

    id: uuid.UUID
    branch_code: str | None
    title: str
    body: str
    starts_on: date
    ends_on: date


class AnnouncementRead(AnnouncementPublic):
    created_by: str
    updated_by: str | None
    created_at: datetime
    updated_at: datetime
