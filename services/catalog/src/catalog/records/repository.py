"""Every query on records and their match keys."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import BibRecord, Branch, EResource, Item, RecordIdentifier
from pusip_kit.pagination import PaginationParams


class RecordRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, record_id: uuid.UUID) -> BibRecord | None:
        return await self.session.get(BibRecord, record_id)

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[BibRecord]:
        if not ids:
            return []
        rows = await self.session.execute(select(BibRecord).where(BibRecord.id.in_(list(ids))))
        by_id = {r.id: r for r in rows.scalars()}
        return [by_id[i] for i in ids if i in by_id]

    async def list(
        self,
        *,
        pagination: PaginationParams,
        source: str | None = None,
        material_type: str | None = None,
        updated_since: datetime | None = None,
        include_deleted: bool = False,
    ) -> tuple[Sequence[BibRecord], int]:
        statement = select(BibRecord)
        if not include_deleted:
            statement = statement.where(BibRecord.deleted.is_(False))
        if source is not None:
            statement = statement.where(BibRecord.source == source)
        if material_type is not None:
            statement = statement.where(BibRecord.material_type == material_type)
        if updated_since is not None:
            statement = statement.where(BibRecord.datestamp >= updated_since)
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(BibRecord.title_sort, BibRecord.id)
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def add(self, record: BibRecord, keys: Sequence[tuple[str, str]]) -> None:
        self.session.add(record)
        await self.session.flush()
        await self.replace_keys(record.id, keys)

    async def replace_keys(self, record_id: uuid.UUID, keys: Sequence[tuple[str, str]]) -> None:
        await self.session.execute(delete(RecordIdentifier).where(RecordIdentifier.record_id == record_id))
        if keys:
            await self.session.execute(
                insert(RecordIdentifier), [{"record_id": record_id, "kind": k, "value": v} for k, v in keys]
            )

    async def matches(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], uuid.UUID]:
        """Which of these match keys belong to a live record already."""
        if not keys:
            return {}
        by_kind: dict[str, list[str]] = {}
        for kind, value in dict.fromkeys(keys):
            by_kind.setdefault(kind, []).append(value)
        out: dict[tuple[str, str], uuid.UUID] = {}
        # ``kind = ? AND value IN (...)`` seeks the (kind, value) index; SQLite answers a row-value
        # ``(kind, value) IN (...)`` with a scan of the whole table, which made imports quadratic
        for kind, values in by_kind.items():
            for start in range(0, len(values), 500):
                rows = await self.session.execute(
                    select(RecordIdentifier.value, RecordIdentifier.record_id).where(
                        RecordIdentifier.kind == kind,
                        RecordIdentifier.value.in_(values[start : start + 500]),
                    )
                )
                for value, record_id in rows:
                    out.setdefault((kind, value), record_id)
        return out

    async def first_match(self, keys: Sequence[tuple[str, str]]) -> uuid.UUID | None:
        found = await self.matches(keys)
        for key in keys:
            if key in found:
                return found[key]
        return None

    async def count_items(self, record_id: uuid.UUID) -> int:
        return int(await self.session.scalar(select(func.count()).where(Item.record_id == record_id)) or 0)

    async def count_eresources(self, record_id: uuid.UUID) -> int:
        return int(
            await self.session.scalar(select(func.count()).where(EResource.record_id == record_id)) or 0
        )

    async def branch_names(self) -> dict[str, str]:
        rows = await self.session.execute(select(Branch.code, Branch.name))
        return {key: value for key, value in rows}

    async def flush(self) -> None:
        await self.session.flush()
