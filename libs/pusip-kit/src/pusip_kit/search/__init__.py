"""Search for the Pusip services: one typed query model, two backends.

``make_search_index(settings, schema)`` returns a :class:`TantivyIndex` (embedded mode, files
under the service's data folder) or an :class:`ElasticsearchIndex` (distributed mode), chosen
by ``settings.search_backend``. Both pass the same behaviour suite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pusip_kit.search.base import SearchIndex
from pusip_kit.search.common import DocumentError
from pusip_kit.search.model import (
    RELEVANCE,
    All,
    Exists,
    FacetBucket,
    FacetRange,
    FacetRequest,
    FieldSpec,
    FieldType,
    Filter,
    Hit,
    IndexSchema,
    Not,
    Range,
    RangeFacetRequest,
    SearchQuery,
    SearchQueryError,
    SearchResult,
    Sort,
    SortOrder,
    Term,
    Terms,
)
from pusip_kit.search.model import (
    Any as AnyOf,
)
from pusip_kit.search.tantivy_backend import TantivyIndex

if TYPE_CHECKING:
    from pusip_kit.config import ServiceSettings
    from pusip_kit.search.elasticsearch_backend import ElasticsearchIndex

__all__ = [
    "RELEVANCE",
    "All",
    "AnyOf",
    "DocumentError",
    "ElasticsearchIndex",
    "Exists",
    "FacetBucket",
    "FacetRange",
    "FacetRequest",
    "FieldSpec",
    "FieldType",
    "Filter",
    "Hit",
    "IndexSchema",
    "Not",
    "Range",
    "RangeFacetRequest",
    "SearchIndex",
    "SearchQuery",
    "SearchQueryError",
    "SearchResult",
    "Sort",
    "SortOrder",
    "TantivyIndex",
    "Term",
    "Terms",
    "make_search_index",
]


def make_search_index(settings: ServiceSettings, schema: IndexSchema, **options: Any) -> SearchIndex:
    """The search index a service should use, by ``settings.search_backend``."""
    backend = settings.search_backend.lower()
    if backend == "tantivy":
        return TantivyIndex(settings.service_dir / "index" / schema.name, schema, **options)
    if backend == "elasticsearch":
        from pusip_kit.search.elasticsearch_backend import ElasticsearchIndex

        return ElasticsearchIndex(settings.elasticsearch_url, schema, **options)
    raise ValueError(f"unknown search backend {settings.search_backend!r} (use 'tantivy' or 'elasticsearch')")


def __getattr__(name: str) -> Any:
    if name == "ElasticsearchIndex":  # imported lazily: the client is only needed in distributed mode
        from pusip_kit.search.elasticsearch_backend import ElasticsearchIndex

        return ElasticsearchIndex
    raise AttributeError(name)
