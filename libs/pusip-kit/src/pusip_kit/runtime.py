"""What a service's code needs beyond a database session: its search index and object stores.

One runtime per process and data directory, shared by web requests, Celery tasks and the CLI:
Tantivy allows one writer per index directory, so in the worker that one object is the only
writer. A service subclasses :class:`ServiceRuntime` with its stores and keeps a
:class:`RuntimeRegistry` that builds, counts and closes its runtimes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from pusip_kit.config import ServiceSettings
from pusip_kit.search import IndexSchema, SearchIndex, make_search_index
from pusip_kit.storage import ObjectStore


class IndexedSettings(Protocol):
    """A service's settings with a search index (its name prefix on Elasticsearch included)."""

    @property
    def search_backend(self) -> str: ...
    @property
    def service_dir(self) -> Path: ...
    @property
    def data_dir(self) -> Path: ...
    @property
    def elasticsearch_url(self) -> str: ...
    @property
    def elasticsearch_prefix(self) -> str: ...


R = TypeVar("R", bound="ServiceRuntime")
S = TypeVar("S", bound=IndexedSettings)


@dataclass
class ServiceRuntime:
    settings: Any
    index: SearchIndex
    users: int = field(default=0, kw_only=True)

    def stores(self) -> tuple[ObjectStore, ...]:
        """The object stores to close with the runtime."""
        return ()

    async def close(self) -> None:
        await self.index.close()
        for store in self.stores():
            await store.close()


def search_index(settings: ServiceSettings, schema: IndexSchema, prefix: str) -> SearchIndex:
    """The service's index (its name with ``prefix`` on Elasticsearch)."""
    options = {"prefix": prefix} if settings.search_backend == "elasticsearch" else {}
    return make_search_index(settings, schema, **options)


def runtime_key(settings: IndexedSettings) -> tuple[str, str, str]:
    """What makes two runtimes the same: the search backend, where its index is, the data directory."""
    where = (
        str(settings.service_dir)
        if settings.search_backend == "tantivy"
        else f"{settings.elasticsearch_url}#{settings.elasticsearch_prefix}"
    )
    return (settings.search_backend, where, str(settings.data_dir))


class RuntimeRegistry(Generic[S, R]):
    """The process's runtimes, built by ``build`` on first use and closed when the last user leaves."""

    def __init__(self, build: Callable[[S], R]) -> None:
        self._build = build
        self._runtimes: dict[tuple[str, str, str], R] = {}
        self._guard = threading.Lock()

    def acquire(self, settings: S) -> R:
        """The process-wide runtime for ``settings`` (reference counted; pair with :meth:`release`)."""
        with self._guard:
            key = runtime_key(settings)
            runtime = self._runtimes.get(key)
            if runtime is None:
                runtime = self._build(settings)
                self._runtimes[key] = runtime
            runtime.users += 1
            return runtime

    async def release(self, runtime: R) -> None:
        with self._guard:
            runtime.users -= 1
            last = runtime.users <= 0
            if last:
                self._runtimes.pop(runtime_key(runtime.settings), None)
        if last:
            await runtime.close()

    def worker(self, settings: S) -> R:
        """The runtime of a worker process (kept for the life of the process)."""
        with self._guard:
            existing = self._runtimes.get(runtime_key(settings))
            if existing is not None:
                return existing
        return self.acquire(settings)
