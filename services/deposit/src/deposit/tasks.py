"""The deposit service's Celery tasks (ids, never payloads) and its beat schedule.

``deposit.deposits.publish(deposit_id)``        extract full text, store it, emit ``deposit.deposit.accepted``
``deposit.sanctions.render_letter(warning_id)``  render and store a warning letter (PDF)
``deposit.obligations.daily()``                  beat, daily: due → overdue, then graded warnings
``deposit.depositors.refresh_reminders()``       beat, daily: yearly data-refresh reminders (once per due date)

Every task is safe to run twice (see each service function).
"""

from __future__ import annotations

import uuid
from typing import Any

from celery import Celery
from celery.schedules import crontab

from deposit.config import DepositSettings
from deposit.runtime import process_stores
from pusip_kit.tasks import run_async, worker_sessionmaker
from pusip_kit.uow import unit_of_work

SYSTEM_ACTOR = "system:daily-job"


async def daily_obligations(settings: DepositSettings) -> dict[str, Any]:
    """The daily job: mark overdue obligations, then issue and resolve graded warnings."""
    from deposit.obligations.service import obligation_service
    from deposit.sanctions.service import sanction_service

    sessionmaker = worker_sessionmaker(settings)
    async with unit_of_work(sessionmaker) as session:
        overdue = await obligation_service.update_overdue(session)
    async with unit_of_work(sessionmaker) as session:
        result = await sanction_service.run(
            session, actor_name=SYSTEM_ACTOR, agency_code=settings.agency_code
        )
        issued = [w.number for w in result.issued]
    return {"overdue": overdue, "warnings_issued": issued, "warnings_resolved": len(result.resolved)}


def register_tasks(app: Celery, settings: DepositSettings) -> None:
    @app.task(name="deposit.deposits.publish", ignore_result=True, shared=False, max_retries=5, bind=True)
    def publish(self: Any, deposit_id: str) -> bool:
        from deposit.deposits.service import deposit_service

        try:
            return run_async(
                deposit_service.publish_accepted(
                    worker_sessionmaker(settings),
                    settings,
                    process_stores(settings),
                    deposit_id=uuid.UUID(deposit_id),
                )
            )
        except Exception as exc:
            raise self.retry(exc=exc, countdown=min(60 * 2**self.request.retries, 3600)) from exc

    @app.task(name="deposit.sanctions.render_letter", ignore_result=True, shared=False)
    def render_letter(warning_id: str) -> str | None:
        from deposit.sanctions.service import sanction_service

        async def run() -> str | None:
            async with unit_of_work(worker_sessionmaker(settings)) as session:
                return await sanction_service.store_letter(
                    session, settings, process_stores(settings), warning_id=uuid.UUID(warning_id)
                )

        return run_async(run())

    @app.task(name="deposit.obligations.daily", ignore_result=True, shared=False)
    def daily() -> dict[str, Any]:
        return run_async(daily_obligations(settings))

    @app.task(name="deposit.depositors.refresh_reminders", ignore_result=True, shared=False)
    def refresh_reminders() -> dict[str, int]:
        from deposit.depositors.reminders import send_refresh_reminders

        return run_async(send_refresh_reminders(worker_sessionmaker(settings), settings)).as_dict()

    # 17:05 UTC = 00:05 WIB: the overdue update runs just after midnight in Jakarta.
    app.conf.beat_schedule["deposit.obligations.daily"] = {
        "task": "deposit.obligations.daily",
        "schedule": crontab(hour=17, minute=5),
        "options": {"queue": "deposit", "expires": 3600},
    }
    app.conf.beat_schedule["deposit.depositors.refresh_reminders"] = {
        "task": "deposit.depositors.refresh_reminders",
        "schedule": crontab(hour=1, minute=30),  # 08:30 WIB, office hours
        "options": {"queue": "deposit", "expires": 3600},
    }
    del publish, render_letter, daily, refresh_reminders
