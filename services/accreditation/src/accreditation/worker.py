"""The accreditation service's Celery worker: ``celery -A accreditation.worker worker -Q accreditation`` (beat runs the outbox relay)."""

from __future__ import annotations

from celery import Celery

from accreditation.config import AccreditationSettings
from accreditation.tasks import register_tasks
from pusip_kit.tasks import make_celery


def make_worker(settings: AccreditationSettings) -> Celery:
    """The Celery app for ``settings`` (tests build one on their own data directory)."""
    app = make_celery(settings, include=["accreditation.tasks"])
    register_tasks(app, settings)
    return app


settings = AccreditationSettings()
celery_app = make_worker(settings)
