"""The circulation service's Celery tasks and domain-event handlers."""

from __future__ import annotations

from celery import Celery

from circulation.branches.tasks import BRANCH_EVENTS, apply_catalog_branch_event
from circulation.config import CirculationSettings
from pusip_kit.events import EventHandlers, register_event_consumer
from pusip_kit.tasks import worker_sessionmaker

handlers = EventHandlers()
handlers.on(*BRANCH_EVENTS, name="circulation.branches.apply_catalog_branch")(apply_catalog_branch_event)


def register_tasks(app: Celery, settings: CirculationSettings) -> None:
    """``circulation.events.handle`` / ``.redeliver``: catalog branch events feed the replica."""
    register_event_consumer(app, "circulation", handlers, lambda: worker_sessionmaker(settings))
