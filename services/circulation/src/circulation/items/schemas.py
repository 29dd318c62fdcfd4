"""Shapes for circulation's item replica and catalog's item and record events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AliasChoices, AwareDatetime, BeforeValidator, Field, StringConstraints

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


def _year(value: object) -> int | None:
    """A publication year as catalog holds it; anything unusable is simply unknown."""
    try:
        year = int(str(value)[:4]) if value is not None else None
    except ValueError:
        return None
    return year if year is not None and 1000 <= year <= 2999 else None


class RecordSnapshot(Schema):
    """What a ``catalog.record.*`` event says about a title (catalog names the record id ``id``)."""

    record_id: Ident = Field(validation_alias=AliasChoices("id", "record_id"))
    title: Annotated[str, StringConstraints(max_length=1000)] = ""
    authors: list[Annotated[str, StringConstraints(max_length=300)]] | None = None
    year: Annotated[int | None, BeforeValidator(_year)] = None
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
