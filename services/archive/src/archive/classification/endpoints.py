"""HTTP routes for classification codes: authentication and request/response shapes only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from archive.classification.codes import CodeFormatError, normalise_code
from archive.classification.schemas import (
    ClassificationCodeCreate,
    ClassificationCodeRead,
    ClassificationCodeUpdate,
)
from archive.classification.service import classification_code_service, code_not_found
from pusip_kit.auth.fastapi import authenticated, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(prefix="/classification-codes", tags=["kode klasifikasi / classification codes"])

Reader = Annotated[AuthSubject, Depends(authenticated)]
Writer = Annotated[AuthSubject, Depends(require_roles(Role.ARCHIVIST, Role.ADMIN))]


def _path_code(code: str) -> str:
    try:
        return normalise_code(code)
    except CodeFormatError as exc:
        raise code_not_found(code) from exc


@router.get(
    "",
    response_model=Page[ClassificationCodeRead],
    summary="Daftar kode klasifikasi / list classification codes",
)
async def list_classification_codes(
    session: SessionDep,
    auth_subject: Reader,
    page: Annotated[PaginationParams, Depends(pagination)],
    parent_code: Annotated[
        str | None, Query(max_length=64, description="Anak dari kode / children of")
    ] = None,
    root: Annotated[bool, Query(description="Hanya kode teratas / top-level codes only")] = False,
    level: Annotated[int | None, Query(ge=1, le=10, description="Tingkat / level")] = None,
    scheme_version: Annotated[str | None, Query(max_length=100, description="Versi skema")] = None,
    active: Annotated[bool | None, Query(description="Aktif / active")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Awal kode atau judul / code or title")
    ] = None,
) -> Page[ClassificationCodeRead]:
    items, total = await classification_code_service.list(
        session,
        auth_subject,
        pagination=page,
        parent_code=parent_code.strip().upper() if parent_code else None,
        roots_only=root,
        level=level,
        scheme_version=scheme_version,
        active=active,
        query=q.strip() if q else None,
    )
    return Page.of([ClassificationCodeRead.model_validate(i) for i in items], total, page)


@router.get("/{code}", response_model=ClassificationCodeRead, summary="Satu kode / one code")
async def get_classification_code(
    session: SessionDep, auth_subject: Reader, code: str
) -> ClassificationCodeRead:
    item = await classification_code_service.get(session, auth_subject, code=_path_code(code))
    return ClassificationCodeRead.model_validate(item)


@router.post(
    "",
    response_model=ClassificationCodeRead,
    status_code=201,
    summary="Tambah kode klasifikasi / create a classification code",
)
async def create_classification_code(
    session: SessionDep, auth_subject: Writer, body: ClassificationCodeCreate
) -> ClassificationCodeRead:
    item = await classification_code_service.create(session, auth_subject, data=body)
    return ClassificationCodeRead.model_validate(item)


@router.patch("/{code}", response_model=ClassificationCodeRead, summary="Ubah kode / update a code")
async def update_classification_code(
    session: SessionDep, auth_subject: Writer, code: str, body: ClassificationCodeUpdate
) -> ClassificationCodeRead:
    item = await classification_code_service.update(session, auth_subject, code=_path_code(code), data=body)
    return ClassificationCodeRead.model_validate(item)
