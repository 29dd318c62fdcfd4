"""Where an item goes when it reaches a branch: to the next hold in line, home, or back on the shelf.

Used by check-in, receive-transit, hold expiry and cancellation alike:

* the oldest waiting hold the copy can fill (FIFO per title) traps it: on the hold shelf with a
  calendar-aware pickup deadline when this branch is the pickup branch, otherwise in transit there;
* with no hold, an item away from its home branch travels home (a transit with a slip);
* otherwise it is available here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from circulation import clock
from circulation.items.service import set_item_status
from circulation.models import Hold, Item, Patron, Transit
from circulation.models.item import ITEM_AVAILABLE, ITEM_IN_TRANSIT, ITEM_ON_HOLD_SHELF, ITEM_WITHDRAWN
from circulation.models.loan import HOLD_IN_TRANSIT, HOLD_READY, TRANSIT_CANCELLED, TRANSIT_OPEN
from circulation.notices.service import HOLD_READY_NOTICE, hold_ready_text, notify
from circulation.policies.service import policy_service
from circulation.transactions.repository import TransactionRepository

SHELVE = "shelve"
HOLD_SHELF = "hold_shelf"
TRANSIT = "transit"
WITHDRAWN = "withdrawn"


@dataclass
class Routing:
    action: str
    hold: Hold | None = None
    transit: Transit | None = None


async def make_ready(session: AsyncSession, hold: Hold, item: Item, *, branch: str, today: date) -> None:
    """Put the trapped item on the pickup branch's hold shelf, with a deadline, and tell the patron."""
    patron = await session.get(Patron, hold.patron_id) if hold.patron_id else None
    _, rules = await policy_service.active(session)
    rule = rules.resolve(
        patron_category=patron.category_code if patron else "",
        material_type=item.material_type,
        branch=branch,
    )
    calendar = await policy_service.calendar(session, branch)
    hold.status = HOLD_READY
    hold.ready_at = clock.now()
    hold.pickup_deadline = calendar.due_date(today, rule.hold_pickup_days)
    await set_item_status(session, item, ITEM_ON_HOLD_SHELF, branch=branch)
    if patron is not None:
        await notify(
            session,
            patron=patron,
            kind=HOLD_READY_NOTICE,
            reference=str(hold.id),
            text=hold_ready_text(hold, item.title),
        )


async def start_transit(
    session: AsyncSession,
    item: Item,
    *,
    from_branch: str,
    to_branch: str,
    reason: str,
    hold: Hold | None,
    by: str,
) -> Transit:
    transit = Transit(
        item_barcode=item.barcode,
        from_branch=from_branch,
        to_branch=to_branch,
        reason=reason,
        hold_id=hold.id if hold else None,
        status=TRANSIT_OPEN,
        created_at=clock.now(),
        created_by=by,
    )
    session.add(transit)
    await set_item_status(session, item, ITEM_IN_TRANSIT, branch=from_branch)
    await session.flush()
    return transit


async def route_item(session: AsyncSession, item: Item, *, branch: str, by: str, today: date) -> Routing:
    """Decide and record where ``item``, now at ``branch`` and free of loans, goes next."""
    repository = TransactionRepository(session)
    in_transit, trapped_for, waiting = await repository.routing_facts(item.barcode, item.record_id)
    open_transit = await repository.open_transit(item.barcode, lock=True) if in_transit else None
    if open_transit is not None:  # it arrived somewhere: that journey is over (a new one may start)
        open_transit.status = TRANSIT_CANCELLED if open_transit.to_branch != branch else "received"
        open_transit.received_at = clock.now()
        open_transit.received_by = by
        await session.flush()
    if item.status == ITEM_WITHDRAWN:
        item.current_branch = branch
        return Routing(WITHDRAWN)
    trapped = await repository.trapped_hold(item.barcode, lock=True) if trapped_for else None
    if trapped is not None:
        # Already serving a hold: ready here, or on its way to the pickup branch.
        if trapped.pickup_branch == branch:
            if trapped.status != HOLD_READY:
                await make_ready(session, trapped, item, branch=branch, today=today)
            return Routing(HOLD_SHELF, hold=trapped)
        trapped.status = HOLD_IN_TRANSIT
        transit = await start_transit(
            session,
            item,
            from_branch=branch,
            to_branch=trapped.pickup_branch,
            reason="hold",
            hold=trapped,
            by=by,
        )
        return Routing(TRANSIT, hold=trapped, transit=transit)
    hold = await repository.next_waiting_hold(item.record_id, item.barcode, lock=True) if waiting else None
    if hold is not None:
        hold.trapped_barcode = item.barcode
        hold.trapped_at = clock.now()
        if hold.pickup_branch == branch:
            await make_ready(session, hold, item, branch=branch, today=today)
            await session.flush()
            return Routing(HOLD_SHELF, hold=hold)
        hold.status = HOLD_IN_TRANSIT
        transit = await start_transit(
            session, item, from_branch=branch, to_branch=hold.pickup_branch, reason="hold", hold=hold, by=by
        )
        return Routing(TRANSIT, hold=hold, transit=transit)
    if branch != item.home_branch:
        transit = await start_transit(
            session, item, from_branch=branch, to_branch=item.home_branch, reason="home", hold=None, by=by
        )
        return Routing(TRANSIT, transit=transit)
    await set_item_status(session, item, ITEM_AVAILABLE, branch=branch)
    await session.flush()
    return Routing(SHELVE)
