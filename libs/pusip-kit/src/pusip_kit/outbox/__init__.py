"""The transactional outbox: domain events and after-commit tasks, relayed durably.

``emit_event`` and ``enqueue_task`` write a row in the caller's transaction and register an
after-commit kick of the producing service's relay; the relay (a Celery task of that service,
also run every few seconds by beat) publishes the rows to the broker. See DESIGN.md,
"After-commit work is durable".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pusip_kit.outbox.relay import (
    OutgoingMessage,
    Publisher,
    RelayConfig,
    RelayStats,
    backoff_delay,
    claim_batch,
    messages_for,
    purge_outbox,
    relay_outbox,
    retry_outbox_row,
)
from pusip_kit.outbox.tables import (
    DEAD,
    KIT_METADATA,
    PENDING,
    SENT,
    dead_letters,
    outbox,
    processed_events,
)
from pusip_kit.outbox.writer import (
    OutboxError,
    emit_event,
    enqueue_task,
    kick_relay,
    register_relay_kicker,
    relay_kicker,
    to_json_value,
    wait_for_kicks,
)

if TYPE_CHECKING:
    from fastapi import APIRouter


def make_outbox_admin_router(**kwargs: Any) -> APIRouter:
    """Admin-only ``/admin/outbox`` and ``/admin/dead-letters`` endpoints (see :mod:`.admin`)."""
    from pusip_kit.outbox.admin import make_outbox_admin_router as make

    return make(**kwargs)


__all__ = [
    "DEAD",
    "KIT_METADATA",
    "PENDING",
    "SENT",
    "OutboxError",
    "OutgoingMessage",
    "Publisher",
    "RelayConfig",
    "RelayStats",
    "backoff_delay",
    "claim_batch",
    "dead_letters",
    "emit_event",
    "enqueue_task",
    "kick_relay",
    "make_outbox_admin_router",
    "messages_for",
    "outbox",
    "processed_events",
    "purge_outbox",
    "register_relay_kicker",
    "relay_kicker",
    "relay_outbox",
    "retry_outbox_row",
    "to_json_value",
    "wait_for_kicks",
]
