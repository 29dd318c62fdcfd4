"""The catalog service's Celery worker: ``celery -A catalog.worker worker -Q catalog`` (beat runs the outbox relay)."""

from __future__ import annotations

from celery import Celery

from catalog.config import CatalogSettings
from catalog.tasks import register_tasks
from pusip_kit.tasks import make_celery


def make_worker(settings: CatalogSettings) -> Celery:
    """The Celery app for ``settings`` (tests build one on their own data directory)."""
    app = make_celery(settings, include=["catalog.tasks"])
    register_tasks(app, settings)
    return app


settings = CatalogSettings()
celery_app = make_worker(settings)
