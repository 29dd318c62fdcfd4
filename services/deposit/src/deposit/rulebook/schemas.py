"""Request and response shapes for rule versions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from pusip_kit.schemas import Schema, WriteSchema

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]


class WarningStepFields(WriteSchema):
    level: int = Field(ge=1, le=9)
    code: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
    name: Text200
    name_en: Text200
    days_overdue: int = Field(ge=0, le=3650, description="Hari terlambat sebelum tahap 1 / days late")
    days_after_previous: int = Field(ge=0, le=3650, description="Hari sejak tahap sebelumnya")
    letter_text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=4000)]


class RuleVersionCreate(WriteSchema):
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9./\-]{2,40}$")]
    legal_basis: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=2000)]
    valid_from: date = Field(description="Berlaku untuk karya yang terbit sejak tanggal ini")
    printed_months: int = Field(ge=0, le=120)
    printed_copies: int = Field(ge=0, le=100)
    recorded_months: int = Field(ge=0, le=120)
    recorded_copies: int = Field(ge=0, le=100)
    appreciation_min_due: int = Field(ge=1, le=10_000)
    appreciation_min_rate: Decimal = Field(ge=0, le=100, decimal_places=1)
    appreciation_min_on_time_rate: Decimal = Field(ge=0, le=100, decimal_places=1)
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    warning_steps: list[WarningStepFields] = Field(min_length=1, max_length=9)

    @model_validator(mode="after")
    def _levels(self) -> RuleVersionCreate:
        levels = sorted(step.level for step in self.warning_steps)
        if levels != list(range(1, len(levels) + 1)):
            raise ValueError(
                "tingkat tahapan sanksi harus 1, 2, 3 … tanpa celah / warning levels must be 1, 2, 3 … without gaps"
            )
        return self


class WarningStepRead(Schema):
    level: int
    code: str
    name: str
    name_en: str
    days_overdue: int
    days_after_previous: int
    letter_text: str


class RuleVersionRead(Schema):
    id: uuid.UUID
    code: str
    legal_basis: str
    valid_from: date
    printed_months: int
    printed_copies: int
    recorded_months: int
    recorded_copies: int
    appreciation_min_due: int
    appreciation_min_rate: Decimal
    appreciation_min_on_time_rate: Decimal
    note: str | None
    created_by: str
    created_at: datetime
    warning_steps: list[WarningStepRead]
