"""HTTP routes for items (eksemplar)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from catalog.deps import Anyone, Staff
from catalog.items.schemas import (
    BulkItemRequest,
    BulkItemResponse,
    ItemCreate,
    ItemRead,
    ItemUpdate,
    PublicItemRead,
)
from catalog.items.service import item_service
from catalog.models import ItemStatus
from catalog.records.service import record_service
from pusip_kit.deps import SessionDep
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(tags=["eksemplar / items"])


@router.get(
    "/records/{record_id}/items",
    response_model=Page[PublicItemRead],
    summary="Eksemplar sebuah rekaman / the copies of a record",
)
async def record_items(
    session: SessionDep,
    auth_subject: Anyone,
    page: Annotated[PaginationParams, Depends(pagination)],
    record_id: uuid.UUID,
    branch: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[PublicItemRead]:
    await record_service.get(session, auth_subject, record_id=record_id)
    items, total = await item_service.list(
        session, auth_subject, pagination=page, record_id=record_id, branch=branch
    )
    return Page.of([PublicItemRead.model_validate(i) for i in items], total, page)


@router.get(
    "/items", response_model=Page[ItemRead], summary="Daftar eksemplar (petugas) / list items (staff)"
)
async def list_items(
    session: SessionDep,
    auth_subject: Staff,
    page: Annotated[PaginationParams, Depends(pagination)],
    record_id: uuid.UUID | None = None,
    branch: Annotated[str | None, Query(max_length=64)] = None,
    status: ItemStatus | None = None,
    location: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[ItemRead]:
    items, total = await item_service.list(
        session,
        auth_subject,
        pagination=page,
        record_id=record_id,
        branch=branch,
        status=status.value if status else None,
        location=location,
    )
    return Page.of([ItemRead.model_validate(i) for i in items], total, page)


@router.post("/items", status_code=201, response_model=ItemRead, summary="Tambah eksemplar / add an item")
async def create_item(
    session: SessionDep, auth_subject: Staff, body: ItemCreate, response: Response
) -> ItemRead:
    item = await item_service.create(session, auth_subject, data=body)
    response.headers["Location"] = f"/items/{item.barcode}"
    return ItemRead.model_validate(item)


@router.post(
    "/items/bulk",
    response_model=BulkItemResponse,
    summary="Operasi massal: pindah lokasi/cabang, ubah status / bulk move or status change",
)
async def bulk_items(session: SessionDep, auth_subject: Staff, body: BulkItemRequest) -> BulkItemResponse:
    return await item_service.bulk(session, auth_subject, request=body)


@router.get("/items/{barcode}", response_model=ItemRead, summary="Satu eksemplar / one item")
async def get_item(session: SessionDep, auth_subject: Staff, barcode: str) -> ItemRead:
    return ItemRead.model_validate(await item_service.get(session, auth_subject, barcode=barcode))


@router.patch("/items/{barcode}", response_model=ItemRead, summary="Ubah eksemplar / update an item")
async def update_item(session: SessionDep, auth_subject: Staff, barcode: str, body: ItemUpdate) -> ItemRead:
    return ItemRead.model_validate(
        await item_service.update(session, auth_subject, barcode=barcode, data=body)
    )


@router.delete("/items/{barcode}", status_code=204, summary="Hapus eksemplar / delete an item")
async def delete_item(session: SessionDep, auth_subject: Staff, barcode: str) -> Response:
    await item_service.delete(session, auth_subject, barcode=barcode)
    return Response(status_code=204)
