"""Base schemas for API payloads."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, str_strip_whitespace=True)


class WriteSchema(Schema):
    """Request payloads refuse unknown fields, so typos are reported, not ignored."""

    model_config = ConfigDict(from_attributes=True, str_strip_whitespace=True, extra="forbid")


class RecordSchema(Schema):
    id: uuid.UUID
    created_at: datetime
    updated_at: datetime | None = None
