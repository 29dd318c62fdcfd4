"""Every query on special collections, their records and digitised documents."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import (
    BibRecord,
    Branch,
    CollectionRecord,
    DigitisedDocument,
    EResource,
    SpecialCollection,
)
from pusip_kit.pagination import PaginationParams


class SpecialCollectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_code(self, code: str) -> SpecialCollection | None:
        rows = await self.session.execute(select(SpecialCollection).where(SpecialCollection.code == code))
        return rows.scalar_one_or_none()

    async def get_many(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, SpecialCollection]:
        if not ids:
            return {}
        rows = await self.session.execute(select(SpecialCollection).where(SpecialCollection.id.in_(set(ids))))
        return {c.id: c for c in rows.scalars()}

    async def list(
        self, *, pagination: PaginationParams, public_only: bool
    ) -> tuple[Sequence[SpecialCollection], int]:
        statement = select(SpecialCollection)
        if public_only:
            statement = statement.where(SpecialCollection.public.is_(True))
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await self.session.execute(
            statement.order_by(SpecialCollection.name).offset(pagination.offset).limit(pagination.limit)
        )
        return rows.scalars().all(), int(total or 0)

    async def branch(self, code: str) -> Branch | None:
        return (await self.session.execute(select(Branch).where(Branch.code == code))).scalar_one_or_none()

    async def add(self, row: Any) -> None:
        self.session.add(row)
        await self.session.flush()

    async def delete(self, row: Any) -> None:
        await self.session.delete(row)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    # -- counts -----------------------------------------------------------------------------------

    async def record_count(self, collection_id: uuid.UUID) -> int:
        statement = (
            select(func.count())
            .select_from(CollectionRecord)
            .join(BibRecord, BibRecord.id == CollectionRecord.record_id)
            .where(CollectionRecord.collection_id == collection_id, BibRecord.deleted.is_(False))
        )
        return int(await self.session.scalar(statement) or 0)

    async def conservation_counts(self, collection_id: uuid.UUID) -> dict[str, int]:
        rows = await self.session.execute(
            select(DigitisedDocument.conservation_status, func.count())
            .where(DigitisedDocument.collection_id == collection_id)
            .group_by(DigitisedDocument.conservation_status)
        )
        return {status: int(n) for status, n in rows}

    # -- records ----------------------------------------------------------------------------------

    async def membership(self, collection_id: uuid.UUID, record_id: uuid.UUID) -> CollectionRecord | None:
        return await self.session.get(CollectionRecord, (collection_id, record_id))

    async def records(
        self, collection_id: uuid.UUID, *, pagination: PaginationParams
    ) -> tuple[builtins.list[tuple[CollectionRecord, BibRecord, int]], int]:
        documents = (
            select(EResource.record_id, func.count().label("n"))
            .join(DigitisedDocument, DigitisedDocument.eresource_id == EResource.id)
            .where(DigitisedDocument.collection_id == collection_id)
            .group_by(EResource.record_id)
            .subquery()
        )
        base = (
            select(CollectionRecord, BibRecord, func.coalesce(documents.c.n, 0))
            .join(BibRecord, BibRecord.id == CollectionRecord.record_id)
            .outerjoin(documents, documents.c.record_id == BibRecord.id)
            .where(CollectionRecord.collection_id == collection_id, BibRecord.deleted.is_(False))
        )
        total = await self.record_count(collection_id)
        rows = await self.session.execute(
            base.order_by(BibRecord.title_sort, BibRecord.id)
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return [(m, r, int(n)) for m, r, n in rows], total

    async def collections_of_record(
        self, record_id: uuid.UUID, *, public_only: bool
    ) -> Sequence[SpecialCollection]:
        statement = (
            select(SpecialCollection)
            .join(CollectionRecord, CollectionRecord.collection_id == SpecialCollection.id)
            .where(CollectionRecord.record_id == record_id)
            .order_by(SpecialCollection.name)
        )
        if public_only:
            statement = statement.where(SpecialCollection.public.is_(True))
        return (await self.session.execute(statement)).scalars().all()

    # -- documents --------------------------------------------------------------------------------

    async def document(self, eresource_id: uuid.UUID) -> DigitisedDocument | None:
        return await self.session.get(DigitisedDocument, eresource_id)

    async def documents(
        self,
        *,
        pagination: PaginationParams,
        collection_id: uuid.UUID | None = None,
        record_id: uuid.UUID | None = None,
        conservation_status: str | None = None,
    ) -> tuple[builtins.list[tuple[DigitisedDocument, EResource, str]], int]:
        statement = (
            select(DigitisedDocument, EResource, BibRecord.title)
            .join(EResource, EResource.id == DigitisedDocument.eresource_id)
            .join(BibRecord, BibRecord.id == EResource.record_id)
            .where(BibRecord.deleted.is_(False))
        )
        if collection_id is not None:
            statement = statement.where(DigitisedDocument.collection_id == collection_id)
        if record_id is not None:
            statement = statement.where(EResource.record_id == record_id)
        if conservation_status is not None:
            statement = statement.where(DigitisedDocument.conservation_status == conservation_status)
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await self.session.execute(
            statement.order_by(BibRecord.title_sort, EResource.filename)
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return [(d, e, t) for d, e, t in rows], int(total or 0)
