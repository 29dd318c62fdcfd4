"""OPAC search: what a patron types and picks, turned into one typed query on the index."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from catalog.marc.derive import normalize_isbn
from catalog.records.marcdata import isbn_forms
from catalog.search.audience import ALL_FULLTEXT, FULLTEXT_FIELDS, Audience, restrict_text
from catalog.search.schema import TEXT_SEARCH_FIELDS, YEAR_RANGES
from catalog.search.schemas import SearchParams, SortKey
from catalog.search.suggest import Vocabulary, suggest
from pusip_kit.search import (
    FacetRequest,
    Filter,
    Not,
    Range,
    RangeFacetRequest,
    SearchIndex,
    SearchQuery,
    SearchResult,
    Sort,
    SortOrder,
    Term,
    Terms,
)
from pusip_kit.search import textquery as tq

FEW_RESULTS = 3
HIGHLIGHT = ("title", "authors", "subjects", "summary")
"""Highlighted besides the e-resource text the searcher may read (:mod:`catalog.search.audience`)."""
FACETS = (
    FacetRequest(field="branches", size=30),
    FacetRequest(field="material_type", size=15),
    FacetRequest(field="language", size=15),
    FacetRequest(field="subjects", size=15),
    FacetRequest(field="available", size=2),
    RangeFacetRequest(field="year", ranges=YEAR_RANGES, name="year"),
)
FACET_NAMES = {
    "branches": "branch",
    "material_type": "material_type",
    "language": "language",
    "subjects": "subject",
    "available": "availability",
    "year": "year",
}
SORTS: dict[SortKey, tuple[Sort, ...]] = {
    SortKey.RELEVANCE: (),
    SortKey.YEAR_DESC: (Sort(field="year", order=SortOrder.DESC),),
    SortKey.YEAR_ASC: (Sort(field="year", order=SortOrder.ASC),),
    SortKey.TITLE: (Sort(field="title_sort", order=SortOrder.ASC),),
}


def _in_field(node: tq.Node, field: str) -> tq.Node:
    if isinstance(node, tq.WordNode):
        return tq.WordNode(node.text, field)
    if isinstance(node, tq.PhraseNode):
        return tq.PhraseNode(node.text, field)
    if isinstance(node, tq.NotNode):
        return tq.NotNode(_in_field(node.item, field))
    if isinstance(node, tq.AndNode):
        return tq.AndNode(tuple(_in_field(c, field) for c in node.items))
    return tq.OrNode(tuple(_in_field(c, field) for c in node.items))


def query_text(params: SearchParams) -> str | None:
    """Keyword text and fielded boxes as one text query (fielded words stay in their field)."""
    parts: list[str] = []
    if params.q and params.q.strip():
        parts.append(f"({params.q.strip()})")
    for value, field in (
        (params.title, "title"),
        (params.author, "authors"),
        (params.subject, "subjects"),
        (params.publisher, "publisher"),
    ):
        node = tq.parse(value) if value else None  # no field prefixes inside a fielded box
        if node is not None:
            parts.append(tq.to_string(_in_field(node, field)))
    return " ".join(parts) or None


def query_filters(params: SearchParams) -> list[Filter]:
    filters: list[Filter] = []
    if params.isbn:
        raw = params.isbn.replace(" ", "")
        normalised = normalize_isbn(raw)
        values = isbn_forms(normalised) if normalised else [raw.replace("-", "").upper()]
        filters.append(Terms(field="isbns", values=tuple(values)))
    if params.call_number:
        filters.append(Term(field="call_number", value=params.call_number.strip()))
    if params.branch:
        filters.append(Term(field="branches", value=params.branch))
    if params.material_type:
        filters.append(Term(field="material_type", value=params.material_type))
    if params.language:
        filters.append(Term(field="language", value=params.language.lower()))
    if params.year_from is not None or params.year_to is not None:
        filters.append(Range(field="year", gte=params.year_from, lte=params.year_to))
    if params.available is not None:
        if params.branch:  # copies at that branch (the branch filter above), some / none on the shelf
            at_branch: Filter = Term(field="available_branches", value=params.branch)
            filters.append(at_branch if params.available else Not(filter=at_branch))
        else:  # records without copies have no availability at all
            filters.append(Term(field="available", value=params.available))
    return filters


def text_fields(audience: Audience) -> tuple[str, ...]:
    """Where unfielded words are looked for: the record's text and the audience's e-resource text."""
    return (*(f for f in TEXT_SEARCH_FIELDS if f not in ALL_FULLTEXT), *FULLTEXT_FIELDS[audience])


def build_query(
    params: SearchParams,
    *,
    audience: Audience = Audience.PUBLIC,
    facets: bool = True,
    highlight: bool = True,
) -> SearchQuery:
    return SearchQuery(
        text=restrict_text(query_text(params), audience),
        text_fields=text_fields(audience),
        filters=tuple(query_filters(params)),
        facets=FACETS if facets else (),
        sort=SORTS[params.sort],
        offset=(params.page - 1) * params.limit,
        limit=params.limit,
        highlight=(*HIGHLIGHT, *FULLTEXT_FIELDS[audience]) if highlight else (),
    )


WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""What the response schemas' ``str_strip_whitespace`` trims (Unicode White_Space; unlike
``str.strip()``, not the separators U+001C..U+001F)."""


