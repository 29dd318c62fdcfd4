"""Libraries guided and accredited by the province (Perpusnas Reg. 2/2022 library types)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accreditation.models.base import Base
from pusip_kit.db import TimestampMixin, UUIDPrimaryKey


class LibraryType(StrEnum):
    UMUM_PROVINSI = "umum-provinsi"
    UMUM_KOTA = "umum-kota"  # city or regency public library
    UMUM_KECAMATAN = "umum-kecamatan"
    UMUM_DESA = "umum-desa"  # village / kelurahan library
    SEKOLAH = "sekolah"  # school or madrasah library
    PERGURUAN_TINGGI = "perguruan-tinggi"
    KHUSUS = "khusus"


class JakartaCity(StrEnum):
    JAKARTA_PUSAT = "jakarta-pusat"
    JAKARTA_UTARA = "jakarta-utara"
    JAKARTA_BARAT = "jakarta-barat"
    JAKARTA_SELATAN = "jakarta-selatan"
    JAKARTA_TIMUR = "jakarta-timur"
    KEPULAUAN_SERIBU = "kepulauan-seribu"


class Library(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "libraries"
    __table_args__ = (CheckConstraint("collection_size >= 0", name="collection_size_non_negative"),)

    # The library's account unit: a library_admin whose token unit is this code manages it.
    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    type: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    # Nomor Pokok Perpustakaan, issued by Perpusnas; not every library has one yet.
    npp: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)
    owner_agency: Mapped[str | None] = mapped_column(String(200), nullable=True)
    city: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    collection_size: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, index=True)
