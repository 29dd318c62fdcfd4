"""E-resources: what may be uploaded, who may open which file, and the text that gets indexed."""

from __future__ import annotations

import ipaddress
import logging
import unicodedata
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog.deposits import DEPOSIT_KEY_PREFIX
from catalog.domain_events import TASK_EXTRACT_TEXT, enqueue_index
from catalog.eresources.extract import extract_text
from catalog.eresources.repository import EResourceRepository
from catalog.eresources.schemas import EResourceRead, EResourceUpdate
from catalog.models import AccessRule, EResource, TextStatus
from catalog.records.service import record_service
from catalog.runtime import CatalogRuntime
from catalog.search.indexer import index_records
from pusip_kit.auth.subject import DEPOSIT_READER_ROLES, AuthSubject, Role
from pusip_kit.db.base import utcnow
from pusip_kit.errors import Forbidden, NotFound, Unauthorized, UnsupportedMediaType
from pusip_kit.files import FileKind
from pusip_kit.outbox import enqueue_task
from pusip_kit.storage import StoredObject

log = logging.getLogger(__name__)

STAFF_ROLES = (Role.ADMIN, Role.LIBRARIAN, Role.CATALOGER)
DEPOSIT_FILE_ROLES = (*DEPOSIT_READER_ROLES, Role.DEPOSIT_OFFICER)
"""Who the deposit service lets read an accepted deposit's file (its depositor's accounts aside)."""
FORMATS: dict[FileKind, str] = {
    FileKind.PDF: "pdf",
    FileKind.EPUB: "epub",
    FileKind.TEXT: "text",
    FileKind.JPEG: "image",
    FileKind.PNG: "image",
    FileKind.TIFF: "image",
    FileKind.MP3: "audio",
    FileKind.WAV: "audio",
    FileKind.FLAC: "audio",
    FileKind.OGG: "audio",
    FileKind.MP4: "video",
    FileKind.WEBM: "video",
}
WITH_TEXT = {"pdf", "epub", "text"}


def eresource_not_found(eresource_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Sumber elektronik '{eresource_id}' tidak ditemukan",
        f"E-resource '{eresource_id}' not found",
        code="eresource_not_found",
        details={"id": str(eresource_id)},
    )


def is_legal_deposit(eresource: EResource) -> bool:
    """The file is kept and served by the deposit service."""
    return eresource.object_key.startswith(DEPOSIT_KEY_PREFIX)


