"""HTTP routes for libraries: authentication and request/response shapes only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from accreditation.libraries.schemas import LibraryCreate, LibraryRead, LibraryUpdate
from accreditation.libraries.service import library_service
from accreditation.models import JakartaCity, LibraryType
from pusip_kit.auth.fastapi import authenticated, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(prefix="/libraries", tags=["perpustakaan / libraries"])

Reader = Annotated[AuthSubject, Depends(authenticated)]
Officer = Annotated[AuthSubject, Depends(require_roles(Role.ACCREDITATION_OFFICER))]
# Library admins pass here; the service allows them only their own library.
Editor = Annotated[AuthSubject, Depends(require_roles(Role.ACCREDITATION_OFFICER, Role.LIBRARY_ADMIN))]


@router.get("", response_model=Page[LibraryRead], summary="Daftar perpustakaan / list libraries")
async def list_libraries(
    session: SessionDep,
    auth_subject: Reader,
    page: Annotated[PaginationParams, Depends(pagination)],
    type: Annotated[LibraryType | None, Query(description="Jenis / type")] = None,
    city: Annotated[JakartaCity | None, Query(description="Kota / city")] = None,
    active: Annotated[bool | None, Query(description="Aktif / active")] = None,
    has_npp: Annotated[bool | None, Query(description="Sudah ber-NPP / has an NPP")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Nama, kode, lembaga induk, NPP")] = None,
) -> Page[LibraryRead]:
    items, total = await library_service.list(
        session,
        auth_subject,
        pagination=page,
        type=type.value if type else None,
        city=city.value if city else None,
        active=active,
        has_npp=has_npp,
        query=q.strip() if q else None,
    )
    return Page.of([LibraryRead.model_validate(x) for x in items], total, page)


@router.get("/{code}", response_model=LibraryRead, summary="Satu perpustakaan / one library")
async def get_library(session: SessionDep, auth_subject: Reader, code: str) -> LibraryRead:
    return LibraryRead.model_validate(await library_service.get(session, auth_subject, code=code))


@router.post("", response_model=LibraryRead, status_code=201, summary="Tambah perpustakaan / add a library")
async def create_library(session: SessionDep, auth_subject: Officer, body: LibraryCreate) -> LibraryRead:
    return LibraryRead.model_validate(await library_service.create(session, auth_subject, data=body))


@router.patch("/{code}", response_model=LibraryRead, summary="Ubah profil / update a library")
async def update_library(
    session: SessionDep, auth_subject: Editor, code: str, body: LibraryUpdate
) -> LibraryRead:
    return LibraryRead.model_validate(
        await library_service.update(session, auth_subject, code=code, data=body)
    )
