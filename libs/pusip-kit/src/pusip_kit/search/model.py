"""The typed search model shared by every search backend.

An :class:`IndexSchema` says which fields a document has and how each is indexed; a
:class:`SearchQuery` says what to look for. Both backends (Tantivy embedded, Elasticsearch
distributed) compile the same objects, so services never build backend-specific queries.

Filters are a small algebra (:class:`Term`, :class:`Terms`, :class:`Range`, :class:`Exists`,
:class:`Not`, :class:`Any`, :class:`All`) - enough to express record-level access policies
such as ``level == "BIASA" OR (unit == X AND level == "TERBATAS")``.
"""

from __future__ import annotations

import datetime as dt
import typing as t
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pusip_kit.errors import BadRequest

Scalar = str | int | float | bool | dt.date | dt.datetime
RangeValue = int | float | dt.date | dt.datetime

RELEVANCE = "_score"
"""Pseudo sort field: relevance (the default order when ``sort`` is empty)."""


class SearchQueryError(BadRequest):
    """A query names a field the schema lacks or uses it in a way its type does not allow."""

    code = "invalid_search_query"
    message = "Kueri pencarian tidak valid"
    message_en = "Invalid search query"


class FieldType(StrEnum):
    TEXT = "text"  # analysed (Indonesian), full-text searchable
    KEYWORD = "keyword"  # exact value: filters, facets, sort
    INTEGER = "integer"
    FLOAT = "float"
    DATE = "date"
    BOOLEAN = "boolean"
    STORED_ONLY = "stored_only"  # kept in the source, not searchable


_FILTERABLE = {FieldType.KEYWORD, FieldType.INTEGER, FieldType.FLOAT, FieldType.DATE, FieldType.BOOLEAN}
_RANGEABLE = {FieldType.INTEGER, FieldType.FLOAT, FieldType.DATE}


class FieldSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    type: FieldType
    stored: bool = True
    facet: bool = False
    sortable: bool = False
    autocomplete: bool = False
    multi: bool = False
    boost: float = 1.0

    @field_validator("name")
    @classmethod
    def _valid_name(cls, v: str) -> str:
        if not v or not v.replace("_", "a").isalnum() or not v[0].isalpha() or "__" in v or not v.isascii():
            raise ValueError(f"field name must be an ASCII identifier without '__': {v!r}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        if self.type is FieldType.STORED_ONLY and (self.facet or self.sortable or self.autocomplete):
            raise ValueError(f"{self.name}: a STORED_ONLY field cannot be facet/sortable/autocomplete")
        if self.autocomplete and self.type not in (FieldType.TEXT, FieldType.KEYWORD):
            raise ValueError(f"{self.name}: autocomplete needs a TEXT or KEYWORD field")
        if self.facet and self.type in (FieldType.FLOAT, FieldType.DATE):
            raise ValueError(f"{self.name}: facet FLOAT/DATE values with a RangeFacetRequest, not facet=True")
        if self.boost <= 0:
            raise ValueError(f"{self.name}: boost must be positive")
        return self

    @property
    def searchable(self) -> bool:
        """Can appear as a ``field:`` prefix in user text."""
        return self.type in (FieldType.TEXT, FieldType.KEYWORD)


class IndexSchema(BaseModel):
    """A named index: its fields and the field holding the document id (always a string)."""

    model_config = ConfigDict(frozen=True)

    name: str
    fields: tuple[FieldSpec, ...]
    id_field: str = "id"
    aliases: dict[str, str] = Field(default_factory=dict)
    """Extra ``prefix:`` names users may type, e.g. ``{"judul": "title"}``."""
    multi_key_sort: bool = True
    """Whether searches may sort by more than one key. Tantivy needs extra sort columns in every
    document for that; an index that only ever sorts by one key (or relevance) leaves it off."""

    @field_validator("name")
    @classmethod
    def _valid_name(cls, v: str) -> str:
        if not v or not all(c.islower() or c.isdigit() or c in "-_" for c in v) or not v.isascii():
            raise ValueError(f"index name must be lowercase ASCII letters, digits, '-' or '_': {v!r}")
        return v

    @model_validator(mode="after")
    def _check(self) -> IndexSchema:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError("duplicate field names")
        if self.id_field in names:
            spec = self.field(self.id_field)
            if spec.type is not FieldType.KEYWORD or spec.multi:
                raise ValueError("the id field, if declared, must be a single-valued KEYWORD")
        for alias, target in self.aliases.items():
            if target not in names or not self.field(target).searchable:
                raise ValueError(f"alias {alias!r} must name a TEXT or KEYWORD field")
        return self

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def get(self, name: str) -> FieldSpec | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def text_fields(self) -> list[FieldSpec]:
        return [f for f in self.fields if f.type is FieldType.TEXT]

    @property
    def prefixes(self) -> dict[str, str]:
        """Every ``prefix:`` a user may type mapped to its field (names and aliases, lowercase)."""
        out = {f.name.lower(): f.name for f in self.fields if f.searchable}
        out.update({a.lower(): tgt for a, tgt in self.aliases.items()})
        return out

    # -- validation helpers used by the backends (raise SearchQueryError → HTTP 400) --

    def require(self, name: str, *, why: str, types: t.Collection[FieldType] | None = None) -> FieldSpec:
        spec = self.get(name)
        if spec is None and name == self.id_field:
            spec = FieldSpec(name=name, type=FieldType.KEYWORD)
        if spec is None:
            raise SearchQueryError(
                f"Ruas {name!r} tidak ada di indeks {self.name}",
                f"Field {name!r} does not exist in index {self.name}",
                details={"field": name},
            )
        if types is not None and spec.type not in types:
            raise SearchQueryError(
                f"Ruas {name!r} tidak dapat dipakai untuk {why}",
                f"Field {name!r} cannot be used for {why}",
                details={"field": name, "use": why},
            )
        return spec


# --------------------------------------------------------------------------- filters


class Term(BaseModel):
    """``field == value``. On a TEXT field: the analysed value as a phrase."""

    model_config = ConfigDict(frozen=True)
    op: t.Literal["term"] = "term"
    field: str
    value: Scalar


class Terms(BaseModel):
    """``field`` equals any of ``values`` (an empty list matches nothing)."""

    model_config = ConfigDict(frozen=True)
    op: t.Literal["terms"] = "terms"
    field: str
    values: tuple[Scalar, ...]


class Range(BaseModel):
    """Numeric or date range; bounds optional, ``gte``/``lte`` inclusive, ``gt``/``lt`` exclusive."""

    model_config = ConfigDict(frozen=True)
    op: t.Literal["range"] = "range"
    field: str
    gte: RangeValue | None = None
    lte: RangeValue | None = None
    gt: RangeValue | None = None
    lt: RangeValue | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Range:
        if self.gte is not None and self.gt is not None:
            raise ValueError("give gte or gt, not both")
        if self.lte is not None and self.lt is not None:
            raise ValueError("give lte or lt, not both")
        return self

    @property
    def lower(self) -> tuple[RangeValue | None, bool]:
        return (self.gte, True) if self.gte is not None else (self.gt, False)

    @property
    def upper(self) -> tuple[RangeValue | None, bool]:
        return (self.lte, True) if self.lte is not None else (self.lt, False)


class Exists(BaseModel):
    """The field has at least one value."""

    model_config = ConfigDict(frozen=True)
    op: t.Literal["exists"] = "exists"
    field: str


class Not(BaseModel):
    model_config = ConfigDict(frozen=True)
    op: t.Literal["not"] = "not"
    filter: Filter


class Any(BaseModel):
    """At least one of ``filters`` (OR). An empty list matches nothing."""

    model_config = ConfigDict(frozen=True)
    op: t.Literal["any"] = "any"
    filters: tuple[Filter, ...]


class All(BaseModel):
    """Every one of ``filters`` (AND). An empty list matches everything."""

    model_config = ConfigDict(frozen=True)
    op: t.Literal["all"] = "all"
    filters: tuple[Filter, ...]


Filter = t.Annotated[Term | Terms | Range | Exists | Not | Any | All, Field(discriminator="op")]

Not.model_rebuild()
Any.model_rebuild()
All.model_rebuild()


# --------------------------------------------------------------------------- facets, sort


class FacetRequest(BaseModel):
    """Value counts of a facet field over the matching documents, largest first."""

    model_config = ConfigDict(frozen=True)
    kind: t.Literal["terms"] = "terms"
    field: str
    size: int = Field(default=10, ge=1, le=1000)


class FacetRange(BaseModel):
    """One bucket ``[gte, lt)``; ``key`` defaults to ``"<gte>-<lt>"`` with ``*`` for open ends."""

    model_config = ConfigDict(frozen=True)
    key: str | None = None
    gte: int | float | None = None
    lt: int | float | None = None

    @property
    def label(self) -> str:
        if self.key:
            return self.key

        def fmt(v: int | float | None) -> str:
            if v is None:
                return "*"
            return str(int(v)) if float(v).is_integer() else str(v)

        return f"{fmt(self.gte)}-{fmt(self.lt)}"


class RangeFacetRequest(BaseModel):
    """Counts per numeric range (e.g. publication-year ranges), in the order given."""

    model_config = ConfigDict(frozen=True)
    kind: t.Literal["range"] = "range"
    field: str
    ranges: tuple[FacetRange, ...]
    name: str | None = None
    """Key in :attr:`SearchResult.facets` (default: the field name)."""

    @property
    def key(self) -> str:
        return self.name or self.field


AnyFacet = t.Annotated[FacetRequest | RangeFacetRequest, Field(discriminator="kind")]


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


class Sort(BaseModel):
    model_config = ConfigDict(frozen=True)
    field: str
    order: SortOrder = SortOrder.ASC


# --------------------------------------------------------------------------- query & results


class SearchQuery(BaseModel):
    """What to look for.

    ``text`` is what the user typed (OPAC syntax, see :mod:`pusip_kit.search.textquery`);
    ``text_fields`` restricts unfielded words to those fields (default: every TEXT field).
    ``filters`` are ANDed and do not affect scores. ``sort`` empty means relevance.
    """

    model_config = ConfigDict(frozen=True)

    text: str | None = None
    text_fields: tuple[str, ...] | None = None
    filters: tuple[Filter, ...] = ()
    facets: tuple[AnyFacet, ...] = ()
    sort: tuple[Sort, ...] = ()
    offset: int = Field(default=0, ge=0, le=100_000)
    limit: int = Field(default=20, ge=0, le=1000)
    highlight: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _sort_relevance(self) -> SearchQuery:
        if any(s.field == RELEVANCE for s in self.sort) and len(self.sort) > 1:
            raise ValueError("relevance (_score) sort cannot be combined with other sort keys")
        return self


class FacetBucket(BaseModel):
    value: str | int | float | bool
    count: int


class Hit(BaseModel):
    id: str
    score: float | None = None
    source: dict[str, t.Any] = Field(default_factory=dict)
    highlights: dict[str, list[str]] = Field(default_factory=dict)


class SearchResult(BaseModel):
    total: int
    hits: list[Hit] = Field(default_factory=list)
    facets: dict[str, list[FacetBucket]] = Field(default_factory=dict)


def validate_query(schema: IndexSchema, q: SearchQuery) -> None:
    """Refuse (HTTP 400) fields a query cannot use, before any backend work."""
    searchable = (FieldType.TEXT,)
    for name in q.text_fields or ():
        schema.require(name, why="full-text search", types=searchable)
    for f in q.filters:
        validate_filter(schema, f)
    for facet in q.facets:
        if isinstance(facet, FacetRequest):
            spec = schema.require(facet.field, why="facets")
            if not spec.facet:
                raise SearchQueryError(
                    f"Ruas {facet.field!r} bukan ruas faset",
                    f"Field {facet.field!r} is not a facet field",
                    details={"field": facet.field},
                )
        else:
            schema.require(facet.field, why="range facets", types=(FieldType.INTEGER, FieldType.FLOAT))
    for s in q.sort:
        if s.field == RELEVANCE:
            continue
        spec = schema.require(s.field, why="sorting")
        if not spec.sortable:
            raise SearchQueryError(
                f"Ruas {s.field!r} tidak dapat diurutkan",
                f"Field {s.field!r} is not sortable",
                details={"field": s.field},
            )
    for name in q.highlight:
        schema.require(name, why="highlighting", types=(FieldType.TEXT,))


def validate_filter(schema: IndexSchema, f: Filter) -> None:
    if isinstance(f, (Not,)):
        validate_filter(schema, f.filter)
    elif isinstance(f, (Any, All)):
        for sub in f.filters:
            validate_filter(schema, sub)
    elif isinstance(f, Range):
        schema.require(f.field, why="range filters", types=_RANGEABLE)
    elif isinstance(f, Exists):
        schema.require(f.field, why="exists filters", types=_FILTERABLE)
    else:
        schema.require(f.field, why="filters", types=_FILTERABLE | {FieldType.TEXT})
