"""Shapes for circulation's item replica and catalog's item and record events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator, StringConstraints

from circulation.branches.schemas import _aware
from pusip_kit.schemas import Schema

Barcode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Ident = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class ItemSnapshot(Schema):
    """What a ``catalog.item.created`` / ``catalog.item.updated`` event says about a copy."""

    barcode: Barcode
    record_id: Ident
    branch: Ident
    location: Annotated[str, StringConstraints(max_length=200)] | None = None
    material_type: Ident
    title: Annotated[str, StringConstraints(max_length=1000)] = ""
    updated_at: Annotated[AwareDatetime, BeforeValidator(_aware)] | None = None


class ItemDeleted(Schema):
    barcode: Barcode
    updated_at: Annotated[AwareDatetime, BeforeValidator(_aware)] | None = None
    deleted_at: Annotated[AwareDatetime, BeforeValidator(_aware)] | None = None


class RecordSnapshot(Schema):
    record_id: Ident
    title: Annotated[str, StringConstraints(max_length=1000)] = ""
    updated_at: Annotated[AwareDatetime, BeforeValidator(_aware)] | None = None
    deleted_at: Annotated[AwareDatetime, BeforeValidator(_aware)] | None = None


class ItemRead(Schema):
    barcode: str
    record_id: str
    title: str
    home_branch: str
    current_branch: str
    location: str | None
    material_type: str
    status: str
    due_date: date | None = None
    hold_queue: int = 0
    source_updated_at: datetime
    status_changed_at: datetime
