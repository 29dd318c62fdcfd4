"""Rules for items: who holds what where, statuses staff may set, events for circulation."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.domain_events import (
    ITEM_CREATED,
    ITEM_DELETED,
    ITEM_UPDATED,
    emit_events,
    enqueue_index,
    item_payload,
)
from catalog.items.repository import ItemRepository
from catalog.items.schemas import (
    BulkAction,
    BulkItemRequest,
    BulkItemResponse,
    BulkItemResult,
    ItemCreate,
    ItemUpdate,
)
from catalog.models import CIRCULATION_STATUSES, Item, ItemStatus
from catalog.records.repository import RecordRepository
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.db.base import utcnow
from pusip_kit.errors import Conflict, NotFound, Reason, Unprocessable
from pusip_kit.pagination import PaginationParams


def _cents(price: Decimal | None) -> Decimal | None:
    return None if price is None else price.quantize(Decimal("0.01"))


def item_not_found(barcode: str) -> NotFound:
    return NotFound(
        f"Eksemplar dengan barkode '{barcode}' tidak ditemukan",
        f"No item with barcode '{barcode}'",
        code="item_not_found",
        details={"barcode": barcode},
    )


def branch_unknown(code: str) -> Unprocessable:
    return Unprocessable(
        f"Cabang '{code}' tidak dikenal",
        f"Unknown branch '{code}'",
        code="branch_unknown",
        details={"branch": code},
    )


def _status_reason(status: ItemStatus) -> Reason:
    return Reason(
        "status_owned_by_circulation",
        f"Status '{status.value}' hanya diatur oleh layanan sirkulasi",
        f"Status '{status.value}' is set by circulation only",
    )


def _in_circulation_reason(item: Item) -> Reason:
    return Reason(
        "item_in_circulation",
        f"Eksemplar '{item.barcode}' sedang dalam sirkulasi ({item.status})",
        f"Item '{item.barcode}' is in circulation ({item.status})",
    )


class ItemService:
    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, barcode: str) -> Item:
        item = await ItemRepository(session).get_by_barcode(barcode)
        if item is None:
            raise item_not_found(barcode)
        return item

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        record_id: uuid.UUID | None = None,
        branch: str | None = None,
        status: str | None = None,
        location: str | None = None,
    ) -> tuple[Sequence[Item], int]:
        return await ItemRepository(session).list(
            pagination=pagination, record_id=record_id, branch=branch, status=status, location=location
        )

    async def create(self, session: AsyncSession, auth_subject: AuthSubject, *, data: ItemCreate) -> Item:
        repository = ItemRepository(session)
        record = await RecordRepository(session).get(data.record_id)
        if record is None or record.deleted:
            raise Unprocessable(
                f"Rekaman '{data.record_id}' tidak ada",
                f"Record '{data.record_id}' does not exist",
                code="record_unknown",
                details={"record_id": str(data.record_id)},
            )
        if not await repository.branch_exists(data.branch):
            raise branch_unknown(data.branch)
        if data.status in CIRCULATION_STATUSES:
            reason = _status_reason(data.status)
            raise Unprocessable(reason.message, reason.message_en, code=reason.code)
        if await repository.get_by_barcode(data.barcode) is not None:
            raise self._barcode_taken(data.barcode)
        item = Item(
            barcode=data.barcode,
            record_id=record.id,
            branch_code=data.branch,
            location=data.location,
            call_number=data.call_number or record.call_number,
            material_type=data.material_type or record.material_type,
            acquisition_source=data.acquisition_source.value,
            price=_cents(data.price),
            status=data.status.value,
            status_changed_at=utcnow(),
            notes=data.notes,
        )
        try:
            await repository.add(item)
        except IntegrityError as exc:
            raise self._barcode_taken(data.barcode) from exc
        await repository.touch_records([record.id])
        await emit_events(session, [(ITEM_CREATED, item_payload(item, record.title), item.barcode)])
        await enqueue_index(session, [record.id])
        return item

    async def update(
        self, session: AsyncSession, auth_subject: AuthSubject, *, barcode: str, data: ItemUpdate
    ) -> Item:
        repository = ItemRepository(session)
        item = await self.get(session, auth_subject, barcode=barcode)
        changes: dict[str, Any] = {}
        for name in sorted(data.model_fields_set):
            value = getattr(data, name)
            column = "branch_code" if name == "branch" else name
            if name == "branch" and value != item.branch_code and not await repository.branch_exists(value):
                raise branch_unknown(value)
            if name == "status" and value is not None and value.value != item.status:
                reasons = self._status_change_refusals(item, value)
                if reasons:
                    raise Conflict(reasons[0].message, reasons[0].message_en, code=reasons[0].code)
                item.status_changed_at = utcnow()
            if hasattr(value, "value"):
                value = value.value
            if name == "price":
                value = _cents(value)
            if getattr(item, column) != value:
                setattr(item, column, value)
                changes[name] = value
        if not changes:
            return item
        await repository.flush()
        await self._after_change(session, [item], changed=sorted(changes))
        return item

    async def delete(self, session: AsyncSession, auth_subject: AuthSubject, *, barcode: str) -> None:
        repository = ItemRepository(session)
        item = await self.get(session, auth_subject, barcode=barcode)
        if item.status in CIRCULATION_STATUSES:
            reason = _in_circulation_reason(item)
            raise Conflict(reason.message, reason.message_en, code=reason.code)
        titles = await repository.titles([item.record_id])
        payload = item_payload(item, titles.get(item.record_id))
        await repository.delete(item)
        await repository.touch_records([item.record_id])
        await emit_events(session, [(ITEM_DELETED, payload, item.barcode)])
        await enqueue_index(session, [item.record_id])

    async def bulk(
        self, session: AsyncSession, auth_subject: AuthSubject, *, request: BulkItemRequest
    ) -> BulkItemResponse:
        """Apply one operation to many barcodes; each barcode succeeds or fails on its own."""
        repository = ItemRepository(session)
        items = await repository.get_many_by_barcode(request.barcodes)
        if request.branch is not None and not await repository.branch_exists(request.branch):
            raise branch_unknown(request.branch)
        if request.action is BulkAction.SET_STATUS and request.status in CIRCULATION_STATUSES:
            assert request.status is not None
            reason = _status_reason(request.status)
            raise Unprocessable(reason.message, reason.message_en, code=reason.code)
        results: builtins.list[BulkItemResult] = []
        changed: builtins.list[Item] = []
        seen: set[str] = set()
        for barcode in request.barcodes:
            if barcode in seen:
                results.append(
                    self._fail(barcode, "duplicate_in_request", "Barkode diulang", "Barcode repeated")
                )
                continue
            seen.add(barcode)
            item = items.get(barcode)
            if item is None:
                error = item_not_found(barcode)
                results.append(self._fail(barcode, error.code, error.message, error.message_en))
                continue
            if request.action is BulkAction.MOVE:
                if item.status in CIRCULATION_STATUSES and request.branch not in (None, item.branch_code):
                    reason = _in_circulation_reason(item)
                    results.append(self._fail(barcode, reason.code, reason.message, reason.message_en))
                    continue
                before = (item.branch_code, item.location)
                if request.branch is not None:
                    item.branch_code = request.branch
                if request.location is not None:
                    item.location = request.location
                if (item.branch_code, item.location) != before:
                    changed.append(item)
            else:
                assert request.status is not None
                reasons = self._status_change_refusals(item, request.status)
                if reasons:
                    results.append(
                        self._fail(barcode, reasons[0].code, reasons[0].message, reasons[0].message_en)
                    )
                    continue
                if item.status != request.status.value:
                    item.status = request.status.value
                    item.status_changed_at = utcnow()
                    changed.append(item)
            results.append(BulkItemResult(barcode=barcode, ok=True))
        if changed:
            await repository.flush()
            fields = ["branch", "location"] if request.action is BulkAction.MOVE else ["status"]
            await self._after_change(session, changed, changed=fields)
        succeeded = sum(1 for r in results if r.ok)
        return BulkItemResponse(
            action=request.action,
            requested=len(request.barcodes),
            succeeded=succeeded,
            failed=len(results) - succeeded,
            results=results,
        )

    async def apply_circulation_status(self, session: AsyncSession, *, barcode: str, status: str) -> bool:
        """Mirror an item status circulation reports (unknown barcodes and statuses are ignored)."""
        if status not in {s.value for s in ItemStatus}:
            return False
        repository = ItemRepository(session)
        item = await repository.get_by_barcode(barcode)
        if item is None or item.status == status:
            return False
        item.status = status
        item.status_changed_at = utcnow()
        await repository.flush()
        await self._after_change(session, [item], changed=["status"], emit=False)
        return True

    async def _after_change(
        self, session: AsyncSession, items: Sequence[Item], *, changed: builtins.list[str], emit: bool = True
    ) -> None:
        repository = ItemRepository(session)
        record_ids = [i.record_id for i in items]
        await repository.touch_records(record_ids)
        if emit:
            titles = await repository.titles(record_ids)
            events = []
            for item in items:
                payload = item_payload(item, titles.get(item.record_id))
                payload["changed"] = changed
                events.append((ITEM_UPDATED, payload, item.barcode))
            await emit_events(session, events)
        await enqueue_index(session, record_ids)

    @staticmethod
    def _status_change_refusals(item: Item, status: ItemStatus) -> builtins.list[Reason]:
        reasons = []
        if status in CIRCULATION_STATUSES:
            reasons.append(_status_reason(status))
        if item.status in CIRCULATION_STATUSES and status.value != item.status:
            reasons.append(_in_circulation_reason(item))
        return reasons

    @staticmethod
    def _fail(barcode: str, code: str, message: str, message_en: str) -> BulkItemResult:
        return BulkItemResult(barcode=barcode, ok=False, code=code, message=message, message_en=message_en)

    @staticmethod
    def _barcode_taken(barcode: str) -> Conflict:
        return Conflict(
            f"Barkode '{barcode}' sudah dipakai",
            f"Barcode '{barcode}' is already taken",
            code="barcode_taken",
            details={"barcode": barcode},
        )


item_service = ItemService()
