"""OAI-PMH over the records table.

Sets: ``branch:<code>`` — records with at least one copy at that branch (a record's datestamp
moves whenever its copies change, so selective harvesters see membership changes);
``regional-bibliography`` — the regional bibliography of DKI Jakarta: records received through
legal deposit, or published in Jakarta (see :func:`catalog.records.marcdata.is_regional`).
Deleted records stay as tombstones (``deletedRecord = persistent``), listed with their last
datestamp; a deleted record keeps its regional-bibliography membership but has no copies, so it
is in no branch set.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog.marc.export import to_marcxml, to_oai_dc
from catalog.models import BibRecord, Branch, Item
from catalog.records.marcdata import record_from_text
from pusip_kit.oai import OaiHeader, OaiRecord, OaiSet

REGIONAL_SET = "regional-bibliography"
BRANCH_PREFIX = "branch:"
FORMATS = ("oai_dc", "marc21")
EARLIEST = datetime(2020, 1, 1, tzinfo=UTC)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


class CatalogRecordSource:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    @staticmethod
    def _set_condition(set_spec: str | None) -> ColumnElement[bool] | None:
        if set_spec is None:
            return None
        if set_spec == REGIONAL_SET:
            return BibRecord.regional.is_(True)
        if set_spec.startswith(BRANCH_PREFIX):
            code = set_spec[len(BRANCH_PREFIX) :]
            return exists().where(Item.record_id == BibRecord.id, Item.branch_code == code)
        return BibRecord.id.is_(None)  # an unknown set holds nothing

    async def headers(
        self,
        *,
        start: datetime | None,
        until: datetime | None,
        set_spec: str | None,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> tuple[list[OaiHeader], int]:
        conditions = []
        if start is not None:
            conditions.append(BibRecord.datestamp >= start)
        if until is not None:  # datestamps are shown to the second: include the whole second
            conditions.append(BibRecord.datestamp < until + timedelta(seconds=1))
        in_set = self._set_condition(set_spec)
        if in_set is not None:
            conditions.append(in_set)
        async with self.sessionmaker() as session:
            total = int(
                await session.scalar(select(func.count()).select_from(BibRecord).where(*conditions)) or 0
            )
            page = select(BibRecord.id, BibRecord.datestamp, BibRecord.deleted, BibRecord.regional).where(
                *conditions
            )
            if after is not None:
                stamp, last = after
                last_id = _uuid(last) or uuid.UUID(int=0)
                page = page.where(
                    or_(
                        BibRecord.datestamp > stamp,
                        and_(BibRecord.datestamp == stamp, BibRecord.id > last_id),
                    )
                )
            rows = (
                await session.execute(page.order_by(BibRecord.datestamp, BibRecord.id).limit(limit))
            ).all()
            branches = await self._branches(session, [r.id for r in rows])
        headers = [
            OaiHeader(
                str(r.id),
                r.datestamp,
                tuple(f"{BRANCH_PREFIX}{b}" for b in branches.get(r.id, []))
                + ((REGIONAL_SET,) if r.regional else ()),
                deleted=r.deleted,
            )
            for r in rows
        ]
        return headers, total

    @staticmethod
    async def _branches(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        if not ids:
            return {}
        rows = await session.execute(
            select(Item.record_id, Item.branch_code).where(Item.record_id.in_(list(ids))).distinct()
        )
        out: dict[uuid.UUID, list[str]] = {}
        for record_id, code in rows:
            out.setdefault(record_id, []).append(code)
        return {k: sorted(v) for k, v in out.items()}

    @staticmethod
    def _metadata(marc: str, prefix: str) -> str:
        record = record_from_text(marc)
        return to_oai_dc(record) if prefix == "oai_dc" else to_marcxml(record)

    async def records(self, headers: Sequence[OaiHeader], prefix: str) -> list[OaiRecord]:
        ids = [u for h in headers if not h.deleted and (u := _uuid(h.local_id)) is not None]
        async with self.sessionmaker() as session:
            rows: dict[uuid.UUID, str] = {}
            if ids:
                result = await session.execute(
                    select(BibRecord.id, BibRecord.marc).where(BibRecord.id.in_(ids))
                )
                rows = {record_id: marc for record_id, marc in result}
        out = []
        for h in headers:
            if h.deleted:
                out.append(OaiRecord(h))
                continue
            marc = rows.get(uuid.UUID(h.local_id))
            out.append(OaiRecord(h, {prefix: self._metadata(marc, prefix)}) if marc else OaiRecord(h))
        return out

    async def record(self, local_id: str, prefix: str) -> OaiRecord | None:
        record_id = _uuid(local_id)
        if record_id is None:
            return None
        async with self.sessionmaker() as session:
            row = (
                await session.execute(
                    select(
                        BibRecord.id,
                        BibRecord.marc,
                        BibRecord.datestamp,
                        BibRecord.deleted,
                        BibRecord.regional,
                    ).where(BibRecord.id == record_id)
                )
            ).first()
            if row is None:
                return None
            branches = await self._branches(session, [record_id])
        header = OaiHeader(
            str(row.id),
            row.datestamp,
            tuple(f"{BRANCH_PREFIX}{b}" for b in branches.get(row.id, []))
            + ((REGIONAL_SET,) if row.regional else ()),
            deleted=row.deleted,
        )
        if row.deleted:
            return OaiRecord(header)
        return OaiRecord(header, {prefix: self._metadata(row.marc, prefix)})

    async def formats_for(self, local_id: str) -> Sequence[str] | None:
        record_id = _uuid(local_id)
        if record_id is None:
            return None
        async with self.sessionmaker() as session:
            found = await session.scalar(select(func.count()).where(BibRecord.id == record_id))
        return list(FORMATS) if found else None

    async def sets(self) -> Sequence[OaiSet]:
        async with self.sessionmaker() as session:
            rows = await session.execute(
                select(Branch.code, Branch.name)
                .where(exists().where(Item.branch_code == Branch.code))
                .order_by(Branch.code)
            )
            branches = [OaiSet(f"{BRANCH_PREFIX}{code}", name) for code, name in rows]
        return [
            OaiSet(REGIONAL_SET, "Bibliografi daerah DKI Jakarta / Regional bibliography of Jakarta"),
            *branches,
        ]

    async def earliest(self) -> datetime:
        async with self.sessionmaker() as session:
            value = await session.scalar(select(func.min(BibRecord.datestamp)))
        if value is None:
            return EARLIEST
        return value if value.tzinfo else value.replace(tzinfo=UTC)
