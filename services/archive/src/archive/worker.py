"""The archive service's Celery worker: ``celery -A archive.worker worker -Q archive`` (beat runs the outbox relay)."""

from __future__ import annotations

from celery import Celery

from archive.config import ArchiveSettings
from archive.tasks import register_tasks
from pusip_kit.tasks import make_celery


def make_worker(settings: ArchiveSettings) -> Celery:
    """The Celery app for ``settings`` (tests build one on their own data directory)."""
    app = make_celery(settings, include=["archive.tasks"])
    register_tasks(app, settings)
    return app


settings = ArchiveSettings()
celery_app = make_worker(settings)
