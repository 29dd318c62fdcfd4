"""The catalogue's consumer of ``deposit.deposit.accepted`` (subscribed in ``pusip_kit.events``).

Registered on the catalogue's event handlers in :mod:`catalog.tasks` under the stable name
:data:`HANDLER_NAME`; the kit runs it in its own transaction together with the ``processed_events``
row of the event id, so a redelivered event is a no-op, and a failure is retried, then
dead-lettered (and can be redelivered once fixed, e.g. after the provincial branch is created).
"""

from __future__ import annotations

import functools
import logging

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.config import CatalogSettings
from catalog.deposits.payload import AcceptedDeposit
from catalog.deposits.service import EVENT_ACCEPTED, CatalogueResult, legal_deposit_service
from pusip_kit.events import Event, EventHandlers

log = logging.getLogger(__name__)

HANDLER_NAME = "catalog.deposits.catalogue_accepted_deposit"


@functools.cache
def _settings() -> CatalogSettings:
    return CatalogSettings()


async def catalogue_accepted_deposit(
    session: AsyncSession, event: Event, *, settings: CatalogSettings | None = None
) -> CatalogueResult | None:
    """Turn an accepted deposit into a record, items and e-resources (see ``catalog.deposits``)."""
    try:
        deposit = AcceptedDeposit.model_validate(event.payload)
    except ValidationError as exc:
        # A payload without a deposit id or title can never be catalogued: retrying will not help,
        # so it is logged and acknowledged rather than dead-lettered after hours of retries.
        log.error(
            "serah simpan: muatan peristiwa %s tidak dapat dibaca / unreadable payload: %s", event.id, exc
        )
        return None
    result = await legal_deposit_service.catalogue(session, settings or _settings(), deposit=deposit)
    log.info(
        "serah simpan %s → rekaman %s (baru=%s, sudah=%s, eksemplar=%d, sumber elektronik=%d)",
        deposit.receipt_number,
        result.record_id,
        result.created,
        result.already_catalogued,
        len(result.items),
        len(result.eresources),
    )
    return result


async def _handler(session: AsyncSession, event: Event) -> None:
    await catalogue_accepted_deposit(session, event)


def register(handlers: EventHandlers) -> None:
    """Add the consumer to a service's handlers (once)."""
    if handlers.get(HANDLER_NAME) is None:
        handlers.on(EVENT_ACCEPTED, name=HANDLER_NAME)(_handler)
