"""The deposit service's Celery tasks.

For now only the kit's own (the outbox relay and its housekeeping, registered by
``make_celery``); the service's background work is added here as it appears.
"""

from __future__ import annotations

from celery import Celery

from deposit.config import DepositSettings


def register_tasks(app: Celery, settings: DepositSettings) -> None:
    """Nothing beyond the kit tasks yet."""
