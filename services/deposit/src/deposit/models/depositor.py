"""Depositors: publishers and recorded-works producers obliged to deposit (UU 13/2018, PP 55/2021)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deposit.models.base import Base
from pusip_kit.db import CreatedAtMixin, TimestampMixin, UTCDateTime, UUIDPrimaryKey


class DepositorType(StrEnum):
    PENERBIT = "penerbit"  # publisher of printed works (karya cetak)
    PRODUSEN_KARYA_REKAM = "produsen_karya_rekam"  # producer of recorded works
    PERORANGAN = "perorangan"  # an individual depositing voluntarily (PP 55/2021 art. 25)


class LegalIdentityKind(StrEnum):
    NIB = "nib"  # Nomor Induk Berusaha (OSS), 13 digits
    AKTA = "akta"  # deed of establishment (akta pendirian) number
    NPWP = "npwp"  # tax number, 15 or 16 digits
    NIK = "nik"  # national identity number of a person, 16 digits


class DepositorStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Depositor(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "depositors"
    __table_args__ = (
        UniqueConstraint("legal_identity_kind", "legal_identity_number", name="uq_depositors_legal_identity"),
    )

    type: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    legal_identity_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    legal_identity_number: Mapped[str] = mapped_column(String(120), nullable=False)
    domicile_province: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    domicile_city: Mapped[str] = mapped_column(String(100), nullable=False)
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    website: Mapped[str | None] = mapped_column(String(300), nullable=True)
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)

    status: Mapped[str] = mapped_column(
        String(16), nullable=False, default=DepositorStatus.PENDING, index=True
    )
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    # Who registered it (the self-registering publisher's account subject).
    owner_subject: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    # When the depositor last confirmed its data (the yearly refresh); registration counts as one.
    data_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    prefixes: Mapped[list[DepositorPrefix]] = relationship(
        back_populates="depositor",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="DepositorPrefix.text",
    )


class DepositorPrefix(UUIDPrimaryKey, Base):
    """An ISBN or ISMN registrant prefix; one prefix belongs to one depositor."""

    __tablename__ = "depositor_prefixes"

    depositor_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("depositors.id", ondelete="CASCADE"), nullable=False, index=True
    )
    scheme: Mapped[str] = mapped_column(String(8), nullable=False)  # isbn | ismn
    text: Mapped[str] = mapped_column(String(32), nullable=False)  # hyphenated
    digits: Mapped[str] = mapped_column(String(16), nullable=False, unique=True)

    depositor: Mapped[Depositor] = relationship(back_populates="prefixes", lazy="raise")


class AccountRole(StrEnum):
    OWNER = "owner"  # registered the depositor; manages the other accounts
    MEMBER = "member"  # staff of the depositor: declares, submits, reads receipts


class DepositorAccount(UUIDPrimaryKey, CreatedAtMixin, Base):
    """A user account (publisher role) acting for a depositor, linked by its token subject.

    An officer may link an account by user name before its first sign-in (``subject`` empty);
    the link binds to the subject the first time that user calls the service.
    """

    __tablename__ = "depositor_accounts"
    __table_args__ = (
        UniqueConstraint("depositor_id", "subject", name="uq_depositor_accounts_subject"),
        UniqueConstraint("depositor_id", "username", name="uq_depositor_accounts_username"),
    )

    depositor_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("depositors.id", ondelete="CASCADE"), nullable=False, index=True
    )
    subject: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    username: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False, default=AccountRole.MEMBER)
    linked_by: Mapped[str] = mapped_column(String(200), nullable=False)


class RefreshReminder(UUIDPrimaryKey, CreatedAtMixin, Base):
    """One yearly data-refresh reminder: at most one per depositor and refresh due date."""

    __tablename__ = "refresh_reminders"
    __table_args__ = (UniqueConstraint("depositor_id", "due_on", name="uq_refresh_reminders_due"),)

    depositor_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("depositors.id", ondelete="CASCADE"), nullable=False, index=True
    )
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    recipients: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # sending | sent | failed | no_address
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
