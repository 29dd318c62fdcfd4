"""The branch replica: applied from catalog events, read locally on circulation's hot path."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from circulation.branches.repository import BranchRepository
from circulation.branches.schemas import BranchSnapshot
from circulation.models import Branch
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import NotFound
from pusip_kit.pagination import PaginationParams

log = logging.getLogger(__name__)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class BranchReplicaService:
    async def apply(
        self, session: AsyncSession, auth_subject: AuthSubject, *, snapshot: BranchSnapshot
    ) -> bool:
        """Upsert one branch from a catalog snapshot; ``False`` when nothing changed.

        Idempotent: applying the same snapshot twice changes nothing the second time, and a
        snapshot older than the replica's state (events delivered out of order) is ignored.
        """
        repository = BranchRepository(session)
        branch = await repository.get_by_code(snapshot.code)
        source_time = _utc(snapshot.updated_at)
        if branch is None:
            await repository.add(
                Branch(
                    code=snapshot.code,
                    name=snapshot.name,
                    city=snapshot.city,
                    active=snapshot.active,
                    source_updated_at=source_time,
                )
            )
            return True
        if _utc(branch.source_updated_at) > source_time:
            log.info("ignoring stale branch snapshot", extra={"branch": snapshot.code})
            return False
        values = {"name": snapshot.name, "city": snapshot.city, "active": snapshot.active}
        changed = {k: v for k, v in values.items() if getattr(branch, k) != v}
        if not changed:
            return False
        for key, value in changed.items():
            setattr(branch, key, value)
        branch.source_updated_at = source_time
        await repository.flush()
        return True

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        active: bool | None = None,
    ) -> tuple[Sequence[Branch], int]:
        return await BranchRepository(session).list(pagination=pagination, active=active)

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, code: str) -> Branch:
        branch = await BranchRepository(session).get_by_code(code)
        if branch is None:
            raise NotFound(
                f"Cabang '{code}' belum dikenal layanan sirkulasi",
                f"Branch '{code}' is not known to circulation",
                code="branch_not_found",
                details={"code": code},
            )
        return branch


branch_replica_service = BranchReplicaService()
