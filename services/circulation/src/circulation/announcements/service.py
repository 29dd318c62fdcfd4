"""Announcements: librarians write them for their branches (admins and network-wide librarians also
for the whole network); patrons read the current ones through For you."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from circulation.access import require_branch, require_staff
from circulation.announcements.repository import AnnouncementRepository
from circulation.announcements.schemas import AnnouncementCreate, AnnouncementUpdate
from circulation.branches.repository import BranchRepository
from circulation.db import begin_write
from circulation.models import Announcement
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import BadRequest, NotFound
from pusip_kit.pagination import PaginationParams

MAX_WINDOW_DAYS = 366


def announcement_not_found() -> NotFound:
    return NotFound("Pengumuman tidak ditemukan", "Announcement not found", code="announcement_not_found")


def _check_window(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise BadRequest(
            "Tanggal berakhir sebelum tanggal mulai",
            "The end date is before the start date",
            code="invalid_period",
            details={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
        )
    if (ends_on - starts_on).days > MAX_WINDOW_DAYS:
        raise BadRequest(
            f"Pengumuman tampil paling lama {MAX_WINDOW_DAYS} hari",
            f"An announcement shows for {MAX_WINDOW_DAYS} days at most",
            code="invalid_period",
            details={"max_days": MAX_WINDOW_DAYS},
        )


class AnnouncementService:
    async def _check_branch(
        self, session: AsyncSession, auth_subject: AuthSubject, branch: str | None
    ) -> None:
        require_branch(auth_subject, branch)
        if branch is not None and await BranchRepository(session).get_by_code(branch) is None:
            raise BadRequest(
                f"Cabang '{branch}' tidak dikenal",
                f"Unknown branch '{branch}'",
                code="branch_unknown",
                details={"branch": branch},
            )

    async def get(
        self, session: AsyncSession, auth_subject: AuthSubject, *, announcement_id: uuid.UUID
    ) -> Announcement:
        require_staff(auth_subject)
        announcement = await AnnouncementRepository(session).get(announcement_id)
        if announcement is None:
            raise announcement_not_found()
        return announcement

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        branch: str | None,
        network_only: bool,
        current_on: date | None,
    ) -> tuple[Sequence[Announcement], int]:
        require_staff(auth_subject)
        return await AnnouncementRepository(session).list(
            pagination=pagination, branch=branch, network_only=network_only, current_on=current_on
        )

    async def create(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: AnnouncementCreate
    ) -> Announcement:
        require_staff(auth_subject)
        await self._check_branch(session, auth_subject, data.branch_code)
        _check_window(data.starts_on, data.ends_on)
        await begin_write(session)
        announcement = Announcement(
            branch_code=data.branch_code,
            title=data.title,
            body=data.body,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            created_by=auth_subject.subject,
        )
        await AnnouncementRepository(session).add(announcement)
        return announcement

    async def update(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        announcement_id: uuid.UUID,
        data: AnnouncementUpdate,
    ) -> Announcement:
        announcement = await self.get(session, auth_subject, announcement_id=announcement_id)
        require_branch(auth_subject, announcement.branch_code)  # may touch the one it has now
        fields = data.model_fields_set
        for name in ("title", "body", "starts_on", "ends_on"):
            if name in fields and getattr(data, name) is None:
                raise BadRequest(
                    f"{name} tidak boleh kosong", f"{name} cannot be null", code="validation_error"
                )
        branch = data.branch_code if "branch_code" in fields else announcement.branch_code
        if branch != announcement.branch_code:
            await self._check_branch(session, auth_subject, branch)
        starts_on = data.starts_on if data.starts_on is not None else announcement.starts_on
        ends_on = data.ends_on if data.ends_on is not None else announcement.ends_on
        _check_window(starts_on, ends_on)
        await begin_write(session)
        announcement.branch_code = branch
        announcement.starts_on, announcement.ends_on = starts_on, ends_on
        if data.title is not None:
            announcement.title = data.title
        if data.body is not None:
            announcement.body = data.body
        announcement.updated_by = auth_subject.subject
        await AnnouncementRepository(session).flush()
        return announcement

    async def delete(
        self, session: AsyncSession, auth_subject: AuthSubject, *, announcement_id: uuid.UUID
    ) -> None:
        announcement = await self.get(session, auth_subject, announcement_id=announcement_id)
        require_branch(auth_subject, announcement.branch_code)
        await begin_write(session)
        await AnnouncementRepository(session).delete(announcement)


announcement_service = AnnouncementService()
