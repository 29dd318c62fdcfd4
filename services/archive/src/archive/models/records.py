"""Archive records (*arsip*), their files, groupings (*berkas*), links, cases, grants and holds."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.models.base import Base
from pusip_kit.db import CreatedAtMixin, TimestampMixin, UTCDateTime, UUIDPrimaryKey

# Lifecycle status of a record (RULES.md §2)
STATUS_ACTIVE = "aktif"  # in the creating unit
STATUS_INACTIVE = "inaktif"  # moved to the records centre (pemindahan)
STATUS_STATIC = "statis"  # handed over to the archival institution (penyerahan)
STATUS_DESTROYED = "musnah"  # destroyed (pemusnahan), metadata kept with its berita acara
STATUSES = (STATUS_ACTIVE, STATUS_INACTIVE, STATUS_STATIC, STATUS_DESTROYED)

# What the daily job found due for a record
DUE_TRANSFER = "pindah"  # active retention over: transfer to the records centre
DUE_DESTROY = "musnah"  # inactive retention over, JRA says destroy
DUE_HANDOVER = "serah"  # inactive retention over, JRA says permanent: hand over
DUE_REAPPRAISE = "nilai_kembali"  # inactive retention over, JRA says re-appraise (or unclear)
DUE_WAITING_EVENT = "menunggu_peristiwa"  # event-based retention without the event date
DUE_ACTIONS = (DUE_TRANSFER, DUE_DESTROY, DUE_HANDOVER, DUE_REAPPRAISE, DUE_WAITING_EVENT)

BERKAS_KINDS = ("fonds", "series", "file")


class Berkas(UUIDPrimaryKey, TimestampMixin, Base):
    """A grouping of records: a fonds, a series in it, or a file (*berkas*) in a series."""

    __tablename__ = "berkas"
    __table_args__ = (UniqueConstraint("unit", "number", name="uq_berkas_unit_number"),)

    number: Mapped[str] = mapped_column(String(100), nullable=False)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="file")
    unit: Mapped[str] = mapped_column(String(300), nullable=False, index=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("berkas.id"), nullable=True, index=True)
    classification_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)


class Record(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("unit", "reference_number", name="uq_records_unit_reference_number"),)

    reference_number: Mapped[str] = mapped_column(String(200), nullable=False)
    title: Mapped[str] = mapped_column(String(1000), nullable=False)
    record_date: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    unit: Mapped[str] = mapped_column(String(300), nullable=False, index=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    berkas_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("berkas.id"), nullable=True, index=True)

    # classification, under the instrument version in force when the record was classified
    instrument_set_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("instrument_sets.id"), nullable=False)
    classification_code: Mapped[str] = mapped_column(String(64), nullable=False, index=True)

    # SKKAAD: inherited from the code, or overridden with a legal ground and a reason
    security_level: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    security_inherited: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    security_ground: Mapped[str | None] = mapped_column(ForeignKey("access_grounds.code"), nullable=True)
    security_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    # JRA, copied from the code at classification
    active_years: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active_event: Mapped[str | None] = mapped_column(String(500), nullable=True)
    inactive_years: Mapped[int | None] = mapped_column(Integer, nullable=True)
    inactive_event: Mapped[str | None] = mapped_column(String(500), nullable=True)
    disposition: Mapped[str | None] = mapped_column(String(20), nullable=True)
    exception_condition: Mapped[str | None] = mapped_column(Text, nullable=True)
    exception_disposition: Mapped[str | None] = mapped_column(String(20), nullable=True)
    exception_applies: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    event_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    law_forbids_destruction: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    law_reference: Mapped[str | None] = mapped_column(String(500), nullable=True)

    # lifecycle
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=STATUS_ACTIVE, index=True)
    active_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    inactive_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_action: Mapped[str | None] = mapped_column(String(24), nullable=True, index=True)
    due_since: Mapped[date | None] = mapped_column(Date, nullable=True)
    transferred_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    static_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    opens_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    original_security_level: Mapped[str | None] = mapped_column(String(20), nullable=True)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    source: Mapped[str] = mapped_column(String(20), nullable=False, default="manual")
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)

    files: Mapped[list[RecordFile]] = relationship(back_populates="record", lazy="raise")


class RecordFile(UUIDPrimaryKey, CreatedAtMixin, Base):
    __tablename__ = "record_files"

    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id"), nullable=False, index=True)
    object_key: Mapped[str] = mapped_column(String(500), nullable=False, unique=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    text_content: Mapped[str | None] = mapped_column(Text, nullable=True)
    uploaded_by: Mapped[str] = mapped_column(String(200), nullable=False)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    record: Mapped[Record] = relationship(back_populates="files", lazy="raise")


class RecordLink(UUIDPrimaryKey, CreatedAtMixin, Base):
    __tablename__ = "record_links"
    __table_args__ = (
        UniqueConstraint("from_record_id", "to_record_id", "relation", name="uq_record_links_pair"),
    )

    from_record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id"), nullable=False, index=True)
    to_record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id"), nullable=False, index=True)
    relation: Mapped[str] = mapped_column(String(30), nullable=False)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)


class LegalCase(UUIDPrimaryKey, TimestampMixin, Base):
    """A legal case records can be tied to (blocks destruction while open; opens records to its holders)."""

    __tablename__ = "legal_cases"

    case_number: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    agency: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)


class RecordCase(CreatedAtMixin, Base):
    __tablename__ = "record_cases"

    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id"), primary_key=True)
    case_number: Mapped[str] = mapped_column(ForeignKey("legal_cases.case_number"), primary_key=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)


class CaseGrant(UUIDPrimaryKey, CreatedAtMixin, Base):
    """A law-enforcement officer (token subject) may read the records tied to one case."""

    __tablename__ = "case_grants"

    case_number: Mapped[str] = mapped_column(ForeignKey("legal_cases.case_number"), nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    granted_by: Mapped[str] = mapped_column(String(200), nullable=False)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class RecordGrant(UUIDPrimaryKey, CreatedAtMixin, Base):
    """One record opened to one subject, e.g. by an approved access request."""

    __tablename__ = "record_grants"

    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id"), nullable=False, index=True)
    subject: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    access_request_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("access_requests.id"), nullable=True
    )
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    granted_by: Mapped[str] = mapped_column(String(200), nullable=False)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class LegalHold(UUIDPrimaryKey, CreatedAtMixin, Base):
    __tablename__ = "legal_holds"

    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id"), nullable=False, index=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    placed_by: Mapped[str] = mapped_column(String(200), nullable=False)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class AccessRequest(UUIDPrimaryKey, TimestampMixin, Base):
    """A KIP information request (UU 14/2008) for a restricted record: purpose → decision → grant."""

    __tablename__ = "access_requests"

    record_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("records.id"), nullable=True, index=True)
    requested_record_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)  # as asked, never checked
    reference_text: Mapped[str | None] = mapped_column(String(500), nullable=True)
    requester: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    requester_name: Mapped[str] = mapped_column(String(200), nullable=False)
    requester_contact: Mapped[str | None] = mapped_column(String(200), nullable=True)
    purpose: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="diajukan", index=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    grant_expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
