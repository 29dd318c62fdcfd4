"""Request and response shapes for libraries."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, model_validator

from accreditation.models import JakartaCity, LibraryType
from pusip_kit.schemas import RecordSchema, WriteSchema


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


Npp = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    AfterValidator(_normalise_npp),
    Field(description="Nomor Pokok Perpustakaan (Perpusnas)"),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Agency = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)]
CollectionSize = Annotated[int, Field(ge=0, le=100_000_000, description="Jumlah eksemplar / copies held")]


class LibraryCreate(WriteSchema):
    code: LibraryCode
    name: Name
    type: LibraryType
    npp: Npp | None = None
    owner_agency: Agency | None = Field(default=None, description="Lembaga induk / parent agency")
    city: JakartaCity
    address: Address | None = None
    collection_size: CollectionSize = 0
    active: bool = True


class LibraryUpdate(WriteSchema):
    """Fields to change; the code is permanent (accounts and assessments refer to it)."""

    name: Name | None = None
    type: LibraryType | None = None
    npp: Npp | None = None
    owner_agency: Agency | None = None
    city: JakartaCity | None = None
    address: Address | None = None
    collection_size: CollectionSize | None = None
    active: bool | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> LibraryUpdate:
        for name in ("name", "type", "city", "collection_size", "active"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} tidak boleh kosong / {name} cannot be null")
        return self


class LibraryRead(RecordSchema):
    code: str
    name: str
    type: LibraryType
    npp: str | None
    owner_agency: str | None
    city: JakartaCity
    address: str | None
    collection_size: int
    active: bool
