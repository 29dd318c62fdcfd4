"""Shapes of e-resources over HTTP."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints

from catalog.models import AccessRule
from pusip_kit.schemas import Schema, WriteSchema


class EResourceRead(Schema):
    id: uuid.UUID
    record_id: uuid.UUID
    filename: str
    content_type: str
    format: str
    size: int
    sha256: str
    access: str
    text_status: str
    text_chars: int = 0
    can_download: bool = False
    download: str
    created_at: datetime
    updated_at: datetime


class EResourceUpdate(WriteSchema):
    access: AccessRule | None = None
    filename: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)] | None
    ) = None


class DownloadLink(Schema):
    url: str
    expires_at: datetime
    filename: str
