"""Request and response shapes for the literacy indicators (TGM/TKM and IPLM)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from accreditation.models import JakartaCity
from pusip_kit.schemas import RecordSchema, Schema, WriteSchema

Year = Annotated[int, Field(ge=2000, le=2100)]
Version = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    ),
]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
TGM_CODES = ("FM", "DM", "JB", "FAI", "DAI")


# -- TGM ---------------------------------------------------------------------------------------------


class NormaliserIn(WriteSchema):
    min: Decimal
    max: Decimal
    unit: Note | None = None
    note: Note | None = None

    @model_validator(mode="after")
    def _span(self) -> NormaliserIn:
        if self.max <= self.min:
            raise ValueError("max harus lebih besar dari min / max must exceed min")
        return self


class ScoreBandIn(WriteSchema):
    upper: Annotated[Decimal, Field(ge=0, le=100)]
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    label_en: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class TgmModelCreate(WriteSchema):
    version: Version
    legal_basis: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=4000)]
    weights: dict[Literal["FM", "DM", "JB", "FAI", "DAI"], Annotated[Decimal, Field(ge=0, le=1)]]
    normalisers: dict[Literal["FM", "DM", "JB", "FAI", "DAI"], NormaliserIn]
    bands: list[ScoreBandIn] = Field(min_length=1)
    age_min: int = Field(default=10, ge=0, le=120)
    age_max: int = Field(default=69, ge=0, le=120)
    note: Note | None = None

    @model_validator(mode="after")
    def _complete(self) -> TgmModelCreate:
        if set(self.weights) != set(TGM_CODES) or set(self.normalisers) != set(TGM_CODES):
            raise ValueError(
                "bobot dan normalisasi untuk FM, DM, JB, FAI, DAI / weights and bounds for all five"
            )
        if sum(self.weights.values()) != 1:
            raise ValueError("jumlah bobot harus 1 / weights must sum to 1")
        if self.age_max < self.age_min:
            raise ValueError("age_max < age_min")
        return self


class TgmModelRead(RecordSchema):
    version: str
    legal_basis: str
    weights: dict[str, str]
    normalisers: dict[str, dict[str, Any]]
    bands: list[dict[str, Any]]
    age_min: int
    age_max: int
    note: str | None
    active: bool


class SurveyCreate(WriteSchema):
    city: JakartaCity
    year: Year
    model_version: Version | None = Field(default=None, description="Bawaan: versi model aktif terbaru")
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)] | None = (
        None
    )
    note: Note | None = None


class SurveyRead(RecordSchema):
    city: JakartaCity
    year: int
    model_version: str
    title: str | None
    note: str | None
    created_by: str
    respondents: int = 0


class ResponseIn(WriteSchema):
    """One respondent's answers, as asked in the questionnaire."""

    respondent: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] = Field(
        description="Nomor kuesioner / questionnaire number (unique within the survey)"
    )
    age: int = Field(description="Usia (tahun); model menerima 10–69 / age in years")
    sex: Literal["L", "P"] | None = Field(default=None, description="L laki-laki, P perempuan")
    reading_frequency: Annotated[Decimal, Field(ge=0, le=7)] = Field(
        description="Hari membaca per minggu (FM)"
    )
    reading_minutes: Annotated[Decimal, Field(ge=0, le=1440)] = Field(
        description="Menit membaca per hari (DM)"
    )
    items_per_quarter: Annotated[Decimal, Field(ge=0, le=1000)] = Field(
        description="Bahan bacaan per triwulan (JB)"
    )
    internet_frequency: Annotated[Decimal, Field(ge=0, le=7)] = Field(
        description="Hari akses internet per minggu (FAI)"
    )
    internet_minutes: Annotated[Decimal, Field(ge=0, le=1440)] = Field(
        description="Menit internet per hari (DAI)"
    )


class ResponsesIn(WriteSchema):
    responses: list[dict[str, Any]] = Field(min_length=1, max_length=20_000)


