"""What the archive's code needs beyond a database session: the search index and object stores.

One :class:`ArchiveRuntime` per process and data directory, shared by web requests, Celery tasks and
the CLI (Tantivy allows one writer per index: in the worker that one object is the only writer).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from archive.config import ArchiveSettings
from archive.search.schema import ARCHIVE_SCHEMA
from pusip_kit.search import SearchIndex, make_search_index
from pusip_kit.storage import ObjectStore, make_object_store

FILES_BUCKET = "archive-records"
DOCUMENTS_BUCKET = "archive-documents"


@dataclass
class ArchiveRuntime:
    settings: ArchiveSettings
    index: SearchIndex
    files: ObjectStore
    documents: ObjectStore
    users: int = 0


_runtimes: dict[tuple[str, str, str], ArchiveRuntime] = {}
_guard = threading.Lock()


def _key(settings: ArchiveSettings) -> tuple[str, str, str]:
    where = (
        str(settings.service_dir)
        if settings.search_backend == "tantivy"
        else f"{settings.elasticsearch_url}#{settings.elasticsearch_prefix}"
    )
    return (settings.search_backend, where, str(settings.data_dir))


def acquire_runtime(settings: ArchiveSettings) -> ArchiveRuntime:
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
            runtime = ArchiveRuntime(
                settings=settings,
                index=make_search_index(settings, ARCHIVE_SCHEMA, **options),
                files=make_object_store(settings, FILES_BUCKET),
                documents=make_object_store(settings, DOCUMENTS_BUCKET),
            )
            _runtimes[key] = runtime
        runtime.users += 1
        return runtime


async def release_runtime(runtime: ArchiveRuntime) -> None:
    with _guard:
        runtime.users -= 1
        last = runtime.users <= 0
        if last:
            _runtimes.pop(_key(runtime.settings), None)
    if last:
        await runtime.index.close()
        await runtime.files.close()
        await runtime.documents.close()


def worker_runtime(settings: ArchiveSettings) -> ArchiveRuntime:
    """The runtime of a worker process (kept for the life of the process)."""
    with _guard:
        existing = _runtimes.get(_key(settings))
        if existing is not None:
            return existing
    return acquire_runtime(settings)
