"""Every query on guidance activities, registrations and materials."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accreditation.models import (
    GuidanceActivity,
    GuidanceMaterial,
    GuidanceRegistration,
    Library,
    RegistrationStatus,
)
from pusip_kit.pagination import PaginationParams


class GuidanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, activity_id: uuid.UUID) -> GuidanceActivity | None:
        return await self.session.get(GuidanceActivity, activity_id)

    async def list(
        self,
        *,
        pagination: PaginationParams | None,
        statuses: Sequence[str] | None = None,
        segment: str | None = None,
        level: str | None = None,
        city: str | None = None,
        kind: str | None = None,
        ends_after: datetime | None = None,
        starts_before: datetime | None = None,
    ) -> tuple[Sequence[GuidanceActivity], int]:
        statement = select(GuidanceActivity)
        if statuses is not None:
            statement = statement.where(GuidanceActivity.status.in_(list(statuses)))
        if segment is not None:
            # An activity without a segment is for every segment.
            statement = statement.where(
                (GuidanceActivity.segment == segment) | GuidanceActivity.segment.is_(None)
            )
        if level is not None:
            statement = statement.where(GuidanceActivity.level == level)
        if city is not None:
            statement = statement.where((GuidanceActivity.city == city) | GuidanceActivity.city.is_(None))
        if kind is not None:
            statement = statement.where(GuidanceActivity.kind == kind)
        if ends_after is not None:
            statement = statement.where(GuidanceActivity.ends_at >= ends_after)
        if starts_before is not None:
            statement = statement.where(GuidanceActivity.starts_at <= starts_before)
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        statement = statement.order_by(GuidanceActivity.starts_at, GuidanceActivity.title)
        if pagination is not None:
            statement = statement.offset(pagination.offset).limit(pagination.limit)
        result = await self.session.execute(statement)
        return result.scalars().all(), int(total or 0)

    async def add(self, row: object) -> None:
        self.session.add(row)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()

    async def delete(self, row: object) -> None:
        await self.session.delete(row)
        await self.session.flush()

    async def counts(self, activity_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, tuple[int, int]]:
        """(registered, attended) per activity, cancelled registrations left out."""
        if not activity_ids:
            return {}
        result = await self.session.execute(
            select(
                GuidanceRegistration.activity_id,
                func.count(),
                func.sum(case((GuidanceRegistration.attended.is_(True), 1), else_=0)),
            )
            .where(
                GuidanceRegistration.activity_id.in_(list(activity_ids)),
                GuidanceRegistration.status == RegistrationStatus.REGISTERED,
            )
            .group_by(GuidanceRegistration.activity_id)
        )
        return {row[0]: (int(row[1]), int(row[2] or 0)) for row in result.all()}

    async def registrations(
        self, activity_id: uuid.UUID, *, library_id: uuid.UUID | None = None
    ) -> builtins.list[tuple[GuidanceRegistration, str | None]]:
        statement = (
            select(GuidanceRegistration, Library.code)
            .outerjoin(Library, Library.id == GuidanceRegistration.library_id)
            .where(GuidanceRegistration.activity_id == activity_id)
        )
        if library_id is not None:
            statement = statement.where(GuidanceRegistration.library_id == library_id)
        result = await self.session.execute(
            statement.order_by(GuidanceRegistration.created_at, GuidanceRegistration.participant_name)
        )
        return [(r, code) for r, code in result.all()]

    async def get_registration(
        self, activity_id: uuid.UUID, registration_id: uuid.UUID
    ) -> GuidanceRegistration | None:
        result = await self.session.execute(
            select(GuidanceRegistration).where(
                GuidanceRegistration.id == registration_id, GuidanceRegistration.activity_id == activity_id
            )
        )
        return result.scalar_one_or_none()

    async def materials(
        self, activity_id: uuid.UUID, *, public_only: bool = False
    ) -> Sequence[GuidanceMaterial]:
        statement = select(GuidanceMaterial).where(GuidanceMaterial.activity_id == activity_id)
        if public_only:
            statement = statement.where(GuidanceMaterial.public.is_(True))
        result = await self.session.execute(statement.order_by(GuidanceMaterial.created_at))
        return result.scalars().all()

    async def get_material(self, activity_id: uuid.UUID, material_id: uuid.UUID) -> GuidanceMaterial | None:
        result = await self.session.execute(
            select(GuidanceMaterial).where(
                GuidanceMaterial.id == material_id, GuidanceMaterial.activity_id == activity_id
            )
        )
        return result.scalar_one_or_none()
