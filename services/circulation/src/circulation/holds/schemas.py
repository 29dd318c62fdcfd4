"""Shapes for holds, queues and pick lists."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from pusip_kit.schemas import Schema, WriteSchema

Ident = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class HoldCreate(WriteSchema):
    record_id: Ident = Field(description="Judul (id cantuman katalog) / catalog record id")
    pickup_branch: Ident
    item: Ident | None = Field(
        default=None, description="Barcode untuk pesanan eksemplar tertentu / item-level hold"
    )
    patron: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = Field(
        default=None, description="Kartu anggota (staf memesan atas nama anggota) / card, staff on behalf"
    )


class HoldCancel(WriteSchema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class HoldRead(Schema):
    id: uuid.UUID
    record_id: str
    item_barcode: str | None
    pickup_branch: str
    status: str
    placed_at: datetime
    trapped_barcode: str | None
    ready_at: datetime | None
    pickup_deadline: date | None
    closed_at: datetime | None
    close_reason: str | None
    position: int | None = None
    patron_card: str | None = None


class HoldCheck(Schema):
    allowed: bool
    reasons: list[dict[str, object]]


class PickListEntry(Schema):
    hold_id: uuid.UUID
    position: int
    record_id: str
    title: str
    item_barcode: str
    location: str | None
    pickup_branch: str
    placed_at: datetime
