"""The circulation service's Celery worker: ``celery -A circulation.worker worker -Q circulation`` (beat runs the outbox relay)."""

from __future__ import annotations

from celery import Celery

from circulation.config import CirculationSettings
from circulation.tasks import register_tasks
from pusip_kit.tasks import make_celery


def make_worker(settings: CirculationSettings) -> Celery:
    """The Celery app for ``settings`` (tests build one on their own data directory)."""
    app = make_celery(settings, include=["circulation.tasks"])
    register_tasks(app, settings)
    return app


settings = CirculationSettings()
celery_app = make_worker(settings)
