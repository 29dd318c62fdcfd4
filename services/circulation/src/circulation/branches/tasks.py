"""Applying catalog's branch events to circulation's replica (run by the circulation worker)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from circulation.branches.schemas import BranchSnapshot
from circulation.branches.service import branch_replica_service
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.events import Event

SYSTEM_SUBJECT = AuthSubject(subject="system:circulation-events")

BRANCH_EVENTS = ("catalog.branch.created", "catalog.branch.updated")


async def apply_catalog_branch_event(session: AsyncSession, event: Event) -> None:
    """Upsert the replica from a ``catalog.branch.*`` event (idempotent, stale-safe)."""
    snapshot = BranchSnapshot.model_validate(event.payload)
    await branch_replica_service.apply(session, SYSTEM_SUBJECT, snapshot=snapshot)
