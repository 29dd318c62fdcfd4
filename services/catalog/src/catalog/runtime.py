"""What the catalogue's code needs beyond a database session: the search index and object stores.

One :class:`CatalogRuntime` per process and data directory. The search index object is shared by
everything in the process (web requests, Celery tasks, the CLI), because Tantivy allows one writer
per index directory: in the worker that single object is the index's only writer.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from catalog.config import CatalogSettings
from catalog.search.schema import CATALOG_SCHEMA
from catalog.search.suggest import VocabularyCache
from pusip_kit.search import SearchIndex, make_search_index
from pusip_kit.storage import ObjectStore, make_object_store

IMPORTS_BUCKET = "catalog-imports"
ERESOURCES_BUCKET = "catalog-eresources"


@dataclass
class CatalogRuntime:
    settings: CatalogSettings
    index: SearchIndex
    imports_store: ObjectStore
    eresources_store: ObjectStore
    users: int = 0
    vocabulary: VocabularyCache = field(default_factory=VocabularyCache)


_runtimes: dict[tuple[str, str, str], CatalogRuntime] = {}
_guard = threading.Lock()


def _key(settings: CatalogSettings) -> tuple[str, str, str]:
    where = (
        str(settings.service_dir)
        if settings.search_backend == "tantivy"
        else f"{settings.elasticsearch_url}#{settings.elasticsearch_prefix}"
    )
    return (settings.search_backend, where, str(settings.data_dir))


def acquire_runtime(settings: CatalogSettings) -> CatalogRuntime:
    """The process-wide runtime for ``settings`` (reference counted; pair with :func:`release_runtime`)."""
    with _guard:
        key = _key(settings)
        runtime = _runtimes.get(key)
        if runtime is None:
            options = (
                {"prefix": settings.elasticsearch_prefix}
                if settings.search_backend == "elasticsearch"
                else {}
            )
            runtime = CatalogRuntime(
                settings=settings,
                index=make_search_index(settings, CATALOG_SCHEMA, **options),
                imports_store=make_object_store(settings, IMPORTS_BUCKET),
                eresources_store=make_object_store(settings, ERESOURCES_BUCKET),
            )
            _runtimes[key] = runtime
        runtime.users += 1
        return runtime


async def release_runtime(runtime: CatalogRuntime) -> None:
    with _guard:
        runtime.users -= 1
        last = runtime.users <= 0
        if last:
            _runtimes.pop(_key(runtime.settings), None)
    if last:
        await runtime.index.close()
        await runtime.imports_store.close()
        await runtime.eresources_store.close()


def worker_runtime(settings: CatalogSettings) -> CatalogRuntime:
    """The runtime of a worker process (kept for the life of the process)."""
    with _guard:
        existing = _runtimes.get(_key(settings))
        if existing is not None:
            return existing
    return acquire_runtime(settings)
