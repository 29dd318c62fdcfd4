"""HTTP routes for special collections: public browsing, curation by staff."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request, Response

from catalog.checks import ActionCheck, DryRun, action_check
from catalog.deps import Anyone, RuntimeDep, Staff
from catalog.records.service import record_service
from catalog.special.schemas import (
    CollectionCreate,
    CollectionRead,
    CollectionRecordRead,
    CollectionRef,
    CollectionUpdate,
    DocumentCreate,
    DocumentRead,
    DocumentUpdate,
    MembershipCreate,
)
from catalog.special.service import ACTION_REGISTER_DOCUMENT, special_collection_service
from catalog.special.vocabulary import Vocabulary, vocabulary
from pusip_kit.deps import SessionDep
from pusip_kit.pagination import Page, PaginationParams, pagination

router = APIRouter(tags=["koleksi khusus / special collections"])
PREFIX = "/special-collections"


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.get(
    f"{PREFIX}/vocabulary",
    response_model=Vocabulary,
    summary="Status konservasi dan ketentuan akses / conservation statuses and access conditions",
)
async def get_vocabulary() -> Vocabulary:
    return vocabulary()


@router.get(
    PREFIX, response_model=Page[CollectionRead], summary="Daftar koleksi khusus / special collections"
)
async def list_collections(
    session: SessionDep, auth_subject: Anyone, page: Annotated[PaginationParams, Depends(pagination)]
) -> Page[CollectionRead]:
    rows, total = await special_collection_service.list(session, auth_subject, pagination=page)
    return Page.of([await special_collection_service.read(session, c) for c in rows], total, page)


@router.post(
    PREFIX, status_code=201, response_model=CollectionRead, summary="Buat koleksi khusus / create one"
)
async def create_collection(
    session: SessionDep, auth_subject: Staff, body: CollectionCreate, response: Response
) -> CollectionRead:
    collection = await special_collection_service.create(session, auth_subject, data=body)
    response.headers["Location"] = f"{PREFIX}/{collection.code}"
    return await special_collection_service.read(session, collection)


@router.get(
    f"{PREFIX}/{{code}}", response_model=CollectionRead, summary="Satu koleksi khusus / one collection"
)
async def get_collection(session: SessionDep, auth_subject: Anyone, code: str) -> CollectionRead:
    collection = await special_collection_service.get(session, auth_subject, code=code)
    return await special_collection_service.read(session, collection)


@router.patch(
    f"{PREFIX}/{{code}}", response_model=CollectionRead, summary="Ubah koleksi / update a collection"
)
async def update_collection(
    session: SessionDep, auth_subject: Staff, code: str, body: CollectionUpdate
) -> CollectionRead:
    collection = await special_collection_service.update(session, auth_subject, code=code, data=body)
    return await special_collection_service.read(session, collection)


@router.get(
    f"{PREFIX}/{{code}}/records",
    response_model=Page[CollectionRecordRead],
    summary="Jelajahi rekaman koleksi / browse the collection's records",
)
async def collection_records(
    session: SessionDep,
    auth_subject: Anyone,
    code: str,
    page: Annotated[PaginationParams, Depends(pagination)],
) -> Page[CollectionRecordRead]:
    collection = await special_collection_service.get(session, auth_subject, code=code)
    rows, total = await special_collection_service.records(
        session, auth_subject, collection=collection, pagination=page
    )
    return Page.of(rows, total, page)


@router.put(
    f"{PREFIX}/{{code}}/records/{{record_id}}",
    response_model=CollectionRecordRead,
    summary="Masukkan rekaman ke koleksi / assign a record (idempotent)",
)
async def add_record(
    session: SessionDep,
    auth_subject: Staff,
    code: str,
    record_id: uuid.UUID,
    response: Response,
    body: Annotated[MembershipCreate | None, Body()] = None,
) -> CollectionRecordRead:
    membership, created = await special_collection_service.add_record(
        session, auth_subject, code=code, record_id=record_id, note=body.note if body else None
    )
    response.status_code = 201 if created else 200
    collection = await special_collection_service.get(session, auth_subject, code=code)
    rows, _ = await special_collection_service.records(
        session, auth_subject, collection=collection, pagination=PaginationParams(page=1, limit=100)
    )
    return next(r for r in rows if r.record_id == membership.record_id)


@router.delete(
    f"{PREFIX}/{{code}}/records/{{record_id}}", status_code=204, summary="Keluarkan rekaman / remove a record"
)
async def remove_record(
    session: SessionDep, auth_subject: Staff, code: str, record_id: uuid.UUID
) -> Response:
    await special_collection_service.remove_record(session, auth_subject, code=code, record_id=record_id)
    return Response(status_code=204)


@router.get(
    f"{PREFIX}/{{code}}/documents",
    response_model=Page[DocumentRead],
    summary="Dokumen digital koleksi / the collection's digitised documents",
)
async def collection_documents(
    request: Request,
    session: SessionDep,
    auth_subject: Anyone,
    runtime: RuntimeDep,
    code: str,
    page: Annotated[PaginationParams, Depends(pagination)],
    conservation_status: str | None = None,
) -> Page[DocumentRead]:
    collection = await special_collection_service.get(session, auth_subject, code=code)
    rows, total = await special_collection_service.documents(
        session, auth_subject, pagination=page, collection=collection, conservation_status=conservation_status
    )
    ip, networks = _client_ip(request), runtime.settings.on_site_networks
    return Page.of(
        [
            special_collection_service.document_read(d, e, t, collection, auth_subject, ip, networks)
            for d, e, t in rows
        ],
        total,
        page,
    )


@router.post(
    f"{PREFIX}/{{code}}/documents",
    response_model=DocumentRead | ActionCheck,
    status_code=201,
    summary="Daftarkan dokumen digital / register a digitised document",
    description="Sebuah sumber elektronik menjadi dokumen digital koleksi, dengan status konservasi naskah "
    "aslinya dan ketentuan akses (yang menentukan aturan akses berkas). Ditolak: `conservation_status_unknown`, "
    "`access_condition_unknown`, `document_in_another_collection`. / An e-resource becomes a digitised "
    "document with its original's conservation status and an access condition (which sets the file's "
    "access rule). `?dry_run=true` only checks.",
)
async def register_document(
    request: Request,
    session: SessionDep,
    auth_subject: Staff,
    runtime: RuntimeDep,
    code: str,
    body: DocumentCreate,
    response: Response,
    dry_run: DryRun = False,
) -> DocumentRead | ActionCheck:
    if dry_run:
        response.status_code = 200
        _, eresource, reasons = await special_collection_service.check_register(
            session, auth_subject, code=code, data=body
        )
        return action_check(ACTION_REGISTER_DOCUMENT, reasons, eresource.id)
    document, created = await special_collection_service.register_document(
        session, auth_subject, code=code, data=body
    )
    response.status_code = 201 if created else 200
    return await _document(request, session, auth_subject, runtime, code, document.eresource_id)


async def _document(
    request: Request,
    session: SessionDep,
    auth_subject: Staff,
    runtime: RuntimeDep,
    code: str,
    eresource_id: uuid.UUID,
) -> DocumentRead:
    collection = await special_collection_service.get(session, auth_subject, code=code)
    rows, _ = await special_collection_service.documents(
        session, auth_subject, pagination=PaginationParams(page=1, limit=100), collection=collection
    )
    d, e, t = next(row for row in rows if row[0].eresource_id == eresource_id)
    return special_collection_service.document_read(
        d, e, t, collection, auth_subject, _client_ip(request), runtime.settings.on_site_networks
    )


@router.patch(
    f"{PREFIX}/{{code}}/documents/{{eresource_id}}",
    response_model=DocumentRead,
    summary="Ubah status konservasi atau akses / update a digitised document",
)
async def update_document(
    request: Request,
    session: SessionDep,
    auth_subject: Staff,
    runtime: RuntimeDep,
    code: str,
    eresource_id: uuid.UUID,
    body: DocumentUpdate,
) -> DocumentRead:
    await special_collection_service.update_document(
        session, auth_subject, code=code, eresource_id=eresource_id, data=body
    )
    return await _document(request, session, auth_subject, runtime, code, eresource_id)


@router.delete(
    f"{PREFIX}/{{code}}/documents/{{eresource_id}}",
    status_code=204,
    summary="Lepaskan dokumen dari koleksi (berkasnya tetap) / unregister a document (the file stays)",
)
async def remove_document(
    session: SessionDep, auth_subject: Staff, code: str, eresource_id: uuid.UUID
) -> Response:
    await special_collection_service.remove_document(
        session, auth_subject, code=code, eresource_id=eresource_id
    )
    return Response(status_code=204)


@router.get(
    "/records/{record_id}/special-collections",
    response_model=list[CollectionRef],
    summary="Koleksi khusus sebuah rekaman / a record's special collections",
)
async def record_collections(
    session: SessionDep, auth_subject: Anyone, record_id: uuid.UUID
) -> list[CollectionRef]:
    rows = await special_collection_service.collections_of_record(session, auth_subject, record_id=record_id)
    return [CollectionRef(code=c.code, name=c.name, name_en=c.name_en) for c in rows]


@router.get(
    "/records/{record_id}/digitised-documents",
    response_model=list[DocumentRead],
    summary="Dokumen digital sebuah rekaman / a record's digitised documents",
)
async def record_documents(
    request: Request, session: SessionDep, auth_subject: Anyone, runtime: RuntimeDep, record_id: uuid.UUID
) -> list[DocumentRead]:
    await record_service.get(session, auth_subject, record_id=record_id)
    rows, _ = await special_collection_service.documents(
        session, auth_subject, pagination=PaginationParams(page=1, limit=100), record_id=record_id
    )
    collections = await special_collection_service.collections_by_id(
        session, [d.collection_id for d, _, _ in rows]
    )
    ip, networks = _client_ip(request), runtime.settings.on_site_networks
    out = []
    for d, e, t in rows:
        collection = collections[d.collection_id]
        if not collection.public and not special_collection_service.is_staff(auth_subject):
            continue
        out.append(special_collection_service.document_read(d, e, t, collection, auth_subject, ip, networks))
    return out
