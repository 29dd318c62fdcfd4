"""The ``deposit.deposit.accepted`` payload as the catalogue reads it (tolerant reader).

Contract: ``services/deposit/EVENTS.md``. Unknown fields are ignored and most fields have defaults,
so the deposit service may add to the payload freely; what the catalogue cannot do without (the
deposit id and a title) is required.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

PRINTED = "printed"
DIGITAL = "digital"
# Files that become e-resources: a plain file, or a file of a BagIt package. The package itself
# (``role=package``) is the preservation copy and stays in the deposit service.
READABLE_ROLES = ("file", "payload")


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DepositorInfo(_Model):
    id: uuid.UUID | None = None
    name: str = ""
    type: str = ""
    city: str | None = None
    province: str | None = None


class DepositedFile(_Model):
    file_id: uuid.UUID
    role: str = "file"
    filename: str = "berkas"
    path_in_package: str | None = None
    content_type: str = "application/octet-stream"
    size: int = 0
    sha256: str = ""
    pages: int | None = None
    text_status: str = "not_applicable"
    text_chars: int | None = None
    text_path: str | None = None
    download_path: str | None = None

    @property
    def readable(self) -> bool:
        return self.role in READABLE_ROLES

    @property
    def has_text(self) -> bool:
        return self.text_status == "extracted" and bool(self.text_path)


class AcceptedDeposit(_Model):
    deposit_id: uuid.UUID
    receipt_number: str | None = None
    accepted_at: datetime | None = None
    obligation_id: uuid.UUID | None = None
    depositor: DepositorInfo = Field(default_factory=DepositorInfo)
    channel: str = DIGITAL
    kind: str = "karya_digital"
    title: str
    subtitle: str | None = None
    creators: list[str] = Field(default_factory=list)
    isbn: str | None = None
    issn: str | None = None
    ismn: str | None = None
    edition: str | None = None
    year: int | None = None
    published_on: date | None = None
    language: str | None = None
    pages: int | None = None
    duration_minutes: int | None = None
    publisher: str | None = None
    place: str | None = None
    description: str | None = None
    copies: int = 0
    files: list[DepositedFile] = Field(default_factory=list)
    access: str | None = None
    """Optional: ``members`` or ``restricted`` for this deposit's files (else the catalogue's setting)."""
    restricted: bool | None = None

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("title is empty")
        return value

    @field_validator("creators")
    @classmethod
    def _creators(cls, values: list[str]) -> list[str]:
        return [" ".join(v.split()) for v in values if v and v.strip()]

    @property
    def readable_files(self) -> list[DepositedFile]:
        return [f for f in self.files if f.readable]

    @property
    def printed(self) -> bool:
        return self.channel == PRINTED

    def access_rule(self, default: str) -> str:
        if self.restricted is True or self.access == "restricted":
            return "restricted"
        if self.access == "members" or self.restricted is False:
            return "members"
        return default
