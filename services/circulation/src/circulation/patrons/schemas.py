"""Request and response shapes for patrons."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from circulation.patrons.nik import NikError, mask_nik, parse_nik
from pusip_kit.schemas import Schema, WriteSchema

EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def _email(value: str) -> str:
    value = value.strip()
    if not EMAIL_RE.match(value):
        raise ValueError("alamat email tidak sah / invalid email address")
    local, domain = value.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def _nik(value: str) -> str:
    try:
        parse_nik(value)
    except NikError as exc:
        raise ValueError(str(exc)) from exc
    return value


Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
Nik = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=16, max_length=16), AfterValidator(_nik)
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()-]{6,24}$")]
Gender = Annotated[str, StringConstraints(pattern=r"^[LP]$")]
CategoryCode = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=2, max_length=32)
]
BranchCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
Pin = Annotated[str, StringConstraints(pattern=r"^\d{4,8}$")]


class _PatronIn(WriteSchema):
    name: Name
    birth_date: date | None = None
    gender: Gender | None = None
    phone: Phone | None = None
    address: Address | None = None
    category: CategoryCode
    home_branch: BranchCode | None = None
    reading_history: bool = Field(default=False, description="Simpan riwayat baca / keep my reading history")

    def _check_nik_consistency(self, nik: str | None) -> None:
        if nik is None:
            return
        info = parse_nik(nik)
        if self.birth_date is not None and self.birth_date != info.birth_date:
            raise ValueError(
                "tanggal lahir tidak sesuai dengan NIK / the birth date does not match the NIK "
                f"({info.birth_date.isoformat()})"
            )
        if self.gender is not None and self.gender != info.gender:
            raise ValueError("jenis kelamin tidak sesuai dengan NIK / the gender does not match the NIK")


class PatronRegister(_PatronIn):
    """Online self-registration: NIK and email are required; the email is verified before borrowing."""

    nik: Nik
    email: Email

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        self._check_nik_consistency(self.nik)
        return self


class PatronCounterCreate(_PatronIn):
    """Counter registration by a librarian who has seen the identity document."""

    nik: Nik | None = None
    email: Email | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        self._check_nik_consistency(self.nik)
        return self


class PatronSelfUpdate(WriteSchema):
    phone: Phone | None = None
    address: Address | None = None
    email: Email | None = None
    home_branch: BranchCode | None = None
    reading_history: bool | None = None


class PatronStaffUpdate(PatronSelfUpdate):
    name: Name | None = None
    category: CategoryCode | None = None


class PinUpdate(WriteSchema):
    pin: Pin


class CardLink(WriteSchema):
    card_number: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6,20}$")]


class EmailVerify(WriteSchema):
    token: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=200)]


class BlockCreate(WriteSchema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)]
    reason_en: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)] | None
    ) = None


class BlockLift(WriteSchema):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None


class BlockRead(Schema):
    id: uuid.UUID | None = None
    kind: str
    reason: str
    reason_en: str
    created_at: datetime | None = None
    created_by: str | None = None
    lifted_at: datetime | None = None
    lifted_by: str | None = None


class PatronRead(Schema):
    id: uuid.UUID
    card_number: str
    name: str
    nik_masked: str | None
    email: str | None
    email_verified: bool
    phone: str | None
    birth_date: date | None
    gender: str | None
    address: str | None
    category: str
    home_branch: str | None
    status: str
    channel: str
    expires_on: date
    reading_history: bool
    has_pin: bool
    created_at: datetime

    @classmethod
    def of(cls, patron: Any) -> PatronRead:
        return cls(
            id=patron.id,
            card_number=patron.card_number,
            name=patron.name,
            nik_masked=mask_nik(patron.nik),
            email=patron.email,
            email_verified=patron.email_verified_at is not None,
            phone=patron.phone,
            birth_date=patron.birth_date,
            gender=patron.gender,
            address=patron.address,
            category=patron.category_code,
            home_branch=patron.home_branch,
            status=patron.status,
            channel=patron.channel,
            expires_on=patron.expires_on,
            reading_history=patron.reading_history,
            has_pin=patron.pin_hash is not None,
            created_at=patron.created_at,
        )


class PatronAccount(PatronRead):
    """The patron's own view: the record plus what stands between them and borrowing."""

    blocks: list[BlockRead]
    open_loans: int
    overdue_loans: int
    active_holds: int
    fines_balance: int


class RegistrationCheck(Schema):
    allowed: bool
    reasons: list[dict[str, Any]]
