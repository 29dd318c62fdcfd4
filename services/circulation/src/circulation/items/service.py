"""The item replica: applied from catalog events (idempotent, ordered by the source's timestamp),
read locally on circulation's hot path, and reporting availability back to the catalog."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from circulation.items.repository import ItemRepository
from circulation.items.schemas import ItemDeleted, ItemSnapshot, RecordSnapshot
from circulation.models import Hold, Item, Record
from circulation.models.item import ITEM_AVAILABLE, ITEM_WITHDRAWN
from circulation.models.loan import HOLD_CANCELLED, HOLD_WAITING
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.db import utcnow
from pusip_kit.errors import NotFound
from pusip_kit.outbox import emit_event
from pusip_kit.pagination import PaginationParams

log = logging.getLogger(__name__)

EVENT_STATUS_CHANGED = "circulation.item.status_changed"


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def item_not_found(barcode: str) -> NotFound:
    return NotFound(
        f"Eksemplar dengan barcode '{barcode}' tidak dikenal",
        f"No item with barcode '{barcode}'",
        code="item_not_found",
        details={"barcode": barcode},
    )


async def set_item_status(
    session: AsyncSession, item: Item, status: str, *, branch: str | None = None, due_date: date | None = None
) -> None:
    """Change an item's circulation status (and where it is) and tell the catalog."""
    changed = item.status != status or (branch is not None and branch != item.current_branch)
    item.status = status
    if branch is not None:
        item.current_branch = branch
    item.status_changed_at = utcnow()
    if changed:
        await emit_event(
            session,
            EVENT_STATUS_CHANGED,
            {
                "barcode": item.barcode,
                "record_id": item.record_id,
                "branch": item.home_branch,
                "current_branch": item.current_branch,
                "status": status,
                "due_date": due_date.isoformat() if due_date else None,
            },
            key=item.barcode,
        )


class ItemService:
    # -- replica ---------------------------------------------------------------------------------

    async def apply_item(
        self, session: AsyncSession, *, snapshot: ItemSnapshot, occurred_at: datetime
    ) -> bool:
        """Upsert a copy from ``catalog.item.created/updated``; False when stale or unchanged."""
        repository = ItemRepository(session)
        source_time = _utc(snapshot.updated_at or occurred_at)
        item = await repository.get(snapshot.barcode, lock=True)
        title = snapshot.title or await self._record_title(repository, snapshot.record_id)
        await self._touch_record(repository, snapshot.record_id, snapshot.title, source_time)
        if item is None:
            await repository.add(
                Item(
                    barcode=snapshot.barcode,
                    record_id=snapshot.record_id,
                    home_branch=snapshot.branch,
                    current_branch=snapshot.branch,
                    location=snapshot.location,
                    material_type=snapshot.material_type,
                    title=title,
                    status=ITEM_AVAILABLE,
                    source_updated_at=source_time,
                )
            )
            return True
        if _utc(item.source_updated_at) > source_time:
            log.info("ignoring stale item snapshot", extra={"barcode": snapshot.barcode})
            return False
        values = {
            "record_id": snapshot.record_id,
            "home_branch": snapshot.branch,
            "location": snapshot.location,
            "material_type": snapshot.material_type,
            "title": title,
        }
        changed = {k: v for k, v in values.items() if getattr(item, k) != v}
        if item.status == ITEM_WITHDRAWN:  # re-created after a delete with a newer timestamp
            item.status = ITEM_AVAILABLE
            changed["status"] = ITEM_AVAILABLE
        if not changed:
            item.source_updated_at = source_time
            await repository.flush()
            return False
        if (
            item.status == ITEM_AVAILABLE
            and "home_branch" in changed
            and item.current_branch == item.home_branch
        ):
            item.current_branch = snapshot.branch  # a transfer between branches of an item on the shelf
        for key, value in changed.items():
            setattr(item, key, value)
        item.source_updated_at = source_time
        item.synced_at = utcnow()
        await repository.flush()
        return True

    async def delete_item(self, session: AsyncSession, *, data: ItemDeleted, occurred_at: datetime) -> bool:
        repository = ItemRepository(session)
        source_time = _utc(data.deleted_at or data.updated_at or occurred_at)
        item = await repository.get(data.barcode, lock=True)
        if item is None or _utc(item.source_updated_at) > source_time or item.status == ITEM_WITHDRAWN:
            return False
        item.source_updated_at = source_time
        # An item on loan stays on loan (the loan must still be returned); it is withdrawn at check-in.
        if (await repository.open_loan(item.barcode)) is None:
            await set_item_status(session, item, ITEM_WITHDRAWN)
        await repository.flush()
        return True

    async def apply_record(
        self, session: AsyncSession, *, snapshot: RecordSnapshot, occurred_at: datetime, deleted: bool
    ) -> bool:
        repository = ItemRepository(session)
        source_time = _utc(snapshot.deleted_at or snapshot.updated_at or occurred_at)
        record = await repository.record(snapshot.record_id)
        if record is not None and _utc(record.source_updated_at) > source_time:
            return False
        if record is None:
            record = Record(record_id=snapshot.record_id, title=snapshot.title, source_updated_at=source_time)
            session.add(record)
        record.deleted = deleted
        record.source_updated_at = source_time
        if snapshot.authors is not None:
            record.authors = [a for a in snapshot.authors if a][:5]
        if snapshot.year is not None:
            record.year = snapshot.year
        if snapshot.title and record.title != snapshot.title:
            record.title = snapshot.title
            await repository.retitle(snapshot.record_id, snapshot.title)
        if deleted:
            await session.execute(
                update(Hold)
                .where(Hold.record_id == snapshot.record_id, Hold.status == HOLD_WAITING)
                .values(
                    status=HOLD_CANCELLED,
                    closed_at=utcnow(),
                    close_reason="judul dihapus dari katalog / title deleted from the catalog",
                )
            )
        await repository.flush()
        return True

    @staticmethod
    async def _record_title(repository: ItemRepository, record_id: str) -> str:
        record = await repository.record(record_id)
        return record.title if record is not None else ""

    @staticmethod
    async def _touch_record(
        repository: ItemRepository, record_id: str, title: str, source_time: datetime
    ) -> None:
        record = await repository.record(record_id)
        if record is None:
            repository.session.add(Record(record_id=record_id, title=title, source_updated_at=source_time))
        elif title and not record.title:
            record.title = title

    # -- reads -----------------------------------------------------------------------------------

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, barcode: str) -> Item:
        item = await ItemRepository(session).get(barcode)
        if item is None:
            raise item_not_found(barcode)
        return item

    async def availability(self, session: AsyncSession, item: Item) -> tuple[date | None, int]:
        repository = ItemRepository(session)
        loan = await repository.open_loan(item.barcode)
        return (loan.due_on if loan else None), await repository.waiting_holds(item.record_id)

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        branch: str | None,
        status: str | None,
        record_id: str | None,
    ) -> tuple[Sequence[Item], int]:
        return await ItemRepository(session).list(
            pagination=pagination, branch=branch, status=status, record_id=record_id
        )


item_service = ItemService()
