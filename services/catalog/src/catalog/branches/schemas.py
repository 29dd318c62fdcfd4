"""Request and response shapes for branches."""

from __future__ import annotations

import itertools
from datetime import time
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints, field_validator, model_validator

from catalog.models.branch import BranchType, JakartaCity
from pusip_kit.schemas import RecordSchema, Schema, WriteSchema

BRANCH_CODE_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _slug(value: object) -> object:
    """Codes are compared lower-case and without surrounding spaces."""
    return value.strip().lower() if isinstance(value, str) else value


BranchCode = Annotated[
    str,
    BeforeValidator(_slug),
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=2, max_length=64, pattern=BRANCH_CODE_PATTERN
    ),
    Field(description="Kode cabang, slug unik / unique slug, e.g. `perpustakaan-jakarta-cikini`"),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^(?:\+|\()?[0-9][0-9 ()\-]{4,30}$", max_length=40)
]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200
    ),
]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)]


class Weekday(StrEnum):
    SENIN = "senin"
    SELASA = "selasa"
    RABU = "rabu"
    KAMIS = "kamis"
    JUMAT = "jumat"
    SABTU = "sabtu"
    MINGGU = "minggu"


class OpeningHours(Schema):
    """One opening interval on one weekday; a day may have several (a break for Friday prayers)."""

    day: Weekday
    opens: time
    closes: time

    @model_validator(mode="after")
    def _closes_after_opens(self) -> OpeningHours:
        if self.closes <= self.opens:
            raise ValueError("jam tutup harus setelah jam buka / closing time must be after opening time")
        return self

    def as_json(self) -> dict[str, Any]:
        return {
            "day": self.day.value,
            "opens": self.opens.strftime("%H:%M"),
            "closes": self.closes.strftime("%H:%M"),
        }


def _no_overlaps(hours: list[OpeningHours] | None) -> list[OpeningHours] | None:
    if not hours:
        return hours
    by_day: dict[Weekday, list[OpeningHours]] = {}
    for interval in hours:
        by_day.setdefault(interval.day, []).append(interval)
    for day, intervals in by_day.items():
        intervals.sort(key=lambda i: i.opens)
        for before, after in itertools.pairwise(intervals):
            if after.opens < before.closes:
                raise ValueError(
                    f"jam buka hari {day.value} tumpang tindih / opening hours on {day.value} overlap"
                )
    order = list(Weekday)
    return sorted(hours, key=lambda i: (order.index(i.day), i.opens))


class BranchCreate(WriteSchema):
    code: BranchCode
    name: Name
    type: BranchType
    city: JakartaCity
    address: Address | None = None
    phone: Phone | None = None
    email: Email | None = None
    opening_hours: list[OpeningHours] = Field(default_factory=list, max_length=42)
    active: bool = True

    _check_hours = field_validator("opening_hours")(_no_overlaps)


class BranchUpdate(WriteSchema):
    """Fields to change; the code is the branch's permanent key and cannot change."""

    name: Name | None = None
    type: BranchType | None = None
    city: JakartaCity | None = None
    address: Address | None = None
    phone: Phone | None = None
    email: Email | None = None
    opening_hours: list[OpeningHours] | None = Field(default=None, max_length=42)
    active: bool | None = None

    _check_hours = field_validator("opening_hours")(_no_overlaps)

    @model_validator(mode="after")
    def _no_null_for_required(self) -> BranchUpdate:
        for name in ("name", "type", "city", "active", "opening_hours"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} tidak boleh kosong / {name} cannot be null")
        return self


class BranchRead(RecordSchema):
    code: str
    name: str
    type: BranchType
    city: JakartaCity
    address: str | None
    phone: str | None
    email: str | None
    opening_hours: list[OpeningHours]
    active: bool
