"""Request and response shapes for deposits."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator, model_validator

from deposit.deposits.languages import normalise_language
from deposit.models import Channel, DepositStatus
from deposit.obligations.schemas import IdentifierFields
from deposit.rules import WorkKind
from pusip_kit.schemas import Schema, WriteSchema

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=1000)]
EARLIEST_YEAR = 1800


class MetadataFields(IdentifierFields):
    """Bibliographic metadata of a deposited work (validated: identifiers, year, language, kind)."""

    kind: WorkKind
    title: Title
    subtitle: Title | None = None
    creators: list[Short] = Field(min_length=1, max_length=50, description="Pengarang/pencipta / creators")
    edition: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    year: int = Field(description="Tahun terbit / year of publication")
    published_on: date | None = None
    language: str = Field(description="Kode bahasa ISO 639 (ind, eng, jav …) / language code")
    pages: int | None = Field(default=None, ge=1, le=100_000)
    duration_minutes: int | None = Field(default=None, ge=1, le=100_000)
    publisher: Short = Field(description="Nama penerbit pada terbitan / publisher as printed")
    place: Short | None = None
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] | None = None

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        return normalise_language(value)

    @model_validator(mode="after")
    def _consistent(self) -> Any:
        this_year = date.today().year
        if not EARLIEST_YEAR <= self.year <= this_year + 1:
            raise ValueError(
                f"tahun terbit harus {EARLIEST_YEAR}–{this_year + 1} / year must be {EARLIEST_YEAR}–{this_year + 1}"
            )
        if self.published_on is not None and self.published_on.year != self.year:
            raise ValueError("tanggal terbit tidak sesuai tahun / published_on does not match year")
        if self.kind is WorkKind.RECORDED and self.pages is not None and self.duration_minutes is None:
            raise ValueError("karya rekam memakai durasi, bukan halaman / recorded works take a duration")
        return self


class DigitalMetadata(MetadataFields):
    depositor_id: uuid.UUID
    obligation_id: uuid.UUID | None = None


class PrintedDeposit(MetadataFields):
    depositor_id: uuid.UUID
    obligation_id: uuid.UUID | None = None
    copies: int = Field(ge=1, le=100, description="Jumlah eksemplar yang akan diserahkan / copies declared")


class MetadataFix(WriteSchema):
    """A correction of metadata while fixes are requested (only the fields given change)."""

    title: Title | None = None
    subtitle: Title | None = None
    creators: list[Short] | None = Field(default=None, min_length=1, max_length=50)
    isbn: str | None = None
    issn: str | None = None
    ismn: str | None = None
    edition: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    year: int | None = None
    published_on: date | None = None
    language: str | None = None
    pages: int | None = Field(default=None, ge=1, le=100_000)
    duration_minutes: int | None = Field(default=None, ge=1, le=100_000)
    publisher: Short | None = None
    place: Short | None = None
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] | None = None


class CounterIntake(WriteSchema):
    """Copies handed in at the counter: for a declared printed deposit, or a walk-in with metadata."""

    deposit_id: uuid.UUID | None = None
    deposit: PrintedDeposit | None = None
    copies_received: int = Field(ge=1, le=100)
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None

    @model_validator(mode="after")
    def _one(self) -> CounterIntake:
        if (self.deposit_id is None) == (self.deposit is None):
            raise ValueError(
                "isi deposit_id (penyerahan yang sudah dinyatakan) atau deposit (baru) / "
                "give deposit_id (a declared deposit) or deposit (a walk-in)"
            )
        return self


class DecisionBody(WriteSchema):
    reasons: list[Reason] = Field(default_factory=list, max_length=20)
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class FileRead(Schema):
    id: uuid.UUID
    role: str
    filename: str
    path_in_package: str | None
    content_type: str
    size: int
    sha256: str
    text_status: str
    text_chars: int | None
    pages: int | None


class DepositRead(Schema):
    id: uuid.UUID
    depositor_id: uuid.UUID
    obligation_id: uuid.UUID | None
    channel: Channel
    kind: WorkKind
    status: DepositStatus
    title: str
    subtitle: str | None
    creators: list[str]
    isbn: str | None
    issn: str | None
    ismn: str | None
    edition: str | None
    year: int
    published_on: date | None
    language: str
    pages: int | None
    duration_minutes: int | None
    publisher: str
    place: str | None
    description: str | None
    copies_declared: int
    copies_received: int
    receipt_number: str | None
    receipt_url: str | None
    received_at: datetime | None
    received_by: str | None
    submitted_by: str
    decided_at: datetime | None
    decided_by: str | None
    decision_reasons: list[str]
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    files: list[FileRead]

    @classmethod
    def of(cls, deposit: Any, *, with_files: bool = True) -> DepositRead:
        data = {k: getattr(deposit, k) for k in cls.model_fields if k not in ("files", "receipt_url")}
        data["receipt_url"] = f"/deposits/{deposit.id}/receipt" if deposit.receipt_number else None
        data["files"] = [FileRead.model_validate(f) for f in deposit.files] if with_files else []
        return cls.model_validate(data)


class DecisionCheck(Schema):
    deposit_id: uuid.UUID
    action: str
    allowed: bool
    reasons: list[dict[str, Any]]


class AccessLogRead(Schema):
    id: uuid.UUID
    deposit_id: uuid.UUID
    file_id: uuid.UUID
    subject: str
    username: str | None
    reader_name: str | None
    action: str
    watermarked: bool
    pages: str | None
    client_ip: str | None
    at: datetime


class BibliographyEntry(Schema):
    """A work of the regional bibliography (an accepted deposit): public metadata only."""

    id: uuid.UUID
    kind: WorkKind
    title: str
    subtitle: str | None
    creators: list[str]
    isbn: str | None
    issn: str | None
    ismn: str | None
    edition: str | None
    year: int
    language: str
    publisher: str
    place: str | None
    accepted_at: datetime | None
