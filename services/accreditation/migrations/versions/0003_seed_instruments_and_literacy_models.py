"""Seed data: SNP instruments per library type (components and weights, no indicator texts yet),
the TGM/TKM model and the IPLM model, each as a versioned, editable row.

Indicator texts are loaded by an administrator (``PUT /instruments/{id}/indicators``); the
instruments stay drafts until then. Numbers marked (check) come from secondary sources
(``shared/RULES.md``) and are defaults an administrator can change.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Fixed ids so the seed can be found and removed again.
NAMESPACE = uuid.UUID("6f0d7c1e-9a55-4f38-a7a5-1b8e3cf0a001")

COMPONENTS = (  # Perpusnas Reg. 2/2022 components; weights published for village, sub-district, university
    ("KOLEKSI", "Koleksi", "20"),
    ("SARANA", "Sarana dan prasarana", "15"),
    ("PELAYANAN", "Pelayanan", "25"),
    ("TENAGA", "Tenaga perpustakaan", "20"),
    ("PENYELENGGARAAN", "Penyelenggaraan dan pengelolaan", "15"),
    ("PENGUATAN", "Penguatan", "5"),
)

BANDS = [
    {"grade": "A", "minimum": "91", "label": "Terakreditasi A (Amat Baik)", "label_en": "Accredited A (Excellent)"},
    {"grade": "B", "minimum": "76", "label": "Terakreditasi B (Baik)", "label_en": "Accredited B (Good)"},
    {"grade": "C", "minimum": "60", "label": "Terakreditasi C (Cukup Baik)", "label_en": "Accredited C (Fair)"},
    {"grade": "TIDAK_TERAKREDITASI", "minimum": "0", "label": "Tidak terakreditasi", "label_en": "Not accredited"},
]
BANDS_NOTE = (
    "(check) A 91–100, B 76–90, C 60–75, di bawah 60 tidak terakreditasi (RULES §3, sumber sekunder) / "
    "A 91–100, B 76–90, C 60–75, below 60 not accredited (secondary source)"
)
LEGAL_BASIS = "Peraturan Perpustakaan Nasional RI Nomor 2 Tahun 2022 tentang Akreditasi Perpustakaan"

INSTRUMENTS = (
    # library type, title, weights published?
    ("umum-desa", "Instrumen Akreditasi Perpustakaan Desa/Kelurahan", True),
    ("umum-kecamatan", "Instrumen Akreditasi Perpustakaan Kecamatan", True),
    ("perguruan-tinggi", "Instrumen Akreditasi Perpustakaan Perguruan Tinggi", True),
    ("umum-provinsi", "Instrumen Akreditasi Perpustakaan Umum Provinsi", False),
    ("umum-kota", "Instrumen Akreditasi Perpustakaan Umum Kabupaten/Kota", False),
    ("sekolah", "Instrumen Akreditasi Perpustakaan Sekolah/Madrasah", False),
    ("khusus", "Instrumen Akreditasi Perpustakaan Khusus", False),
)
PUBLISHED_NOTE = (
    "Bobot komponen sesuai instrumen yang diterbitkan (RULES §3); perubahan memerlukan versi baru / "
    "Component weights as published (RULES §3); a change needs a new version"
)
EDITABLE_NOTE = (
    "(check) Bobot instrumen jenis ini belum dimuat dari naskah resmi; nilai awal mengikuti instrumen "
    "desa, kecamatan dan perguruan tinggi dan dapat diubah administrator / Weights of this type's "
    "instrument were not loaded from the official text; the defaults follow the village, sub-district "
    "and university instruments and an administrator may edit them"
)

TGM_WEIGHTS = {"FM": "0.3", "DM": "0.3", "JB": "0.3", "FAI": "0.05", "DAI": "0.05"}
TGM_NORMALISERS = {
    "FM": {"min": "0", "max": "7", "unit": "kali per minggu / times a week",
           "note": "(check) frekuensi membaca, 0–7 hari per minggu / reading frequency"},
    "DM": {"min": "0", "max": "120", "unit": "menit per hari / minutes a day",
           "note": "(check) durasi membaca; 120 menit = skor 100 / reading duration"},
    "JB": {"min": "0", "max": "10", "unit": "bahan bacaan per triwulan / items a quarter",
           "note": "(check) jumlah bahan bacaan; 10 per triwulan = skor 100 / items read"},
    "FAI": {"min": "0", "max": "7", "unit": "kali per minggu / times a week",
            "note": "(check) frekuensi akses internet / internet access frequency"},
    "DAI": {"min": "0", "max": "300", "unit": "menit per hari / minutes a day",
            "note": "(check) durasi akses internet; 300 menit = skor 100 / internet duration"},
}  # fmt: skip
TGM_BANDS = [
    {"upper": "20", "label": "Sangat rendah", "label_en": "Very low"},
    {"upper": "40", "label": "Rendah", "label_en": "Low"},
    {"upper": "60", "label": "Sedang", "label_en": "Medium"},
    {"upper": "80", "label": "Tinggi", "label_en": "High"},
    {"upper": "100", "label": "Sangat tinggi", "label_en": "Very high"},
]
IPLM_ELEMENTS = [
    {"code": "UPLM1", "name": "Pemerataan layanan perpustakaan", "source": "registry.libraries",
     "per_population": "0.0001", "basis": "population",
     "note": "(check) 1 perpustakaan per 10.000 penduduk / 1 library per 10,000 people"},
    {"code": "UPLM2", "name": "Ketercukupan koleksi perpustakaan", "source": "registry.collection",
     "per_population": "1", "basis": "population",
     "note": "(check) 1 eksemplar per penduduk / 1 copy per person"},
    {"code": "UPLM3", "name": "Ketercukupan tenaga perpustakaan", "source": "registry.staff",
     "per_population": "0.0002", "basis": "population",
     "note": "(check) 1 tenaga perpustakaan per 5.000 penduduk / 1 library worker per 5,000 people"},
    {"code": "UPLM4", "name": "Tingkat kunjungan masyarakat per hari", "source": "circulation.visits_per_day",
     "per_population": "0.001", "basis": "population",
     "note": "(check) kunjungan harian 0,1% penduduk / daily visits of 0.1% of the population"},
    {"code": "UPLM5", "name": "Perpustakaan ber-SNP", "source": "registry.accredited_libraries",
     "per_population": "1", "basis": "UPLM1",
     "note": "(check) setiap perpustakaan terakreditasi / every library accredited"},
    {"code": "UPLM6", "name": "Keterlibatan masyarakat dalam kegiatan perpustakaan", "source": "manual",
     "per_population": "0.01", "basis": "population",
     "note": "(check) peserta kegiatan 1% penduduk per tahun / participants 1% of the population a year"},
    {"code": "UPLM7", "name": "Anggota perpustakaan", "source": "circulation.active_members",
     "per_population": "0.1", "basis": "population",
     "note": "(check) anggota 10% penduduk / members 10% of the population"},
]  # fmt: skip
IPLM_BANDS = [
    {"upper": "29.99", "label": "Sangat rendah", "label_en": "Very low"},
    {"upper": "49.99", "label": "Rendah", "label_en": "Low"},
    {"upper": "79.99", "label": "Sedang", "label_en": "Medium"},
    {"upper": "89.99", "label": "Tinggi", "label_en": "High"},
    {"upper": "100", "label": "Sangat tinggi", "label_en": "Very high"},
]


def _stamp(*columns: sa.ColumnClause) -> list[sa.ColumnClause]:
    return [sa.column("id", sa.Uuid()), *columns, sa.column("created_at", sa.DateTime(timezone=True)),
            sa.column("updated_at", sa.DateTime(timezone=True))]


instruments = sa.table("instruments", *_stamp(
    sa.column("library_type", sa.String()), sa.column("version", sa.String()), sa.column("title", sa.String()),
    sa.column("legal_basis", sa.Text()), sa.column("status", sa.String()),
    sa.column("weights_published", sa.Boolean()), sa.column("weights_note", sa.Text()),
    sa.column("bands", sa.JSON()), sa.column("bands_note", sa.Text()), sa.column("validity_years", sa.Integer()),
    sa.column("published_at", sa.DateTime(timezone=True)),
))
components = sa.table("instrument_components", *_stamp(
    sa.column("instrument_id", sa.Uuid()), sa.column("code", sa.String()), sa.column("name", sa.String()),
    sa.column("weight", sa.Numeric(6, 2)), sa.column("position", sa.Integer()),
))
tgm = sa.table("tgm_models", *_stamp(
    sa.column("version", sa.String()), sa.column("legal_basis", sa.Text()), sa.column("weights", sa.JSON()),
    sa.column("normalisers", sa.JSON()), sa.column("bands", sa.JSON()), sa.column("age_min", sa.Integer()),
    sa.column("age_max", sa.Integer()), sa.column("note", sa.Text()), sa.column("active", sa.Boolean()),
))
iplm = sa.table("iplm_models", *_stamp(
    sa.column("version", sa.String()), sa.column("legal_basis", sa.Text()), sa.column("elements", sa.JSON()),
    sa.column("bands", sa.JSON()), sa.column("note", sa.Text()), sa.column("active", sa.Boolean()),
))  # fmt: skip


def _id(name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, name)


def upgrade() -> None:
    now = datetime.now(UTC)
    for library_type, title, published in INSTRUMENTS:
        instrument_id = _id(f"instrument:{library_type}:2022")
        op.bulk_insert(
            instruments,
            [
                {
                    "id": instrument_id,
                    "library_type": library_type,
                    "version": "2022",
                    "title": title,
                    "legal_basis": LEGAL_BASIS,
                    "status": "draft",
                    "weights_published": published,
                    "weights_note": PUBLISHED_NOTE if published else EDITABLE_NOTE,
                    "bands": BANDS,
                    "bands_note": BANDS_NOTE,
                    "validity_years": 5,
                    "published_at": None,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
        op.bulk_insert(
            components,
            [
                {
                    "id": _id(f"component:{library_type}:2022:{code}"),
                    "instrument_id": instrument_id,
                    "code": code,
                    "name": name,
                    "weight": Decimal(weight),
                    "position": position,
                    "created_at": now,
                    "updated_at": now,
                }
                for position, (code, name, weight) in enumerate(COMPONENTS, start=1)
            ],
        )
    op.bulk_insert(
        tgm,
        [
            {
                "id": _id("tgm:2022"),
                "version": "2022",
                "legal_basis": (
                    "Perpustakaan Nasional RI, kajian Tingkat Kegemaran Membaca (TGM/TKM): "
                    "0,3·FM + 0,3·DM + 0,3·JB + 0,05·FAI + 0,05·DAI (RULES §4)"
                ),
                "weights": TGM_WEIGHTS,
                "normalisers": TGM_NORMALISERS,
                "bands": TGM_BANDS,
                "age_min": 10,
                "age_max": 69,
                "note": (
                    "(check) Batas normalisasi adalah nilai awal dari sumber sekunder; rata-rata jawaban "
                    "responden dinormalisasi linear ke 0–100 dan dipotong / The normalisation bounds are "
                    "defaults from secondary sources; respondents' average answers are scaled linearly "
                    "to 0–100 and clipped"
                ),
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
        ],
    )
    op.bulk_insert(
        iplm,
        [
            {
                "id": _id("iplm:2021"),
                "version": "2021",
                "legal_basis": (
                    "Perpustakaan Nasional RI, Pedoman Pengukuran Indeks Pembangunan Literasi Masyarakat "
                    "(2021): tujuh unsur pembangun literasi masyarakat (UPLM1–7) terhadap penduduk"
                ),
                "elements": IPLM_ELEMENTS,
                "bands": IPLM_BANDS,
                "note": (
                    "(check) Tiap unsur = nilai nyata ÷ kebutuhan menurut standar (maks. 1); indeks = "
                    "rata-rata × 100. Standar per penduduk dan pita dari sumber sekunder (pita 2025, "
                    "Perpusnas Reg. 7/2025) / Each element = actual ÷ what the standard requires (capped "
                    "at 1); index = mean × 100. Standards and bands from secondary sources"
                ),
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
        ],
    )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM iplm_models WHERE version = '2021'"))
    op.execute(sa.text("DELETE FROM tgm_models WHERE version = '2022'"))
    ids = [str(_id(f"instrument:{t}:2022")) for t, _, _ in INSTRUMENTS]
    op.execute(components.delete().where(components.c.instrument_id.in_([uuid.UUID(i) for i in ids])))
    op.execute(instruments.delete().where(instruments.c.id.in_([uuid.UUID(i) for i in ids])))
