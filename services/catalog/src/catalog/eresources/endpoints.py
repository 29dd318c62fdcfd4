"""HTTP routes for e-resources: upload (streamed), listing, access-checked download."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from catalog.deps import Anyone, RuntimeDep, SessionmakerDep, Staff
from catalog.eresources.schemas import DownloadLink, EResourceRead, EResourceUpdate
from catalog.eresources.service import eresource_service
from catalog.models import AccessRule
from catalog.records.service import record_service
from catalog.uploads import Upload, check_declared_length, stream_upload
from pusip_kit.deps import SessionDep
from pusip_kit.errors import Unprocessable
from pusip_kit.files import sniff
from pusip_kit.uow import after_commit, unit_of_work

router = APIRouter(tags=["sumber elektronik / e-resources"])


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.post(
    "/records/{record_id}/eresources",
    status_code=201,
    response_model=EResourceRead,
    summary="Unggah sumber elektronik / upload an e-resource",
    description="`multipart/form-data` dengan isian `file` (dan `access`), atau berkas mentah dengan "
    "`?filename=`. The type is sniffed from the content, never from the name.",
)
async def upload_eresource(
    request: Request,
    auth_subject: Staff,
    runtime: RuntimeDep,
    sessionmaker: SessionmakerDep,
    record_id: uuid.UUID,
    access: Annotated[
        AccessRule, Query(description="public | members | on_site | restricted")
    ] = AccessRule.PUBLIC,
) -> EResourceRead:
    settings = runtime.settings
    check_declared_length(request, settings.eresource_max_bytes)
    async with unit_of_work(sessionmaker) as session:
        await record_service.get(session, auth_subject, record_id=record_id)
    eresource_id = uuid.uuid4()
    key = f"records/{record_id}/{eresource_id}"
    store = runtime.eresources_store
    upload = Upload()
    stored = await store.put(key, stream_upload(request, upload), max_size=settings.eresource_max_bytes)
    try:
        unknown = sorted(set(upload.fields) - {"access"})
        if unknown:
            raise Unprocessable(
                f"Isian tidak dikenal: {', '.join(unknown)}",
                f"Unknown fields: {', '.join(unknown)}",
                code="unknown_field",
            )
        if "access" in upload.fields:
            try:
                access = AccessRule(upload.fields["access"])
            except ValueError as exc:
                raise Unprocessable(
                    "Aturan akses tidak dikenal", "Unknown access rule", code="access_rule_invalid"
                ) from exc
        if stored.size == 0:
            raise Unprocessable("Berkas kosong", "The file is empty", code="file_empty")
        kind = sniff(await store.read_bytes(key, end=min(stored.size, 8192)))
        async with unit_of_work(sessionmaker) as session:
            eresource = await eresource_service.create(
                session,
                auth_subject,
                eresource_id=eresource_id,
                record_id=record_id,
                stored=stored,
                kind=kind,
                filename=upload.filename,
                access=access,
            )
    except BaseException:
        await store.delete(key)
        raise
    return eresource_service.read(eresource, auth_subject, _client_ip(request), settings.on_site_networks)


@router.get(
    "/records/{record_id}/eresources",
    response_model=list[EResourceRead],
    summary="Sumber elektronik sebuah rekaman / a record's e-resources",
)
async def list_eresources(
    request: Request, session: SessionDep, auth_subject: Anyone, runtime: RuntimeDep, record_id: uuid.UUID
) -> list[EResourceRead]:
    rows = await eresource_service.of_record(session, auth_subject, record_id=record_id)
    networks = runtime.settings.on_site_networks
    return [eresource_service.read(e, auth_subject, _client_ip(request), networks) for e in rows]


@router.get(
    "/eresources/{eresource_id}",
    response_model=EResourceRead,
    summary="Satu sumber elektronik / one e-resource",
)
async def get_eresource(
    request: Request, session: SessionDep, auth_subject: Anyone, runtime: RuntimeDep, eresource_id: uuid.UUID
) -> EResourceRead:
    eresource = await eresource_service.get(session, auth_subject, eresource_id=eresource_id)
    return eresource_service.read(
        eresource, auth_subject, _client_ip(request), runtime.settings.on_site_networks
    )


@router.patch(
    "/eresources/{eresource_id}",
    response_model=EResourceRead,
    summary="Ubah akses atau nama / change access or name",
)
async def update_eresource(
    request: Request,
    session: SessionDep,
    auth_subject: Staff,
    runtime: RuntimeDep,
    eresource_id: uuid.UUID,
    body: EResourceUpdate,
) -> EResourceRead:
    eresource = await eresource_service.update(session, auth_subject, eresource_id=eresource_id, data=body)
    return eresource_service.read(
        eresource, auth_subject, _client_ip(request), runtime.settings.on_site_networks
    )


@router.delete(
    "/eresources/{eresource_id}", status_code=204, summary="Hapus sumber elektronik / delete an e-resource"
)
async def delete_eresource(
    session: SessionDep, auth_subject: Staff, runtime: RuntimeDep, eresource_id: uuid.UUID
) -> Response:
    eresource = await eresource_service.delete(session, auth_subject, eresource_id=eresource_id)
    key = eresource.object_key

    async def remove_object() -> None:
        await runtime.eresources_store.delete(key)

    after_commit(session, remove_object)
    return Response(status_code=204)


@router.get(
    "/eresources/{eresource_id}/download",
    summary="Unduh (tautan bertanda tangan) / download through a signed link",
    responses={307: {"description": "Redirect to a short-lived signed URL"}},
    response_model=None,
)
async def download_eresource(
    request: Request,
    session: SessionDep,
    auth_subject: Anyone,
    runtime: RuntimeDep,
    eresource_id: uuid.UUID,
    redirect: bool = True,
) -> RedirectResponse | DownloadLink:
    eresource = await eresource_service.get(session, auth_subject, eresource_id=eresource_id)
    eresource_service.check_download(
        auth_subject, eresource, _client_ip(request), runtime.settings.on_site_networks
    )
    url, expires = await eresource_service.download_link(runtime, eresource)
    if redirect:
        return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    return DownloadLink(url=url, expires_at=expires, filename=eresource.filename)