def clean_filename(name: str | None) -> str:
    """The last path segment, without control characters, at most 255 characters."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name if name else ""
    base = "".join(c for c in base if unicodedata.category(c) != "Cc").strip(" .")
    return base[:255] or "berkas"


def format_of(kind: FileKind) -> str:
    fmt = FORMATS.get(kind)
    if fmt is None:
        raise UnsupportedMediaType(
            "Jenis berkas tidak didukung untuk sumber elektronik (PDF, EPUB, teks, gambar, audio, video)",
            "Unsupported file type for an e-resource (PDF, EPUB, text, image, audio, video)",
            code="unsupported_media_type",
            details={"detected": kind.value},
        )
    return fmt


class EResourceService:
    @staticmethod
    def is_staff(auth_subject: AuthSubject) -> bool:
        return auth_subject.has_role(*STAFF_ROLES)

    def may_download(
        self, auth_subject: AuthSubject, eresource: EResource, client_ip: str | None, networks: Sequence[str]
    ) -> bool:
        return self._refusal(auth_subject, eresource, client_ip, networks) is None

    def _refusal(
        self, auth_subject: AuthSubject, eresource: EResource, client_ip: str | None, networks: Sequence[str]
    ) -> Unauthorized | Forbidden | None:
        rule = eresource.access
        if rule == AccessRule.PUBLIC or self.is_staff(auth_subject):
            return None
        anonymous = auth_subject.subject == "anonymous"
        if rule == AccessRule.MEMBERS:
            if anonymous:
                return Unauthorized(
                    "Berkas ini khusus anggota: silakan masuk",
                    "This file is for members: please sign in",
                    code="authentication_required",
                )
            if is_legal_deposit(eresource) and not auth_subject.has_role(*DEPOSIT_FILE_ROLES):
                # the deposit service, which serves the file, reads it out to these roles only
                return Forbidden(
                    "Berkas serah simpan hanya dapat dibaca pemustaka terdaftar dan petugas",
                    "Legal-deposit files can only be read by registered patrons and staff",
                    code="deposit_readers_only",
                )
            return None
        if rule == AccessRule.ON_SITE:
            if client_ip and _inside(client_ip, networks):
                return None
            return Forbidden(
                "Berkas ini hanya dapat dibuka di jaringan perpustakaan",
                "This file can only be opened on the library's premises",
                code="on_site_only",
            )
        if anonymous:
            return Unauthorized(
                "Berkas ini terbatas untuk petugas: silakan masuk",
                "This file is restricted to staff: please sign in",
                code="authentication_required",
            )
        return Forbidden(
            "Berkas ini terbatas untuk petugas perpustakaan",
            "This file is restricted to library staff",
            code="restricted",
        )

    def check_download(
        self, auth_subject: AuthSubject, eresource: EResource, client_ip: str | None, networks: Sequence[str]
    ) -> None:
        refusal = self._refusal(auth_subject, eresource, client_ip, networks)
        if refusal is not None:
            raise refusal

    def read(
        self, eresource: EResource, auth_subject: AuthSubject, client_ip: str | None, networks: Sequence[str]
    ) -> EResourceRead:
        return EResourceRead(
            id=eresource.id,
            record_id=eresource.record_id,
            filename=eresource.filename,
            content_type=eresource.content_type,
            format=eresource.format,
            size=eresource.size,
            sha256=eresource.sha256,
            access=eresource.access,
            text_status=eresource.text_status,
            text_chars=len(eresource.fulltext or ""),
            can_download=self.may_download(auth_subject, eresource, client_ip, networks),
            download=f"/eresources/{eresource.id}/download",
            created_at=eresource.created_at,
            updated_at=eresource.updated_at,
        )

    async def get(
        self, session: AsyncSession, auth_subject: AuthSubject, *, eresource_id: uuid.UUID
    ) -> EResource:
        eresource = await EResourceRepository(session).get(eresource_id)
        if eresource is None:
            raise eresource_not_found(eresource_id)
        await record_service.get(session, auth_subject, record_id=eresource.record_id)
        return eresource

    async def of_record(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID
    ) -> Sequence[EResource]:
        await record_service.get(session, auth_subject, record_id=record_id)
        return await EResourceRepository(session).of_record(record_id)

    async def create(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        eresource_id: uuid.UUID,
        record_id: uuid.UUID,
        stored: StoredObject,
        kind: FileKind,
        filename: str | None,
        access: AccessRule,
    ) -> EResource:
        await record_service.get(session, auth_subject, record_id=record_id)
        fmt = format_of(kind)
        eresource = EResource(
            id=eresource_id,
            record_id=record_id,
            object_key=stored.key,
            filename=clean_filename(filename),
            content_type=kind.value,
            format=fmt,
            size=stored.size,
            sha256=stored.sha256,
            access=access.value,
            text_status=(TextStatus.PENDING if fmt in WITH_TEXT else TextStatus.NONE).value,
            uploaded_by=auth_subject.username or auth_subject.subject,
        )
        await EResourceRepository(session).add(eresource)
        if fmt in WITH_TEXT:
            await enqueue_task(session, TASK_EXTRACT_TEXT, str(eresource.id))
        await enqueue_index(session, [record_id])
        return eresource

    async def update(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        eresource_id: uuid.UUID,
        data: EResourceUpdate,
    ) -> EResource:
        eresource = await self.get(session, auth_subject, eresource_id=eresource_id)
        changed = False
        if data.access is not None and data.access.value != eresource.access:
            eresource.access = data.access.value
            changed = True
        if data.filename is not None and clean_filename(data.filename) != eresource.filename:
            eresource.filename = clean_filename(data.filename)
            changed = True
        if changed:
            eresource.updated_at = utcnow()
            await EResourceRepository(session).flush()
            await enqueue_index(session, [eresource.record_id])
        return eresource

    async def delete(
        self, session: AsyncSession, auth_subject: AuthSubject, *, eresource_id: uuid.UUID
    ) -> EResource:
        eresource = await self.get(session, auth_subject, eresource_id=eresource_id)
        await EResourceRepository(session).delete(eresource)
        await enqueue_index(session, [eresource.record_id])
        return eresource

    async def download_link(self, runtime: CatalogRuntime, eresource: EResource) -> tuple[str, datetime]:
        lifetime = timedelta(seconds=runtime.settings.download_link_seconds)
        issued = utcnow()
        if is_legal_deposit(eresource):
            # A legal deposit: the deposit service reads it out (authenticated, logged, watermarked).
            deposit_id, _, file_id = eresource.object_key.removeprefix(DEPOSIT_KEY_PREFIX).partition("/")
            base = runtime.settings.gateway_url.rstrip("/")
            return f"{base}/api/deposit/deposits/{deposit_id}/files/{file_id}/download", issued + lifetime
        url = await runtime.eresources_store.presigned_get_url(
            eresource.object_key, lifetime, filename=eresource.filename, issued_at=issued
        )
        return url, issued + lifetime


def _inside(client_ip: str, networks: Sequence[str]) -> bool:
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    for network in networks:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            log.warning("ignoring malformed on-site network %r", network)
    return False


async def extract_eresource_text(
    runtime: CatalogRuntime, sessionmaker: async_sessionmaker[AsyncSession], eresource_id: str
) -> dict[str, object]:
    """Worker task: pull the file's text into the database, then re-index its record."""
    settings = runtime.settings
    async with sessionmaker() as session:
        eresource = await session.get(EResource, uuid.UUID(eresource_id))
    if eresource is None:
        return {"status": "missing"}
    path = settings.service_dir / "tmp" / f"eresource-{eresource.id}"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("wb") as out:
            async for chunk in runtime.eresources_store.get(eresource.object_key):
                out.write(chunk)
        import anyio.to_thread

        result = await anyio.to_thread.run_sync(
            lambda: extract_text(path, eresource.format, max_chars=settings.eresource_text_max_chars)
        )
    finally:
        path.unlink(missing_ok=True)
    async with sessionmaker() as session:
        row = await session.get(EResource, eresource.id)
        if row is None:
            return {"status": "missing"}
        row.text_status = result.status.value
        row.fulltext = result.text
        row.updated_at = utcnow()
        record_id = row.record_id
        await session.commit()
    await index_records(
        runtime.index, sessionmaker, [record_id], fulltext_max=settings.index_fulltext_max_chars
    )
    return {"status": result.status.value, "chars": len(result.text or ""), "truncated": result.truncated}


eresource_service = EResourceService()
