"""Shapes for fines, payments and waivers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from pusip_kit.schemas import Schema, WriteSchema


class FineRead(Schema):
    id: uuid.UUID
    loan_id: uuid.UUID | None
    kind: str
    description: str
    amount: int
    paid: int
    waived: int
    balance: int
    status: str
    overdue_days: int
    chargeable_days: int
    capped: bool
    created_at: datetime


class FineList(Schema):
    balance: int
    fines: list[FineRead]


class PaymentCreate(WriteSchema):
    patron: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    amount: int = Field(gt=0, le=100_000_000, description="Rupiah")
    method: Annotated[str, StringConstraints(pattern=r"^(tunai|qris|transfer|edc)$")] = "tunai"
    branch: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    fines: list[uuid.UUID] | None = Field(default=None, max_length=200)


class PaymentRead(Schema):
    id: uuid.UUID
    receipt_number: str
    amount: int
    method: str
    branch: str | None
    allocations: list[dict[str, Any]]
    created_at: datetime
    balance_after: int | None = None
    receipt_url: str | None = None


class WaiverCreate(WriteSchema):
    amount: int | None = Field(
        default=None, gt=0, le=100_000_000, description="Kosong = seluruh sisa / whole balance"
    )
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)]


class Check(Schema):
    allowed: bool
    reasons: list[dict[str, Any]]
