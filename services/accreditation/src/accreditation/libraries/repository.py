"""Every query on libraries, their staff, accreditation history and refresh reminders."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from accreditation.models import AccreditationRecord, Library, LibraryStaff, RefreshReminder
from pusip_kit.pagination import PaginationParams


class LibraryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_code(self, code: str) -> Library | None:
        result = await self.session.execute(select(Library).where(Library.code == code))
        return result.scalar_one_or_none()

    async def get(self, library_id: uuid.UUID) -> Library | None:
        return await self.session.get(Library, library_id)

    async def get_by_npp(self, npp: str, *, exclude_id: uuid.UUID | None = None) -> Library | None:
        statement = select(Library).where(Library.npp == npp)
        if exclude_id is not None:
            statement = statement.where(Library.id != exclude_id)
        result = await self.session.execute(statement)
        return result.scalar_one_or_none()

    def _filtered(
        self,
        *,
        type: str | None = None,
        city: str | None = None,
        segment: str | None = None,
        active: bool | None = None,
        has_npp: bool | None = None,
        query: str | None = None,
    ) -> Select[Library]:
        statement = select(Library)
        if type is not None:
            statement = statement.where(Library.type == type)
        if city is not None:
            statement = statement.where(Library.city == city)
        if segment is not None:
            statement = statement.where(Library.segment == segment)
        if active is not None:
            statement = statement.where(Library.active.is_(active))
        if has_npp is not None:
            statement = statement.where(Library.npp.is_not(None) if has_npp else Library.npp.is_(None))
        if query:
            pattern = f"%{query.lower()}%"
            statement = statement.where(
                or_(
                    func.lower(Library.name).like(pattern),
                    func.lower(Library.code).like(pattern),
                    func.lower(func.coalesce(Library.owner_agency, "")).like(pattern),
                    func.lower(func.coalesce(Library.district, "")).like(pattern),
                    func.lower(func.coalesce(Library.village, "")).like(pattern),
                    Library.npp == query.upper(),
                )
            )
        return statement

    async def list(
        self,
        *,
        pagination: PaginationParams,
        type: str | None = None,
        city: str | None = None,
        segment: str | None = None,
        active: bool | None = None,
        has_npp: bool | None = None,
        query: str | None = None,
    ) -> tuple[Sequence[Library], int]:
        statement = self._filtered(
            type=type, city=city, segment=segment, active=active, has_npp=has_npp, query=query
        )
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await self.session.execute(
            statement.order_by(Library.name, Library.code).offset(pagination.offset).limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def all(
        self,
        *,
        type: str | None = None,
        city: str | None = None,
        segment: str | None = None,
        active: bool | None = None,
    ) -> Sequence[Library]:
        statement = self._filtered(type=type, city=city, segment=segment, active=active)
        result = await self.session.execute(statement.order_by(Library.city, Library.name, Library.code))
        return result.scalars().all()

    async def add(self, library: Library) -> None:
        self.session.add(library)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    # -- staff --------------------------------------------------------------------------------------

    async def staff_of(self, library_id: uuid.UUID) -> Sequence[LibraryStaff]:
        result = await self.session.execute(
            select(LibraryStaff)
            .where(LibraryStaff.library_id == library_id)
            .order_by(LibraryStaff.active.desc(), LibraryStaff.role, LibraryStaff.name)
        )
        return result.scalars().all()

    async def get_staff(self, library_id: uuid.UUID, staff_id: uuid.UUID) -> LibraryStaff | None:
        result = await self.session.execute(
            select(LibraryStaff).where(LibraryStaff.id == staff_id, LibraryStaff.library_id == library_id)
        )
        return result.scalar_one_or_none()

    async def add_staff(self, staff: LibraryStaff) -> None:
        self.session.add(staff)
        await self.session.flush()

    async def delete_staff(self, staff: LibraryStaff) -> None:
        await self.session.delete(staff)
        await self.session.flush()

    # -- accreditation history ---------------------------------------------------------------------

    async def accreditations_of(self, library_id: uuid.UUID) -> Sequence[AccreditationRecord]:
        result = await self.session.execute(
            select(AccreditationRecord)
            .where(AccreditationRecord.library_id == library_id)
            .order_by(AccreditationRecord.accredited_on.desc(), AccreditationRecord.created_at.desc())
        )
        return result.scalars().all()

    async def add_accreditation(self, record: AccreditationRecord) -> None:
        self.session.add(record)
        await self.session.flush()

    async def latest_accreditations(
        self, library_ids: Sequence[uuid.UUID] | None = None
    ) -> Sequence[tuple[Library, AccreditationRecord]]:
        """Each library's most recent accreditation (by date), for due dates and dashboards;
        ``library_ids`` narrows it to those libraries (one page of a directory)."""
        latest_q = select(
            AccreditationRecord.library_id,
            func.max(AccreditationRecord.accredited_on).label("on"),
        )
        if library_ids is not None:
            latest_q = latest_q.where(AccreditationRecord.library_id.in_(list(library_ids)))
        latest = latest_q.group_by(AccreditationRecord.library_id).subquery()
        result = await self.session.execute(
            select(Library, AccreditationRecord)
            .join(AccreditationRecord, AccreditationRecord.library_id == Library.id)
            .join(
                latest,
                (latest.c.library_id == AccreditationRecord.library_id)
                & (latest.c.on == AccreditationRecord.accredited_on),
            )
            .order_by(Library.code, AccreditationRecord.created_at.desc())
        )
        seen: set[uuid.UUID] = set()
        out: list[tuple[Library, AccreditationRecord]] = []
        for library, record in result.all():
            if library.id not in seen:
                seen.add(library.id)
                out.append((library, record))
        return out

    # -- yearly refresh ----------------------------------------------------------------------------

    async def not_confirmed_since(self, since: datetime) -> Sequence[Library]:
        result = await self.session.execute(
            select(Library)
            .where(
                Library.active.is_(True),
                or_(Library.data_confirmed_at.is_(None), Library.data_confirmed_at < since),
            )
            .order_by(Library.city, Library.name)
        )
        return result.scalars().all()

    async def reminded_in(self, year: int) -> set[uuid.UUID]:
        result = await self.session.execute(
            select(RefreshReminder.library_id).where(RefreshReminder.year == year)
        )
        return set(result.scalars().all())

    async def add_reminder(self, reminder: RefreshReminder) -> None:
        self.session.add(reminder)
        await self.session.flush()

    async def count_by(self, *columns: str, active_only: bool = True) -> builtins.list[tuple[Any, ...]]:
        cols = [getattr(Library, c) for c in columns]
        statement = select(*cols, func.count()).group_by(*cols)
        if active_only:
            statement = statement.where(Library.active.is_(True))
        result = await self.session.execute(statement)
        return [tuple(row) for row in result.all()]

    async def valid_on(self, day: date) -> Sequence[tuple[Library, AccreditationRecord]]:
        return [
            (library, record)
            for library, record in await self.latest_accreditations()
            if record.valid_until is None or record.valid_until >= day
        ]
