"""Request and response shapes for libraries, their staff and accreditation history."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from accreditation.libraries.hours import HoursError, parse_hours
from accreditation.models import CertificationStatus, JakartaCity, LibrarySegment, LibraryType, StaffRole
from pusip_kit.schemas import RecordSchema, Schema, WriteSchema


def _slug(value: object) -> object:
    """Codes are compared lower-case and without surrounding spaces."""
    return value.strip().lower() if isinstance(value, str) else value


LibraryCode = Annotated[
    str,
    BeforeValidator(_slug),
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=2,
        max_length=64,
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    ),
    Field(description="Kode perpustakaan, slug unik / unique slug (the library admin's unit)"),
]


def _normalise_npp(value: str) -> str:
    npp = re.sub(r"[\s.\-]", "", value).upper()
    if not re.fullmatch(r"[0-9A-Z]{8,20}", npp):
        raise ValueError(
            "NPP harus 8-20 huruf atau angka / NPP (library number) must be 8-20 letters or digits"
        )
    return npp


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise ValueError("alamat surel tidak sah / invalid e-mail address")
    return value.lower()


Npp = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    AfterValidator(_normalise_npp),
    Field(description="Nomor Pokok Perpustakaan (Perpusnas)"),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Agency = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)]
Area = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=5, max_length=40, pattern=r"^[0-9+()\-\s]+$")
]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(_email)]
CollectionSize = Annotated[int, Field(ge=0, le=100_000_000, description="Jumlah eksemplar / copies held")]
CollectionTitles = Annotated[int, Field(ge=0, le=100_000_000, description="Jumlah judul / titles held")]
Clock = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class OpeningHours(Schema):
    day: int = Field(ge=1, le=7, description="1 = Senin / Monday … 7 = Minggu / Sunday")
    opens: Clock
    closes: Clock

    @model_validator(mode="after")
    def _closes_after_opens(self) -> OpeningHours:
        if self.closes <= self.opens:
            raise ValueError("jam tutup harus setelah jam buka / closing time must follow opening time")
        return self


def _hours(value: object) -> object:
    """Accept the compact text form too (``"Sen-Jum 08:00-16:00; Sab 08:00-12:00"``)."""
    if isinstance(value, str):
        try:
            return parse_hours(value)
        except HoursError as exc:
            raise ValueError(str(exc)) from exc
    return value


def _unique_days(value: list[OpeningHours]) -> list[OpeningHours]:
    days = [h.day for h in value]
    if len(days) != len(set(days)):
        raise ValueError("setiap hari hanya sekali / each day at most once")
    return sorted(value, key=lambda h: h.day)


Hours = Annotated[list[OpeningHours], BeforeValidator(_hours), AfterValidator(_unique_days)]


class LibraryCreate(WriteSchema):
    code: LibraryCode
    name: Name
    type: LibraryType
    segment: LibrarySegment | None = Field(default=None, description="Segmen pembinaan / guidance segment")
    npp: Npp | None = None
    owner_agency: Agency | None = Field(default=None, description="Lembaga induk / parent agency")
    city: JakartaCity
    district: Area | None = Field(default=None, description="Kecamatan")
    village: Area | None = Field(default=None, description="Kelurahan")
    address: Address | None = None
    phone: Phone | None = None
    email: Email | None = None
    head_name: Name | None = Field(default=None, description="Kepala perpustakaan / head librarian")
    collection_size: CollectionSize = 0
    collection_titles: CollectionTitles = 0
    opening_hours: Hours = Field(default_factory=list)
    active: bool = True


REQUIRED_FIELDS = ("name", "type", "city", "collection_size", "collection_titles", "active", "opening_hours")


class LibraryUpdate(WriteSchema):
    """Fields to change; the code is permanent (accounts and assessments refer to it)."""

    name: Name | None = None
    type: LibraryType | None = None
    segment: LibrarySegment | None = None
    npp: Npp | None = None
    owner_agency: Agency | None = None
    city: JakartaCity | None = None
    district: Area | None = None
    village: Area | None = None
    address: Address | None = None
    phone: Phone | None = None
    email: Email | None = None
    head_name: Name | None = None
    collection_size: CollectionSize | None = None
    collection_titles: CollectionTitles | None = None
    opening_hours: Hours | None = None
    active: bool | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> LibraryUpdate:
        for name in REQUIRED_FIELDS:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} tidak boleh kosong / {name} cannot be null")
        return self


class LibraryRead(RecordSchema):
    code: str
    name: str
    type: LibraryType
    segment: LibrarySegment | None
    npp: str | None
    owner_agency: str | None
    city: JakartaCity
    district: str | None
    village: str | None
    address: str | None
    phone: str | None
    email: str | None
    head_name: str | None
    collection_size: int
    collection_titles: int
    opening_hours: list[OpeningHours]
    active: bool
    data_confirmed_at: datetime | None


# -- staff -----------------------------------------------------------------------------------------


class StaffCreate(WriteSchema):
    name: Name
    role: StaffRole
    position: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)] | None
    ) = None
    employment: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=40)] | None
    ) = Field(default=None, description="PNS, PPPK, honorer, relawan …")
    education: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)] | None
    ) = None
    library_science: bool = Field(default=False, description="Berlatar pendidikan ilmu perpustakaan")
    certification_status: CertificationStatus = CertificationStatus.NONE
    certification_number: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)] | None
    ) = None
    certified_on: date | None = None
    certified_until: date | None = None
    active: bool = True

    @model_validator(mode="after")
    def _certification_consistent(self) -> StaffCreate:
        _check_certification(self)
        return self


def _check_certification(data: Any) -> None:
    status = getattr(data, "certification_status", None)
    has_certificate = getattr(data, "certification_number", None) or getattr(data, "certified_on", None)
    if status is not None and status != CertificationStatus.CERTIFIED and has_certificate:
        raise ValueError(
            "nomor/tanggal sertifikat hanya untuk status 'bersertifikat' / certificate number and date "
            "only for status 'bersertifikat'"
        )
    on, until = getattr(data, "certified_on", None), getattr(data, "certified_until", None)
    if on and until and until <= on:
        raise ValueError("masa berlaku harus setelah tanggal sertifikat / validity must end after it starts")


class StaffUpdate(WriteSchema):
    name: Name | None = None
    role: StaffRole | None = None
    position: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)] | None
    ) = None
    employment: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=40)] | None
    ) = None
    education: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)] | None
    ) = None
    library_science: bool | None = None
    certification_status: CertificationStatus | None = None
    certification_number: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)] | None
    ) = None
    certified_on: date | None = None
    certified_until: date | None = None
    active: bool | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> StaffUpdate:
        for name in ("name", "role", "library_science", "certification_status", "active"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} tidak boleh kosong / {name} cannot be null")
        return self


class StaffRead(RecordSchema):
    library_id: uuid.UUID
    name: str
    role: StaffRole
    position: str | None
    employment: str | None
    education: str | None
    library_science: bool
    certification_status: CertificationStatus
    certification_number: str | None
    certified_on: date | None
    certified_until: date | None
    certification_valid: bool = Field(description="Bersertifikat dan masih berlaku hari ini")
    active: bool


# -- accreditation history -------------------------------------------------------------------------

Grade = Annotated[str, StringConstraints(pattern=r"^(A|B|C|TIDAK_TERAKREDITASI)$")]


class AccreditationRecordCreate(WriteSchema):
    """A past accreditation entered from its certificate (e.g. one issued by Perpusnas)."""

    grade: Grade
    total: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)
    certificate_number: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)] | None
    ) = None
    accredited_on: date
    valid_until: date | None = None
    issuer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)] | None = (
        None
    )
    instrument_version: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None

    @field_validator("valid_until")
    @classmethod
    def _after(cls, value: date | None, info: Any) -> date | None:
        accredited_on = info.data.get("accredited_on")
        if value is not None and accredited_on is not None and value <= accredited_on:
            raise ValueError(
                "berlaku sampai harus setelah tanggal akreditasi / valid_until must follow accredited_on"
            )
        return value


class AccreditationRecordRead(RecordSchema):
    library_id: uuid.UUID
    assessment_id: uuid.UUID | None
    grade: str
    total: Decimal | None
    certificate_number: str | None
    accredited_on: date
    valid_until: date | None
    issuer: str | None
    instrument_version: str | None
    source: str
    note: str | None


class PublicLibrary(Schema):
    """A library as the public directory shows it: where it is, when it opens, its standing."""

    code: str
    name: str
    type: LibraryType
    segment: LibrarySegment | None
    owner_agency: str | None
    city: JakartaCity
    district: str | None
    village: str | None
    address: str | None
    phone: str | None
    email: str | None
    collection_size: int
    collection_titles: int
    opening_hours: list[OpeningHours]
    grade: str | None = Field(
        default=None, description="Peringkat akreditasi yang berlaku / the accreditation grade in force"
    )
    accredited_until: date | None = None


class LibraryProfile(Schema):
    """Everything about one library the portal shows on its profile page."""

    library: LibraryRead
    staff: list[StaffRead]
    staff_summary: dict[str, int]
    accreditations: list[AccreditationRecordRead]
    current_accreditation: AccreditationRecordRead | None
    refresh_due: bool = Field(description="Belum mengonfirmasi data tahun ini / not confirmed this year")


class RefreshStatus(Schema):
    code: str
    name: str
    city: str
    email: str | None
    data_confirmed_at: datetime | None
    reminded: bool


class AccreditationDue(Schema):
    code: str
    name: str
    type: str
    city: str
    grade: str
    valid_until: date
    days_left: int


# -- import ----------------------------------------------------------------------------------------


class ImportRowResult(Schema):
    row: int
    code: str | None
    status: str  # created | updated | unchanged | error
    changed: list[str] = Field(default_factory=list)
    errors: list[dict[str, Any]] = Field(default_factory=list)


class ImportReport(Schema):
    dry_run: bool
    total: int
    created: int
    updated: int
    unchanged: int
    errors: int
    rows: list[ImportRowResult]
