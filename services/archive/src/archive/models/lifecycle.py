"""Transfers (*pemindahan*), destruction (*pemusnahan*), hand-over (*penyerahan*) and their documents."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.models.base import Base, JSONType
from pusip_kit.db import CreatedAtMixin, TimestampMixin, UTCDateTime, UUIDPrimaryKey

# Disposal (pemusnahan) workflow states, in order
DISPOSAL_DRAFT = "usulan"  # proposal list being assembled
DISPOSAL_SUBMITTED = "penilaian"  # with the appraisal panel
DISPOSAL_REVIEWED = "persetujuan"  # panel done, awaiting approvals
DISPOSAL_APPROVED = "disetujui"  # approvals complete, awaiting the decree
DISPOSAL_DECREED = "ditetapkan"  # decree issued, awaiting witnessed destruction
DISPOSAL_DESTROYED = "dimusnahkan"  # destroyed; berita acara + list kept permanently
DISPOSAL_REJECTED = "ditolak"  # refused by the panel or an approver
DISPOSAL_CANCELLED = "dibatalkan"

LIFECYCLE_DRAFT = "draf"
LIFECYCLE_DONE = "selesai"
LIFECYCLE_CANCELLED = "dibatalkan"


class Document(UUIDPrimaryKey, CreatedAtMixin, Base):
    """An official document the service produced (berita acara, lists). Never deleted."""

    __tablename__ = "documents"

    kind: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    number: Mapped[str] = mapped_column(String(200), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    object_key: Mapped[str] = mapped_column(String(500), nullable=False, unique=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    subject_type: Mapped[str] = mapped_column(String(20), nullable=False)
    subject_id: Mapped[uuid.UUID] = mapped_column(nullable=False, index=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)


class Transfer(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "transfers"

    number: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    unit: Mapped[str] = mapped_column(String(300), nullable=False)
    destination: Mapped[str] = mapped_column(String(300), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=LIFECYCLE_DRAFT)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    executed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    signatories: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)


class TransferItem(Base):
    __tablename__ = "transfer_items"

    transfer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("transfers.id"), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id"), primary_key=True)


class Handover(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "handovers"

    number: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    receiving_institution: Mapped[str] = mapped_column(String(300), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=LIFECYCLE_DRAFT)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    executed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    signatories: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)


class HandoverItem(Base):
    __tablename__ = "handover_items"

    handover_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("handovers.id"), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id"), primary_key=True)


class DisposalProposal(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "disposal_proposals"

    number: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=DISPOSAL_DRAFT, index=True)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    requires_higher_approval: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    decree_number: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decree_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    decree_signed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    executed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    method: Mapped[str | None] = mapped_column(String(100), nullable=True)
    place: Mapped[str | None] = mapped_column(String(200), nullable=True)
    closed_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class DisposalItem(Base):
    __tablename__ = "disposal_items"

    proposal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disposal_proposals.id"), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("records.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="diusulkan")
    excluded_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class DisposalPanelMember(UUIDPrimaryKey, CreatedAtMixin, Base):
    __tablename__ = "disposal_panel_members"

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("disposal_proposals.id"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    nip: Mapped[str | None] = mapped_column(String(30), nullable=True)
    position: Mapped[str] = mapped_column(String(200), nullable=False)
    panel_role: Mapped[str] = mapped_column(String(30), nullable=False)
    decision: Mapped[str | None] = mapped_column(String(10), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    excluded_record_ids: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class DisposalApproval(UUIDPrimaryKey, CreatedAtMixin, Base):
    __tablename__ = "disposal_approvals"

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("disposal_proposals.id"), nullable=False, index=True
    )
    level: Mapped[str] = mapped_column(String(20), nullable=False)  # kepala_dinas | atasan
    approver_name: Mapped[str] = mapped_column(String(200), nullable=False)
    approver_position: Mapped[str] = mapped_column(String(200), nullable=False)
    decision: Mapped[str] = mapped_column(String(10), nullable=False)  # setuju | tolak
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200), nullable=False)


class DisposalWitness(UUIDPrimaryKey, Base):
    __tablename__ = "disposal_witnesses"

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("disposal_proposals.id"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    nip: Mapped[str | None] = mapped_column(String(30), nullable=True)
    position: Mapped[str] = mapped_column(String(200), nullable=False)
