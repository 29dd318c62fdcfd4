"""Records classification codes: the hierarchy of functions records are filed under."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.models.base import Base
from pusip_kit.db import TimestampMixin, UUIDPrimaryKey


class ClassificationCode(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "classification_codes"

    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # The parent is named by its code, which never changes once created.
    parent_code: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("classification_codes.code"), nullable=True, index=True
    )
    level: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    scheme_version: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    parent: Mapped[ClassificationCode | None] = relationship(
        remote_side="ClassificationCode.code", back_populates="children", lazy="raise"
    )
    children: Mapped[list[ClassificationCode]] = relationship(back_populates="parent", lazy="raise")
