"""The accreditation service's Celery tasks and domain-event handlers.

* ``accreditation.events.handle`` / ``.redeliver``: ``circulation.stats.daily`` feeds the circulation
  replica IPLM reads (never circulation's database);
* ``accreditation.libraries.send_refresh_reminders``: the yearly data-refresh reminders, run by beat
  several times a day (idempotent: one reminder per library and year).
"""

from __future__ import annotations

from datetime import UTC, datetime

from celery import Celery

from accreditation.config import AccreditationSettings
from accreditation.libraries.service import library_service
from accreditation.literacy.events import handlers
from pusip_kit.events import register_event_consumer
from pusip_kit.tasks import run_async, worker_sessionmaker
from pusip_kit.uow import unit_of_work

REMINDERS_TASK = "accreditation.libraries.send_refresh_reminders"
REMINDER_INTERVAL_SECONDS = 6 * 3600.0


async def send_refresh_reminders(settings: AccreditationSettings) -> int:
    async with unit_of_work(worker_sessionmaker(settings)) as session:
        return await library_service.send_refresh_reminders(
            session, today=datetime.now(UTC).date(), start_month=settings.refresh_reminder_month
        )


def register_tasks(app: Celery, settings: AccreditationSettings) -> None:
    register_event_consumer(app, "accreditation", handlers, lambda: worker_sessionmaker(settings))

    @app.task(name=REMINDERS_TASK, ignore_result=True, shared=False)
    def refresh_reminders() -> int:
        return run_async(send_refresh_reminders(settings))

    app.conf.beat_schedule[REMINDERS_TASK] = {
        "task": REMINDERS_TASK,
        "schedule": REMINDER_INTERVAL_SECONDS,
        "options": {"queue": "accreditation", "expires": 3600},
    }
    del refresh_reminders
