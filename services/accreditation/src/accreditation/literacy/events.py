"""Consuming circulation's daily statistics (``circulation.stats.daily``) into the local replica.

Each delivery runs in its own transaction with a processed-events row (the kit dedupes by event
id), and the replica is upserted by (day, branch), so a redelivered or corrected day simply
overwrites the figures.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from accreditation.literacy.service import literacy_service
from pusip_kit.events import Event, EventHandlers

CIRCULATION_STATS = "circulation.stats.daily"

handlers = EventHandlers()


@handlers.on(CIRCULATION_STATS, name="accreditation.literacy.circulation_daily_stats")
async def apply_circulation_daily_stats(session: AsyncSession, event: Event) -> None:
    await literacy_service.apply_daily_stats(session, event.payload, event.id)
