"""The deposit service's Celery worker: ``celery -A deposit.worker worker -Q deposit`` (beat runs the outbox relay)."""

from __future__ import annotations

from celery import Celery

from deposit.config import DepositSettings
from deposit.tasks import register_tasks
from pusip_kit.tasks import make_celery


def make_worker(settings: DepositSettings) -> Celery:
    """The Celery app for ``settings`` (tests build one on their own data directory)."""
    app = make_celery(settings, include=["deposit.tasks"])
    register_tasks(app, settings)
    return app


settings = DepositSettings()
celery_app = make_worker(settings)
