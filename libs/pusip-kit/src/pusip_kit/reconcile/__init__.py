"""Drift between what a service derives and its source of truth, found and repaired.

Every service with something to reconcile has a ``<service>.reconcile`` module whose
``reconcile(settings, options)`` returns a :class:`ServiceReport`, built from the checks here:

* :func:`reconcile_index` — a search index against the database (missing, stale, orphan documents);
* :func:`reconcile_objects` — an object bucket against the rows naming its objects (orphans,
  missing objects, SHA-256 mismatches);
* :func:`reconcile_outbox` — outbox rows not yet relayed (or given up on), relayed on repair.

``pusip reconcile`` runs them for one service or all, and repairs with ``--repair``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pusip_kit.config import ServiceSettings
from pusip_kit.reconcile.objects import ExpectedObject, reconcile_objects
from pusip_kit.reconcile.outbox import celery_publisher, reconcile_outbox
from pusip_kit.reconcile.report import CheckResult, Finding, ReconcileReport, ServiceReport
from pusip_kit.reconcile.search import fingerprint, reconcile_index, stored_documents


@dataclass(frozen=True)
class ReconcileOptions:
    repair: bool = False
    grace: timedelta = timedelta(minutes=15)
    """Objects younger than this are not called orphans (their row may be about to commit)."""
    verify_content: bool = False
    """Re-read and hash every object (slow: reads all bytes)."""
    compare_content: bool = True
    """Compare every search document with its row (finds stale documents, reads every row)."""


@asynccontextmanager
async def service_sessionmaker(settings: ServiceSettings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A short-lived database for one reconcile run (no pool left behind)."""
    from pusip_kit.db.engine import Database

    database = Database(settings.database_url, null_pool=True)
    try:
        yield database.sessionmaker
    finally:
        await database.dispose()


async def outbox_check(
    report: ServiceReport,
    settings: ServiceSettings,
    sessionmaker: async_sessionmaker[AsyncSession],
    options: ReconcileOptions,
) -> None:
    """The outbox check every service runs, relaying through its broker on repair."""
    report.checks.append(
        await reconcile_outbox(
            sessionmaker, repair=options.repair, publisher=lambda: celery_publisher(settings)
        )
    )


__all__ = [
    "CheckResult",
    "ExpectedObject",
    "Finding",
    "ReconcileOptions",
    "ReconcileReport",
    "ServiceReport",
    "celery_publisher",
    "fingerprint",
    "outbox_check",
    "reconcile_index",
    "reconcile_objects",
    "reconcile_outbox",
    "service_sessionmaker",
    "stored_documents",
]
