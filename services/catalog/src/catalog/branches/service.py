"""Branch business rules: who may see and change which branch, and the events changes emit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.branches.repository import BranchRepository
from catalog.branches.schemas import BranchCreate, BranchUpdate
from catalog.models import Branch
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.errors import Conflict, NotFound
from pusip_kit.outbox import emit_event
from pusip_kit.pagination import PaginationParams

EVENT_CREATED = "catalog.branch.created"
EVENT_UPDATED = "catalog.branch.updated"

STAFF_ROLES = (Role.ADMIN, Role.LIBRARIAN, Role.CATALOGER)


def branch_not_found(code: str) -> NotFound:
    return NotFound(
        f"Cabang perpustakaan '{code}' tidak ditemukan",
        f"Library branch '{code}' not found",
        code="branch_not_found",
        details={"code": code},
    )


def branch_event_payload(branch: Branch) -> dict[str, Any]:
    """What other services learn about a branch (circulation keeps a replica of it)."""
    return {
        "id": str(branch.id),
        "code": branch.code,
        "name": branch.name,
        "type": branch.type,
        "city": branch.city,
        "active": branch.active,
        "updated_at": branch.updated_at.isoformat(),
    }


class BranchService:
    @staticmethod
    def _sees_inactive(auth_subject: AuthSubject) -> bool:
        return auth_subject.has_role(*STAFF_ROLES)

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        type: str | None = None,
        city: str | None = None,
        active: bool | None = None,
        query: str | None = None,
    ) -> tuple[Sequence[Branch], int]:
        if not self._sees_inactive(auth_subject):
            # The public sees only branches that are open for service.
            if active is False:
                return [], 0
            active = True
        return await BranchRepository(session).list(
            pagination=pagination, type=type, city=city, active=active, query=query
        )

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, code: str) -> Branch:
        branch = await BranchRepository(session).get_by_code(code)
        if branch is None or (not branch.active and not self._sees_inactive(auth_subject)):
            raise branch_not_found(code)
        return branch

    async def create(self, session: AsyncSession, auth_subject: AuthSubject, *, data: BranchCreate) -> Branch:
        repository = BranchRepository(session)
        if await repository.get_by_code(data.code) is not None:
            raise self._code_taken(data.code)
        branch = Branch(
            code=data.code,
            name=data.name,
            type=data.type.value,
            city=data.city.value,
            address=data.address,
            phone=data.phone,
            email=data.email,
            opening_hours=[h.as_json() for h in data.opening_hours],
            active=data.active,
        )
        try:
            await repository.add(branch)
        except IntegrityError as exc:
            raise self._code_taken(data.code) from exc
        await emit_event(session, EVENT_CREATED, branch_event_payload(branch), key=branch.code)
        return branch

    async def update(
        self, session: AsyncSession, auth_subject: AuthSubject, *, code: str, data: BranchUpdate
    ) -> Branch:
        repository = BranchRepository(session)
        branch = await repository.get_by_code(code)
        if branch is None:
            raise branch_not_found(code)
        changes: dict[str, Any] = {}
        for field in data.model_fields_set:
            value = getattr(data, field)
            if field == "opening_hours":
                value = [h.as_json() for h in value]
            elif hasattr(value, "value"):
                value = value.value
            if getattr(branch, field) != value:
                setattr(branch, field, value)
                changes[field] = value
        if not changes:
            return branch
        await repository.flush()
        payload = branch_event_payload(branch)
        payload["changed"] = sorted(changes)
        await emit_event(session, EVENT_UPDATED, payload, key=branch.code)
        return branch

    async def republish(self, session: AsyncSession, auth_subject: AuthSubject) -> int:
        """Emit an ``updated`` event for every branch, so replicas can resynchronise."""
        branches = await BranchRepository(session).all()
        for branch in branches:
            payload = branch_event_payload(branch)
            payload["changed"] = []
            await emit_event(session, EVENT_UPDATED, payload, key=branch.code)
        return len(branches)

    @staticmethod
    def _code_taken(code: str) -> Conflict:
        return Conflict(
            f"Kode cabang '{code}' sudah dipakai",
            f"Branch code '{code}' is already taken",
            code="branch_code_taken",
            details={"code": code},
        )


branch_service = BranchService()
