"""The shapes every service's API shares: tolerant models, pages, named refusal reasons, downloads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from pusip_kit.errors import PusipError

T = TypeVar("T")


class Model(BaseModel):
    """A tolerant reader: fields it does not know are ignored."""

    model_config = ConfigDict(extra="ignore")


class PageInfo(Model):
    total_count: int = 0
    page: int = 1
    limit: int = 20
    max_page: int = 1


class Page(Model, Generic[T]):
    items: list[T] = Field(default_factory=list)
    pagination: PageInfo = Field(default_factory=PageInfo)


class Reason(Model):
    code: str
    message: str = ""
    message_en: str = ""
    details: dict[str, Any] | None = None


def refusal_reasons(error: PusipError) -> list[Reason]:
    """The named reasons of a refused action (empty for any other error)."""
    details = error.details if isinstance(error.details, Mapping) else {}
    return [Reason.model_validate(r) for r in details.get("reasons") or [] if isinstance(r, Mapping)]


class Download(Model):
    """A small file fetched whole (a report, a certificate, a receipt)."""

    content: bytes
    content_type: str = "application/octet-stream"
    content_disposition: str | None = None


def query(**values: Any) -> dict[str, Any]:
    """Parameters (or a JSON body) without the empty ones; booleans as ``true``/``false``."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or value == "":
            continue
        out[key] = str(value).lower() if isinstance(value, bool) else value
    return out
