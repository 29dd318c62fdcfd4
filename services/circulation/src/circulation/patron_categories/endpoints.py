"""HTTP routes for patron categories: authentication and request/response shapes only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from circulation.patron_categories.schemas import (
    PatronCategoryCreate,
    PatronCategoryRead,
    PatronCategoryUpdate,
)
from circulation.patron_categories.service import patron_category_service
from pusip_kit.auth.fastapi import current_subject, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(prefix="/patron-categories", tags=["kategori anggota / patron categories"])

Reader = Annotated[AuthSubject, Depends(current_subject)]
Writer = Annotated[AuthSubject, Depends(require_roles(Role.ADMIN, Role.LIBRARIAN))]


@router.get(
    "", response_model=Page[PatronCategoryRead], summary="Daftar kategori anggota / list patron categories"
)
async def list_patron_categories(
    session: SessionDep,
    auth_subject: Reader,
    page: Annotated[PaginationParams, Depends(pagination)],
    active: Annotated[bool | None, Query(description="Aktif / active")] = None,
    age: Annotated[int | None, Query(ge=0, le=130, description="Cocok untuk usia / fits age")] = None,
    q: Annotated[str | None, Query(max_length=120, description="Cari / search")] = None,
) -> Page[PatronCategoryRead]:
    items, total = await patron_category_service.list(
        session, auth_subject, pagination=page, active=active, age=age, query=q.strip() if q else None
    )
    return Page.of([PatronCategoryRead.model_validate(c) for c in items], total, page)


@router.get("/{code}", response_model=PatronCategoryRead, summary="Satu kategori / one category")
async def get_patron_category(session: SessionDep, auth_subject: Reader, code: str) -> PatronCategoryRead:
    return PatronCategoryRead.model_validate(
        await patron_category_service.get(session, auth_subject, code=code)
    )


@router.post(
    "", response_model=PatronCategoryRead, status_code=201, summary="Tambah kategori / create a category"
)
async def create_patron_category(
    session: SessionDep, auth_subject: Writer, body: PatronCategoryCreate
) -> PatronCategoryRead:
    return PatronCategoryRead.model_validate(
        await patron_category_service.create(session, auth_subject, data=body)
    )


@router.patch("/{code}", response_model=PatronCategoryRead, summary="Ubah kategori / update a category")
async def update_patron_category(
    session: SessionDep, auth_subject: Writer, code: str, body: PatronCategoryUpdate
) -> PatronCategoryRead:
    return PatronCategoryRead.model_validate(
        await patron_category_service.update(session, auth_subject, code=code, data=body)
    )
