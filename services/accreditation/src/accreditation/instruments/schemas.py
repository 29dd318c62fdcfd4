"""Request and response shapes for accreditation instruments."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator

from accreditation.models import InstrumentStatus, LibraryType
from pusip_kit.schemas import RecordSchema, Schema, WriteSchema

Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_upper=True,
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    ),
]
Version = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    ),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Weight = Annotated[Decimal, Field(gt=0, le=100, decimal_places=2)]
OPTION_LETTERS = ("a", "b", "c", "d", "e")


class OptionIn(WriteSchema):
    points: int = Field(ge=0, le=1000)
    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class IndicatorIn(WriteSchema):
    code: Code
    text: Text
    options: dict[str, OptionIn] = Field(description="Pilihan a–e dengan poin / options a–e with points")
    evidence: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = Field(
        default=None, description="Bukti yang diminta / evidence expected"
    )
    evidence_required: bool = False

    @field_validator("options")
    @classmethod
    def _letters(cls, value: dict[str, OptionIn]) -> dict[str, OptionIn]:
        letters = {k.strip().lower() for k in value}
        if not letters <= set(OPTION_LETTERS):
            raise ValueError("pilihan hanya a–e / options must be letters a–e")
        if len(letters) < 2:
            raise ValueError("paling sedikit dua pilihan / at least two options")
        return {k.strip().lower(): v for k, v in sorted(value.items())}


class ComponentIndicatorsIn(WriteSchema):
    code: Code
    indicators: list[IndicatorIn] = Field(min_length=1)


class IndicatorsLoad(WriteSchema):
    """The indicator texts of an instrument, per component (replaces what was loaded before)."""

    components: list[ComponentIndicatorsIn] = Field(min_length=1)


class BandIn(WriteSchema):
    grade: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    minimum: Annotated[Decimal, Field(ge=0, le=100)]
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    label_en: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ComponentIn(WriteSchema):
    code: Code
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    weight: Weight
    indicators: list[IndicatorIn] = Field(default_factory=list)


class InstrumentCreate(WriteSchema):
    """A new instrument version (a draft), e.g. typed in from a newly published regulation."""

    library_type: LibraryType
    version: Version
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]
    legal_basis: Text
    weights_published: bool = Field(default=False, description="Bobot dari naskah resmi (tidak dapat diubah)")
    weights_note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    bands: list[BandIn] = Field(min_length=1)
    bands_note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    validity_years: int = Field(default=5, ge=1, le=20, description="Masa berlaku akreditasi (tahun)")
    components: list[ComponentIn] = Field(min_length=1)


class InstrumentUpdate(WriteSchema):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)] | None = (
        None
    )
    legal_basis: Text | None = None
    bands: list[BandIn] | None = Field(default=None, min_length=1)
    bands_note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    validity_years: int | None = Field(default=None, ge=1, le=20)


class WeightsUpdate(WriteSchema):
    weights: dict[str, Weight] = Field(description="Kode komponen → bobot / component code → weight")


class NewVersion(WriteSchema):
    version: Version


class IndicatorRead(Schema):
    id: uuid.UUID
    code: str
    text: str
    position: int
    options: dict[str, Any]
    maximum: int
    evidence: str | None
    evidence_required: bool


class ComponentRead(Schema):
    id: uuid.UUID
    code: str
    name: str
    weight: Decimal
    position: int
    maximum: int
    indicators: list[IndicatorRead]


class InstrumentSummary(RecordSchema):
    library_type: LibraryType
    version: str
    title: str
    legal_basis: str
    status: InstrumentStatus
    weights_published: bool
    weights_note: str | None
    bands: list[dict[str, Any]]
    bands_note: str | None
    validity_years: int
    published_at: datetime | None


class InstrumentRead(InstrumentSummary):
    indicator_count: int
    components: list[ComponentRead]


class LoadProblem(Schema):
    """One problem in an instrument file: where (row or JSON path), which field, what is wrong."""

    location: str
    field: str | None = None
    code: str
    message: str
    message_en: str


class LoadReport(Schema):
    dry_run: bool
    valid: bool
    components: int
    indicators: int
    problems: list[LoadProblem]
