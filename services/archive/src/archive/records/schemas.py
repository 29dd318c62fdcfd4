"""Request and response shapes for records, their files, links, berkas, cases and holds."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator

from pusip_kit.auth.subject import SecurityLevel
from pusip_kit.schemas import RecordSchema, Schema, WriteSchema

UNIT_PATTERN = r"^[a-z0-9][a-z0-9\-_.]*(/[a-z0-9][a-z0-9\-_.]*)*$"
UnitPath = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=2, max_length=300, pattern=UNIT_PATTERN
    ),
    Field(description="Jalur unit kerja / unit path, e.g. `dispusip/bidang-arsip`"),
]
ReferenceNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=1000)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=64)]
RELATIONS = ("membalas", "lampiran", "terkait", "menggantikan", "tindak_lanjut")
Relation = Literal["membalas", "lampiran", "terkait", "menggantikan", "tindak_lanjut"]


class RecordCreate(WriteSchema):
    reference_number: ReferenceNumber = Field(description="Nomor naskah / reference number")
    title: Title = Field(description="Perihal / title")
    record_date: date = Field(description="Tanggal naskah / date of the record")
    unit: UnitPath
    description: Text | None = None
    classification_code: Code
    instrument_set_id: uuid.UUID | None = Field(
        default=None, description="Set instrumen; kosong = set yang berlaku / empty = the active set"
    )
    security_level: SecurityLevel | None = Field(
        default=None, description="Kosong = diwarisi dari kode / empty = inherited from the code"
    )
    security_ground: str | None = Field(default=None, max_length=40, description="Dasar UU 43/2009 ps. 44")
    security_reason: Reason | None = None
    berkas_id: uuid.UUID | None = None
    event_date: date | None = Field(
        default=None, description="Tanggal peristiwa untuk retensi berbasis peristiwa / event date"
    )

    @field_validator("record_date")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > date.today():
            raise ValueError("tanggal naskah di masa depan / record date is in the future")
        return value


class RecordUpdate(WriteSchema):
    title: Title | None = None
    description: Text | None = None
    berkas_id: uuid.UUID | None = None
    event_date: date | None = None
    exception_applies: bool | None = Field(
        default=None,
        description="Pengecualian nasib akhir ('kecuali …') berlaku untuk arsip ini / the JRA exception applies",
    )
    law_forbids_destruction: bool | None = None
    law_reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class Reclassify(WriteSchema):
    classification_code: Code
    instrument_set_id: uuid.UUID | None = None
    reason: Reason


class SecurityOverride(WriteSchema):
    security_level: SecurityLevel
    ground: str | None = Field(default=None, max_length=40, description="Wajib untuk tingkat selain BIASA")
    reason: Reason


class RecordRead(RecordSchema):
    reference_number: str
    title: str
    record_date: date
    unit: str
    description: str | None
    berkas_id: uuid.UUID | None
    instrument_set_id: uuid.UUID
    classification_code: str
    security_level: str
    security_inherited: bool
    security_ground: str | None
    security_reason: str | None
    active_years: int | None
    active_event: str | None
    inactive_years: int | None
    inactive_event: str | None
    disposition: str | None
    exception_condition: str | None
    exception_disposition: str | None
    exception_applies: bool | None
    event_date: date | None
    law_forbids_destruction: bool
    law_reference: str | None
    status: str
    active_until: date | None
    inactive_until: date | None
    due_action: str | None
    due_since: date | None
    transferred_at: datetime | None
    static_since: datetime | None
    opens_on: date | None
    opened_at: datetime | None
    destroyed_at: datetime | None
    source: str
    created_by: str


class PublicRecordRead(Schema):
    """What the public sees of an open record."""

    id: uuid.UUID
    reference_number: str
    title: str
    record_date: date
    unit: str
    description: str | None
    classification_code: str
    status: str
    kind: str


class RecordFileRead(RecordSchema):
    record_id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    purged_at: datetime | None
    has_text: bool = False


class LinkCreate(WriteSchema):
    to_record_id: uuid.UUID
    relation: Relation
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class LinkRead(Schema):
    id: uuid.UUID
    from_record_id: uuid.UUID
    to_record_id: uuid.UUID
    relation: str
    note: str | None
    direction: Literal["keluar", "masuk"]
    other_title: str
    other_reference_number: str


class BerkasCreate(WriteSchema):
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)]
    kind: Literal["fonds", "series", "file"] = "file"
    unit: UnitPath
    parent_id: uuid.UUID | None = None
    classification_code: Code | None = None
    description: Text | None = None


class BerkasRead(RecordSchema):
    number: str
    title: str
    kind: str
    unit: str
    parent_id: uuid.UUID | None
    classification_code: str | None
    description: str | None
    created_by: str


class CaseLink(WriteSchema):
    case_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]


class HoldCreate(WriteSchema):
    reason: Reason


class HoldRead(RecordSchema):
    record_id: uuid.UUID
    reason: str
    placed_by: str
    released_at: datetime | None
    released_by: str | None


class ImportRowResult(Schema):
    row: int
    status: Literal["created", "valid", "exists", "error"]
    record_id: uuid.UUID | None = None
    reference_number: str | None = None
    reasons: list[dict[str, Any]] = Field(default_factory=list)


class ImportResult(Schema):
    dry_run: bool
    total: int
    created: int
    valid: int
    exists: int
    errors: int
    rows: list[ImportRowResult]
