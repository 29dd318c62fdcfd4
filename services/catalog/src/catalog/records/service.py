"""Cataloguing rules for records: validation, duplicates, versions, deletion, events and indexing."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymarc import Field, Record
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.domain_events import (
    RECORD_CREATED,
    RECORD_DELETED,
    RECORD_UPDATED,
    emit_events,
    enqueue_index,
    record_payload,
)
from catalog.marc.derive import derive
from catalog.models import BibRecord, RecordSource
from catalog.records.marcdata import columns, is_regional, marc_text, match_keys
from catalog.records.repository import RecordRepository
from catalog.records.validation import validate_marc_json
from catalog.search.documents import BranchHolding, holdings_of
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.db.base import utcnow
from pusip_kit.errors import Conflict, NotFound, PusipError
from pusip_kit.pagination import PaginationParams

STAFF_ROLES = (Role.ADMIN, Role.LIBRARIAN, Role.CATALOGER)


class Gone(PusipError):
    status_code = 410
    code = "gone"
    message = "Data sudah dihapus"
    message_en = "Gone"


class PreconditionFailed(PusipError):
    status_code = 412
    code = "precondition_failed"
    message = "Versi data sudah berubah"
    message_en = "The data has changed since"


def record_not_found(record_id: uuid.UUID | str) -> NotFound:
    return NotFound(
        f"Rekaman bibliografis '{record_id}' tidak ditemukan",
        f"Bibliographic record '{record_id}' not found",
        code="record_not_found",
        details={"id": str(record_id)},
    )


def record_deleted(record_id: uuid.UUID) -> Gone:
    return Gone(
        f"Rekaman bibliografis '{record_id}' sudah dihapus",
        f"Bibliographic record '{record_id}' has been deleted",
        code="record_deleted",
        details={"id": str(record_id)},
    )


def _stamp_005(record: Record, now: datetime) -> None:
    """005: date and time of the latest transaction (yyyymmddhhmmss.f)."""
    value = now.strftime("%Y%m%d%H%M%S") + ".0"
    existing = record.get("005")
    if existing is not None and existing.is_control_field():
        existing.data = value
        return
    position = next((i for i, f in enumerate(record.fields) if f.tag > "005"), len(record.fields))
    record.fields.insert(position, Field(tag="005", data=value))


def _ensure_001(record: Record, record_id: uuid.UUID) -> None:
    if record.get("001") is None:
        record.fields.insert(0, Field(tag="001", data=str(record_id)))


class RecordService:
    async def get(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID
    ) -> BibRecord:
        record = await RecordRepository(session).get(record_id)
        if record is None:
            raise record_not_found(record_id)
        if record.deleted:
            raise record_deleted(record_id)
        return record

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        source: str | None = None,
        material_type: str | None = None,
        updated_since: datetime | None = None,
        include_deleted: bool = False,
    ) -> tuple[Sequence[BibRecord], int]:
        return await RecordRepository(session).list(
            pagination=pagination,
            source=source,
            material_type=material_type,
            updated_since=updated_since,
            include_deleted=include_deleted,
        )

    async def availability(
        self, session: AsyncSession, *, record_id: uuid.UUID
    ) -> builtins.list[BranchHolding]:
        return sorted((await holdings_of(session, [record_id])).get(record_id, []), key=lambda h: h.branch)

    async def create(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        marc: Any,
        source: RecordSource = RecordSource.CATALOGING,
        source_ref: str | None = None,
        allow_duplicate: bool = False,
    ) -> BibRecord:
        pymarc_record = validate_marc_json(marc)
        record_id = uuid.uuid4()
        now = utcnow()
        _ensure_001(pymarc_record, record_id)
        _stamp_005(pymarc_record, now)
        fields = derive(pymarc_record)
        keys = match_keys(pymarc_record, fields)
        repository = RecordRepository(session)
        if not allow_duplicate:
            existing = await repository.first_match(keys)
            if existing is not None:
                raise Conflict(
                    "Rekaman dengan nomor kendali, nomor sistem atau ISBN yang sama sudah ada",
                    "A record with the same control number, system number or ISBN already exists",
                    code="record_duplicate",
                    details={"existing_id": str(existing)},
                )
        record = BibRecord(
            id=record_id,
            marc=marc_text(pymarc_record),
            source=source.value,
            source_ref=source_ref or auth_subject.username or auth_subject.subject,
            regional=is_regional(pymarc_record, fields, source.value),
            deleted=False,
            datestamp=now,
            version=1,
            created_by=auth_subject.username or auth_subject.subject,
            updated_by=auth_subject.username or auth_subject.subject,
            **columns(fields),
        )
        await repository.add(record, keys)
        await emit_events(session, [(RECORD_CREATED, record_payload(record), str(record.id))])
        await enqueue_index(session, [record.id])
        return record

    async def update(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        record_id: uuid.UUID,
        marc: Any,
        expected_version: int | None = None,
    ) -> BibRecord:
        repository = RecordRepository(session)
        record = await self.get(session, auth_subject, record_id=record_id)
        if expected_version is not None and expected_version != record.version:
            raise PreconditionFailed(
                f"Rekaman sudah diubah orang lain (versi sekarang {record.version})",
                f"The record was changed by someone else (current version {record.version})",
                code="record_version_mismatch",
                details={"current_version": record.version},
            )
        pymarc_record = validate_marc_json(marc)
        now = utcnow()
        _ensure_001(pymarc_record, record.id)
        _stamp_005(pymarc_record, now)
        fields = derive(pymarc_record)
        for name, value in columns(fields).items():
            setattr(record, name, value)
        record.marc = marc_text(pymarc_record)
        record.regional = is_regional(pymarc_record, fields, record.source)
        record.datestamp = now
        record.version += 1
        record.updated_by = auth_subject.username or auth_subject.subject
        await repository.flush()
        await repository.replace_keys(record.id, match_keys(pymarc_record, fields))
        await emit_events(session, [(RECORD_UPDATED, record_payload(record), str(record.id))])
        await enqueue_index(session, [record.id])
        return record

    async def delete(
        self, session: AsyncSession, auth_subject: AuthSubject, *, record_id: uuid.UUID
    ) -> BibRecord:
        repository = RecordRepository(session)
        record = await self.get(session, auth_subject, record_id=record_id)
        items = await repository.count_items(record.id)
        files = await repository.count_eresources(record.id)
        if items or files:
            raise Conflict(
                f"Rekaman masih memiliki {items} eksemplar dan {files} sumber elektronik; hapus dulu",
                f"The record still has {items} items and {files} e-resources; remove them first",
                code="record_in_use",
                details={"items": items, "eresources": files},
            )
        record.deleted = True
        record.datestamp = utcnow()
        record.version += 1
        record.updated_by = auth_subject.username or auth_subject.subject
        await repository.flush()
        await repository.replace_keys(record.id, [])
        await emit_events(session, [(RECORD_DELETED, record_payload(record), str(record.id))])
        await enqueue_index(session, [record.id])
        return record


record_service = RecordService()
