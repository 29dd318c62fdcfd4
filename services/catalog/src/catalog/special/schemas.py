"""Shapes of special collections over HTTP."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from catalog.eresources.schemas import EResourceRead
from catalog.items.schemas import BranchCode
from pusip_kit.schemas import Schema, WriteSchema

Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=2,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$",
    ),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Status = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class CollectionCreate(WriteSchema):
    code: Code
    name: Name
    name_en: Name | None = None
    description: LongText | None = None
    curator_branch: BranchCode
    public: bool = True


class CollectionUpdate(WriteSchema):
    name: Name | None = None
    name_en: Name | None = None
    description: LongText | None = None
    curator_branch: BranchCode | None = None
    public: bool | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> CollectionUpdate:
        for name in ("name", "curator_branch", "public"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} tidak boleh kosong / {name} cannot be null")
        return self


class CuratorBranch(Schema):
    code: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None


class CollectionRead(Schema):
    id: uuid.UUID
    code: str
    name: str
    name_en: str | None
    description: str | None
    curator: CuratorBranch
    public: bool
    records: int
    documents: int
    conservation: dict[str, int] = Field(description="Dokumen digital per status konservasi / per status")
    created_at: datetime
    updated_at: datetime
    links: dict[str, str]


class CollectionRef(Schema):
    code: str
    name: str
    name_en: str | None = None


class MembershipCreate(WriteSchema):
    note: Note | None = None


class CollectionRecordRead(Schema):
    record_id: uuid.UUID
    title: str
    authors: list[str]
    year: int | None
    material_type: str
    note: str | None
    documents: int
    added_at: datetime


class DocumentCreate(WriteSchema):
    eresource_id: uuid.UUID
    conservation_status: Status
    access_condition: Status
    original_description: LongText | None = None
    digitised_on: date | None = None
    notes: Note | None = None


class DocumentUpdate(WriteSchema):
    conservation_status: Status | None = None
    access_condition: Status | None = None
    original_description: LongText | None = None
    digitised_on: date | None = None
    notes: Note | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> DocumentUpdate:
        for name in ("conservation_status", "access_condition"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} tidak boleh kosong / {name} cannot be null")
        return self


class DocumentRead(Schema):
    eresource: EResourceRead
    collection: CollectionRef
    record_title: str
    conservation_status: str
    conservation_label: str
    conservation_label_en: str
    original_handling: str | None
    access_condition: str
    access_label: str
    access_label_en: str
    original_description: str | None
    digitised_on: date | None
    notes: str | None
    updated_at: datetime
