"""The catalog service's Celery tasks."""

from __future__ import annotations

from celery import Celery

from catalog.branches.tasks import republish_branches
from catalog.config import CatalogSettings
from pusip_kit.tasks import run_async, worker_sessionmaker

REPUBLISH_BRANCHES = "catalog.branches.republish"


def register_tasks(app: Celery, settings: CatalogSettings) -> None:
    @app.task(name=REPUBLISH_BRANCHES, ignore_result=True)
    def republish() -> int:
        """Emit an ``updated`` event for every branch, so every replica can resynchronise."""
        return run_async(republish_branches(worker_sessionmaker(settings)))

    del republish
