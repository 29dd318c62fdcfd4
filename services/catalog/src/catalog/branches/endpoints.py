"""HTTP routes for branches: authentication and request/response shapes only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from catalog.branches.schemas import BranchCreate, BranchRead, BranchUpdate
from catalog.branches.service import branch_service
from catalog.models import BranchType, JakartaCity
from pusip_kit.auth.fastapi import current_subject, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(prefix="/branches", tags=["cabang / branches"])

Reader = Annotated[AuthSubject, Depends(current_subject)]
Writer = Annotated[AuthSubject, Depends(require_roles(Role.ADMIN, Role.LIBRARIAN))]


@router.get("", response_model=Page[BranchRead], summary="Daftar cabang / list branches")
async def list_branches(
    session: SessionDep,
    auth_subject: Reader,
    page: Annotated[PaginationParams, Depends(pagination)],
    type: Annotated[BranchType | None, Query(description="Jenis / type")] = None,
    city: Annotated[JakartaCity | None, Query(description="Kota / city")] = None,
    active: Annotated[bool | None, Query(description="Aktif / active")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Cari nama, kode, alamat / search")] = None,
) -> Page[BranchRead]:
    items, total = await branch_service.list(
        session,
        auth_subject,
        pagination=page,
        type=type.value if type else None,
        city=city.value if city else None,
        active=active,
        query=q.strip() if q else None,
    )
    return Page.of([BranchRead.model_validate(b) for b in items], total, page)


@router.get("/{code}", response_model=BranchRead, summary="Satu cabang / one branch")
async def get_branch(session: SessionDep, auth_subject: Reader, code: str) -> BranchRead:
    return BranchRead.model_validate(await branch_service.get(session, auth_subject, code=code))


@router.post("", response_model=BranchRead, status_code=201, summary="Tambah cabang / create a branch")
async def create_branch(session: SessionDep, auth_subject: Writer, body: BranchCreate) -> BranchRead:
    return BranchRead.model_validate(await branch_service.create(session, auth_subject, data=body))


@router.patch("/{code}", response_model=BranchRead, summary="Ubah cabang / update a branch")
async def update_branch(
    session: SessionDep, auth_subject: Writer, code: str, body: BranchUpdate
) -> BranchRead:
    return BranchRead.model_validate(await branch_service.update(session, auth_subject, code=code, data=body))
