"""Patron photos: optional, JPEG/PNG/WebP by content, size-limited, kept in the object store.

An object's key carries its SHA-256 (``patrons/<id>/photo-<sha16>``), so a new photo never overwrites
the one the database still names; the replaced (or, on delete-on-request, the last) object is removed
by the durable task :data:`TASK_DELETE_PHOTO` once the change is committed.
"""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from circulation import clock
from circulation.access import is_staff
from circulation.config import CirculationSettings
from circulation.db import begin_write
from circulation.models import Patron
from circulation.patrons.repository import PatronRepository
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import BadRequest, Forbidden, NotFound, UnsupportedMediaType
from pusip_kit.files import FileKind, sniff
from pusip_kit.outbox import enqueue_task
from pusip_kit.storage import ObjectStore, make_object_store

BUCKET = "circulation-photos"
TASK_DELETE_PHOTO = "circulation.patrons.delete_photo"
PHOTO_KINDS = (FileKind.JPEG, FileKind.PNG, FileKind.WEBP)


def open_photo_store(settings: CirculationSettings) -> ObjectStore:
    return make_object_store(settings, BUCKET)


def photo_key(patron_id: uuid.UUID, sha256: str) -> str:
    return f"patrons/{patron_id}/photo-{sha256[:16]}"


def current_key(patron: Patron) -> str | None:
    return photo_key(patron.id, patron.photo_sha256) if patron.photo_sha256 else None


def no_photo() -> NotFound:
    return NotFound("Anggota ini belum punya foto", "This patron has no photo", code="photo_not_found")


class PhotoService:
    @staticmethod
    def _may_change(auth_subject: AuthSubject, patron: Patron) -> None:
        if not is_staff(auth_subject) and patron.subject != auth_subject.subject:
            raise Forbidden()

    async def put(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        patron: Patron,
        data: bytes,
        store: ObjectStore,
        settings: CirculationSettings,
    ) -> Patron:
        """Check ``data`` (already size-limited by the caller) by its bytes and make it the patron's photo."""
        self._may_change(auth_subject, patron)
        if not data:
            raise BadRequest("Berkas kosong", "The file is empty", code="file_empty")
        kind = sniff(data[:512])
        if kind not in PHOTO_KINDS:
            raise UnsupportedMediaType(
                "Foto harus JPEG, PNG atau WebP (dibaca dari isinya, bukan namanya)",
                "A photo must be JPEG, PNG or WebP (read from its content, not its name)",
                code="file_type_refused",
                details={"sniffed": kind.value, "accepted": [k.value for k in PHOTO_KINDS]},
            )
        sha256 = hashlib.sha256(data).hexdigest()
        key = photo_key(patron.id, sha256)
        await store.put(key, data, content_type=kind.value, max_size=settings.photo_max_bytes)
        await begin_write(session)
        old = current_key(patron)
        patron.photo_type = kind.value
        patron.photo_sha256 = sha256
        patron.photo_updated_at = clock.now()
        await PatronRepository(session).flush()
        if old is not None and old != key:
            await enqueue_task(session, TASK_DELETE_PHOTO, old)
        return patron

    async def remove(self, session: AsyncSession, auth_subject: AuthSubject, *, patron: Patron) -> None:
        """Forget the photo now; its object goes after commit (also used by delete-on-request)."""
        self._may_change(auth_subject, patron)
        old = current_key(patron)
        if old is None:
            raise no_photo()
        await self.forget(session, patron)

    async def forget(self, session: AsyncSession, patron: Patron) -> None:
        old = current_key(patron)
        if old is None:
            return
        await begin_write(session)
        patron.photo_type = patron.photo_sha256 = None
        patron.photo_updated_at = None
        await PatronRepository(session).flush()
        await enqueue_task(session, TASK_DELETE_PHOTO, old)

    async def delete_object(
        self, sessionmaker: async_sessionmaker[AsyncSession], settings: CirculationSettings, key: str
    ) -> bool:
        """The task: delete ``key`` unless it is (again) the patron's current photo. Idempotent."""
        try:
            patron_id = uuid.UUID(key.split("/")[1])
        except (IndexError, ValueError):
            return False
        async with sessionmaker() as session:
            patron = await PatronRepository(session).get(patron_id)
            if patron is not None and current_key(patron) == key:
                return False
        store = open_photo_store(settings)
        try:
            if not await store.exists(key):
                return False
            await store.delete(key)
            return True
        finally:
            await store.close()


photo_service = PhotoService()
