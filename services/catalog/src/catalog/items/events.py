"""Events the catalogue consumes: circulation's item statuses, mirrored onto items.

Contract: any ``circulation.item.*`` event whose payload carries ``barcode`` and ``status`` (one of
:class:`catalog.models.ItemStatus`) sets that item's status; unknown barcodes and statuses are
ignored. The record is re-indexed so availability facets follow.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.items.service import item_service
from pusip_kit.events import Event, EventHandlers

handlers = EventHandlers()


@handlers.on("circulation.item.*", name="catalog.items.mirror_circulation_status")
async def mirror_circulation_status(session: AsyncSession, event: Event) -> None:
    barcode = event.payload.get("barcode")
    status = event.payload.get("status")
    if isinstance(barcode, str) and isinstance(status, str):
        await item_service.apply_circulation_status(session, barcode=barcode, status=status)