class ResponseRead(Schema):
    id: uuid.UUID
    respondent: str
    age: int
    sex: str | None
    reading_frequency: Decimal
    reading_minutes: Decimal
    items_per_quarter: Decimal
    internet_frequency: Decimal
    internet_minutes: Decimal
    created_at: datetime


class IntakeRow(Schema):
    row: int
    respondent: str | None
    status: str  # accepted | error
    errors: list[dict[str, Any]] = Field(default_factory=list)


class IntakeReport(Schema):
    dry_run: bool
    accepted: int
    errors: int
    rows: list[IntakeRow]


class TgmScore(Schema):
    area: str
    year: int
    model_version: str
    respondents: int
    averages: dict[str, Decimal]
    normalised: dict[str, Decimal]
    weights: dict[str, Decimal]
    score: Decimal
    band: str
    band_en: str


class TgmYear(Schema):
    year: int
    cities: list[TgmScore]
    province: TgmScore | None
    province_method: str


# -- IPLM --------------------------------------------------------------------------------------------

IPLM_SOURCES = (
    "registry.libraries",
    "registry.collection",
    "registry.collection_titles",
    "registry.staff",
    "registry.accredited_libraries",
    "circulation.visits_per_day",
    "circulation.active_members",
    "circulation.loans",
    "manual",
)


class IplmElementIn(WriteSchema):
    code: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=20)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    source: Literal[
        "registry.libraries",
        "registry.collection",
        "registry.collection_titles",
        "registry.staff",
        "registry.accredited_libraries",
        "circulation.visits_per_day",
        "circulation.active_members",
        "circulation.loans",
        "manual",
    ]
    per_population: Annotated[Decimal, Field(ge=0)]
    basis: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)] = (
        "population"
    )
    note: Note | None = None


class IplmModelCreate(WriteSchema):
    version: Version
    legal_basis: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=4000)]
    elements: list[IplmElementIn] = Field(min_length=1)
    bands: list[ScoreBandIn] = Field(min_length=1)
    note: Note | None = None

    @model_validator(mode="after")
    def _bases(self) -> IplmModelCreate:
        codes = [e.code for e in self.elements]
        if len(codes) != len(set(codes)):
            raise ValueError("kode unsur ganda / duplicate element codes")
        for element in self.elements:
            if element.basis != "population" and element.basis.upper() not in codes:
                raise ValueError(f"basis {element.basis} bukan unsur model / is not an element of the model")
        return self


class IplmModelRead(RecordSchema):
    version: str
    legal_basis: str
    elements: list[dict[str, Any]]
    bands: list[dict[str, Any]]
    note: str | None
    active: bool


class PopulationIn(WriteSchema):
    population: int = Field(gt=0, le=100_000_000)
    source: Note | None = Field(
        default=None, description="Sumber, mis. BPS / source, e.g. the statistics office"
    )


class PopulationRead(Schema):
    city: JakartaCity
    year: int
    population: int
    source: str | None


class IplmInputIn(WriteSchema):
    value: Annotated[Decimal, Field(ge=0, le=Decimal("1e13"))]
    note: Note | None = None


class IplmInputRead(Schema):
    city: JakartaCity
    year: int
    element: str
    value: Decimal
    note: str | None


class IplmValue(Schema):
    value: Decimal
    source: str  # the model's source, or "manual" when an entered figure replaced it
    note: str | None = None


class IplmArea(Schema):
    area: str
    year: int
    model_version: str
    population: int
    inputs: dict[str, IplmValue]
    ratios: dict[str, Decimal]
    index: Decimal
    band: str
    band_en: str


class IplmComputation(Schema):
    year: int
    model_version: str
    stored: bool
    cities: list[IplmArea]
    province: IplmArea | None
    missing: list[dict[str, Any]]


class CirculationSummary(Schema):
    """What circulation reported for a city in a year (``city`` null: province-wide figures);
    null figures were not reported."""

    city: str | None
    year: int
    branches: int
    days: int
    visits: int
    visits_per_day: Decimal | None
    loans: int | None
    active_members: int | None


class BranchIn(WriteSchema):
    city: JakartaCity | None
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)] | None = None


class BranchRead(Schema):
    code: str
    city: str | None
    name: str | None
    source: str
