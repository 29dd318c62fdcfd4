"""The append-only, hash-chained access audit log (see :mod:`archive.audit`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from archive.models.base import Base, JSONType

SeqType: Any = BigInteger().with_variant(Integer(), "sqlite")


class AuditHead(Base):
    """One row (id 1): the last sequence number and hash. Appends lock it, so they are serialised."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(SeqType, nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40), nullable=False, index=True)  # ISO 8601 UTC, as hashed
    actor: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    actor_category: Mapped[str | None] = mapped_column(String(60), nullable=True)
    action: Mapped[str] = mapped_column(String(30), nullable=False, index=True)
    record_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    level: Mapped[str | None] = mapped_column(String(20), nullable=True)
    outcome: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
