"""Reading lists ("read, create and share"): a signed-in user's named lists of records.

A public list is readable by anyone who has its address (``/reading-lists/{id}``) and is shown on
the pages of the records in it; a private one only by its owner (staff included: lists are
personal). Only the owner changes a list.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.checks import refuse_if, run_validators
from catalog.models import ReadingList, ReadingListEntry
from catalog.reading_lists.repository import ReadingListRepository
from catalog.reading_lists.schemas import (
    EntryRead,
    ReadingListCreate,
    ReadingListRead,
    ReadingListSummary,
    ReadingListUpdate,
)
from catalog.records.service import record_service
from catalog.reviews.service import ReviewContext, author_name, refuse_when_not_a_person
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.db.base import utcnow
from pusip_kit.errors import NotFound, Reason
from pusip_kit.pagination import PaginationParams

MAX_LISTS = 50
MAX_ENTRIES = 500
ACTION_CREATE = "reading_list.create"
ACTION_ADD = "reading_list.add"


def reading_list_not_found(list_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Daftar bacaan '{list_id}' tidak ditemukan",
        f"Reading list '{list_id}' not found",
        code="reading_list_not_found",
        details={"id": str(list_id)},
    )


@dataclass
class ListContext:
    auth_subject: AuthSubject
    lists_owned: int = 0
    entries: int = 0
    already_listed: bool = False


def refuse_when_too_many_lists(ctx: ListContext) -> Reason | None:
    if ctx.lists_owned >= MAX_LISTS:
        return Reason(
            "reading_list_limit",
            f"Paling banyak {MAX_LISTS} daftar bacaan per pengguna",
            f"At most {MAX_LISTS} reading lists per user",
            {"max": MAX_LISTS},
        )
    return None


def refuse_when_list_full(ctx: ListContext) -> Reason | None:
    if not ctx.already_listed and ctx.entries >= MAX_ENTRIES:
        return Reason(
            "reading_list_full",
            f"Daftar bacaan sudah berisi {MAX_ENTRIES} judul",
            f"The reading list already holds {MAX_ENTRIES} titles",
            {"max": MAX_ENTRIES},
        )
    return None


def _not_a_person(ctx: ListContext) -> Reason | None:
    return refuse_when_not_a_person(ReviewContext(auth_subject=ctx.auth_subject))


CREATE_VALIDATORS = (_not_a_person, refuse_when_too_many_lists)
ADD_VALIDATORS = (refuse_when_list_full,)


class ReadingListService:
    async def get(
        self, session: AsyncSession, auth_subject: AuthSubject, *, list_id: uuid.UUID
    ) -> ReadingList:
        reading_list = await ReadingListRepository(session).get(list_id)
        if reading_list is None or not (reading_list.public or self._owns(auth_subject, reading_list)):
            raise reading_list_not_found(list_id)
        return reading_list

    async def owned(
        self, session: AsyncSession, auth_subject: AuthSubject, *, list_id: uuid.UUID
    ) -> ReadingList:
        reading_list = await ReadingListRepository(session).get(list_id)
        if reading_list is None or not self._owns(auth_subject, reading_list):
            raise reading_list_not_found(list_id)
        return reading_list

    @staticmethod
    def _owns(auth_subject: AuthSubject, reading_list: ReadingList) -> bool:
        return auth_subject.subject != "anonymous" and reading_list.owner_subject == auth_subject.subject

    async def summaries(
        self, session: AsyncSession, auth_subject: AuthSubject, rows: Sequence[ReadingList]
    ) -> builtins.list[ReadingListSummary]:
        counts = await ReadingListRepository(session).entry_counts([r.id for r in rows])
        return [self._summary(auth_subject, r, counts.get(r.id, 0)) for r in rows]

    def _summary(self, auth_subject: AuthSubject, r: ReadingList, entries: int) -> ReadingListSummary:
        return ReadingListSummary(
            id=r.id,
            name=r.name,
            description=r.description,
            public=r.public,
            owner_name=r.owner_name,
            mine=self._owns(auth_subject, r),
            entries=entries,
            created_at=r.created_at,
            updated_at=r.updated_at,
            links={"self": f"/reading-lists/{r.id}", "entries": f"/reading-lists/{r.id}/entries"},
        )

    async def read(self, session: AsyncSession, auth_subject: AuthSubject, r: ReadingList) -> ReadingListRead:
        rows = await ReadingListRepository(session).entries(r.id)
        summary = self._summary(auth_subject, r, len(rows))
        return ReadingListRead(
            **summary.model_dump(),
            items=[
                EntryRead(
                    record_id=record.id,
                    title=record.title,
                    authors=list(record.authors or []),
                    year=record.year,
                    material_type=record.material_type,
                    note=entry.note,
                    position=entry.position,
                    added_at=entry.added_at,
                )
                for entry, record in rows
            ],
        )

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        mine: bool = False,
        record_id: uuid.UUID | None = None,
    ) -> tuple[Sequence[ReadingList], int]:
        if mine:
            return await ReadingListRepository(session).list(
                pagination=pagination, owner=auth_subject.subject, record_id=record_id
            )
        if record_id is not None:
            await record_service.get(session, auth_subject, record_id=record_id)
        return await ReadingListRepository(session).list(
            pagination=pagination, public=True, record_id=record_id
        )

    async def check_create(self, session: AsyncSession, auth_subject: AuthSubject) -> builtins.list[Reason]:
        owned = await ReadingListRepository(session).count_owned(auth_subject.subject)
        return run_validators(CREATE_VALIDATORS, ListContext(auth_subject=auth_subject, lists_owned=owned))

    async def create(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: ReadingListCreate
    ) -> ReadingList:
        refuse_if(await self.check_create(session, auth_subject))
        reading_list = ReadingList(
            owner_subject=auth_subject.subject,
            owner_name=author_name(auth_subject),
            name=data.name,
            description=data.description,
            public=data.public,
        )
        await ReadingListRepository(session).add(reading_list)
        return reading_list

    async def update(
        self, session: AsyncSession, auth_subject: AuthSubject, *, list_id: uuid.UUID, data: ReadingListUpdate
    ) -> ReadingList:
        reading_list = await self.owned(session, auth_subject, list_id=list_id)
        for name in data.model_fields_set:
            setattr(reading_list, name, getattr(data, name))
        reading_list.updated_at = utcnow()
        await ReadingListRepository(session).flush()
        return reading_list

    async def delete(self, session: AsyncSession, auth_subject: AuthSubject, *, list_id: uuid.UUID) -> None:
        reading_list = await self.owned(session, auth_subject, list_id=list_id)
        await ReadingListRepository(session).delete(reading_list)

    async def check_add(
        self, session: AsyncSession, auth_subject: AuthSubject, *, list_id: uuid.UUID, record_id: uuid.UUID
    ) -> tuple[ReadingList, builtins.list[Reason]]:
        repository = ReadingListRepository(session)
        reading_list = await self.owned(session, auth_subject, list_id=list_id)
        await record_service.get(session, auth_subject, record_id=record_id)
        ctx = ListContext(
            auth_subject=auth_subject,
            entries=await repository.count_entries(list_id),
            already_listed=await repository.entry(list_id, record_id) is not None,
        )
        return reading_list, run_validators(ADD_VALIDATORS, ctx)

    async def add(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        list_id: uuid.UUID,
        record_id: uuid.UUID,
        note: str | None,
    ) -> tuple[ReadingList, bool]:
        """Put a record on the list (idempotent: again only updates the note)."""
        repository = ReadingListRepository(session)
        reading_list, reasons = await self.check_add(
            session, auth_subject, list_id=list_id, record_id=record_id
        )
        refuse_if(reasons)
        entry = await repository.entry(list_id, record_id)
        created = entry is None
        if entry is None:
            entry = ReadingListEntry(
                list_id=list_id,
                record_id=record_id,
                note=note,
                position=await repository.next_position(list_id),
            )
            await repository.add(entry)
        elif note is not None:
            entry.note = note
        reading_list.updated_at = utcnow()
        await repository.flush()
        return reading_list, created

    async def remove(
        self, session: AsyncSession, auth_subject: AuthSubject, *, list_id: uuid.UUID, record_id: uuid.UUID
    ) -> None:
        repository = ReadingListRepository(session)
        reading_list = await self.owned(session, auth_subject, list_id=list_id)
        entry = await repository.entry(list_id, record_id)
        if entry is None:
            raise NotFound(
                "Judul ini tidak ada di daftar bacaan",
                "The title is not on the reading list",
                code="entry_not_found",
            )
        await repository.delete(entry)
        reading_list.updated_at = utcnow()
        await repository.flush()


reading_list_service = ReadingListService()
