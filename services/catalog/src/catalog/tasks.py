"""The catalog service's Celery tasks.

Every task body is an async function of ``(runtime, sessionmaker, *args)`` listed in
:data:`TASKS`, so tests (and the CLI) can run exactly what the worker runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from celery import Celery
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog.branches.tasks import republish_branches
from catalog.config import CatalogSettings
from catalog.deposits.events import register as register_deposit_consumer
from catalog.deposits.service import TASK_FETCH_TEXT, legal_deposit_service
from catalog.domain_events import (
    TASK_EXTRACT_TEXT,
    TASK_INDEX_RECORDS,
    TASK_RECONCILE,
    TASK_REINDEX,
    TASK_RUN_IMPORT,
)
from catalog.eresources.service import extract_eresource_text
from catalog.imports.tasks import run_import_job
from catalog.items.events import handlers
from catalog.runtime import CatalogRuntime, worker_runtime
from catalog.search.indexer import index_records, reconcile, reindex_all
from pusip_kit.events import register_event_consumer
from pusip_kit.tasks import run_async, worker_sessionmaker

REPUBLISH_BRANCHES = "catalog.branches.republish"
RECONCILE_EVERY_SECONDS = 3600.0

Maker = async_sessionmaker[AsyncSession]
TaskBody = Callable[..., Awaitable[Any]]


async def _index(runtime: CatalogRuntime, sessionmaker: Maker, *ids: str) -> dict[str, int]:
    return await index_records(
        runtime.index, sessionmaker, list(ids), fulltext_max=runtime.settings.index_fulltext_max_chars
    )


async def _reindex(runtime: CatalogRuntime, sessionmaker: Maker) -> int:
    runtime.vocabulary.invalidate()
    return await reindex_all(
        runtime.index, sessionmaker, fulltext_max=runtime.settings.index_fulltext_max_chars
    )


async def _reconcile(runtime: CatalogRuntime, sessionmaker: Maker) -> dict[str, int]:
    return await reconcile(
        runtime.index, sessionmaker, fulltext_max=runtime.settings.index_fulltext_max_chars
    )


async def _import(runtime: CatalogRuntime, sessionmaker: Maker, job_id: str) -> dict[str, Any]:
    result = await run_import_job(runtime, sessionmaker, job_id)
    runtime.vocabulary.invalidate()
    return result


async def _extract(runtime: CatalogRuntime, sessionmaker: Maker, eresource_id: str) -> dict[str, object]:
    return await extract_eresource_text(runtime, sessionmaker, eresource_id)


async def _fetch_deposit_text(
    runtime: CatalogRuntime, sessionmaker: Maker, eresource_id: str
) -> dict[str, object]:
    return await legal_deposit_service.fetch_text(runtime, sessionmaker, eresource_id)


# The legal-deposit consumer (deposit.deposit.accepted) joins circulation's mirror on one set of handlers.
register_deposit_consumer(handlers)

TASKS: dict[str, TaskBody] = {
    TASK_INDEX_RECORDS: _index,
    TASK_REINDEX: _reindex,
    TASK_RECONCILE: _reconcile,
    TASK_RUN_IMPORT: _import,
    TASK_EXTRACT_TEXT: _extract,
    TASK_FETCH_TEXT: _fetch_deposit_text,
}


def register_tasks(app: Celery, settings: CatalogSettings) -> None:
    @app.task(name=REPUBLISH_BRANCHES, ignore_result=True)
    def republish() -> int:
        """Emit an ``updated`` event for every branch, so every replica can resynchronise."""
        return run_async(republish_branches(worker_sessionmaker(settings)))

    def make(name: str, body: TaskBody) -> None:
        # Retried with backoff: a failure here is the infrastructure's (database, index lock held by
        # a CLI import); the work itself is idempotent, and an import job resumes where it stopped.
        @app.task(
            name=name,
            ignore_result=True,
            acks_late=True,
            autoretry_for=(Exception,),
            retry_backoff=5,
            retry_backoff_max=600,
            max_retries=8,
        )
        def task(*args: Any) -> Any:
            return run_async(body(worker_runtime(settings), worker_sessionmaker(settings), *args))

        del task

    for name, body in TASKS.items():
        make(name, body)
    register_event_consumer(app, "catalog", handlers, lambda: worker_sessionmaker(settings))
    # The index can always be rebuilt from the database; this catches anything a crash left out.
    app.conf.beat_schedule[TASK_RECONCILE] = {
        "task": TASK_RECONCILE,
        "schedule": RECONCILE_EVERY_SECONDS,
        "options": {"queue": "catalog", "expires": 1800},
    }
    del republish
