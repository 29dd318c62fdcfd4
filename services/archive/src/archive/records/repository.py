"""Every query on records, their files, links, berkas, cases and holds."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from archive.models import Berkas, LegalCase, LegalHold, Record, RecordCase, RecordFile, RecordLink
from archive.models.records import STATUS_DESTROYED
from pusip_kit.pagination import PaginationParams


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass
class RecordFilters:
    query: str | None = None
    unit: str | None = None
    classification_code: str | None = None
    status: str | None = None
    security_level: str | None = None
    berkas_id: uuid.UUID | None = None
    due_action: str | None = None
    date_from: date | None = None
    date_to: date | None = None


class RecordRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, record_id: uuid.UUID) -> Record | None:
        return await self.session.get(Record, record_id)

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Record]:
        if not ids:
            return []
        result = await self.session.execute(select(Record).where(Record.id.in_(ids)))
        found = {r.id: r for r in result.scalars().all()}
        return [found[i] for i in ids if i in found]

    async def by_reference(self, unit: str, reference_number: str) -> Record | None:
        result = await self.session.execute(
            select(Record).where(Record.unit == unit, Record.reference_number == reference_number)
        )
        return result.scalar_one_or_none()

    async def list_records(
        self, *, policy: ColumnElement[bool], filters: RecordFilters, pagination: PaginationParams
    ) -> tuple[Sequence[Record], int]:
        statement = select(Record).where(policy)
        f = filters
        if f.status:
            statement = statement.where(Record.status == f.status)
        else:
            statement = statement.where(Record.status != STATUS_DESTROYED)
        if f.unit:
            statement = statement.where(
                or_(Record.unit == f.unit, Record.unit.like(_escape_like(f.unit) + "/%", escape="\\"))
            )
        if f.classification_code:
            statement = statement.where(
                or_(
                    Record.classification_code == f.classification_code,
                    Record.classification_code.like(_escape_like(f.classification_code) + ".%", escape="\\"),
                )
            )
        if f.security_level:
            statement = statement.where(Record.security_level == f.security_level)
        if f.berkas_id:
            statement = statement.where(Record.berkas_id == f.berkas_id)
        if f.due_action:
            statement = statement.where(Record.due_action == f.due_action)
        if f.date_from:
            statement = statement.where(Record.record_date >= f.date_from)
        if f.date_to:
            statement = statement.where(Record.record_date <= f.date_to)
        if f.query:
            pattern = f"%{_escape_like(f.query.lower())}%"
            statement = statement.where(
                or_(
                    func.lower(Record.title).like(pattern, escape="\\"),
                    func.lower(Record.reference_number).like(pattern, escape="\\"),
                )
            )
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(Record.record_date.desc(), Record.id)
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def add(self, item: Any) -> None:
        self.session.add(item)
        await self.session.flush()

    # files
    async def files(self, record_id: uuid.UUID) -> Sequence[RecordFile]:
        result = await self.session.execute(
            select(RecordFile).where(RecordFile.record_id == record_id).order_by(RecordFile.created_at)
        )
        return result.scalars().all()

    async def file(self, record_id: uuid.UUID, file_id: uuid.UUID) -> RecordFile | None:
        result = await self.session.execute(
            select(RecordFile).where(RecordFile.id == file_id, RecordFile.record_id == record_id)
        )
        return result.scalar_one_or_none()

    # links
    async def links(self, record_id: uuid.UUID) -> Sequence[RecordLink]:
        result = await self.session.execute(
            select(RecordLink)
            .where(or_(RecordLink.from_record_id == record_id, RecordLink.to_record_id == record_id))
            .order_by(RecordLink.created_at)
        )
        return result.scalars().all()

    async def link(self, link_id: uuid.UUID) -> RecordLink | None:
        return await self.session.get(RecordLink, link_id)

    async def delete_link(self, link: RecordLink) -> None:
        await self.session.delete(link)
        await self.session.flush()

    # berkas
    async def berkas(self, berkas_id: uuid.UUID) -> Berkas | None:
        return await self.session.get(Berkas, berkas_id)

    async def berkas_by_number(self, unit: str, number: str) -> Berkas | None:
        result = await self.session.execute(
            select(Berkas).where(Berkas.unit == unit, Berkas.number == number)
        )
        return result.scalar_one_or_none()

    async def list_berkas(
        self, *, unit: str | None, kind: str | None, parent_id: uuid.UUID | None, pagination: PaginationParams
    ) -> tuple[Sequence[Berkas], int]:
        statement = select(Berkas)
        if unit:
            statement = statement.where(
                or_(Berkas.unit == unit, Berkas.unit.like(_escape_like(unit) + "/%", escape="\\"))
            )
        if kind:
            statement = statement.where(Berkas.kind == kind)
        if parent_id:
            statement = statement.where(Berkas.parent_id == parent_id)
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(Berkas.unit, Berkas.number).offset(pagination.offset).limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def berkas_children(self, parent_id: uuid.UUID) -> Sequence[Berkas]:
        result = await self.session.execute(
            select(Berkas).where(Berkas.parent_id == parent_id).order_by(Berkas.number)
        )
        return result.scalars().all()

    async def records_in_berkas(
        self, berkas_ids: Sequence[uuid.UUID], policy: ColumnElement[bool]
    ) -> Sequence[Record]:
        if not berkas_ids:
            return []
        result = await self.session.execute(
            select(Record)
            .where(Record.berkas_id.in_(berkas_ids), policy, Record.status != STATUS_DESTROYED)
            .order_by(Record.record_date, Record.reference_number)
        )
        return result.scalars().all()

    # cases and holds
    async def case(self, case_number: str) -> LegalCase | None:
        result = await self.session.execute(select(LegalCase).where(LegalCase.case_number == case_number))
        return result.scalar_one_or_none()

    async def record_case(self, record_id: uuid.UUID, case_number: str) -> RecordCase | None:
        return await self.session.get(RecordCase, (record_id, case_number))

    async def unlink_case(self, record_id: uuid.UUID, case_number: str) -> None:
        await self.session.execute(
            delete(RecordCase).where(RecordCase.record_id == record_id, RecordCase.case_number == case_number)
        )

    async def case_numbers(self, record_id: uuid.UUID) -> list[str]:
        result = await self.session.execute(
            select(RecordCase.case_number)
            .where(RecordCase.record_id == record_id)
            .order_by(RecordCase.case_number)
        )
        return list(result.scalars().all())

    async def holds(self, record_id: uuid.UUID) -> Sequence[LegalHold]:
        result = await self.session.execute(
            select(LegalHold).where(LegalHold.record_id == record_id).order_by(LegalHold.created_at)
        )
        return result.scalars().all()

    async def hold(self, hold_id: uuid.UUID) -> LegalHold | None:
        return await self.session.get(LegalHold, hold_id)
