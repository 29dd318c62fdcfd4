"""Shapes of OPAC search over HTTP."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from pusip_kit.schemas import Schema

MAX_PAGE_DEPTH = 10_000


class SortKey(StrEnum):
    RELEVANCE = "relevance"
    YEAR_DESC = "year_desc"
    YEAR_ASC = "year_asc"
    TITLE = "title"


class SearchParams(Schema):
    q: str | None = Field(default=None, max_length=1000)
    title: str | None = Field(default=None, max_length=500)
    author: str | None = Field(default=None, max_length=500)
    subject: str | None = Field(default=None, max_length=500)
    isbn: str | None = Field(default=None, max_length=20)
    call_number: str | None = Field(default=None, max_length=100)
    publisher: str | None = Field(default=None, max_length=500)
    branch: str | None = Field(default=None, max_length=64)
    material_type: str | None = Field(default=None, max_length=32)
    language: str | None = Field(default=None, max_length=8)
    year_from: int | None = Field(default=None, ge=0, le=9999)
    year_to: int | None = Field(default=None, ge=0, le=9999)
    available: bool | None = None
    sort: SortKey = SortKey.RELEVANCE
    page: int = Field(default=1, ge=1, le=1000)
    limit: int = Field(default=20, ge=1, le=100)

    @model_validator(mode="after")
    def _window(self) -> SearchParams:
        if self.page * self.limit > MAX_PAGE_DEPTH:
            raise ValueError(
                f"halaman terlalu dalam (maks. {MAX_PAGE_DEPTH} hasil) / page too deep (max {MAX_PAGE_DEPTH} results)"
            )
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise ValueError("year_from harus <= year_to / year_from must be <= year_to")
        return self

    @property
    def is_empty(self) -> bool:
        values = (
            (self.q or "").strip(), self.title, self.author, self.subject, self.isbn, self.call_number,
            self.publisher, self.branch, self.material_type, self.language, self.year_from, self.year_to,
            self.available,
        )  # fmt: skip
        return all(v is None or v == "" for v in values)


class AvailabilitySummary(Schema):
    branch: str
    available: int
    total: int


class SearchHit(Schema):
    id: str
    title: str
    authors: list[str]
    year: int | None
    material_type: str
    language: str | None
    publisher: str | None
    edition: str | None
    call_number: str | None
    isbns: list[str]
    available: bool
    availability: list[AvailabilitySummary]
    eresources: list[dict[str, Any]]
    snippets: dict[str, list[str]]
    score: float | None = None


class FacetValue(Schema):
    value: str | int | float | bool
    count: int


class SearchResponse(Schema):
    total: int
    page: int
    limit: int
    max_page: int
    hits: list[SearchHit]
    facets: dict[str, list[FacetValue]]
    suggestion: str | None = None


class AutocompleteResponse(Schema):
    q: str
    suggestions: list[str]
