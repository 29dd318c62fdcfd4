"""Import jobs: one uploaded MARC file worked through in batches, with its problem report."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base
from pusip_kit.db import TimestampMixin, UTCDateTime, UUIDPrimaryKey


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class DedupePolicy(StrEnum):
    """What to do with an incoming record that matches a stored one (001, then 035, then ISBN)."""

    SKIP = "skip"  # keep the stored record, ignore the incoming one
    REPLACE = "replace"  # overwrite the stored record's MARC (same id), add new holdings as items
    MERGE_ITEMS = "merge_items"  # keep the stored MARC, add the incoming holdings as items


class ProblemSeverity(StrEnum):
    ERROR = "error"  # the record was refused (counted in ``records_reported``)
    DUPLICATE = "duplicate"  # skipped as a duplicate (counted in ``records_skipped``)
    WARNING = "warning"  # stored, but something was noticed (an item not created, a repaired leader)


class ImportJob(UUIDPrimaryKey, TimestampMixin, Base):
    """Counters balance: ``records_read = records_stored + records_skipped + records_reported``,
    where ``records_stored = records_created + records_replaced + records_merged``."""

    __tablename__ = "import_jobs"

    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued", index=True)
    requested_format: Mapped[str | None] = mapped_column(String(16), nullable=True)
    format: Mapped[str | None] = mapped_column(String(16), nullable=True)
    dedupe: Mapped[str] = mapped_column(String(16), nullable=False, default="skip")
    target_branch: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acquisition_source: Mapped[str] = mapped_column(String(32), nullable=False, default="unknown")
    record_source: Mapped[str] = mapped_column(String(32), nullable=False, default="import")
    object_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    total_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    bytes_read: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    position_done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    records_read: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    records_stored: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    records_created: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    records_replaced: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    records_merged: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    records_skipped: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    records_reported: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    items_created: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    warnings: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_message_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class ImportProblem(Base):
    __tablename__ = "import_problems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("import_jobs.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    offset: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    control_number: Mapped[str | None] = mapped_column(String(200), nullable=True)
    severity: Mapped[str] = mapped_column(String(16), nullable=False)
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    message_en: Mapped[str] = mapped_column(Text, nullable=False)
