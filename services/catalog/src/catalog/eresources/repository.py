"""Every query on e-resources."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import EResource


class EResourceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, eresource_id: uuid.UUID) -> EResource | None:
        return await self.session.get(EResource, eresource_id)

    async def of_record(self, record_id: uuid.UUID) -> Sequence[EResource]:
        rows = await self.session.execute(
            select(EResource)
            .where(EResource.record_id == record_id)
            .order_by(EResource.created_at, EResource.id)
        )
        return rows.scalars().all()

    async def add(self, eresource: EResource) -> None:
        self.session.add(eresource)
        await self.session.flush()

    async def delete(self, eresource: EResource) -> None:
        await self.session.delete(eresource)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
