"""Branches (service points) of the Jakarta public library network."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base
from pusip_kit.db import TimestampMixin, UUIDPrimaryKey


class BranchType(StrEnum):
    """Kinds of service point in the provincial library network."""

    PERPUSTAKAAN_PROVINSI = "perpustakaan_provinsi"
    PERPUSTAKAAN_KOTA = "perpustakaan_kota"
    PERPUSTAKAAN_KECAMATAN = "perpustakaan_kecamatan"
    PERPUSTAKAAN_KELURAHAN = "perpustakaan_kelurahan"
    RPTRA = "rptra"
    PERPUSTAKAAN_BINAAN = "perpustakaan_binaan"
    PERPUSTAKAAN_KHUSUS = "perpustakaan_khusus"
    LAYANAN_KELILING = "layanan_keliling"


class JakartaCity(StrEnum):
    """The five administrative cities and the one regency of DKI Jakarta."""

    JAKARTA_PUSAT = "jakarta-pusat"
    JAKARTA_UTARA = "jakarta-utara"
    JAKARTA_BARAT = "jakarta-barat"
    JAKARTA_SELATAN = "jakarta-selatan"
    JAKARTA_TIMUR = "jakarta-timur"
    KEPULAUAN_SERIBU = "kepulauan-seribu"

    @property
    def label(self) -> str:
        return CITY_LABELS[self]


CITY_LABELS: dict[JakartaCity, str] = {
    JakartaCity.JAKARTA_PUSAT: "Kota Administrasi Jakarta Pusat",
    JakartaCity.JAKARTA_UTARA: "Kota Administrasi Jakarta Utara",
    JakartaCity.JAKARTA_BARAT: "Kota Administrasi Jakarta Barat",
    JakartaCity.JAKARTA_SELATAN: "Kota Administrasi Jakarta Selatan",
    JakartaCity.JAKARTA_TIMUR: "Kota Administrasi Jakarta Timur",
    JakartaCity.KEPULAUAN_SERIBU: "Kabupaten Administrasi Kepulauan Seribu",
}


class Branch(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "branches"

    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    type: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    city: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    opening_hours: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, index=True)
