"""Rebuilding the search indexes after a restore, through each service's own reindex entry point.

Search indexes are not in a backup: each can be rebuilt from its database. The services that keep
one expose the rebuild their worker runs:

* catalog — the Celery task body ``catalog.index.reindex`` (:data:`catalog.tasks.TASKS`);
* archive — ``archive.search.reindex`` through :func:`archive.tasks.run_task`.

circulation, deposit and accreditation have no search index. The rebuild runs in this process, so in
embedded mode the service's worker must not be running (Tantivy allows one writer per index):
``pusip restore`` refuses to run while ``pusip up`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from pusip_kit.config import ServiceSettings
from pusip_kit.db.engine import Database

Reindexer = Callable[[ServiceSettings], Coroutine[Any, Any, int]]


async def _catalog(settings: ServiceSettings) -> int:
    from catalog.config import CatalogSettings
    from catalog.domain_events import TASK_REINDEX
    from catalog.runtime import acquire_runtime, release_runtime
    from catalog.tasks import TASKS

    assert isinstance(settings, CatalogSettings)
    database = Database(settings.database_url, null_pool=True)
    runtime = acquire_runtime(settings)
    try:
        return int(await TASKS[TASK_REINDEX](runtime, database.sessionmaker))
    finally:
        await release_runtime(runtime)
        await database.dispose()


async def _archive(settings: ServiceSettings) -> int:
    from archive.config import ArchiveSettings
    from archive.runtime import acquire_runtime, release_runtime
    from archive.search.indexer import TASK_REINDEX
    from archive.tasks import run_task

    assert isinstance(settings, ArchiveSettings)
    database = Database(settings.database_url, null_pool=True)
    runtime = acquire_runtime(settings)
    try:
        result: Any = await run_task(TASK_REINDEX, [], sessionmaker=database.sessionmaker, runtime=runtime)
        return int(result)
    finally:
        await release_runtime(runtime)
        await database.dispose()


REINDEXERS: dict[str, Reindexer] = {"catalog": _catalog, "archive": _archive}
"""Services with a search index → how to rebuild it. The others have none."""
REINDEX_TASKS: dict[str, str] = {"catalog": "catalog.index.reindex", "archive": "archive.search.reindex"}
"""The Celery task that rebuilds each index from a running worker."""
