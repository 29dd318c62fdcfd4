"""Shapes of import jobs over HTTP."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from catalog.models import AcquisitionSource, DedupePolicy, ImportJob
from pusip_kit.schemas import Schema


class ImportFormat(StrEnum):
    MARC21 = "marc21"
    MARCXML = "marcxml"
    JSON = "marc-json"


class ImportRecordSource(StrEnum):
    IMPORT = "import"
    LEGAL_DEPOSIT = "legal_deposit"


class ImportOptions(Schema):
    format: ImportFormat | None = None
    dedupe: DedupePolicy = DedupePolicy.SKIP
    branch: str | None = Field(default=None, min_length=2, max_length=64)
    acquisition_source: AcquisitionSource = AcquisitionSource.UNKNOWN
    record_source: ImportRecordSource = ImportRecordSource.IMPORT


class Progress(Schema):
    bytes_read: int
    total_bytes: int
    percent: float


class Counts(Schema):
    read: int
    stored: int
    created: int
    replaced: int
    merged: int
    skipped_duplicates: int
    reported: int
    items_created: int
    warnings: int
    balanced: bool = Field(description="read = stored + skipped_duplicates + reported")


class JobError(Schema):
    code: str
    message: str
    message_en: str


class ImportJobRead(Schema):
    id: uuid.UUID
    status: str
    filename: str | None
    requested_format: str | None
    format: str | None
    dedupe: str
    target_branch: str | None
    acquisition_source: str
    record_source: str
    sha256: str | None
    progress: Progress
    counts: Counts
    error: JobError | None
    created_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    links: dict[str, str]

    @classmethod
    def of(cls, job: ImportJob) -> ImportJobRead:
        if job.status == "completed":
            percent = 100.0
        else:
            percent = round(100.0 * job.bytes_read / job.total_bytes, 1) if job.total_bytes else 0.0
        counts = Counts(
            read=job.records_read,
            stored=job.records_stored,
            created=job.records_created,
            replaced=job.records_replaced,
            merged=job.records_merged,
            skipped_duplicates=job.records_skipped,
            reported=job.records_reported,
            items_created=job.items_created,
            warnings=job.warnings,
            balanced=job.records_read == job.records_stored + job.records_skipped + job.records_reported,
        )
        error = (
            JobError(
                code=job.error_code, message=job.error_message or "", message_en=job.error_message_en or ""
            )
            if job.error_code
            else None
        )
        return cls(
            id=job.id,
            status=job.status,
            filename=job.filename,
            requested_format=job.requested_format,
            format=job.format,
            dedupe=job.dedupe,
            target_branch=job.target_branch,
            acquisition_source=job.acquisition_source,
            record_source=job.record_source,
            sha256=job.sha256,
            progress=Progress(bytes_read=job.bytes_read, total_bytes=job.total_bytes, percent=percent),
            counts=counts,
            error=error,
            created_by=job.created_by,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            links={"self": f"/imports/{job.id}", "problems": f"/imports/{job.id}/problems"},
        )
