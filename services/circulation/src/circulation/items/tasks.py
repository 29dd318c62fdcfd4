"""Applying catalog's item and record events to circulation's replica (run by the circulation worker)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from circulation.items.schemas import ItemDeleted, ItemSnapshot, RecordSnapshot
from circulation.items.service import item_service
from pusip_kit.events import Event

ITEM_EVENTS = ("catalog.item.created", "catalog.item.updated", "catalog.item.deleted")
RECORD_EVENTS = ("catalog.record.created", "catalog.record.updated", "catalog.record.deleted")


async def apply_catalog_item_event(session: AsyncSession, event: Event) -> None:
    if event.type == "catalog.item.deleted":
        await item_service.delete_item(
            session, data=ItemDeleted.model_validate(event.payload), occurred_at=event.occurred_at
        )
        return
    await item_service.apply_item(
        session, snapshot=ItemSnapshot.model_validate(event.payload), occurred_at=event.occurred_at
    )


async def apply_catalog_record_event(session: AsyncSession, event: Event) -> None:
    await item_service.apply_record(
        session,
        snapshot=RecordSnapshot.model_validate(event.payload),
        occurred_at=event.occurred_at,
        deleted=event.type == "catalog.record.deleted",
    )
