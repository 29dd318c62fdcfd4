"""Request and response shapes for items."""

from __future__ import annotations

import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from catalog.models import AcquisitionSource, ItemStatus
from pusip_kit.schemas import RecordSchema, Schema, WriteSchema

Barcode = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$")
]
BranchCode = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=2, max_length=64)
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
MaterialType = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=32, pattern=r"^[a-z0-9_]+$")
]
Price = Annotated[Decimal, Field(ge=0, le=Decimal("999999999999"), decimal_places=2)]


class ItemCreate(WriteSchema):
    barcode: Barcode
    record_id: uuid.UUID
    branch: BranchCode
    location: ShortText | None = None
    call_number: ShortText | None = None
    material_type: MaterialType | None = None
    acquisition_source: AcquisitionSource = AcquisitionSource.PURCHASE
    price: Price | None = None
    status: ItemStatus = ItemStatus.AVAILABLE
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ItemUpdate(WriteSchema):
    branch: BranchCode | None = None
    location: ShortText | None = None
    call_number: ShortText | None = None
    material_type: MaterialType | None = None
    acquisition_source: AcquisitionSource | None = None
    price: Price | None = None
    status: ItemStatus | None = None
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> ItemUpdate:
        for name in ("branch", "material_type", "acquisition_source", "status"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} tidak boleh kosong / {name} cannot be null")
        return self


class ItemRead(RecordSchema):
    barcode: str
    record_id: uuid.UUID
    branch: str = Field(validation_alias="branch_code")
    location: str | None
    call_number: str | None
    material_type: str
    acquisition_source: str
    price: Decimal | None
    status: str
    notes: str | None


class PublicItemRead(Schema):
    barcode: str
    branch: str = Field(validation_alias="branch_code")
    location: str | None
    call_number: str | None
    material_type: str
    status: str


class BulkAction(StrEnum):
    MOVE = "move"
    SET_STATUS = "set_status"


class BulkItemRequest(WriteSchema):
    action: BulkAction
    barcodes: list[Barcode] = Field(min_length=1, max_length=1000)
    branch: BranchCode | None = None
    location: ShortText | None = None
    status: ItemStatus | None = None

    @model_validator(mode="after")
    def _arguments(self) -> BulkItemRequest:
        if self.action is BulkAction.MOVE and self.branch is None and self.location is None:
            raise ValueError("move butuh branch dan/atau location / move needs a branch and/or a location")
        if self.action is BulkAction.SET_STATUS and self.status is None:
            raise ValueError("set_status butuh status / set_status needs a status")
        return self


class BulkItemResult(Schema):
    barcode: str
    ok: bool
    code: str | None = None
    message: str | None = None
    message_en: str | None = None


class BulkItemResponse(Schema):
    action: BulkAction
    requested: int
    succeeded: int
    failed: int
    results: list[BulkItemResult]
