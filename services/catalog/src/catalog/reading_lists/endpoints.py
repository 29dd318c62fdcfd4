"""HTTP routes for reading lists: read public ones, create and share your own."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response

from catalog.checks import ActionCheck, DryRun, action_check
from catalog.deps import Anyone
from catalog.reading_lists.schemas import (
    EntryWrite,
    ReadingListCreate,
    ReadingListRead,
    ReadingListSummary,
    ReadingListUpdate,
)
from catalog.reading_lists.service import ACTION_ADD, ACTION_CREATE, reading_list_service
from pusip_kit.auth.fastapi import authenticated
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.deps import SessionDep
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(tags=["daftar bacaan / reading lists"])

SignedIn = Annotated[AuthSubject, Depends(authenticated)]
Paging = Annotated[PaginationParams, Depends(pagination)]


@router.get(
    "/reading-lists",
    response_model=Page[ReadingListSummary],
    summary="Daftar bacaan publik / public reading lists",
)
async def public_lists(session: SessionDep, auth_subject: Anyone, page: Paging) -> Page[ReadingListSummary]:
    rows, total = await reading_list_service.list(session, auth_subject, pagination=page)
    return Page.of(await reading_list_service.summaries(session, auth_subject, rows), total, page)


@router.get(
    "/reading-lists/mine", response_model=Page[ReadingListSummary], summary="Daftar bacaan saya / my lists"
)
async def my_lists(
    session: SessionDep, auth_subject: SignedIn, page: Paging, record_id: uuid.UUID | None = None
) -> Page[ReadingListSummary]:
    rows, total = await reading_list_service.list(
        session, auth_subject, pagination=page, mine=True, record_id=record_id
    )
    return Page.of(await reading_list_service.summaries(session, auth_subject, rows), total, page)


@router.post(
    "/reading-lists",
    status_code=201,
    response_model=ReadingListRead | ActionCheck,
    summary="Buat daftar bacaan / create a reading list",
    description="Ditolak: `reading_list_limit` (50 daftar), `people_only`. / Refused past 50 lists.",
)
async def create_list(
    session: SessionDep,
    auth_subject: SignedIn,
    body: ReadingListCreate,
    response: Response,
    dry_run: DryRun = False,
) -> ReadingListRead | ActionCheck:
    if dry_run:
        response.status_code = 200
        return action_check(ACTION_CREATE, await reading_list_service.check_create(session, auth_subject))
    reading_list = await reading_list_service.create(session, auth_subject, data=body)
    response.headers["Location"] = f"/reading-lists/{reading_list.id}"
    return await reading_list_service.read(session, auth_subject, reading_list)


@router.get(
    "/reading-lists/{list_id}",
    response_model=ReadingListRead,
    summary="Satu daftar bacaan (publik, atau milik sendiri) / one list (public, or your own)",
)
async def get_list(session: SessionDep, auth_subject: Anyone, list_id: uuid.UUID) -> ReadingListRead:
    reading_list = await reading_list_service.get(session, auth_subject, list_id=list_id)
    return await reading_list_service.read(session, auth_subject, reading_list)


@router.patch(
    "/reading-lists/{list_id}", response_model=ReadingListRead, summary="Ubah daftar / update a list"
)
async def update_list(
    session: SessionDep, auth_subject: SignedIn, list_id: uuid.UUID, body: ReadingListUpdate
) -> ReadingListRead:
    reading_list = await reading_list_service.update(session, auth_subject, list_id=list_id, data=body)
    return await reading_list_service.read(session, auth_subject, reading_list)


@router.delete("/reading-lists/{list_id}", status_code=204, summary="Hapus daftar / delete a list")
async def delete_list(session: SessionDep, auth_subject: SignedIn, list_id: uuid.UUID) -> Response:
    await reading_list_service.delete(session, auth_subject, list_id=list_id)
    return Response(status_code=204)


@router.put(
    "/reading-lists/{list_id}/entries/{record_id}",
    response_model=ReadingListRead | ActionCheck,
    summary="Tambahkan judul ke daftar / add a title (idempotent)",
    description="Ditolak: `reading_list_full` (500 judul). / Refused past 500 titles.",
)
async def add_entry(
    session: SessionDep,
    auth_subject: SignedIn,
    list_id: uuid.UUID,
    record_id: uuid.UUID,
    response: Response,
    body: Annotated[EntryWrite | None, Body()] = None,
    dry_run: DryRun = False,
) -> ReadingListRead | ActionCheck:
    if dry_run:
        reading_list, reasons = await reading_list_service.check_add(
            session, auth_subject, list_id=list_id, record_id=record_id
        )
        return action_check(ACTION_ADD, reasons, reading_list.id)
    reading_list, created = await reading_list_service.add(
        session, auth_subject, list_id=list_id, record_id=record_id, note=body.note if body else None
    )
    response.status_code = 201 if created else 200
    return await reading_list_service.read(session, auth_subject, reading_list)


@router.delete(
    "/reading-lists/{list_id}/entries/{record_id}",
    status_code=204,
    summary="Keluarkan judul / remove a title",
)
async def remove_entry(
    session: SessionDep, auth_subject: SignedIn, list_id: uuid.UUID, record_id: uuid.UUID
) -> Response:
    await reading_list_service.remove(session, auth_subject, list_id=list_id, record_id=record_id)
    return Response(status_code=204)


@router.get(
    "/records/{record_id}/reading-lists",
    response_model=Page[ReadingListSummary],
    summary="Daftar bacaan publik yang memuat judul ini / public lists with this title",
)
async def record_lists(
    session: SessionDep, auth_subject: Anyone, record_id: uuid.UUID, page: Paging
) -> Page[ReadingListSummary]:
    rows, total = await reading_list_service.list(session, auth_subject, pagination=page, record_id=record_id)
    return Page.of(await reading_list_service.summaries(session, auth_subject, rows), total, page)
