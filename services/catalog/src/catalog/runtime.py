"""What the catalogue's code needs beyond a database session: the search index and object stores.

One :class:`CatalogRuntime` per process and data directory. The search index object is shared by
everything in the process (web requests, Celery tasks, the CLI), because Tantivy allows one writer
per index directory: in the worker that single object is the index's only writer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog.config import CatalogSettings
from catalog.search.schema import CATALOG_SCHEMA
from catalog.search.suggest import VocabularyCache
from pusip_kit.runtime import RuntimeRegistry, ServiceRuntime, search_index
from pusip_kit.storage import ObjectStore, make_object_store

IMPORTS_BUCKET = "catalog-imports"
ERESOURCES_BUCKET = "catalog-eresources"


@dataclass
class CatalogRuntime(ServiceRuntime):
    settings: CatalogSettings
    imports_store: ObjectStore
    eresources_store: ObjectStore
    vocabulary: VocabularyCache = field(default_factory=VocabularyCache)

    def stores(self) -> tuple[ObjectStore, ...]:
        return (self.imports_store, self.eresources_store)


def _build(settings: CatalogSettings) -> CatalogRuntime:
    return CatalogRuntime(
        settings=settings,
        index=search_index(settings, CATALOG_SCHEMA, settings.elasticsearch_prefix),
        imports_store=make_object_store(settings, IMPORTS_BUCKET),
        eresources_store=make_object_store(settings, ERESOURCES_BUCKET),
    )


_registry: RuntimeRegistry[CatalogSettings, CatalogRuntime] = RuntimeRegistry(_build)
acquire_runtime = _registry.acquire
release_runtime = _registry.release
worker_runtime = _registry.worker
