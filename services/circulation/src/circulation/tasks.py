"""The circulation service's Celery tasks, beat schedule and domain-event handlers.

Every task body is an ``async def`` taking a sessionmaker and the settings, collected in
:data:`TASKS` / :data:`PERIODIC`, so tests (and the CLI) run exactly what the worker runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from celery import Celery
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from circulation import clock
from circulation.branches.tasks import BRANCH_EVENTS, apply_catalog_branch_event
from circulation.config import CirculationSettings
from circulation.digital.service import digital_service
from circulation.holds.service import hold_service
from circulation.items.tasks import (
    ITEM_EVENTS,
    RECORD_EVENTS,
    apply_catalog_item_event,
    apply_catalog_record_event,
)
from circulation.models import Patron
from circulation.models.patron import PATRON_ACTIVE
from circulation.notices.service import notice_service
from circulation.patrons.blocks import sync_blocks
from circulation.patrons.photo import TASK_DELETE_PHOTO, photo_service
from circulation.patrons.service import patron_service
from circulation.stats.service import stats_service
from pusip_kit.events import EventHandlers, register_event_consumer
from pusip_kit.tasks import run_async, worker_sessionmaker
from pusip_kit.uow import unit_of_work

handlers = EventHandlers()
handlers.on(*BRANCH_EVENTS, name="circulation.branches.apply_catalog_branch")(apply_catalog_branch_event)
handlers.on(*ITEM_EVENTS, name="circulation.items.apply_catalog_item")(apply_catalog_item_event)
handlers.on(*RECORD_EVENTS, name="circulation.items.apply_catalog_record")(apply_catalog_record_event)

Maker = async_sessionmaker[AsyncSession]
TaskBody = Callable[..., Awaitable[Any]]


async def send_verification(sessionmaker: Maker, settings: CirculationSettings, verification_id: str) -> bool:
    async with unit_of_work(sessionmaker) as session:
        return await patron_service.send_verification_email(
            session, verification_id=uuid.UUID(verification_id), settings=settings
        )


async def send_notice(sessionmaker: Maker, settings: CirculationSettings, notice_id: str) -> str:
    return await notice_service.send(sessionmaker, notice_id=uuid.UUID(notice_id), settings=settings)


async def scan_notices(sessionmaker: Maker, settings: CirculationSettings) -> dict[str, int]:
    """Beat: due-soon, overdue and hold-ready notices (idempotent), then mail whatever is pending."""
    today = clock.today()
    async with unit_of_work(sessionmaker) as session:
        counts = {
            "due_soon": await notice_service.scan_due_soon(session, today=today, days=settings.due_soon_days),
            "overdue": await notice_service.scan_overdue(session, today=today),
            "hold_ready": await notice_service.scan_hold_ready(session),
        }
    counts["mailed"] = await send_pending(sessionmaker, settings)
    return counts


async def send_pending(sessionmaker: Maker, settings: CirculationSettings) -> int:
    async with sessionmaker() as session:
        ids = await notice_service.pending_ids(session)
    sent = 0
    for notice_id in ids:
        sent += await notice_service.send(sessionmaker, notice_id=notice_id, settings=settings) == "sent"
    return sent


async def expire_holds(sessionmaker: Maker, settings: CirculationSettings) -> int:
    return await hold_service.expire_due(sessionmaker)


async def expire_digital_loans(sessionmaker: Maker, settings: CirculationSettings) -> int:
    return await digital_service.expire_due(sessionmaker)


async def emit_daily_stats(sessionmaker: Maker, settings: CirculationSettings) -> bool:
    """Beat: yesterday's figures as ``circulation.stats.daily`` (once per day)."""
    from datetime import timedelta

    async with unit_of_work(sessionmaker) as session:
        return await stats_service.daily(session, day=clock.today() - timedelta(days=1)) is not None


async def sync_all_blocks(sessionmaker: Maker, settings: CirculationSettings) -> int:
    """Nightly: record expiry/overdue/fine blocks that started or ended with the passing of time."""
    async with sessionmaker() as session:
        ids = (await session.execute(select(Patron.id).where(Patron.status == PATRON_ACTIVE))).scalars().all()
    for patron_id in ids:
        async with unit_of_work(sessionmaker) as session:
            patron = await session.get(Patron, patron_id)
            if patron is not None:
                await sync_blocks(session, patron, today=clock.today(), by="system")
    return len(ids)


async def delete_photo(sessionmaker: Maker, settings: CirculationSettings, key: str) -> bool:
    return await photo_service.delete_object(sessionmaker, settings, key)


TASKS: dict[str, TaskBody] = {
    "circulation.patrons.send_verification": send_verification,
    TASK_DELETE_PHOTO: delete_photo,
    "circulation.notices.send": send_notice,
}
PERIODIC: dict[str, tuple[TaskBody, float]] = {
    "circulation.notices.scan": (scan_notices, 3600.0),
    "circulation.holds.expire": (expire_holds, 900.0),
    "circulation.digital.expire": (expire_digital_loans, 300.0),
    "circulation.stats.emit_daily": (emit_daily_stats, 3600.0),
    "circulation.patrons.sync_blocks": (sync_all_blocks, 6 * 3600.0),
}


def register_tasks(app: Celery, settings: CirculationSettings) -> None:
    """Event consumer (``circulation.events.*``), the tasks above, and their beat schedule."""
    register_event_consumer(app, "circulation", handlers, lambda: worker_sessionmaker(settings))

    def make(name: str, body: TaskBody) -> None:
        @app.task(name=name, ignore_result=True, acks_late=True, shared=False)
        def task(*args: str) -> Any:
            return run_async(body(worker_sessionmaker(settings), settings, *args))

        del task

    for name, body in TASKS.items():
        make(name, body)
    for name, (body, _) in PERIODIC.items():
        make(name, body)
    schedule = dict(app.conf.beat_schedule or {})
    for name, (_, every) in PERIODIC.items():
        schedule[name] = {
            "task": name,
            "schedule": every,
            "options": {"queue": "circulation", "expires": every},
        }
    app.conf.beat_schedule = schedule
