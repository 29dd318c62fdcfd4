"""Request and response shapes for obligations."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator, model_validator

from deposit.rules import (
    IdentifierError,
    ObligationStatus,
    WorkKind,
    validate_isbn,
    validate_ismn,
    validate_issn,
)
from pusip_kit.schemas import Schema, WriteSchema

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


def identifier_of(isbn: str | None, issn: str | None, ismn: str | None) -> str | None:
    """The one identifier of a title as stored: ``isbn:…``, ``issn:…`` or ``ismn:…``."""
    if isbn:
        return f"isbn:{isbn}"
    if ismn:
        return f"ismn:{ismn}"
    if issn:
        return f"issn:{issn}"
    return None


def split_identifier(identifier: str | None) -> dict[str, str | None]:
    out: dict[str, str | None] = {"isbn": None, "issn": None, "ismn": None}
    if identifier:
        scheme, _, value = identifier.partition(":")
        out[scheme] = value
    return out


def _checked(check: Any, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(check(value))
    except IdentifierError as exc:
        raise ValueError(f"{exc.message} / {exc.message_en}") from exc


class IdentifierFields(WriteSchema):
    """ISBN, ISSN and ISMN, each checked (check digit) and normalised."""

    isbn: str | None = None
    issn: str | None = None
    ismn: str | None = None

    @field_validator("isbn")
    @classmethod
    def _isbn(cls, value: str | None) -> str | None:
        return _checked(validate_isbn, value)

    @field_validator("issn")
    @classmethod
    def _issn(cls, value: str | None) -> str | None:
        return _checked(validate_issn, value)

    @field_validator("ismn")
    @classmethod
    def _ismn(cls, value: str | None) -> str | None:
        return _checked(validate_ismn, value)


class ObligationDeclare(IdentifierFields):
    depositor_id: uuid.UUID
    kind: WorkKind
    title: Title
    published_on: date = Field(description="Tanggal terbit / publication date")

    @model_validator(mode="after")
    def _not_future(self) -> ObligationDeclare:
        if self.published_on > date.today() + timedelta(days=366):
            raise ValueError("tanggal terbit terlalu jauh di masa depan / publication date too far ahead")
        return self


class ExemptBody(WriteSchema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=2000)] = Field(
        description="Alasan pembebasan / why the title is exempt (e.g. not of historical value)"
    )


class ObligationRead(Schema):
    id: uuid.UUID
    depositor_id: uuid.UUID
    kind: WorkKind
    title: str
    isbn: str | None
    issn: str | None
    ismn: str | None
    published_on: date
    due_on: date
    copies_required: int
    copies_accepted: int
    status: ObligationStatus
    exempt_reason: str | None
    fulfilled_on: date | None
    source: str
    rule_version_id: uuid.UUID
    created_by: str
    created_at: datetime
    updated_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _from_model(cls, data: Any) -> Any:
        if isinstance(data, dict) or not hasattr(data, "identifier"):
            return data
        values = {name: getattr(data, name) for name in cls.model_fields if hasattr(type(data), name)}
        values.update(split_identifier(data.identifier))
        return values


class ImportRowError(Schema):
    line: int
    value: str | None = None
    code: str
    message: str
    message_en: str


class ImportResult(Schema):
    dry_run: bool
    rows: int
    created: int
    already_known: int
    errors: list[ImportRowError]
    created_ids: list[uuid.UUID]


class ObligationCheck(Schema):
    obligation_id: uuid.UUID
    action: str
    allowed: bool
    reasons: list[dict[str, Any]]


class HistoryRead(Schema):
    id: uuid.UUID
    depositor_id: uuid.UUID
    entity: str
    entity_id: uuid.UUID
    action: str
    from_status: str | None
    to_status: str | None
    actor: str
    note: str | None
    details: dict[str, Any] | None
    at: datetime
