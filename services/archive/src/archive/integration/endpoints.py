"""HTTP routes for agency systems: bulk submission, EAD3 export, webhook subscriptions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse, Response
from pydantic import AnyHttpUrl, Field, StringConstraints

from archive.deps import ArchiveSession, RuntimeDep
from archive.events import EVENT_TYPES
from archive.integration.ead import ead_filename, render_ead
from archive.integration.submissions import submission_service
from archive.integration.webhooks import webhook_service
from archive.records.service import berkas_service
from pusip_kit.auth.fastapi import authenticated, require_roles
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.pagination import Page, PaginationParams, pagination
from pusip_kit.schemas import Schema, WriteSchema

router = APIRouter(tags=["integrasi instansi / agency integration"])
Agency = Annotated[AuthSubject, Depends(require_roles(Role.AGENCY_SYSTEM, Role.ADMIN))]
Reader = Annotated[AuthSubject, Depends(authenticated)]
Paging = Annotated[PaginationParams, Depends(pagination)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Kunci unik per pengiriman; pengulangan dengan kunci sama tidak menggandakan / "
        "unique per submission; a retry with the same key never duplicates",
    ),
]


class SubmissionIn(WriteSchema):
    items: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=1000)] = Field(
        description="Naskah dalam format ekspor SRIKANDI (lihat archive.records.srikandi) / records in the "
        "SRIKANDI export format"
    )
    dry_run: bool = False


@router.post(
    "/agency/submissions",
    summary="Kirim arsip secara massal (klien OAuth2) / bulk submission by an agency system",
    responses={200: {"description": "Diproses / processed"}, 201: {"description": "Arsip dibuat / created"}},
)
async def submit(
    session: ArchiveSession, auth_subject: Agency, idempotency_key: IdempotencyKey, body: SubmissionIn
) -> JSONResponse:
    status, payload, replayed = await submission_service.submit(
        session, auth_subject, key=idempotency_key, items=body.items, dry_run=body.dry_run
    )
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return JSONResponse(payload, status_code=status, headers=headers)


@router.get(
    "/berkas/{berkas_id}/ead",
    summary="Ekspor EAD3 (XML) berkas/seri/fonds / EAD3 export",
    response_class=Response,
    tags=["berkas / files and series"],
)
async def export_ead(
    session: ArchiveSession, auth_subject: Reader, runtime: RuntimeDep, berkas_id: uuid.UUID
) -> Response:
    root, children, records = await berkas_service.tree(
        session, auth_subject, berkas_id=berkas_id, action="export"
    )
    body = render_ead(root, children, records, agency=runtime.settings.agency_name)
    return Response(
        body,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{ead_filename(root)}"'},
    )


# ------------------------------------------------------------------------------------------ webhooks

EventPattern = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=200, pattern=r"^archive\.[a-z_.*]+$"),
]


class WebhookCreate(WriteSchema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    url: AnyHttpUrl
    event_types: Annotated[list[EventPattern], Field(min_length=1, max_length=50)] = Field(
        description="Jenis peristiwa, boleh dengan * (mis. archive.record.*) / event types, * allowed"
    )
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = Field(
        default=None, description="Hanya admin; klien selalu dibatasi ke unitnya / admins only"
    )


class WebhookUpdate(WriteSchema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)] | None = None
    url: AnyHttpUrl | None = None
    event_types: Annotated[list[EventPattern], Field(min_length=1, max_length=50)] | None = None
    active: bool | None = None


class WebhookRead(Schema):
    id: uuid.UUID
    name: str
    url: str
    event_types: list[str]
    unit: str | None
    owner: str
    active: bool
    created_at: datetime


class WebhookWithSecret(WebhookRead):
    secret: str = Field(description="Rahasia penandatangan; hanya ditampilkan sekarang / shown only now")


class AttemptRead(Schema):
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryRead(Schema):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
    log: list[AttemptRead] = []


@router.get("/webhooks/event-types", summary="Jenis peristiwa / event types", tags=["webhooks"])
async def event_types() -> list[str]:
    return list(EVENT_TYPES)


@router.post(
    "/webhooks",
    response_model=WebhookWithSecret,
    status_code=201,
    summary="Langganan baru",
    tags=["webhooks"],
)
async def create_webhook(
    session: ArchiveSession, auth_subject: Agency, runtime: RuntimeDep, body: WebhookCreate
) -> WebhookWithSecret:
    item, secret = await webhook_service.create(
        session,
        auth_subject,
        name=body.name,
        url=str(body.url),
        event_types=body.event_types,
        unit=body.unit,
        settings=runtime.settings,
    )
    return WebhookWithSecret(**WebhookRead.model_validate(item).model_dump(), secret=secret)


@router.get(
    "/webhooks", response_model=Page[WebhookRead], summary="Langganan / subscriptions", tags=["webhooks"]
)
async def list_webhooks(session: ArchiveSession, auth_subject: Agency, page: Paging) -> Page[WebhookRead]:
    items, total = await webhook_service.list_subscriptions(session, auth_subject, pagination=page)
    return Page.of([WebhookRead.model_validate(i) for i in items], total, page)


@router.get("/webhooks/{subscription_id}", response_model=WebhookRead, tags=["webhooks"])
async def get_webhook(
    session: ArchiveSession, auth_subject: Agency, subscription_id: uuid.UUID
) -> WebhookRead:
    return WebhookRead.model_validate(
        await webhook_service.get(session, auth_subject, subscription_id=subscription_id)
    )


@router.patch("/webhooks/{subscription_id}", response_model=WebhookRead, tags=["webhooks"])
async def update_webhook(
    session: ArchiveSession,
    auth_subject: Agency,
    runtime: RuntimeDep,
    subscription_id: uuid.UUID,
    body: WebhookUpdate,
) -> WebhookRead:
    changes = body.model_dump(exclude_unset=True)
    if changes.get("url") is not None:
        changes["url"] = str(changes["url"])
    item = await webhook_service.update(
        session, auth_subject, subscription_id=subscription_id, changes=changes, settings=runtime.settings
    )
    return WebhookRead.model_validate(item)


@router.post("/webhooks/{subscription_id}/rotate-secret", response_model=WebhookWithSecret, tags=["webhooks"])
async def rotate_secret(
    session: ArchiveSession, auth_subject: Agency, subscription_id: uuid.UUID
) -> WebhookWithSecret:
    item, secret = await webhook_service.rotate_secret(session, auth_subject, subscription_id=subscription_id)
    return WebhookWithSecret(**WebhookRead.model_validate(item).model_dump(), secret=secret)


@router.post(
    "/webhooks/{subscription_id}/ping", response_model=DeliveryRead, status_code=202, tags=["webhooks"]
)
async def ping_webhook(
    session: ArchiveSession, auth_subject: Agency, subscription_id: uuid.UUID
) -> DeliveryRead:
    return DeliveryRead.model_validate(
        await webhook_service.ping(session, auth_subject, subscription_id=subscription_id)
    )


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    response_model=Page[DeliveryRead],
    summary="Log pengiriman / delivery log",
    tags=["webhooks"],
)
async def list_deliveries(
    session: ArchiveSession,
    auth_subject: Agency,
    subscription_id: uuid.UUID,
    page: Paging,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|failed)$")] = None,
) -> Page[DeliveryRead]:
    items, total = await webhook_service.deliveries(
        session, auth_subject, subscription_id=subscription_id, pagination=page, status=status
    )
    attempts = await webhook_service.attempts(session, [i.id for i in items])
    out = []
    for item in items:
        read = DeliveryRead.model_validate(item)
        read.log = [AttemptRead.model_validate(a) for a in attempts.get(item.id, [])]
        out.append(read)
    return Page.of(out, total, page)


@router.post(
    "/webhooks/{subscription_id}/deliveries/{delivery_id}/redeliver",
    response_model=DeliveryRead,
    status_code=202,
    tags=["webhooks"],
)
async def redeliver(
    session: ArchiveSession, auth_subject: Agency, subscription_id: uuid.UUID, delivery_id: uuid.UUID
) -> DeliveryRead:
    item = await webhook_service.redeliver(
        session, auth_subject, subscription_id=subscription_id, delivery_id=delivery_id
    )
    return DeliveryRead.model_validate(item)
