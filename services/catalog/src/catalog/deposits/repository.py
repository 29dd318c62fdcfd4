"""Queries of the legal-deposit consumer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import BibRecord, Branch, EResource, Item, RecordSource


class LegalDepositRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record_of_deposit(self, source_ref: str) -> BibRecord | None:
        """The record a deposit already became (deleted ones too: a cataloguer's deletion stands)."""
        return (
            await self.session.execute(
                select(BibRecord)
                .where(
                    BibRecord.source == RecordSource.LEGAL_DEPOSIT.value, BibRecord.source_ref == source_ref
                )
                .limit(1)
            )
        ).scalar_one_or_none()

    async def record_holding_file(self, sha256s: Sequence[str]) -> BibRecord | None:
        """A live record that already has an e-resource with one of these SHA-256 digests."""
        if not sha256s:
            return None
        return (
            await self.session.execute(
                select(BibRecord)
                .join(EResource, EResource.record_id == BibRecord.id)
                .where(EResource.sha256.in_(list(sha256s)), BibRecord.deleted.is_(False))
                .order_by(BibRecord.created_at)
                .limit(1)
            )
        ).scalar_one_or_none()

    async def file_digests(self, record_id: uuid.UUID) -> set[str]:
        rows = await self.session.execute(select(EResource.sha256).where(EResource.record_id == record_id))
        return {r for (r,) in rows if r}

    async def branch_exists(self, code: str) -> bool:
        return (await self.session.scalar(select(Branch.id).where(Branch.code == code))) is not None

    async def existing_barcodes(self, barcodes: Sequence[str]) -> set[str]:
        if not barcodes:
            return set()
        rows = await self.session.execute(select(Item.barcode).where(Item.barcode.in_(list(barcodes))))
        return {r for (r,) in rows}

    async def existing_object_keys(self, keys: Sequence[str]) -> set[str]:
        if not keys:
            return set()
        rows = await self.session.execute(
            select(EResource.object_key).where(EResource.object_key.in_(list(keys)))
        )
        return {r for (r,) in rows}

    async def add_eresource(self, eresource: EResource) -> None:
        self.session.add(eresource)
        await self.session.flush()

    async def eresource(self, eresource_id: uuid.UUID) -> EResource | None:
        return await self.session.get(EResource, eresource_id)
