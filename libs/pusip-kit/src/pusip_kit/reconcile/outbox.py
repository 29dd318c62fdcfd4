"""The outbox against the broker: rows not yet relayed, rows given up on, and relaying them.

Repair makes every pending and dead row due now (dead ones with a fresh attempt count), frees
claims left by a relay process that no longer exists on this machine (killed mid-batch), then
runs the relay with the service's own publisher until nothing is due.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pusip_kit.config import ServiceSettings
from pusip_kit.db.base import utcnow
from pusip_kit.outbox import DEAD, PENDING, Publisher, RelayConfig, outbox, relay_outbox
from pusip_kit.reconcile.report import CheckResult

REPAIR_RELAY = RelayConfig(batch_size=200, time_budget=120.0, lease=timedelta(seconds=120))


def _claimer_gone(claimer: str | None) -> bool:
    """A claim by a process of this host that has exited (``host:pid:nonce``)."""
    if not claimer:
        return False
    host, _, rest = claimer.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


async def reconcile_outbox(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    repair: bool,
    publisher: Callable[[], Publisher],
    subscribers: Callable[[str], Sequence[str]] | None = None,
) -> CheckResult:
    result = CheckResult("outbox")
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                select(outbox.c.id, outbox.c.kind, outbox.c.name, outbox.c.status, outbox.c.claimed_by)
                .where(outbox.c.status.in_((PENDING, DEAD)))
                .order_by(outbox.c.seq)
            )
        ).all()
    result.examined = len(rows)
    for row in rows:
        kind = "outbox_dead" if row.status == DEAD else "outbox_pending"
        result.add(kind, str(row.id), f"{row.kind} {row.name}")
    if not repair or not rows:
        return result
    try:
        async with sessionmaker() as session:
            now = utcnow()
            await session.execute(
                update(outbox)
                .where(outbox.c.status == DEAD)
                .values(status=PENDING, attempts=0, next_attempt_at=now, last_error=None)
            )
            await session.execute(
                update(outbox).where(outbox.c.status == PENDING).values(next_attempt_at=now)
            )
            gone = {r.claimed_by for r in rows if _claimer_gone(r.claimed_by)}
            if gone:
                await session.execute(
                    update(outbox)
                    .where(outbox.c.claimed_by.in_(gone))
                    .values(claimed_by=None, claimed_until=None)
                )
            await session.commit()
        stats = await relay_outbox(sessionmaker, publisher(), config=REPAIR_RELAY, subscribers=subscribers)
        result.repaired = stats.sent
        result.errors.extend(stats.errors)
    except Exception as exc:
        result.errors.append(f"{type(exc).__name__}: {exc}")
    return result


def celery_publisher(settings: ServiceSettings) -> Publisher:
    """A publisher on the service's broker (a bare Celery app, the worker's configuration)."""
    from celery import Celery

    from pusip_kit.tasks import CeleryPublisher, celery_config

    app = Celery(f"{settings.service_name}-reconcile", set_as_current=False)
    app.conf.update(celery_config(settings))
    return CeleryPublisher(app)
