"""Shapes of reading lists over HTTP."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints, model_validator

from pusip_kit.schemas import Schema, WriteSchema

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class ReadingListCreate(WriteSchema):
    name: Name
    description: Description | None = None
    public: bool = False


class ReadingListUpdate(WriteSchema):
    name: Name | None = None
    description: Description | None = None
    public: bool | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> ReadingListUpdate:
        for name in ("name", "public"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} tidak boleh kosong / {name} cannot be null")
        return self


class EntryWrite(WriteSchema):
    note: Note | None = None


class EntryRead(Schema):
    record_id: uuid.UUID
    title: str
    authors: list[str]
    year: int | None
    material_type: str
    note: str | None
    position: int
    added_at: datetime


class ReadingListSummary(Schema):
    id: uuid.UUID
    name: str
    description: str | None
    public: bool
    owner_name: str
    mine: bool
    entries: int
    created_at: datetime
    updated_at: datetime
    links: dict[str, str]


class ReadingListRead(ReadingListSummary):
    items: list[EntryRead]