def text(value: Any) -> Any:
    """A string as the response schemas would give it back (trimmed); anything else unchanged."""
    return value.strip(WHITESPACE) if isinstance(value, str) else value


def _texts(values: list[Any]) -> list[Any]:
    return [text(v) for v in values]


def _facets(result: SearchResult) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for field, buckets in result.facets.items():
        values = []
        for bucket in buckets:
            value: Any = bucket.value
            if field == "available":
                value = "available" if bucket.value in (True, "true", 1) else "unavailable"
            values.append({"value": text(value), "count": bucket.count})
        out[FACET_NAMES.get(field, field)] = values
    return out


def _snippets(highlights: dict[str, list[str]]) -> dict[str, list[str]]:
    """Highlights by field, the e-resource text fields' together under ``fulltext``."""
    out: dict[str, list[str]] = {}
    for field, fragments in highlights.items():
        out.setdefault("fulltext" if field in ALL_FULLTEXT else field, []).extend(_texts(fragments))
    return out


def hit_of(source: dict[str, Any], highlights: dict[str, list[str]], score: float | None) -> dict[str, Any]:
    """One hit as :class:`~catalog.search.schemas.SearchHit` data, built from the indexed document."""
    holdings = source.get("holdings") or []
    return {
        "id": text(source["id"]),
        "title": text(source.get("title") or ""),
        "authors": _texts(source.get("authors") or []),
        "year": source.get("year"),
        "material_type": text(source.get("material_type") or "book"),
        "language": text(source.get("language")),
        "publisher": text(source.get("publisher")),
        "edition": text(source.get("edition")),
        "call_number": text(source.get("call_number")),
        "isbns": [text(i) for i in source.get("isbns") or [] if len(i) == 13],
        "available": any(h.get("available") for h in holdings),
        "availability": [
            {"branch": text(h["branch"]), "available": h["available"], "total": h["total"]} for h in holdings
        ],
        "eresources": source.get("eresources") or [],
        "snippets": _snippets(highlights),
        "score": score,
    }


class SearchService:
    async def search(
        self,
        index: SearchIndex,
        params: SearchParams,
        *,
        audience: Audience = Audience.PUBLIC,
        vocabulary: Callable[[], Awaitable[Vocabulary]] | None = None,
    ) -> dict[str, Any]:
        """One page of results, matching and quoting the e-resource text ``audience`` may read; with
        ``vocabulary`` (fetched only when results are few) a spelling suggestion.

        Returned as :class:`~catalog.search.schemas.SearchResponse` data, ready for JSON: the
        engine's documents are already valid, and building models of them cost more than the
        rest of the service's share of a search.
        """
        result = await index.search(build_query(params, audience=audience))
        suggestion = None
        if vocabulary is not None and result.total < FEW_RESULTS:
            typed = " ".join(v for v in (params.q, params.title, params.author, params.subject) if v)
            if typed:
                suggestion = suggest(typed, await vocabulary())
        return {
            "total": result.total,
            "page": params.page,
            "limit": params.limit,
            "max_page": max(1, -(-result.total // params.limit)),
            "hits": [hit_of(h.source, h.highlights, h.score) for h in result.hits],
            "facets": _facets(result),
            "suggestion": text(suggestion),
        }

    async def ids(
        self,
        index: SearchIndex,
        params: SearchParams,
        *,
        maximum: int,
        audience: Audience = Audience.PUBLIC,
    ) -> list[str]:
        """Ids of a whole result (in order), up to ``maximum``, page by page."""
        out: list[str] = []
        page = 1
        while len(out) < maximum:
            chunk = params.model_copy(update={"page": page, "limit": 100})
            result = await index.search(build_query(chunk, audience=audience, facets=False, highlight=False))
            out.extend(h.id for h in result.hits)
            if len(result.hits) < 100 or page * 100 >= result.total:
                break
            page += 1
        return out[:maximum]

    async def autocomplete(
        self, index: SearchIndex, prefix: str, *, size: int, fields: Sequence[str] | None
    ) -> list[str]:
        return await index.autocomplete(prefix, fields=fields, size=size)


search_service = SearchService()
