"""HTTP routes for announcements (librarians)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from circulation.announcements.schemas import AnnouncementCreate, AnnouncementRead, AnnouncementUpdate
from circulation.announcements.service import announcement_service
from pusip_kit.auth.fastapi import require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(prefix="/announcements", tags=["pengumuman / announcements"])

Staff = Annotated[AuthSubject, Depends(require_roles(Role.ADMIN, Role.LIBRARIAN))]


@router.get("", response_model=Page[AnnouncementRead], summary="Daftar pengumuman / announcements")
async def list_announcements(
    session: SessionDep,
    auth_subject: Staff,
    page: Annotated[PaginationParams, Depends(pagination)],
    branch: Annotated[str | None, Query(max_length=64)] = None,
    network: Annotated[bool, Query(description="Hanya untuk seluruh jaringan / network-wide only")] = False,
    on: Annotated[
        date | None, Query(description="Yang tampil pada tanggal ini / showing on this day")
    ] = None,
) -> Page[AnnouncementRead]:
    items, total = await announcement_service.list(
        session, auth_subject, pagination=page, branch=branch, network_only=network, current_on=on
    )
    return Page.of([AnnouncementRead.model_validate(a) for a in items], total, page)


@router.post(
    "", response_model=AnnouncementRead, status_code=201, summary="Buat pengumuman / new announcement"
)
async def create_announcement(
    session: SessionDep, auth_subject: Staff, body: AnnouncementCreate
) -> AnnouncementRead:
    return AnnouncementRead.model_validate(
        await announcement_service.create(session, auth_subject, data=body)
    )


@router.get(
    "/{announcement_id}", response_model=AnnouncementRead, summary="Satu pengumuman / one announcement"
)
async def get_announcement(
    session: SessionDep, auth_subject: Staff, announcement_id: uuid.UUID
) -> AnnouncementRead:
    return AnnouncementRead.model_validate(
        await announcement_service.get(session, auth_subject, announcement_id=announcement_id)
    )


@router.patch("/{announcement_id}", response_model=AnnouncementRead, summary="Ubah pengumuman / edit")
async def update_announcement(
    session: SessionDep, auth_subject: Staff, announcement_id: uuid.UUID, body: AnnouncementUpdate
) -> AnnouncementRead:
    return AnnouncementRead.model_validate(
        await announcement_service.update(session, auth_subject, announcement_id=announcement_id, data=body)
    )


@router.delete("/{announcement_id}", status_code=204, summary="Hapus pengumuman / delete")
async def delete_announcement(
    session: SessionDep, auth_subject: Staff, announcement_id: uuid.UUID
) -> Response:
    await announcement_service.delete(session, auth_subject, announcement_id=announcement_id)
    return Response(status_code=204)
