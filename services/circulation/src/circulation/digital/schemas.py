"""Shapes for digital lending."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from pusip_kit.schemas import Schema, WriteSchema

Ident = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class LicenceCreate(WriteSchema):
    eresource_id: Ident = Field(description="Id e-resource di katalog / catalog e-resource id")
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    copies: int = Field(ge=0, le=100_000, description="Salinan serentak / concurrent copies")
    loan_days: int = Field(default=7, ge=1, le=90)


class LicenceUpdate(WriteSchema):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)] | None = (
        None
    )
    copies: int | None = Field(default=None, ge=0, le=100_000)
    loan_days: int | None = Field(default=None, ge=1, le=90)
    active: bool | None = None


class LicenceRead(Schema):
    id: uuid.UUID
    eresource_id: str
    title: str
    copies: int
    loan_days: int
    active: bool
    on_loan: int = 0
    waiting: int = 0


class BorrowRequest(WriteSchema):
    eresource_id: Ident


class DigitalLoanRead(Schema):
    id: uuid.UUID
    eresource_id: str
    title: str
    borrowed_at: datetime
    expires_at: datetime
    returned_at: datetime | None
    return_reason: str | None
    access_url: str | None = None
    access_expires_at: datetime | None = None


class AccessGrant(Schema):
    loan_id: uuid.UUID
    eresource_id: str
    title: str
    loan_expires_at: datetime
    link_expires_at: datetime


class WaitRead(Schema):
    id: uuid.UUID
    eresource_id: str
    status: str
    placed_at: datetime
    position: int | None
    loan_id: uuid.UUID | None


class Check(Schema):
    allowed: bool
    reasons: list[dict[str, Any]]
