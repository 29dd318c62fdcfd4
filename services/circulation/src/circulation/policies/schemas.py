"""Shapes for rule sets, rules, branch calendars and closures."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from pusip_kit.schemas import Schema, WriteSchema

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Version = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
]


class LoanRuleIn(WriteSchema):
    patron_category: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)] | None
    ) = None
    material_type: Code | None = None
    branch: Code | None = None
    loanable: bool = True
    loan_days: int = Field(default=14, ge=1, le=365)
    max_loans: int = Field(default=5, ge=0, le=500)
    max_loans_of_type: int | None = Field(default=None, ge=0, le=500)
    renewals: int = Field(default=2, ge=0, le=50)
    renewal_days: int | None = Field(default=None, ge=1, le=365)
    holds_allowed: bool = True
    max_holds: int = Field(default=5, ge=0, le=500)
    hold_pickup_days: int = Field(default=3, ge=1, le=60)
    fine_per_day: int = Field(default=500, ge=0, le=1_000_000)
    fine_cap: int = Field(default=50_000, ge=0, le=100_000_000)
    grace_days: int = Field(default=0, ge=0, le=60)


class LoanRuleRead(Schema):
    patron_category: str | None
    material_type: str | None
    branch: str | None
    loanable: bool
    loan_days: int
    max_loans: int
    max_loans_of_type: int | None
    renewals: int
    renewal_days: int | None
    holds_allowed: bool
    max_holds: int
    hold_pickup_days: int
    fine_per_day: int
    fine_cap: int
    grace_days: int


class RuleSetCreate(WriteSchema):
    version: Version
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    block_overdue_items: int = Field(default=3, ge=1, le=1000)
    block_unpaid_fines: int = Field(default=50_000, ge=0, le=100_000_000)
    rules: list[LoanRuleIn] = Field(min_length=1, max_length=2000)


class RuleSetUpdate(WriteSchema):
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    block_overdue_items: int | None = Field(default=None, ge=1, le=1000)
    block_unpaid_fines: int | None = Field(default=None, ge=0, le=100_000_000)
    rules: list[LoanRuleIn] | None = Field(default=None, min_length=1, max_length=2000)


class RuleSetRead(Schema):
    id: uuid.UUID
    version: str
    description: str | None
    status: str
    block_overdue_items: int
    block_unpaid_fines: int
    created_at: datetime
    activated_at: datetime | None
    rules: list[LoanRuleRead]


class RuleSetSummary(Schema):
    id: uuid.UUID
    version: str
    description: str | None
    status: str
    created_at: datetime
    activated_at: datetime | None


class ResolvedRule(Schema):
    rule_set_version: str
    rule: LoanRuleRead
    due_date: date | None = None


class CalendarUpdate(WriteSchema):
    closed_weekdays: list[int] = Field(
        default_factory=list, max_length=6, description="0 = Senin/Monday … 6 = Minggu/Sunday"
    )

    @field_validator("closed_weekdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if any(d < 0 or d > 6 for d in value):
            raise ValueError("hari 0–6 / weekdays are 0–6")
        return sorted(set(value))


class CalendarRead(Schema):
    branch: str
    closed_weekdays: list[int]
    closures: list[ClosureRead]


class ClosureCreate(WriteSchema):
    day: date
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    branch: Code | None = None
    kind: Annotated[str, StringConstraints(pattern=r"^(libur|cuti_bersama|cabang)$")] = "libur"


class ClosureRead(Schema):
    id: uuid.UUID
    day: date
    name: str
    branch: str | None
    kind: str


class HolidayImport(WriteSchema):
    year: int = Field(ge=2000, le=2100)


class HolidayImportResult(Schema):
    year: int
    created: int
    skipped: int


CalendarRead.model_rebuild()
