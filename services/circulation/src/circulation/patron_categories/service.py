"""Patron category rules: unique codes, consistent age ranges, events on change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from circulation.models import PatronCategory
from circulation.patron_categories.repository import PatronCategoryRepository
from circulation.patron_categories.schemas import PatronCategoryCreate, PatronCategoryUpdate
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.errors import Conflict, NotFound, Reason, Refused
from pusip_kit.outbox import emit_event
from pusip_kit.pagination import PaginationParams

EVENT_CREATED = "circulation.patron_category.created"
EVENT_UPDATED = "circulation.patron_category.updated"

STAFF_ROLES = (Role.ADMIN, Role.LIBRARIAN)


def category_not_found(code: str) -> NotFound:
    return NotFound(
        f"Kategori anggota '{code}' tidak ditemukan",
        f"Patron category '{code}' not found",
        code="patron_category_not_found",
        details={"code": code},
    )


def category_event_payload(category: PatronCategory) -> dict[str, Any]:
    return {
        "id": str(category.id),
        "code": category.code,
        "name": category.name,
        "name_en": category.name_en,
        "min_age": category.min_age,
        "max_age": category.max_age,
        "membership_validity_months": category.membership_validity_months,
        "active": category.active,
        "updated_at": category.updated_at.isoformat(),
    }


class PatronCategoryService:
    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        active: bool | None = None,
        age: int | None = None,
        query: str | None = None,
    ) -> tuple[Sequence[PatronCategory], int]:
        if not auth_subject.has_role(*STAFF_ROLES):
            # Retired categories are staff business; the public sees the ones open for joining.
            if active is False:
                return [], 0
            active = True
        return await PatronCategoryRepository(session).list(
            pagination=pagination, active=active, age=age, query=query
        )

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, code: str) -> PatronCategory:
        category = await PatronCategoryRepository(session).get_by_code(code)
        if category is None or (not category.active and not auth_subject.has_role(*STAFF_ROLES)):
            raise category_not_found(code)
        return category

    async def create(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: PatronCategoryCreate
    ) -> PatronCategory:
        repository = PatronCategoryRepository(session)
        if await repository.get_by_code(data.code) is not None:
            raise self._code_taken(data.code)
        category = PatronCategory(**data.model_dump())
        try:
            await repository.add(category)
        except IntegrityError as exc:
            raise self._code_taken(data.code) from exc
        await emit_event(session, EVENT_CREATED, category_event_payload(category), key=category.code)
        return category

    async def update(
        self, session: AsyncSession, auth_subject: AuthSubject, *, code: str, data: PatronCategoryUpdate
    ) -> PatronCategory:
        repository = PatronCategoryRepository(session)
        category = await repository.get_by_code(code)
        if category is None:
            raise category_not_found(code)
        changes = {
            field: getattr(data, field)
            for field in data.model_fields_set
            if getattr(category, field) != getattr(data, field)
        }
        min_age = changes.get("min_age", category.min_age)
        max_age = changes.get("max_age", category.max_age)
        if min_age is not None and max_age is not None and min_age > max_age:
            raise Refused(
                reasons=[
                    Reason(
                        "refuse_when_age_range_inverted",
                        f"Usia minimum {min_age} melebihi usia maksimum {max_age}",
                        f"Minimum age {min_age} is greater than maximum age {max_age}",
                        {"min_age": min_age, "max_age": max_age},
                    )
                ]
            )
        if not changes:
            return category
        for field, value in changes.items():
            setattr(category, field, value)
        await repository.flush()
        payload = category_event_payload(category)
        payload["changed"] = sorted(changes)
        await emit_event(session, EVENT_UPDATED, payload, key=category.code)
        return category

    @staticmethod
    def _code_taken(code: str) -> Conflict:
        return Conflict(
            f"Kode kategori anggota '{code}' sudah dipakai",
            f"Patron category code '{code}' is already taken",
            code="patron_category_code_taken",
            details={"code": code},
        )


patron_category_service = PatronCategoryService()
