"""Deposits (submissions): printed copies at the counter or digital files, their receipts and reads."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deposit.models.base import Base
from pusip_kit.db import CreatedAtMixin, TimestampMixin, UTCDateTime, UUIDPrimaryKey


class Channel(StrEnum):
    PRINTED = "printed"  # copies handed in at the counter
    DIGITAL = "digital"  # files uploaded


class DepositStatus(StrEnum):
    AWAITING_COPIES = "awaiting_copies"  # printed, declared online, copies not yet at the counter
    SUBMITTED = "submitted"  # received (receipt issued), waiting for an officer
    FIXES_REQUESTED = "fixes_requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class FileRole(StrEnum):
    FILE = "file"  # a file uploaded as such
    PACKAGE = "package"  # a BagIt package (zip) as uploaded
    PAYLOAD = "payload"  # a file of a BagIt package's payload (data/…)


class TextStatus(StrEnum):
    NOT_APPLICABLE = "not_applicable"  # audio, video, images, packages
    PENDING = "pending"
    EXTRACTED = "extracted"
    EMPTY = "empty"  # no text in it (a scanned PDF)
    FAILED = "failed"


class Deposit(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "deposits"

    depositor_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("depositors.id", ondelete="CASCADE"), nullable=False, index=True
    )
    obligation_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("obligations.id"), nullable=True, index=True
    )
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)

    # Bibliographic metadata, as declared by the depositor.
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    subtitle: Mapped[str | None] = mapped_column(String(500), nullable=True)
    creators: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    isbn: Mapped[str | None] = mapped_column(String(13), nullable=True, index=True)
    issn: Mapped[str | None] = mapped_column(String(9), nullable=True, index=True)
    ismn: Mapped[str | None] = mapped_column(String(13), nullable=True, index=True)
    edition: Mapped[str | None] = mapped_column(String(100), nullable=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    published_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    language: Mapped[str] = mapped_column(String(3), nullable=False)
    pages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    publisher: Mapped[str] = mapped_column(String(200), nullable=False)
    place: Mapped[str | None] = mapped_column(String(100), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)

    copies_declared: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    copies_received: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    receipt_number: Mapped[str | None] = mapped_column(String(40), nullable=True, unique=True)
    # What the receipt states, frozen when it is issued (later metadata fixes do not change it).
    receipt_facts: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    received_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    submitted_by: Mapped[str] = mapped_column(String(200), nullable=False)
    submitted_subject: Mapped[str] = mapped_column(String(200), nullable=False)

    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decision_reasons: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    # Set when deposit.deposit.accepted was written to the outbox (exactly once).
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    files: Mapped[list[DepositFile]] = relationship(
        back_populates="deposit", lazy="raise", cascade="all, delete-orphan", order_by="DepositFile.position"
    )


class DepositFile(UUIDPrimaryKey, CreatedAtMixin, Base):
    __tablename__ = "deposit_files"

    deposit_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("deposits.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    path_in_package: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)  # sniffed, never the client's
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    bucket: Mapped[str] = mapped_column(String(63), nullable=False)
    object_key: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    text_status: Mapped[str] = mapped_column(String(16), nullable=False)
    text_object_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    text_chars: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pages: Mapped[int | None] = mapped_column(Integer, nullable=True)

    deposit: Mapped[Deposit] = relationship(back_populates="files", lazy="raise")


class AccessLogEntry(UUIDPrimaryKey, Base):
    """Every read of a deposited file (copyright stays with the owner: reads are accounted for)."""

    __tablename__ = "access_log"

    deposit_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    file_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    subject: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    username: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reader_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    roles: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    action: Mapped[str] = mapped_column(String(20), nullable=False)  # download | text
    watermarked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    pages: Mapped[str | None] = mapped_column(String(40), nullable=True)
    client_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(300), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
