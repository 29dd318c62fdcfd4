"""Libraries guided and accredited by the province (Perpusnas Reg. 2/2022 library types).

A library has its profile (the library's own administrator keeps most of it up to date), its staff
(librarians with their certification status), its accreditation history and a yearly data-refresh
confirmation.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from accreditation.models.base import Base
from pusip_kit.db import CreatedAtMixin, TimestampMixin, UTCDateTime, UUIDPrimaryKey


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


CITY_NAMES: dict[str, str] = {
    "jakarta-pusat": "Kota Administrasi Jakarta Pusat",
    "jakarta-utara": "Kota Administrasi Jakarta Utara",
    "jakarta-barat": "Kota Administrasi Jakarta Barat",
    "jakarta-selatan": "Kota Administrasi Jakarta Selatan",
    "jakarta-timur": "Kota Administrasi Jakarta Timur",
    "kepulauan-seribu": "Kabupaten Administrasi Kepulauan Seribu",
}


class LibrarySegment(StrEnum):
    """The guidance segment (*segmen pembinaan*): which community a library serves.

    Finer than the legal type: guidance activities are planned per segment (a school-library
    workshop, a worship-place library visit, a community reading-house meeting).
    """

    UMUM = "umum"  # public libraries run by government (province, city, sub-district, village)
    RPTRA = "rptra"  # libraries in child-friendly integrated public spaces (Jakarta)
    SEKOLAH = "sekolah"
    MADRASAH = "madrasah"
    PESANTREN = "pesantren"
    PERGURUAN_TINGGI = "perguruan-tinggi"
    KHUSUS = "khusus"  # government agencies, companies, hospitals
    RUMAH_IBADAH = "rumah-ibadah"
    KOMUNITAS = "komunitas"  # taman bacaan masyarakat and other community libraries


class StaffRole(StrEnum):
    HEAD = "kepala"
    LIBRARIAN = "pustakawan"  # functional librarian (jabatan fungsional pustakawan)
    TECHNICIAN = "tenaga-teknis"  # library technical staff
    OTHER = "lainnya"


class CertificationStatus(StrEnum):
    """Librarian competency certification (sertifikasi kompetensi pustakawan)."""

    NONE = "belum"
    IN_PROCESS = "proses"
    CERTIFIED = "bersertifikat"


class Library(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "libraries"
    __table_args__ = (
        CheckConstraint("collection_size >= 0", name="collection_size_non_negative"),
        CheckConstraint("collection_titles >= 0", name="collection_titles_non_negative"),
    )

    # The library's account unit: a library_admin whose token unit is this code manages it.
    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    type: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    segment: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    # Nomor Pokok Perpustakaan, issued by Perpusnas; not every library has one yet.
    npp: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)
    owner_agency: Mapped[str | None] = mapped_column(String(200), nullable=True)
    city: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    district: Mapped[str | None] = mapped_column(String(100), nullable=True)  # kecamatan
    village: Mapped[str | None] = mapped_column(String(100), nullable=True)  # kelurahan
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    head_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    collection_size: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # copies
    collection_titles: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # [{"day": 1..7 (Monday = 1), "opens": "08:00", "closes": "16:00"}, …]
    opening_hours: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, index=True)
    # When the library last confirmed its profile is current (the yearly data refresh).
    data_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LibraryStaff(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "library_staff"

    library_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("libraries.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    position: Mapped[str | None] = mapped_column(String(200), nullable=True)
    employment: Mapped[str | None] = mapped_column(String(40), nullable=True)  # PNS, PPPK, honorer …
    education: Mapped[str | None] = mapped_column(String(200), nullable=True)
    library_science: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    certification_status: Mapped[str] = mapped_column(String(20), nullable=False, default="belum")
    certification_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    certified_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    certified_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class AccreditationRecord(UUIDPrimaryKey, TimestampMixin, Base):
    """One accreditation a library holds or held: from a Pusip assessment or entered from paper."""

    __tablename__ = "accreditation_records"

    library_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("libraries.id", ondelete="CASCADE"), nullable=False, index=True
    )
    assessment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    grade: Mapped[str] = mapped_column(String(32), nullable=False)
    total: Mapped[Decimal | None] = mapped_column(Numeric(6, 2), nullable=True)
    certificate_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    accredited_on: Mapped[date] = mapped_column(Date, nullable=False)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    issuer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    instrument_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(20), nullable=False)  # "assessment" | "manual"
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class RefreshReminder(UUIDPrimaryKey, CreatedAtMixin, Base):
    """A yearly data-refresh reminder sent to a library: at most one per library and year."""

    __tablename__ = "refresh_reminders"
    __table_args__ = (UniqueConstraint("library_id", "year"),)

    library_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("libraries.id", ondelete="CASCADE"), nullable=False
    )
    year: Mapped[int] = mapped_column(Integer, nullable=False)
