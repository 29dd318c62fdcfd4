"""Guidance activities: officers plan and publish them; library admins register their staff;
officers record attendance and hand out materials; the public sees published activities.

Registration runs named refusals (with a dry run): the activity must be published and open, have
seats left, and the participant must not be registered already.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from accreditation.guidance.repository import GuidanceRepository
from accreditation.guidance.schemas import ActivityCreate, ActivityRead, ActivityUpdate, RegistrationCreate
from accreditation.libraries.repository import LibraryRepository
from accreditation.libraries.service import is_officer, library_not_found, manages, not_your_library
from accreditation.models import (
    ActivityStatus,
    GuidanceActivity,
    GuidanceMaterial,
    GuidanceRegistration,
    Library,
    RegistrationStatus,
)
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.db import utcnow
from pusip_kit.errors import Forbidden, NotFound, Reason, Refused, Unprocessable
from pusip_kit.outbox import emit_event
from pusip_kit.pagination import PaginationParams

EVENT_PUBLISHED = "accreditation.guidance.published"
EVENT_CANCELLED = "accreditation.guidance.cancelled"
EVENT_REGISTERED = "accreditation.guidance.registered"
ACTION_REGISTER = "register"
VISIBLE_TO_PUBLIC = (ActivityStatus.PUBLISHED.value, ActivityStatus.CANCELLED.value)


def activity_not_found(activity_id: uuid.UUID) -> NotFound:
    return NotFound(
        "Kegiatan tidak ditemukan",
        "Activity not found",
        code="activity_not_found",
        details={"id": str(activity_id)},
    )


def registration_open(activity: GuidanceActivity, now: datetime, registered: int) -> bool:
    closes = activity.registration_closes_at or activity.starts_at
    full = activity.capacity is not None and registered >= activity.capacity
    return activity.status == ActivityStatus.PUBLISHED and now < closes and not full


# -- named refusals ---------------------------------------------------------------------------------


def refuse_when_activity_not_published(activity: GuidanceActivity) -> Reason | None:
    if activity.status == ActivityStatus.PUBLISHED:
        return None
    return Reason(
        "refuse_when_activity_not_published",
        f"Kegiatan berstatus '{activity.status}'; pendaftaran hanya untuk kegiatan yang diumumkan",
        f"The activity is '{activity.status}'; only published activities take registrations",
        {"status": activity.status},
    )


def refuse_when_registration_closed(activity: GuidanceActivity, now: datetime) -> Reason | None:
    closes = activity.registration_closes_at or activity.starts_at
    if now < closes:
        return None
    return Reason(
        "refuse_when_registration_closed",
        "Pendaftaran kegiatan ini sudah ditutup",
        "Registration for this activity has closed",
        {"closed_at": closes.isoformat()},
    )


def refuse_when_activity_full(activity: GuidanceActivity, registered: int) -> Reason | None:
    if activity.capacity is None or registered < activity.capacity:
        return None
    return Reason(
        "refuse_when_activity_full",
        f"Kuota peserta ({activity.capacity}) sudah penuh",
        f"All {activity.capacity} seats are taken",
        {"capacity": activity.capacity},
    )


def refuse_when_already_registered(
    existing: Sequence[GuidanceRegistration], library: Library, name: str
) -> Reason | None:
    for registration in existing:
        if (
            registration.status == RegistrationStatus.REGISTERED
            and registration.library_id == library.id
            and registration.participant_name.casefold() == name.casefold()
        ):
            return Reason(
                "refuse_when_already_registered",
                f"{name} dari {library.name} sudah terdaftar",
                f"{name} of {library.name} is already registered",
                {"registration": str(registration.id)},
            )
    return None


class GuidanceService:
    @staticmethod
    def _require_officer(auth_subject: AuthSubject) -> None:
        if not is_officer(auth_subject):
            raise Forbidden(
                "Tindakan ini untuk petugas akreditasi",
                "This action is for accreditation officers",
                code="missing_role",
            )

    async def get(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, public: bool = False
    ) -> GuidanceActivity:
        activity = await GuidanceRepository(session).get(id)
        if activity is None:
            raise activity_not_found(id)
        if activity.status not in VISIBLE_TO_PUBLIC and (public or not is_officer(auth_subject)):
            raise activity_not_found(id)  # drafts are the office's own
        return activity

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams | None,
        public: bool,
        status: str | None = None,
        segment: str | None = None,
        level: str | None = None,
        city: str | None = None,
        kind: str | None = None,
        ends_after: datetime | None = None,
        starts_before: datetime | None = None,
    ) -> tuple[Sequence[GuidanceActivity], int]:
        if public or not is_officer(auth_subject):
            statuses: Sequence[str] | None = (
                [status] if status in VISIBLE_TO_PUBLIC else list(VISIBLE_TO_PUBLIC)
            )
            if status is not None and status not in VISIBLE_TO_PUBLIC:
                return [], 0
        else:
            statuses = [status] if status else None
        return await GuidanceRepository(session).list(
            pagination=pagination,
            statuses=statuses,
            segment=segment,
            level=level,
            city=city,
            kind=kind,
            ends_after=ends_after,
            starts_before=starts_before,
        )

    async def counts(
        self, session: AsyncSession, activities: Sequence[GuidanceActivity]
    ) -> dict[uuid.UUID, tuple[int, int]]:
        return await GuidanceRepository(session).counts([a.id for a in activities])

    def read(self, activity: GuidanceActivity, counts: dict[uuid.UUID, tuple[int, int]]) -> ActivityRead:
        registered, attended = counts.get(activity.id, (0, 0))
        values = {c.key: getattr(activity, c.key) for c in GuidanceActivity.__table__.columns}
        return ActivityRead.model_validate({**values, "registered": registered, "attended": attended})

    async def create(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: ActivityCreate
    ) -> GuidanceActivity:
        self._require_officer(auth_subject)
        values = {k: (v.value if hasattr(v, "value") else v) for k, v in data.model_dump().items()}
        activity = GuidanceActivity(
            **values,
            status=ActivityStatus.DRAFT.value,
            created_by=auth_subject.username or auth_subject.subject,
        )
        await GuidanceRepository(session).add(activity)
        return activity

    async def update(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, data: ActivityUpdate
    ) -> GuidanceActivity:
        self._require_officer(auth_subject)
        activity = await self.get(session, auth_subject, id=id)
        merged = {name: getattr(activity, name) for name in ActivityCreate.model_fields}
        merged.update({name: getattr(data, name) for name in data.model_fields_set})
        try:
            checked = ActivityCreate.model_validate(merged)
        except ValidationError as exc:
            raise Unprocessable(
                "Data kegiatan tidak konsisten",
                "The activity data are inconsistent",
                details=[
                    {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
                    for e in exc.errors()
                ],
            ) from exc
        for name in data.model_fields_set:
            value = getattr(checked, name)
            setattr(activity, name, value.value if hasattr(value, "value") else value)
        await GuidanceRepository(session).flush()
        return activity

    async def publish(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID
    ) -> GuidanceActivity:
        self._require_officer(auth_subject)
        activity = await self.get(session, auth_subject, id=id)
        if activity.status != ActivityStatus.DRAFT:
            raise Refused(
                reasons=[
                    Reason(
                        "refuse_when_activity_not_draft",
                        f"Kegiatan berstatus '{activity.status}'; hanya draf yang dapat diumumkan",
                        f"The activity is '{activity.status}'; only drafts can be published",
                    )
                ]
            )
        activity.status = ActivityStatus.PUBLISHED.value
        await GuidanceRepository(session).flush()
        await emit_event(session, EVENT_PUBLISHED, self._payload(activity), key=str(activity.id))
        return activity

    async def cancel(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, note: str | None
    ) -> GuidanceActivity:
        self._require_officer(auth_subject)
        activity = await self.get(session, auth_subject, id=id)
        if activity.status == ActivityStatus.CANCELLED:
            return activity
        activity.status = ActivityStatus.CANCELLED.value
        await GuidanceRepository(session).flush()
        await emit_event(
            session, EVENT_CANCELLED, {**self._payload(activity), "note": note}, key=str(activity.id)
        )
        return activity

    @staticmethod
    def _payload(activity: GuidanceActivity) -> dict[str, Any]:
        return {
            "id": activity.id,
            "title": activity.title,
            "kind": activity.kind,
            "segment": activity.segment,
            "level": activity.level,
            "city": activity.city,
            "starts_at": activity.starts_at,
            "ends_at": activity.ends_at,
            "status": activity.status,
        }

    # -- registrations ------------------------------------------------------------------------------

    async def _library_for(self, session: AsyncSession, auth_subject: AuthSubject, code: str) -> Library:
        library = await LibraryRepository(session).get_by_code(code)
        if library is None:
            raise library_not_found(code)
        if not is_officer(auth_subject) and not manages(auth_subject, library):
            raise not_your_library(library, auth_subject)
        return library

    async def check_register(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, data: RegistrationCreate
    ) -> tuple[GuidanceActivity, Library, str, builtins.list[Reason]]:
        activity = await self.get(session, auth_subject, id=id)
        library = await self._library_for(session, auth_subject, data.library)
        name = data.participant_name
        if data.staff_id is not None:
            staff = await LibraryRepository(session).get_staff(library.id, data.staff_id)
            if staff is None:
                raise NotFound(
                    "Tenaga perpustakaan tidak ditemukan di perpustakaan ini",
                    "No such staff member in this library",
                    code="staff_not_found",
                )
            name = name or staff.name
        assert name is not None
        repository = GuidanceRepository(session)
        existing = [r for r, _ in await repository.registrations(activity.id)]
        registered = sum(1 for r in existing if r.status == RegistrationStatus.REGISTERED)
        now = utcnow()
        reasons = [
            r
            for r in (
                refuse_when_activity_not_published(activity),
                refuse_when_registration_closed(activity, now),
                refuse_when_activity_full(activity, registered),
                refuse_when_already_registered(existing, library, name),
            )
            if r is not None
        ]
        return activity, library, name, reasons

    async def register(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, data: RegistrationCreate
    ) -> tuple[GuidanceRegistration, str]:
        activity, library, name, reasons = await self.check_register(session, auth_subject, id=id, data=data)
        if reasons:
            raise Refused(reasons=reasons)
        registration = GuidanceRegistration(
            activity_id=activity.id,
            library_id=library.id,
            staff_id=data.staff_id,
            participant_name=name,
            participant_email=data.participant_email,
            participant_phone=data.participant_phone,
            participant_position=data.participant_position,
            status=RegistrationStatus.REGISTERED.value,
            registered_by=auth_subject.username or auth_subject.subject,
        )
        await GuidanceRepository(session).add(registration)
        await emit_event(
            session,
            EVENT_REGISTERED,
            {"activity": activity.id, "registration": registration.id, "library": library.code, "name": name},
            key=str(activity.id),
        )
        return registration, library.code

    async def registrations(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID
    ) -> builtins.list[tuple[GuidanceRegistration, str | None]]:
        activity = await self.get(session, auth_subject, id=id)
        repository = GuidanceRepository(session)
        if is_officer(auth_subject):
            return await repository.registrations(activity.id)
        # A library admin sees their own library's registrations only.
        library = await LibraryRepository(session).get_by_code(auth_subject.unit or "")
        if library is None or not manages(auth_subject, library):
            return []
        return await repository.registrations(activity.id, library_id=library.id)

    async def cancel_registration(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, registration_id: uuid.UUID
    ) -> GuidanceRegistration:
        await self.get(session, auth_subject, id=id)
        repository = GuidanceRepository(session)
        registration = await repository.get_registration(id, registration_id)
        if registration is None:
            raise NotFound(
                "Pendaftaran tidak ditemukan", "Registration not found", code="registration_not_found"
            )
        if not is_officer(auth_subject):
            library = (
                await LibraryRepository(session).get(registration.library_id)
                if registration.library_id
                else None
            )
            if library is None or not manages(auth_subject, library):
                raise Forbidden(
                    "Hanya pendaftaran perpustakaan sendiri yang dapat dibatalkan",
                    "Only your own library's registrations can be cancelled",
                    code="not_your_library",
                )
        registration.status = RegistrationStatus.CANCELLED.value
        await repository.flush()
        return registration

    async def record_attendance(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        id: uuid.UUID,
        present: Sequence[uuid.UUID],
        absent: Sequence[uuid.UUID],
    ) -> builtins.list[tuple[GuidanceRegistration, str | None]]:
        self._require_officer(auth_subject)
        activity = await self.get(session, auth_subject, id=id)
        repository = GuidanceRepository(session)
        rows = {r.id: r for r, _ in await repository.registrations(activity.id)}
        unknown = [str(i) for i in (*present, *absent) if i not in rows]
        cancelled = [str(i) for i in present if i in rows and rows[i].status != RegistrationStatus.REGISTERED]
        if unknown or cancelled:
            raise Unprocessable(
                "Daftar hadir memuat pendaftaran yang tidak dikenal atau dibatalkan",
                "The attendance list names unknown or cancelled registrations",
                code="attendance_invalid",
                details={"unknown": unknown, "cancelled": cancelled},
            )
        now = utcnow()
        for registration_id in present:
            if not rows[registration_id].attended:
                rows[registration_id].attended, rows[registration_id].attended_at = True, now
        for registration_id in absent:
            rows[registration_id].attended, rows[registration_id].attended_at = False, None
        await repository.flush()
        return await repository.registrations(activity.id)

    # -- materials ----------------------------------------------------------------------------------

    async def check_material_upload(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID
    ) -> None:
        self._require_officer(auth_subject)
        await self.get(session, auth_subject, id=id)

    async def add_material(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        id: uuid.UUID,
        material_id: uuid.UUID,
        title: str,
        public: bool,
        key: str,
        filename: str | None,
        content_type: str,
        size: int,
        sha256: str,
    ) -> GuidanceMaterial:
        await self.check_material_upload(session, auth_subject, id=id)
        material = GuidanceMaterial(
            id=material_id,
            activity_id=id,
            title=title,
            filename=filename,
            content_type=content_type,
            size=size,
            sha256=sha256,
            object_key=key,
            public=public,
            uploaded_by=auth_subject.username or auth_subject.subject,
        )
        await GuidanceRepository(session).add(material)
        return material

    async def materials(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, public: bool
    ) -> Sequence[GuidanceMaterial]:
        activity = await self.get(session, auth_subject, id=id, public=public)
        return await GuidanceRepository(session).materials(activity.id, public_only=public)

    async def material(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        id: uuid.UUID,
        material_id: uuid.UUID,
        public: bool,
    ) -> GuidanceMaterial:
        activity = await self.get(session, auth_subject, id=id, public=public)
        material = await GuidanceRepository(session).get_material(activity.id, material_id)
        if material is None or (public and not material.public):
            raise NotFound("Materi tidak ditemukan", "Material not found", code="material_not_found")
        return material

    async def delete_material(
        self, session: AsyncSession, auth_subject: AuthSubject, *, id: uuid.UUID, material_id: uuid.UUID
    ) -> GuidanceMaterial:
        self._require_officer(auth_subject)
        material = await self.material(session, auth_subject, id=id, material_id=material_id, public=False)
        await GuidanceRepository(session).delete(material)
        return material


guidance_service = GuidanceService()
