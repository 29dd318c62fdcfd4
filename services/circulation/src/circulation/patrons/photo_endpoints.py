"""HTTP routes for patron photos: ``/patrons/me/photo`` (own) and ``/patrons/{card}/photo`` (staff).

Upload as the raw body (any declared type: the bytes decide) or as multipart field ``file``.
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Depends, Request, Response
from starlette.datastructures import UploadFile

from circulation.deps import SettingsDep
from circulation.models import Patron
from circulation.patrons.photo import current_key, no_photo, photo_service
from circulation.patrons.service import patron_service
from pusip_kit.auth.fastapi import authenticated, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.deps import SessionDep
from pusip_kit.errors import BadRequest, PayloadTooLarge
from pusip_kit.storage import ObjectStore

router = APIRouter(prefix="/patrons", tags=["anggota / patrons"])

Caller = Annotated[AuthSubject, Depends(authenticated)]
Staff = Annotated[AuthSubject, Depends(require_roles(Role.ADMIN, Role.LIBRARIAN))]


def photo_store(request: Request) -> ObjectStore:
    return cast(ObjectStore, request.app.state.circulation_photos)


Store = Annotated[ObjectStore, Depends(photo_store)]


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Foto melebihi {limit} bita", f"The photo exceeds {limit} bytes", details={"max_bytes": limit}
    )


async def read_upload(request: Request, limit: int) -> bytes:
    """The uploaded bytes (raw body or multipart ``file``), refusing more than ``limit`` early."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise _too_large(limit)
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        try:
            form = await request.form(max_files=1, max_fields=5)
        except Exception as exc:
            raise BadRequest(
                "Isi multipart tidak sah", "Malformed multipart body", code="multipart_invalid"
            ) from exc
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise BadRequest("Bagian 'file' tidak ada", "No 'file' part", code="file_missing")
            data = await upload.read(limit + 1)
        finally:
            await form.close()
    else:
        buffer = bytearray()
        async for chunk in request.stream():
            buffer.extend(chunk)
            if len(buffer) > limit:
                raise _too_large(limit)
        data = bytes(buffer)
    if len(data) > limit:
        raise _too_large(limit)
    return data


async def _send(patron: Patron, store: ObjectStore) -> Response:
    key = current_key(patron)
    if key is None or patron.photo_type is None:
        raise no_photo()
    data = await store.read_bytes(key)
    return Response(
        content=data,
        media_type=patron.photo_type,
        headers={
            "ETag": f'"{patron.photo_sha256}"',
            "Cache-Control": "private, max-age=300",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.put("/me/photo", status_code=204, summary="Unggah foto saya / upload my photo")
async def put_my_photo(
    request: Request, session: SessionDep, auth_subject: Caller, settings: SettingsDep, store: Store
) -> Response:
    patron = await patron_service.me(session, auth_subject)
    data = await read_upload(request, settings.photo_max_bytes)
    await photo_service.put(session, auth_subject, patron=patron, data=data, store=store, settings=settings)
    return Response(status_code=204)


@router.get("/me/photo", summary="Foto saya / my photo", response_class=Response)
async def get_my_photo(session: SessionDep, auth_subject: Caller, store: Store) -> Response:
    return await _send(await patron_service.me(session, auth_subject), store)


@router.delete("/me/photo", status_code=204, summary="Hapus foto saya / delete my photo")
async def delete_my_photo(session: SessionDep, auth_subject: Caller) -> Response:
    patron = await patron_service.me(session, auth_subject)
    await photo_service.remove(session, auth_subject, patron=patron)
    return Response(status_code=204)


@router.put("/{card_number}/photo", status_code=204, summary="Unggah foto anggota / upload a patron's photo")
async def put_patron_photo(
    request: Request,
    session: SessionDep,
    auth_subject: Staff,
    settings: SettingsDep,
    store: Store,
    card_number: str,
) -> Response:
    patron = await patron_service.get_by_card(session, auth_subject, card_number=card_number)
    data = await read_upload(request, settings.photo_max_bytes)
    await photo_service.put(session, auth_subject, patron=patron, data=data, store=store, settings=settings)
    return Response(status_code=204)


@router.get("/{card_number}/photo", summary="Foto anggota / a patron's photo", response_class=Response)
async def get_patron_photo(
    session: SessionDep, auth_subject: Caller, store: Store, card_number: str
) -> Response:
    return await _send(
        await patron_service.get_by_card(session, auth_subject, card_number=card_number), store
    )


@router.delete(
    "/{card_number}/photo", status_code=204, summary="Hapus foto anggota / delete a patron's photo"
)
async def delete_patron_photo(session: SessionDep, auth_subject: Staff, card_number: str) -> Response:
    patron = await patron_service.get_by_card(session, auth_subject, card_number=card_number)
    await photo_service.remove(session, auth_subject, patron=patron)
    return Response(status_code=204)
