"""Read-only HTTP routes on circulation's item replica (catalog owns items; circulation owns status)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from circulation.items.schemas import ItemRead
from circulation.items.service import item_service
from pusip_kit.auth.fastapi import current_subject
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.deps import SessionDep
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(prefix="/items", tags=["eksemplar / items"])

Reader = Annotated[AuthSubject, Depends(current_subject)]


@router.get("", response_model=Page[ItemRead], summary="Eksemplar dan statusnya / items and their status")
async def list_items(
    session: SessionDep,
    auth_subject: Reader,
    page: Annotated[PaginationParams, Depends(pagination)],
    branch: Annotated[
        str | None, Query(max_length=64, description="Cabang tempat berada / where it is")
    ] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    record_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[ItemRead]:
    items, total = await item_service.list(
        session, auth_subject, pagination=page, branch=branch, status=status, record_id=record_id
    )
    return Page.of([ItemRead.model_validate(i) for i in items], total, page)


@router.get(
    "/{barcode}", response_model=ItemRead, summary="Ketersediaan satu eksemplar / one item's availability"
)
async def get_item(session: SessionDep, auth_subject: Reader, barcode: str) -> ItemRead:
    item = await item_service.get(session, auth_subject, barcode=barcode)
    due, queue = await item_service.availability(session, item)
    return ItemRead.model_validate(item).model_copy(update={"due_date": due, "hold_queue": queue})
