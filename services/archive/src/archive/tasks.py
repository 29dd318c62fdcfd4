"""The archive service's Celery tasks (tasks take ids, never payloads).

=============================  ====================================================  ===============
task                           does                                                  sent by
=============================  ====================================================  ===============
``archive.search.index``       re-index records by id (the worker is the index's     outbox
                               one writer)
``archive.search.reindex``     rebuild the whole index from the database             CLI, admin
``archive.disposal.purge``     delete the files of a committed destruction           outbox
``archive.webhooks.deliver``   one delivery attempt; retries itself with backoff     outbox, itself
``archive.webhooks.sweep``     re-queue pending deliveries whose retry was lost      beat (minutely)
``archive.lifecycle.daily``    what is due; open static archives                     beat (daily)
``archive.fixity.run``         re-hash every stored object                           beat (daily),
                                                                                     outbox
=============================  ====================================================  ===============

:func:`run_task` is the one implementation, used by the Celery tasks, the CLI and the tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from celery import Celery
from celery.schedules import crontab
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from archive.config import ArchiveSettings
from archive.fixity.service import TASK_RUN as TASK_FIXITY
from archive.fixity.service import run_fixity
from archive.integration.webhooks import TASK_DELIVER, TASK_SWEEP, webhook_service
from archive.lifecycle.disposal import TASK_PURGE, purge_destroyed_files
from archive.lifecycle.due import TASK_DAILY, run_daily
from archive.runtime import ArchiveRuntime, worker_runtime
from archive.search.indexer import TASK_INDEX, TASK_REINDEX, index_records, reindex_all
from pusip_kit.tasks import run_async, worker_sessionmaker
from pusip_kit.uow import unit_of_work

Sessionmaker = async_sessionmaker[AsyncSession]


async def deliver_webhook(
    sessionmaker: Sessionmaker, settings: ArchiveSettings, delivery_id: str
) -> float | None:
    """One attempt; returns the seconds after which to retry (``None``: delivered, failed or nothing to do)."""
    async with unit_of_work(sessionmaker) as session:
        outcome = await webhook_service.deliver(
            session, delivery_id=uuid.UUID(delivery_id), settings=settings
        )
    return outcome.retry_in if outcome else None


async def sweep_webhooks(sessionmaker: Sessionmaker) -> list[str]:
    async with sessionmaker() as session:
        return [str(i) for i in await webhook_service.due_for_retry(session)]


async def run_task(name: str, args: list[Any], *, sessionmaker: Sessionmaker, runtime: ArchiveRuntime) -> Any:
    if name == TASK_INDEX:
        return await index_records(runtime.index, sessionmaker, [str(a) for a in args])
    if name == TASK_REINDEX:
        return await reindex_all(runtime.index, sessionmaker)
    if name == TASK_PURGE:
        return await purge_destroyed_files(sessionmaker, runtime, uuid.UUID(str(args[0])))
    if name == TASK_DELIVER:
        return await deliver_webhook(sessionmaker, runtime.settings, str(args[0]))
    if name == TASK_SWEEP:
        return await sweep_webhooks(sessionmaker)
    if name == TASK_DAILY:
        return await run_daily(sessionmaker)
    if name == TASK_FIXITY:
        run = await run_fixity(sessionmaker, runtime)
        return {"run_id": str(run.id), "checked": run.checked, "problems": run.problems}
    raise KeyError(f"unknown archive task {name!r}")


TASK_NAMES = (TASK_INDEX, TASK_REINDEX, TASK_PURGE, TASK_DELIVER, TASK_SWEEP, TASK_DAILY, TASK_FIXITY)


def beat_schedule(settings: ArchiveSettings) -> dict[str, dict[str, Any]]:
    return {
        TASK_DAILY: {
            "task": TASK_DAILY,
            "schedule": crontab(minute=5, hour=settings.lifecycle_hour_utc),
            "options": {"queue": "archive", "expires": 6 * 3600},
        },
        TASK_FIXITY: {
            "task": TASK_FIXITY,
            "schedule": crontab(minute=15, hour=settings.fixity_hour_utc),
            "options": {"queue": "archive", "expires": 6 * 3600},
        },
        TASK_SWEEP: {
            "task": TASK_SWEEP,
            "schedule": 60.0,
            "options": {"queue": "archive", "expires": 120},
        },
    }


def register_tasks(app: Celery, settings: ArchiveSettings) -> None:
    def context() -> tuple[Sessionmaker, ArchiveRuntime]:
        return worker_sessionmaker(settings), worker_runtime(settings)

    def simple(name: str) -> Callable[..., Any]:
        def task(*args: Any) -> Any:
            sessionmaker, runtime = context()
            return run_async(run_task(name, list(args), sessionmaker=sessionmaker, runtime=runtime))

        task.__name__ = name.replace(".", "_")
        return task

    for name in (TASK_INDEX, TASK_REINDEX, TASK_PURGE, TASK_DAILY, TASK_FIXITY):
        app.task(name=name, ignore_result=True, shared=False)(simple(name))

    @app.task(name=TASK_DELIVER, ignore_result=True, shared=False)
    def deliver(delivery_id: str) -> None:
        sessionmaker, runtime = context()
        retry_in = run_async(deliver_webhook(sessionmaker, runtime.settings, delivery_id))
        if retry_in is not None:
            deliver.apply_async(args=[delivery_id], countdown=retry_in, queue="archive")

    @app.task(name=TASK_SWEEP, ignore_result=True, shared=False)
    def sweep() -> int:
        sessionmaker, _ = context()
        ids = run_async(sweep_webhooks(sessionmaker))
        for delivery_id in ids:
            deliver.apply_async(args=[delivery_id], queue="archive")
        return len(ids)

    app.conf.beat_schedule = {**app.conf.beat_schedule, **beat_schedule(settings)}
