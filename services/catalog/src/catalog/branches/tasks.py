"""Background work on branches (run by the catalog worker)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog.branches.service import branch_service
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.uow import unit_of_work

SYSTEM_SUBJECT = AuthSubject(subject="system:catalog-worker", roles=frozenset({Role.ADMIN}))


async def republish_branches(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Re-emit every branch as ``catalog.branch.updated`` (one transaction); returns the count."""
    async with unit_of_work(sessionmaker) as session:
        return await branch_service.republish(session, SYSTEM_SUBJECT)
