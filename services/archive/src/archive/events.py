"""The archive's domain events: written to the outbox and fanned out to webhook subscriptions.

Event payloads are *thin* (ids, unit, status, security level, classification code; never titles or
content): a subscriber fetches details through the API, where the access policy applies. So an
event never tells a subscriber more than a read would.

``archive.record.created|updated|security_changed|transferred|destroyed|handed_over|opened``
``archive.disposal.destroyed`` · ``archive.access_request.decided`` · ``archive.fixity.problem``
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from archive.models import Record
from pusip_kit.outbox import emit_event

RECORD_CREATED = "archive.record.created"
RECORD_UPDATED = "archive.record.updated"
RECORD_SECURITY_CHANGED = "archive.record.security_changed"
RECORD_TRANSFERRED = "archive.record.transferred"
RECORD_DESTROYED = "archive.record.destroyed"
RECORD_HANDED_OVER = "archive.record.handed_over"
RECORD_OPENED = "archive.record.opened"
DISPOSAL_DESTROYED = "archive.disposal.destroyed"
ACCESS_REQUEST_DECIDED = "archive.access_request.decided"
FIXITY_PROBLEM = "archive.fixity.problem"
EVENT_TYPES = (
    RECORD_CREATED,
    RECORD_UPDATED,
    RECORD_SECURITY_CHANGED,
    RECORD_TRANSFERRED,
    RECORD_DESTROYED,
    RECORD_HANDED_OVER,
    RECORD_OPENED,
    DISPOSAL_DESTROYED,
    ACCESS_REQUEST_DECIDED,
    FIXITY_PROBLEM,
)


def record_payload(record: Record, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(record.id),
        "unit": record.unit,
        "status": record.status,
        "security_level": record.security_level,
        "classification_code": record.classification_code,
        **extra,
    }


async def publish(
    session: AsyncSession, event_type: str, payload: dict[str, Any], *, key: str | None, unit: str | None
) -> None:
    """Emit ``event_type`` and queue a webhook delivery for every matching subscription."""
    from archive.integration.webhooks import webhook_service

    event_id = await emit_event(session, event_type, payload, key=key)
    await webhook_service.fan_out(
        session, event_id=event_id, event_type=event_type, payload=payload, unit=unit
    )


async def publish_record(session: AsyncSession, event_type: str, record: Record, **extra: Any) -> None:
    await publish(session, event_type, record_payload(record, **extra), key=str(record.id), unit=record.unit)
