"""Every query of stock-taking."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import Select, exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import BibRecord, Branch, Item, ItemStatus, Stocktake, StocktakeEntry
from pusip_kit.pagination import PaginationParams

OFF_SHELF_STATUSES = frozenset(
    {ItemStatus.ON_LOAN.value, ItemStatus.IN_TRANSIT.value, ItemStatus.WITHDRAWN.value, ItemStatus.LOST.value}
)
"""Items with these statuses are not expected on the shelves (lent, on the road, written off)."""

ACTIVE_STATUSES = ("open", "scanning")


class StocktakeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- sessions ---------------------------------------------------------------------------------

    async def get(self, stocktake_id: uuid.UUID) -> Stocktake | None:
        return await self.session.get(Stocktake, stocktake_id)

    async def list(
        self,
        *,
        pagination: PaginationParams,
        branch: str | None = None,
        status: str | None = None,
        branches: Sequence[str] | None = None,
    ) -> tuple[Sequence[Stocktake], int]:
        statement = select(Stocktake)
        if branch is not None:
            statement = statement.where(Stocktake.branch_code == branch)
        if branches is not None:
            statement = statement.where(Stocktake.branch_code.in_(list(branches)))
        if status is not None:
            statement = statement.where(Stocktake.status == status)
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await self.session.execute(
            statement.order_by(Stocktake.created_at.desc(), Stocktake.number.desc())
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return rows.scalars().all(), int(total or 0)

    async def running(self, branch: str, location: str | None) -> Stocktake | None:
        """An open or scanning session counting the same shelves (same branch, same location)."""
        statement = select(Stocktake).where(
            Stocktake.branch_code == branch, Stocktake.status.in_(ACTIVE_STATUSES)
        )
        statement = statement.where(
            Stocktake.location.is_(None) if location is None else Stocktake.location == location
        )
        return (await self.session.execute(statement.limit(1))).scalar_one_or_none()

    async def numbers_with_prefix(self, prefix: str) -> int:
        return int(
            await self.session.scalar(
                select(func.count()).where(Stocktake.number.like(f"{prefix}%")).select_from(Stocktake)
            )
            or 0
        )

    async def branch(self, code: str) -> Branch | None:
        return (await self.session.execute(select(Branch).where(Branch.code == code))).scalar_one_or_none()

    async def branch_names(self, codes: Sequence[str]) -> dict[str, str]:
        if not codes:
            return {}
        rows = await self.session.execute(select(Branch.code, Branch.name).where(Branch.code.in_(set(codes))))
        return {code: name for code, name in rows}

    async def add(self, stocktake: Stocktake) -> None:
        self.session.add(stocktake)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    async def refresh(self, stocktake: Stocktake) -> None:
        await self.session.refresh(stocktake)

    # -- entries ----------------------------------------------------------------------------------

    async def entries_by_barcode(
        self, stocktake_id: uuid.UUID, barcodes: Sequence[str]
    ) -> dict[str, StocktakeEntry]:
        out: dict[str, StocktakeEntry] = {}
        wanted = list(dict.fromkeys(barcodes))
        for start in range(0, len(wanted), 500):
            rows = await self.session.execute(
                select(StocktakeEntry).where(
                    StocktakeEntry.stocktake_id == stocktake_id,
                    StocktakeEntry.barcode.in_(wanted[start : start + 500]),
                )
            )
            out.update({e.barcode: e for e in rows.scalars()})
        return out

    async def add_entry(self, entry: StocktakeEntry) -> None:
        self.session.add(entry)
        await self.session.flush()

    async def add_entries(self, entries: Sequence[StocktakeEntry]) -> None:
        self.session.add_all(list(entries))
        await self.session.flush()

    async def entries(
        self, stocktake_id: uuid.UUID, *, pagination: PaginationParams, result: str | None = None
    ) -> tuple[Sequence[StocktakeEntry], int]:
        statement = select(StocktakeEntry).where(StocktakeEntry.stocktake_id == stocktake_id)
        if result is not None:
            statement = statement.where(StocktakeEntry.result == result)
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await self.session.execute(
            statement.order_by(StocktakeEntry.id.desc()).offset(pagination.offset).limit(pagination.limit)
        )
        return rows.scalars().all(), int(total or 0)

    async def iter_entries(
        self, stocktake_id: uuid.UUID, results: Sequence[str]
    ) -> AsyncIterator[StocktakeEntry]:
        last = 0
        while True:
            rows = (
                (
                    await self.session.execute(
                        select(StocktakeEntry)
                        .where(
                            StocktakeEntry.stocktake_id == stocktake_id,
                            StocktakeEntry.result.in_(list(results)),
                            StocktakeEntry.id > last,
                        )
                        .order_by(StocktakeEntry.id)
                        .limit(1000)
                    )
                )
                .scalars()
                .all()
            )
            if not rows:
                return
            for row in rows:
                yield row
            last = rows[-1].id

    async def insert_missing(self, rows: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(rows), 500):
            await self.session.execute(insert(StocktakeEntry), list(rows[start : start + 500]))

    async def found_with_status(self, stocktake_id: uuid.UUID, statuses: Sequence[str]) -> builtins.list[str]:
        rows = await self.session.execute(
            select(StocktakeEntry.barcode).where(
                StocktakeEntry.stocktake_id == stocktake_id,
                StocktakeEntry.result == "found",
                StocktakeEntry.item_status.in_(list(statuses)),
            )
        )
        return list(rows.scalars())

    # -- the shelves ------------------------------------------------------------------------------

    @staticmethod
    def _shelf(branch: str, location: str | None) -> Select[Any]:
        statement = select(Item).where(
            Item.branch_code == branch, Item.status.not_in(sorted(OFF_SHELF_STATUSES))
        )
        if location is not None:
            statement = statement.where(Item.location == location)
        return statement

    async def expected_count(self, branch: str, location: str | None) -> int:
        statement = self._shelf(branch, location)
        return int(await self.session.scalar(select(func.count()).select_from(statement.subquery())) or 0)

    def _missing(self, stocktake: Stocktake) -> Select[Any]:
        scanned = exists().where(
            StocktakeEntry.stocktake_id == stocktake.id, StocktakeEntry.barcode == Item.barcode
        )
        return self._shelf(stocktake.branch_code, stocktake.location).where(~scanned)

    async def missing_count(self, stocktake: Stocktake) -> int:
        statement = self._missing(stocktake)
        return int(await self.session.scalar(select(func.count()).select_from(statement.subquery())) or 0)

    async def missing_items(
        self, stocktake: Stocktake, *, offset: int = 0, limit: int | None = None
    ) -> builtins.list[tuple[Item, str | None]]:
        """Items expected and not scanned (with their record's title), by call number and barcode."""
        subquery = self._missing(stocktake).subquery()
        statement = (
            select(Item, BibRecord.title)
            .join(subquery, subquery.c.id == Item.id)
            .join(BibRecord, BibRecord.id == Item.record_id)
            .order_by(Item.call_number, Item.barcode)
            .offset(offset)
        )
        if limit is not None:
            statement = statement.limit(limit)
        rows = await self.session.execute(statement)
        return [(item, title) for item, title in rows]

    async def titles(self, record_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not record_ids:
            return {}
        rows = await self.session.execute(
            select(BibRecord.id, BibRecord.title).where(BibRecord.id.in_(list(set(record_ids))))
        )
        return {key: value for key, value in rows}
