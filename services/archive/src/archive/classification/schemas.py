"""Request and response shapes for classification codes."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from archive.classification.codes import implied_parent, normalise_code
from pusip_kit.schemas import RecordSchema, WriteSchema

Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=64),
    AfterValidator(normalise_code),
    Field(description="Kode klasifikasi / classification code, e.g. `000.1.1` or `KP.01.02`"),
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=300)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
SchemeVersion = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][\w.\-/ ]*$"
    ),
    Field(description="Versi skema klasifikasi / scheme version, e.g. `permendagri-83-2022`"),
]


class ClassificationCodeCreate(WriteSchema):
    code: Code
    parent_code: Code | None = Field(
        default=None,
        description="Kode induk; bila diisi harus sesuai dengan kode / parent code; must match the code "
        "(it is derived from the code when left out)",
    )
    title: Title
    description: Description | None = None
    scheme_version: SchemeVersion
    active: bool = True

    @model_validator(mode="after")
    def _parent_matches_code(self) -> ClassificationCodeCreate:
        implied = implied_parent(self.code)
        if "parent_code" in self.model_fields_set and self.parent_code != implied:
            expected = implied or "(tidak ada / none)"
            raise ValueError(
                f"kode induk {self.parent_code} tidak sesuai dengan kode {self.code}; seharusnya {expected} / "
                f"parent code {self.parent_code} does not match code {self.code}; expected {expected}"
            )
        self.parent_code = implied
        return self


class ClassificationCodeUpdate(WriteSchema):
    """Descriptive fields; the code (and so its place in the hierarchy) never changes."""

    title: Title | None = None
    description: Description | None = None
    scheme_version: SchemeVersion | None = None
    active: bool | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> ClassificationCodeUpdate:
        for name in ("title", "scheme_version", "active"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} tidak boleh kosong / {name} cannot be null")
        return self


class ClassificationCodeRead(RecordSchema):
    code: str
    parent_code: str | None
    level: int
    title: str
    description: str | None
    scheme_version: str
    active: bool
