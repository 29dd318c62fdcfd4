"""What the archive's code needs beyond a database session: the search index and object stores.

One :class:`ArchiveRuntime` per process and data directory, shared by web requests, Celery tasks and
the CLI (Tantivy allows one writer per index: in the worker that one object is the only writer).
"""

from __future__ import annotations

from dataclasses import dataclass

from archive.config import ArchiveSettings
from archive.search.schema import ARCHIVE_SCHEMA
from pusip_kit.runtime import RuntimeRegistry, ServiceRuntime, search_index
from pusip_kit.storage import ObjectStore, make_object_store

FILES_BUCKET = "archive-records"
DOCUMENTS_BUCKET = "archive-documents"


@dataclass
class ArchiveRuntime(ServiceRuntime):
    settings: ArchiveSettings
    files: ObjectStore
    documents: ObjectStore

    def stores(self) -> tuple[ObjectStore, ...]:
        return (self.files, self.documents)


def _build(settings: ArchiveSettings) -> ArchiveRuntime:
    return ArchiveRuntime(
        settings=settings,
        index=search_index(settings, ARCHIVE_SCHEMA, settings.elasticsearch_prefix),
        files=make_object_store(settings, FILES_BUCKET),
        documents=make_object_store(settings, DOCUMENTS_BUCKET),
    )


_registry: RuntimeRegistry[ArchiveSettings, ArchiveRuntime] = RuntimeRegistry(_build)
acquire_runtime = _registry.acquire
release_runtime = _registry.release
worker_runtime = _registry.worker
