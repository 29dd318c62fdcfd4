"""Request and response shapes for patron categories."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from pusip_kit.schemas import RecordSchema, WriteSchema


def _slug(value: object) -> object:
    """Codes are compared lower-case and without surrounding spaces."""
    return value.strip().lower() if isinstance(value, str) else value


CategoryCode = Annotated[
    str,
    BeforeValidator(_slug),
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=2,
        max_length=32,
        pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$",
    ),
    Field(description="Kode kategori, slug unik / unique slug, e.g. `pelajar`"),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120)]
Age = Annotated[int, Field(ge=0, le=130)]
ValidityMonths = Annotated[int, Field(ge=1, le=120, description="Masa berlaku keanggotaan (bulan) / months")]


def _check_ages(min_age: int | None, max_age: int | None) -> None:
    if min_age is not None and max_age is not None and min_age > max_age:
        raise ValueError("usia minimum melebihi usia maksimum / min_age is greater than max_age")


class PatronCategoryCreate(WriteSchema):
    code: CategoryCode
    name: Name = Field(description="Nama (bahasa Indonesia)")
    name_en: Name = Field(description="Name (English)")
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    min_age: Age | None = None
    max_age: Age | None = None
    membership_validity_months: ValidityMonths = 12
    active: bool = True

    @model_validator(mode="after")
    def _ages(self) -> PatronCategoryCreate:
        _check_ages(self.min_age, self.max_age)
        return self


class PatronCategoryUpdate(WriteSchema):
    """Fields to change; the code is permanent (patrons and loan rules refer to it)."""

    name: Name | None = None
    name_en: Name | None = None
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    min_age: Age | None = None
    max_age: Age | None = None
    membership_validity_months: ValidityMonths | None = None
    active: bool | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> PatronCategoryUpdate:
        for name in ("name", "name_en", "membership_validity_months", "active"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} tidak boleh kosong / {name} cannot be null")
        _check_ages(self.min_age, self.max_age)
        return self


class PatronCategoryRead(RecordSchema):
    code: str
    name: str
    name_en: str
    description: str | None
    min_age: int | None
    max_age: int | None
    membership_validity_months: int
    active: bool
