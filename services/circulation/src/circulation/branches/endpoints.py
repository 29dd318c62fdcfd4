"""Read-only HTTP routes on circulation's branch replica (catalog owns branches)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from circulation.branches.schemas import BranchRead
from circulation.branches.service import branch_replica_service
from pusip_kit.auth.fastapi import authenticated
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.deps import SessionDep
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(prefix="/branches", tags=["cabang (replika) / branches (replica)"])

Reader = Annotated[AuthSubject, Depends(authenticated)]


@router.get("", response_model=Page[BranchRead], summary="Cabang yang dikenal sirkulasi / known branches")
async def list_branches(
    session: SessionDep,
    auth_subject: Reader,
    page: Annotated[PaginationParams, Depends(pagination)],
    active: Annotated[bool | None, Query(description="Aktif / active")] = None,
) -> Page[BranchRead]:
    items, total = await branch_replica_service.list(session, auth_subject, pagination=page, active=active)
    return Page.of([BranchRead.model_validate(b) for b in items], total, page)


@router.get("/{code}", response_model=BranchRead, summary="Satu cabang / one branch")
async def get_branch(session: SessionDep, auth_subject: Reader, code: str) -> BranchRead:
    return BranchRead.model_validate(await branch_replica_service.get(session, auth_subject, code=code))
