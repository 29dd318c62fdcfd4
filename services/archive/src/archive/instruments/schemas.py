"""Request and response shapes for instrument sets, codes and problem reports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from archive.access.policy import AccessCategory
from archive.instruments.parse import Disposition
from pusip_kit.auth.subject import SecurityLevel
from pusip_kit.schemas import RecordSchema, Schema, WriteSchema

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]
Version = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][\w.\-]*$"),
]
InstrumentCodeText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=2,
        max_length=64,
        pattern=r"^(\d{3}(\.\d+)*|[A-Z]{2}(\.\d+)*(\.[a-z])?)$",
    ),
]
Years = Annotated[int, Field(ge=0, le=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class InstrumentSetRead(RecordSchema):
    name: str
    version: str
    status: str
    description: str | None
    sources: list[dict[str, Any]]
    summary: dict[str, int]
    problem_kinds: dict[str, int]
    created_by: str
    based_on_id: uuid.UUID | None
    activated_at: datetime | None
    activated_by: str | None


class CloneRequest(WriteSchema):
    version: Version
    description: LongText | None = None


class ActivateRequest(WriteSchema):
    acknowledge_problems: bool = Field(
        default=False,
        description="Aktifkan walau laporan masalah memuat galat / activate although the report has errors",
    )


class ScheduleFields(WriteSchema):
    title: ShortText | None = None
    description: LongText | None = None
    active_years: Years | None = None
    active_event: ShortText | None = Field(
        default=None, description="Peristiwa awal hitungan retensi aktif, mis. 'setelah tidak berlaku'"
    )
    inactive_years: Years | None = None
    inactive_event: ShortText | None = None
    disposition: Disposition | None = None
    exception_condition: LongText | None = None
    exception_disposition: Disposition | None = None
    disposition_note: LongText | None = None
    security_level: SecurityLevel | None = None
    access_categories: list[AccessCategory] | None = None
    law_forbids_destruction: bool | None = None
    law_reference: ShortText | None = None

    @model_validator(mode="after")
    def _law_needs_reference(self) -> ScheduleFields:
        if self.law_forbids_destruction and not self.law_reference:
            raise ValueError(
                "law_reference wajib bila law_forbids_destruction / law_reference is required when a law "
                "forbids destruction"
            )
        return self


class InstrumentCodeCreate(ScheduleFields):
    code: InstrumentCodeText


class InstrumentCodeUpdate(ScheduleFields):
    pass


class InstrumentCodeRead(RecordSchema):
    set_id: uuid.UUID
    code: str
    parent_code: str | None
    level: int
    title: str | None
    description: str | None
    active_years: int | None
    active_event: str | None
    active_raw: str | None
    inactive_years: int | None
    inactive_event: str | None
    inactive_raw: str | None
    disposition: str | None
    exception_condition: str | None
    exception_disposition: str | None
    follows_file: str | None
    disposition_note: str | None
    disposition_raw: str | None
    security_level: str | None
    access_categories: list[str]
    law_forbids_destruction: bool
    law_reference: str | None
    source_row: int | None


class ResolvedSchedule(Schema):
    """What a record classified under a code inherits (walking up the hierarchy for blanks)."""

    code: str
    title: str | None
    active_years: int | None
    active_event: str | None
    inactive_years: int | None
    inactive_event: str | None
    disposition: str | None
    exception_condition: str | None
    exception_disposition: str | None
    security_level: str
    security_from: str | None = Field(description="Kode asal tingkat keamanan / code the level came from")
    law_forbids_destruction: bool
    law_reference: str | None


class ProblemRead(Schema):
    seq: int
    source_file: str | None
    source_row: int | None
    code: str | None
    kind: str
    severity: str
    message: str
    message_en: str
    raw: str | None


class ProblemSummary(Schema):
    set_id: uuid.UUID
    total: int
    by_severity: dict[str, int]
    by_kind: dict[str, int]
    by_severity_and_kind: list[dict[str, Any]]


class AccessGroundRead(Schema):
    code: str
    article: str
    title: str
    title_en: str


ProblemFormat = Literal["json", "csv"]
