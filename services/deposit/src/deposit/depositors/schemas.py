"""Request and response shapes for depositors."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator, model_validator

from deposit.depositors.prefixes import PrefixError, parse_isbn_prefix, parse_ismn_prefix
from deposit.models import AccountRole, DepositorStatus, DepositorType, LegalIdentityKind
from pusip_kit.schemas import RecordSchema, Schema, WriteSchema

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Place = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^(?:\+|\()?[0-9][0-9 ()\-]{4,30}$", max_length=40)
]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200
    ),
]
Url = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^https?://\S+$", max_length=300)]

# Which legal identities fit which depositor: organisations by business/deed/tax number,
# people by their NIK or tax number.
IDENTITY_KINDS_FOR_TYPE: dict[DepositorType, frozenset[LegalIdentityKind]] = {
    DepositorType.PENERBIT: frozenset(
        {LegalIdentityKind.NIB, LegalIdentityKind.AKTA, LegalIdentityKind.NPWP}
    ),
    DepositorType.PRODUSEN_KARYA_REKAM: frozenset(
        {LegalIdentityKind.NIB, LegalIdentityKind.AKTA, LegalIdentityKind.NPWP}
    ),
    DepositorType.PERORANGAN: frozenset({LegalIdentityKind.NIK, LegalIdentityKind.NPWP}),
}


def normalise_identity_number(kind: LegalIdentityKind, number: str) -> str:
    number = number.strip()
    if kind is LegalIdentityKind.AKTA:
        if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z ./\-]{0,119}", number):
            raise ValueError(
                "nomor akta hanya boleh huruf, angka, spasi, titik, garis miring dan tanda hubung / "
                "deed number may contain only letters, digits, spaces, dots, slashes and hyphens"
            )
        return re.sub(r"\s+", " ", number)
    digits = re.sub(r"[\s.\-]", "", number)
    lengths = {LegalIdentityKind.NIB: (13,), LegalIdentityKind.NIK: (16,), LegalIdentityKind.NPWP: (15, 16)}[
        kind
    ]
    if not digits.isdigit() or len(digits) not in lengths:
        wanted = " atau / or ".join(str(n) for n in lengths)
        raise ValueError(
            f"{kind.value.upper()} harus {wanted} digit / {kind.value.upper()} must be {wanted} digits"
        )
    return digits


class Contact(Schema):
    name: Name
    position: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    email: Email | None = None
    phone: Phone | None = None


def _parse_prefixes(values: list[str] | None, scheme: str) -> list[str] | None:
    if values is None:
        return None
    parse = parse_isbn_prefix if scheme == "isbn" else parse_ismn_prefix
    out: list[str] = []
    for value in values:
        try:
            text = parse(value).text
        except PrefixError as exc:
            raise ValueError(str(exc)) from exc
        if text not in out:
            out.append(text)
    return out


class _DepositorFields(WriteSchema):
    @field_validator("isbn_prefixes", check_fields=False)
    @classmethod
    def _isbn(cls, values: list[str] | None) -> list[str] | None:
        return _parse_prefixes(values, "isbn")

    @field_validator("ismn_prefixes", check_fields=False)
    @classmethod
    def _ismn(cls, values: list[str] | None) -> list[str] | None:
        return _parse_prefixes(values, "ismn")


class DepositorCreate(_DepositorFields):
    type: DepositorType
    name: Name
    legal_identity_kind: LegalIdentityKind
    legal_identity_number: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)
    ]
    domicile_province: Place = Field(description="Provinsi domisili / province of domicile")
    domicile_city: Place = Field(description="Kabupaten/kota domisili / city or regency of domicile")
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None
    email: Email | None = None
    phone: Phone | None = None
    website: Url | None = None
    contacts: list[Contact] = Field(default_factory=list, max_length=10)
    isbn_prefixes: list[str] = Field(default_factory=list, max_length=20)
    ismn_prefixes: list[str] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _identity(self) -> DepositorCreate:
        allowed = IDENTITY_KINDS_FOR_TYPE[self.type]
        if self.legal_identity_kind not in allowed:
            names = ", ".join(sorted(k.value for k in allowed))
            raise ValueError(
                f"identitas {self.legal_identity_kind.value} tidak sesuai untuk {self.type.value}; "
                f"gunakan {names} / identity {self.legal_identity_kind.value} does not fit "
                f"{self.type.value}; use {names}"
            )
        self.legal_identity_number = normalise_identity_number(
            self.legal_identity_kind, self.legal_identity_number
        )
        return self


class DepositorUpdate(_DepositorFields):
    """Profile fields; the type and legal identity are fixed once registered."""

    name: Name | None = None
    domicile_province: Place | None = None
    domicile_city: Place | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None
    email: Email | None = None
    phone: Phone | None = None
    website: Url | None = None
    contacts: list[Contact] | None = Field(default=None, max_length=10)
    isbn_prefixes: list[str] | None = Field(default=None, max_length=20)
    ismn_prefixes: list[str] | None = Field(default=None, max_length=20)

    @model_validator(mode="after")
    def _no_null_for_required(self) -> DepositorUpdate:
        for name in (
            "name",
            "domicile_province",
            "domicile_city",
            "contacts",
            "isbn_prefixes",
            "ismn_prefixes",
        ):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} tidak boleh kosong / {name} cannot be null")
        return self


class RejectBody(WriteSchema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=2000)] = Field(
        description="Alasan penolakan / why the registration is rejected"
    )


class DecisionBody(WriteSchema):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class DepositorRead(RecordSchema):
    type: DepositorType
    name: str
    legal_identity_kind: LegalIdentityKind
    legal_identity_number: str
    domicile_province: str
    domicile_city: str
    address: str | None
    email: str | None
    phone: str | None
    website: str | None
    contacts: list[Contact]
    isbn_prefixes: list[str]
    ismn_prefixes: list[str]
    status: DepositorStatus
    decision_reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    owner_subject: str
    data_confirmed_at: datetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_model(cls, data: Any) -> Any:
        if isinstance(data, dict) or not hasattr(data, "prefixes"):
            return data
        values = {name: getattr(data, name) for name in cls.model_fields if hasattr(type(data), name)}
        values["isbn_prefixes"] = sorted(p.text for p in data.prefixes if p.scheme == "isbn")
        values["ismn_prefixes"] = sorted(p.text for p in data.prefixes if p.scheme == "ismn")
        return values


class RefusalReason(Schema):
    code: str
    message: str
    message_en: str
    details: dict[str, Any] | None = None


class DecisionCheck(Schema):
    """A dry run of approve/reject: whether it would go through, and every reason it would not."""

    depositor_id: uuid.UUID
    action: str
    allowed: bool
    reasons: list[RefusalReason]


class DepositorRefresh(WriteSchema):
    """The yearly data refresh: the depositor confirms its contact data, correcting what changed."""

    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None
    email: Email | None = None
    phone: Phone | None = None
    website: Url | None = None
    contacts: list[Contact] | None = Field(default=None, max_length=10)


class AccountLink(WriteSchema):
    """Link a user account (publisher role) to a depositor, by token subject or user name."""

    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = (
        None
    )
    username: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None
    ) = None
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    email: Email | None = None
    role: AccountRole = AccountRole.MEMBER

    @model_validator(mode="after")
    def _one_identity(self) -> AccountLink:
        if not self.subject and not self.username:
            raise ValueError("isi subject atau username / give a subject or a username")
        return self


class AccountRead(Schema):
    id: uuid.UUID
    depositor_id: uuid.UUID
    subject: str | None
    username: str | None
    display_name: str | None
    email: str | None
    role: AccountRole
    linked_by: str
    created_at: datetime


class MyDepositor(Schema):
    depositor: DepositorRead
    role: AccountRole
    refresh_due_on: date
