"""Classification code rules: unique codes, parents that exist, events on change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from archive.classification.codes import level_of
from archive.classification.repository import ClassificationCodeRepository
from archive.classification.schemas import ClassificationCodeCreate, ClassificationCodeUpdate
from archive.models import ClassificationCode
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import Conflict, NotFound, Reason, Refused
from pusip_kit.outbox import emit_event
from pusip_kit.pagination import PaginationParams

EVENT_CREATED = "archive.classification_code.created"
EVENT_UPDATED = "archive.classification_code.updated"


def code_not_found(code: str) -> NotFound:
    return NotFound(
        f"Kode klasifikasi '{code}' tidak ditemukan",
        f"Classification code '{code}' not found",
        code="classification_code_not_found",
        details={"code": code},
    )


def code_event_payload(item: ClassificationCode) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "code": item.code,
        "parent_code": item.parent_code,
        "level": item.level,
        "title": item.title,
        "scheme_version": item.scheme_version,
        "active": item.active,
        "updated_at": item.updated_at.isoformat(),
    }


def refuse_when_parent_missing(code: str, parent_code: str | None, parent_exists: bool) -> Reason | None:
    if parent_code is None or parent_exists:
        return None
    return Reason(
        "refuse_when_parent_missing",
        f"Kode induk {parent_code} belum ada; buat kode {parent_code} sebelum {code}",
        f"Parent code {parent_code} does not exist; create {parent_code} before {code}",
        {"code": code, "parent_code": parent_code},
    )


def refuse_when_parent_inactive(code: str, parent: ClassificationCode | None) -> Reason | None:
    if parent is None or parent.active:
        return None
    return Reason(
        "refuse_when_parent_inactive",
        f"Kode induk {parent.code} tidak aktif; kode baru tidak dapat ditambahkan di bawahnya",
        f"Parent code {parent.code} is inactive; no new code can be added under it",
        {"code": code, "parent_code": parent.code},
    )


def refuse_when_children_active(item: ClassificationCode, active_children: int) -> Reason | None:
    if active_children == 0:
        return None
    return Reason(
        "refuse_when_children_active",
        f"Kode {item.code} masih memiliki {active_children} kode turunan aktif; nonaktifkan dahulu",
        f"Code {item.code} still has {active_children} active child codes; deactivate them first",
        {"code": item.code, "active_children": active_children},
    )


class ClassificationCodeService:
    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        parent_code: str | None = None,
        roots_only: bool = False,
        level: int | None = None,
        scheme_version: str | None = None,
        active: bool | None = None,
        query: str | None = None,
    ) -> tuple[Sequence[ClassificationCode], int]:
        return await ClassificationCodeRepository(session).list(
            pagination=pagination,
            parent_code=parent_code,
            roots_only=roots_only,
            level=level,
            scheme_version=scheme_version,
            active=active,
            query=query,
        )

    async def get(self, session: AsyncSession, auth_subject: AuthSubject, *, code: str) -> ClassificationCode:
        item = await ClassificationCodeRepository(session).get_by_code(code)
        if item is None:
            raise code_not_found(code)
        return item

    async def create(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: ClassificationCodeCreate
    ) -> ClassificationCode:
        repository = ClassificationCodeRepository(session)
        if await repository.get_by_code(data.code) is not None:
            raise self._code_taken(data.code)
        parent = await repository.get_by_code(data.parent_code) if data.parent_code else None
        reasons = [
            r
            for r in (
                refuse_when_parent_missing(data.code, data.parent_code, parent is not None),
                refuse_when_parent_inactive(data.code, parent),
            )
            if r is not None
        ]
        if reasons:
            raise Refused(reasons=reasons)
        item = ClassificationCode(
            code=data.code,
            parent_code=data.parent_code,
            level=level_of(data.code),
            title=data.title,
            description=data.description,
            scheme_version=data.scheme_version,
            active=data.active,
        )
        try:
            await repository.add(item)
        except IntegrityError as exc:
            raise self._code_taken(data.code) from exc
        await emit_event(session, EVENT_CREATED, code_event_payload(item), key=item.code)
        return item

    async def update(
        self, session: AsyncSession, auth_subject: AuthSubject, *, code: str, data: ClassificationCodeUpdate
    ) -> ClassificationCode:
        repository = ClassificationCodeRepository(session)
        item = await repository.get_by_code(code)
        if item is None:
            raise code_not_found(code)
        changes = {
            field: getattr(data, field)
            for field in data.model_fields_set
            if getattr(item, field) != getattr(data, field)
        }
        if changes.get("active") is False:
            reason = refuse_when_children_active(item, await repository.count_active_children(item.code))
            if reason is not None:
                raise Refused(reasons=[reason])
        if not changes:
            return item
        for field, value in changes.items():
            setattr(item, field, value)
        await repository.flush()
        payload = code_event_payload(item)
        payload["changed"] = sorted(changes)
        await emit_event(session, EVENT_UPDATED, payload, key=item.code)
        return item

    @staticmethod
    def _code_taken(code: str) -> Conflict:
        return Conflict(
            f"Kode klasifikasi '{code}' sudah ada",
            f"Classification code '{code}' already exists",
            code="classification_code_taken",
            details={"code": code},
        )


classification_code_service = ClassificationCodeService()
