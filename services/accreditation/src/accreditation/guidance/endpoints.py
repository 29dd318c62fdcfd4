"""HTTP routes for guidance activities: the office's side and the public page and calendar."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from accreditation.checks import ActionCheck, action_check
from accreditation.deps import Anyone, DryRun, Editor, Officer, Reader, SessionmakerDep, SettingsDep, StoreDep
from accreditation.files import receive_file, stream_object
from accreditation.guidance.ical import calendar
from accreditation.guidance.schemas import (
    ActivityCreate,
    ActivityRead,
    ActivityUpdate,
    AttendanceUpdate,
    MaterialRead,
    PublicActivity,
    PublicMaterial,
    RegistrationCreate,
    RegistrationRead,
)
from accreditation.guidance.service import ACTION_REGISTER, guidance_service, registration_open
from accreditation.models import (
    ActivityKind,
    ActivityLevel,
    ActivityStatus,
    GuidanceActivity,
    GuidanceMaterial,
    GuidanceRegistration,
    JakartaCity,
    LibrarySegment,
)
from pusip_kit.db import utcnow
from pusip_kit.deps import SessionDep
from pusip_kit.errors import Unprocessable
from pusip_kit.pagination import Page, PaginationParams, pagination
from pusip_kit.uow import after_commit, unit_of_work

router = APIRouter(prefix="/guidance", tags=["pembinaan / guidance"])
public_router = APIRouter(prefix="/public/guidance", tags=["publik / public"])

ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"


def _registration(row: GuidanceRegistration, library_code: str | None) -> RegistrationRead:
    values = {c.key: getattr(row, c.key) for c in GuidanceRegistration.__table__.columns}
    return RegistrationRead.model_validate({**values, "library_code": library_code})


def _public_material(activity: GuidanceActivity, material: GuidanceMaterial) -> PublicMaterial:
    return PublicMaterial(
        id=material.id,
        title=material.title,
        filename=material.filename,
        content_type=material.content_type,
        size=material.size,
        url=f"/public/guidance/{activity.id}/materials/{material.id}",
    )


async def _public(
    session: AsyncSession,
    activity: GuidanceActivity,
    registered: int,
    materials: list[GuidanceMaterial] | None = None,
) -> PublicActivity:
    seats = None if activity.capacity is None else max(0, activity.capacity - registered)
    return PublicActivity(
        id=activity.id,
        title=activity.title,
        description=activity.description,
        kind=ActivityKind(activity.kind),
        segment=LibrarySegment(activity.segment) if activity.segment else None,
        level=ActivityLevel(activity.level),
        city=JakartaCity(activity.city) if activity.city else None,
        venue=activity.venue,
        online_url=activity.online_url,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        registration_closes_at=activity.registration_closes_at,
        capacity=activity.capacity,
        seats_left=seats,
        registration_open=registration_open(activity, utcnow(), registered),
        organizer=activity.organizer,
        contact=activity.contact,
        status=ActivityStatus(activity.status),
        materials=[_public_material(activity, m) for m in materials or []],
        calendar_url=f"/public/guidance/{activity.id}/calendar.ics",
    )


class Filters:
    def __init__(
        self,
        segment: Annotated[LibrarySegment | None, Query(description="Segmen / segment")] = None,
        level: Annotated[ActivityLevel | None, Query(description="Tingkat / level")] = None,
        city: Annotated[JakartaCity | None, Query(description="Kota / city")] = None,
        kind: Annotated[ActivityKind | None, Query(description="Jenis kegiatan / kind")] = None,
        from_: Annotated[
            datetime | None, Query(alias="from", description="Berakhir setelah / ends after")
        ] = None,
        to: Annotated[datetime | None, Query(description="Mulai sebelum / starts before")] = None,
    ) -> None:
        self.segment = segment.value if segment else None
        self.level = level.value if level else None
        self.city = city.value if city else None
        self.kind = kind.value if kind else None
        self.ends_after = from_
        self.starts_before = to


# -- the office -------------------------------------------------------------------------------------


@router.get("", response_model=Page[ActivityRead], summary="Daftar kegiatan / list activities")
async def list_activities(
    session: SessionDep,
    auth_subject: Reader,
    page: Annotated[PaginationParams, Depends(pagination)],
    filters: Annotated[Filters, Depends()],
    status: Annotated[ActivityStatus | None, Query()] = None,
) -> Page[ActivityRead]:
    items, total = await guidance_service.list(
        session,
        auth_subject,
        pagination=page,
        public=False,
        status=status.value if status else None,
        segment=filters.segment,
        level=filters.level,
        city=filters.city,
        kind=filters.kind,
        ends_after=filters.ends_after,
        starts_before=filters.starts_before,
    )
    counts = await guidance_service.counts(session, items)
    return Page.of([guidance_service.read(a, counts) for a in items], total, page)


@router.post(
    "", response_model=ActivityRead, status_code=201, summary="Rencanakan kegiatan / plan an activity"
)
async def create_activity(session: SessionDep, auth_subject: Officer, body: ActivityCreate) -> ActivityRead:
    activity = await guidance_service.create(session, auth_subject, data=body)
    return guidance_service.read(activity, {})


@router.get("/{activity_id}", response_model=ActivityRead, summary="Satu kegiatan / one activity")
async def get_activity(session: SessionDep, auth_subject: Reader, activity_id: uuid.UUID) -> ActivityRead:
    activity = await guidance_service.get(session, auth_subject, id=activity_id)
    return guidance_service.read(activity, await guidance_service.counts(session, [activity]))


@router.patch("/{activity_id}", response_model=ActivityRead, summary="Ubah kegiatan / update an activity")
async def update_activity(
    session: SessionDep, auth_subject: Officer, activity_id: uuid.UUID, body: ActivityUpdate
) -> ActivityRead:
    activity = await guidance_service.update(session, auth_subject, id=activity_id, data=body)
    return guidance_service.read(activity, await guidance_service.counts(session, [activity]))


@router.post("/{activity_id}/publish", response_model=ActivityRead, summary="Umumkan kegiatan / publish")
async def publish_activity(
    session: SessionDep, auth_subject: Officer, activity_id: uuid.UUID
) -> ActivityRead:
    activity = await guidance_service.publish(session, auth_subject, id=activity_id)
    return guidance_service.read(activity, await guidance_service.counts(session, [activity]))


@router.post("/{activity_id}/cancel", response_model=ActivityRead, summary="Batalkan kegiatan / cancel")
async def cancel_activity(
    session: SessionDep,
    auth_subject: Officer,
    activity_id: uuid.UUID,
    note: Annotated[str | None, Body(embed=True, max_length=2000)] = None,
) -> ActivityRead:
    activity = await guidance_service.cancel(session, auth_subject, id=activity_id, note=note)
    return guidance_service.read(activity, await guidance_service.counts(session, [activity]))


@router.get(
    "/{activity_id}/registrations",
    response_model=list[RegistrationRead],
    summary="Pendaftar (petugas: semua; pengelola: perpustakaannya) / registrations",
)
async def list_registrations(
    session: SessionDep, auth_subject: Editor, activity_id: uuid.UUID
) -> list[RegistrationRead]:
    rows = await guidance_service.registrations(session, auth_subject, id=activity_id)
    return [_registration(r, code) for r, code in rows]


@router.post(
    "/{activity_id}/registrations",
    response_model=RegistrationRead | ActionCheck,
    status_code=201,
    summary="Daftarkan peserta / register a participant",
)
async def register(
    session: SessionDep,
    auth_subject: Editor,
    activity_id: uuid.UUID,
    body: RegistrationCreate,
    response: Response,
    dry_run: DryRun = False,
) -> RegistrationRead | ActionCheck:
    if dry_run:
        activity, _, _, reasons = await guidance_service.check_register(
            session, auth_subject, id=activity_id, data=body
        )
        response.status_code = 200
        return action_check(ACTION_REGISTER, reasons, activity.id)
    registration, code = await guidance_service.register(session, auth_subject, id=activity_id, data=body)
    return _registration(registration, code)


@router.delete(
    "/{activity_id}/registrations/{registration_id}",
    response_model=RegistrationRead,
    summary="Batalkan pendaftaran / cancel a registration",
)
async def cancel_registration(
    session: SessionDep, auth_subject: Editor, activity_id: uuid.UUID, registration_id: uuid.UUID
) -> RegistrationRead:
    registration = await guidance_service.cancel_registration(
        session, auth_subject, id=activity_id, registration_id=registration_id
    )
    return _registration(registration, None)


@router.post(
    "/{activity_id}/attendance",
    response_model=list[RegistrationRead],
    summary="Catat kehadiran / record attendance",
)
async def record_attendance(
    session: SessionDep, auth_subject: Officer, activity_id: uuid.UUID, body: AttendanceUpdate
) -> list[RegistrationRead]:
    rows = await guidance_service.record_attendance(
        session, auth_subject, id=activity_id, present=body.present, absent=body.absent
    )
    return [_registration(r, code) for r, code in rows]


@router.post(
    "/{activity_id}/materials",
    response_model=MaterialRead,
    status_code=201,
    summary="Unggah materi / upload a material",
    description="`multipart/form-data`: `file`, `title`, `public` (`true`/`false`, bawaan `true`); atau isi "
    "mentah dengan `?filename=&title=&public=`.",
)
async def upload_material(
    request: Request,
    auth_subject: Officer,
    store: StoreDep,
    settings: SettingsDep,
    sessionmaker: SessionmakerDep,
    activity_id: uuid.UUID,
) -> MaterialRead:
    async with unit_of_work(sessionmaker) as session:
        await guidance_service.check_material_upload(session, auth_subject, id=activity_id)
    material_id = uuid.uuid4()
    key = f"materials/{activity_id}/{material_id}"
    received = await receive_file(request, store, key, max_size=settings.material_max_bytes)
    try:
        fields = {**dict(request.query_params), **received.fields}
        title = (fields.get("title") or received.filename or "Materi").strip()[:300]
        public_flag = fields.get("public", "true").strip().lower()
        if public_flag not in ("true", "false", "1", "0", "ya", "tidak"):
            raise Unprocessable(
                "Isian public harus true/false", "public must be true or false", code="public_invalid"
            )
        async with unit_of_work(sessionmaker) as session:
            material = await guidance_service.add_material(
                session,
                auth_subject,
                id=activity_id,
                material_id=material_id,
                title=title,
                public=public_flag in ("true", "1", "ya"),
                key=key,
                filename=received.filename,
                content_type=received.content_type,
                size=received.stored.size,
                sha256=received.stored.sha256,
            )
            read = MaterialRead.model_validate(material)
    except BaseException:
        await store.delete(key)
        raise
    return read


@router.get("/{activity_id}/materials", response_model=list[MaterialRead], summary="Materi / materials")
async def list_materials(
    session: SessionDep, auth_subject: Reader, activity_id: uuid.UUID
) -> list[MaterialRead]:
    rows = await guidance_service.materials(session, auth_subject, id=activity_id, public=False)
    return [MaterialRead.model_validate(m) for m in rows]


@router.get(
    "/{activity_id}/materials/{material_id}",
    summary="Unduh materi / download",
    response_class=StreamingResponse,
)
async def download_material(
    session: SessionDep, auth_subject: Reader, store: StoreDep, activity_id: uuid.UUID, material_id: uuid.UUID
) -> StreamingResponse:
    material = await guidance_service.material(
        session, auth_subject, id=activity_id, material_id=material_id, public=False
    )
    return await stream_object(
        store, material.object_key, filename=material.filename, content_type=material.content_type
    )


@router.delete("/{activity_id}/materials/{material_id}", status_code=204, summary="Hapus materi / delete")
async def delete_material(
    session: SessionDep,
    auth_subject: Officer,
    store: StoreDep,
    activity_id: uuid.UUID,
    material_id: uuid.UUID,
) -> Response:
    material = await guidance_service.delete_material(
        session, auth_subject, id=activity_id, material_id=material_id
    )
    key = material.object_key

    async def remove() -> None:
        await store.delete(key)

    after_commit(session, remove)
    return Response(status_code=204)


# -- the public ------------------------------------------------------------------------------------


@public_router.get(
    "",
    response_model=Page[PublicActivity],
    summary="Kegiatan pembinaan yang diumumkan / published guidance activities",
    description="Tanpa token. Bawaan: kegiatan yang belum berakhir. / No token needed. By default, "
    "activities that have not ended yet.",
)
async def public_activities(
    session: SessionDep,
    auth_subject: Anyone,
    page: Annotated[PaginationParams, Depends(pagination)],
    filters: Annotated[Filters, Depends()],
) -> Page[PublicActivity]:
    items, total = await guidance_service.list(
        session,
        auth_subject,
        pagination=page,
        public=True,
        segment=filters.segment,
        level=filters.level,
        city=filters.city,
        kind=filters.kind,
        ends_after=filters.ends_after or utcnow(),
        starts_before=filters.starts_before,
    )
    counts = await guidance_service.counts(session, items)
    return Page.of([await _public(session, a, counts.get(a.id, (0, 0))[0]) for a in items], total, page)


@public_router.get(
    "/calendar.ics",
    summary="Kalender iCalendar kegiatan / iCalendar feed",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
async def public_calendar(
    session: SessionDep, auth_subject: Anyone, settings: SettingsDep, filters: Annotated[Filters, Depends()]
) -> Response:
    items, _ = await guidance_service.list(
        session,
        auth_subject,
        pagination=None,
        public=True,
        segment=filters.segment,
        level=filters.level,
        city=filters.city,
        kind=filters.kind,
        ends_after=filters.ends_after or (datetime.now(UTC) - timedelta(days=90)),
        starts_before=filters.starts_before,
    )
    body = calendar(items, domain=settings.calendar_domain)
    return Response(
        body, media_type=ICS_MEDIA_TYPE, headers={"Content-Disposition": 'inline; filename="pembinaan.ics"'}
    )


@public_router.get("/{activity_id}", response_model=PublicActivity, summary="Satu kegiatan (publik)")
async def public_activity(
    session: SessionDep, auth_subject: Anyone, activity_id: uuid.UUID
) -> PublicActivity:
    activity = await guidance_service.get(session, auth_subject, id=activity_id, public=True)
    counts = await guidance_service.counts(session, [activity])
    materials = await guidance_service.materials(session, auth_subject, id=activity_id, public=True)
    return await _public(session, activity, counts.get(activity.id, (0, 0))[0], list(materials))


@public_router.get(
    "/{activity_id}/calendar.ics",
    summary="Satu kegiatan sebagai iCalendar",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
async def public_activity_calendar(
    session: SessionDep, auth_subject: Anyone, settings: SettingsDep, activity_id: uuid.UUID
) -> Response:
    activity = await guidance_service.get(session, auth_subject, id=activity_id, public=True)
    body = calendar([activity], domain=settings.calendar_domain, name=activity.title)
    return Response(
        body,
        media_type=ICS_MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="kegiatan-{activity.id}.ics"'},
    )


@public_router.get(
    "/{activity_id}/materials/{material_id}", summary="Unduh materi publik", response_class=StreamingResponse
)
async def public_material(
    session: SessionDep, auth_subject: Anyone, store: StoreDep, activity_id: uuid.UUID, material_id: uuid.UUID
) -> StreamingResponse:
    material = await guidance_service.material(
        session, auth_subject, id=activity_id, material_id=material_id, public=True
    )
    return await stream_object(
        store, material.object_key, filename=material.filename, content_type=material.content_type
    )
