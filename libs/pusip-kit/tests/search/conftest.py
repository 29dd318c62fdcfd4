"""A small Indonesian library catalogue and the backend fixtures of the search behaviour suite.

``backend`` is parametrized: ``tantivy`` always runs; ``elasticsearch`` is marked ``services``
and needs the real server (``make services-up``). ``corpus_index`` is built once per module
and only read by tests; tests that write use ``empty_index``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from pusip_kit.search import FieldSpec, FieldType, IndexSchema, SearchIndex, TantivyIndex

F = FieldType

BOOK_SCHEMA = IndexSchema(
    name="books",
    id_field="id",
    fields=(
        FieldSpec(name="id", type=F.KEYWORD),
        FieldSpec(name="title", type=F.TEXT, sortable=True, autocomplete=True, boost=3.0),
        FieldSpec(name="authors", type=F.TEXT, multi=True, facet=True, autocomplete=True, boost=2.0),
        FieldSpec(name="subjects", type=F.TEXT, multi=True, facet=True),
        FieldSpec(name="abstract", type=F.TEXT),
        FieldSpec(name="year", type=F.INTEGER, sortable=True, facet=True),
        FieldSpec(name="language", type=F.KEYWORD, facet=True),
        FieldSpec(name="branches", type=F.KEYWORD, multi=True, facet=True),
        FieldSpec(name="material", type=F.KEYWORD, facet=True),
        FieldSpec(name="available", type=F.BOOLEAN, facet=True),
        FieldSpec(name="price", type=F.FLOAT, sortable=True),
        FieldSpec(name="acquired", type=F.DATE, sortable=True),
        FieldSpec(name="level", type=F.KEYWORD, facet=True),
        FieldSpec(name="unit", type=F.KEYWORD),
        FieldSpec(name="call_number", type=F.STORED_ONLY),
        FieldSpec(name="internal_note", type=F.KEYWORD, stored=False),
    ),
    aliases={"judul": "title", "pengarang": "authors", "subjek": "subjects"},
)


def _book(
    id: str,
    title: str,
    authors: list[str],
    subjects: list[str],
    year: int | None,
    *,
    abstract: str = "",
    language: str = "ind",
    branches: tuple[str, ...] = ("Pusat",),
    material: str = "buku",
    available: bool = True,
    price: float = 85000.0,
    acquired: str = "2020-01-15",
    level: str = "BIASA",
    unit: str = "Layanan",
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": id,
        "title": title,
        "authors": authors,
        "subjects": subjects,
        "abstract": abstract,
        "language": language,
        "branches": list(branches),
        "material": material,
        "available": available,
        "price": price,
        "acquired": acquired,
        "level": level,
        "unit": unit,
        "call_number": f"020 {id.upper()}",
        "internal_note": "catatan internal",
    }
    if year is not None:
        doc["year"] = year
    return doc


BOOKS: list[dict[str, Any]] = [
    _book(
        "b01",
        "Pengantar Ilmu Perpustakaan",
        ["Sulistyo-Basuki"],
        ["Ilmu perpustakaan"],
        1991,
        abstract="Buku dasar ilmu perpustakaan: koleksi, katalog, dan layanan pemustaka di Indonesia.",
        branches=("Pusat", "Jakarta Selatan"),
        price=120000.0,
        acquired="1995-03-01",
    ),
    _book(
        "b02",
        "Manajemen Perpustakaan Sekolah",
        ["Ibrahim Bafadal"],
        ["Perpustakaan sekolah", "Manajemen"],
        2005,
        abstract="Pengelolaan perpustakaan sekolah dasar dan menengah.",
        branches=("Pusat", "Cikini"),
        price=65000.0,
        acquired="2006-07-10",
    ),
    _book(
        "b03",
        "Kepustakaan Jawa",
        ["Poerbatjaraka"],
        ["Sastra Jawa"],
        1952,
        abstract="Tinjauan naskah dan karya sastra Jawa kuno.",
        branches=("Cikini",),
        available=False,
        price=150000.0,
        acquired="1980-01-01",
    ),
    _book(
        "b04",
        "Pustaka Digital: Teori dan Praktik",
        ["Wahyu Supriyanto", "Ahmad Muhsin"],
        ["Perpustakaan digital"],
        2008,
        abstract="Membangun koleksi digital dan repositori institusi.",
        price=95000.0,
        acquired="2009-02-02",
    ),
    _book(
        "b05",
        "Sejarah Jakarta dari Batavia ke Metropolitan",
        ["Susan Blackburn"],
        ["Sejarah", "Jakarta"],
        2011,
        abstract="Empat abad sejarah kota Jakarta, dari Batavia hingga kota metropolitan.",
        branches=("Pusat", "Cikini", "Jakarta Selatan"),
        price=175000.0,
        acquired="2012-05-20",
    ),
    _book(
        "b06",
        "Batavia: Kisah Kota Tua",
        ["Adolf Heuken"],
        ["Sejarah", "Batavia"],
        1997,
        abstract="Bangunan, jalan, dan kehidupan di kota tua Batavia.",
        branches=("Cikini",),
        price=140000.0,
        acquired="1998-11-11",
    ),
    _book(
        "b07",
        "Kearsipan Dinamis untuk Perkantoran",
        ["Zulkifli Amsyah"],
        ["Kearsipan", "Manajemen arsip"],
        2003,
        abstract="Pengelolaan arsip aktif dan inaktif di kantor pemerintah.",
        price=70000.0,
        acquired="2004-04-04",
    ),
    _book(
        "b08",
        "Manajemen Arsip Elektronik",
        ["Sulistyo-Basuki"],
        ["Kearsipan", "Arsip elektronik"],
        2015,
        abstract="Arsip digital, metadata, dan preservasi jangka panjang.",
        price=110000.0,
        acquired="2016-06-06",
    ),
    _book(
        "b09",
        "Naskah Kuno Nusantara",
        ["Oman Fathurahman"],
        ["Naskah kuno", "Filologi"],
        2010,
        abstract="Katalog naskah kuno dari berbagai daerah di Nusantara.",
        branches=("Cikini",),
        price=200000.0,
        acquired="2011-09-09",
    ),
    _book(
        "b10",
        "Filologi Indonesia: Teori dan Metode",
        ["Oman Fathurahman"],
        ["Filologi"],
        2017,
        abstract="Metode penyuntingan teks dan kajian naskah.",
        price=98000.0,
        acquired="2018-01-01",
    ),
    _book(
        "b11",
        "Laskar Pelangi",
        ["Andrea Hirata"],
        ["Novel", "Fiksi Indonesia"],
        2005,
        abstract="Kisah sepuluh anak Belitung dan sekolah Muhammadiyah yang nyaris ditutup.",
        branches=("Pusat", "Cikini", "Jakarta Selatan"),
        price=79000.0,
        acquired="2005-12-01",
    ),
    _book(
        "b12",
        "Sang Pemimpi",
        ["Andrea Hirata"],
        ["Novel", "Fiksi Indonesia"],
        2006,
        abstract="Lanjutan kisah anak Belitung yang bermimpi bersekolah ke Paris.",
        price=69000.0,
        acquired="2007-01-01",
    ),
    _book(
        "b13",
        "Bumi Manusia",
        ["Pramoedya Ananta Toer"],
        ["Novel", "Fiksi sejarah"],
        1980,
        abstract="Minke, pemuda pribumi, di masa kolonial Hindia Belanda.",
        branches=("Pusat", "Jakarta Selatan"),
        price=135000.0,
        acquired="1999-09-09",
    ),
    _book(
        "b14",
        "Anak Semua Bangsa",
        ["Pramoedya Ananta Toer"],
        ["Novel", "Fiksi sejarah"],
        1980,
        abstract="Lanjutan kisah Minke menghadapi ketidakadilan kolonial.",
        price=130000.0,
        acquired="1999-09-10",
    ),
    _book(
        "b15",
        "Ronggeng Dukuh Paruk",
        ["Ahmad Tohari"],
        ["Novel", "Fiksi Indonesia"],
        1982,
        abstract="Srintil, ronggeng dari desa kecil di Banyumas.",
        available=False,
        price=75000.0,
        acquired="2001-03-03",
    ),
    _book(
        "b16",
        "Cantik Itu Luka",
        ["Eka Kurniawan"],
        ["Novel", "Fiksi Indonesia"],
        2002,
        abstract="Dewi Ayu dan keturunannya di kota Halimunda.",
        price=99000.0,
        acquired="2003-03-03",
    ),
    _book(
        "b17",
        "Introduction to Library Science",
        ["Jesse Shera"],
        ["Library science"],
        1976,
        abstract="Foundations of librarianship and library services.",
        language="eng",
        price=250000.0,
        acquired="1985-05-05",
    ),
    _book(
        "b18",
        "Digital Libraries",
        ["William Arms"],
        ["Digital libraries"],
        2000,
        abstract="Building digital collections and services.",
        language="eng",
        price=300000.0,
        acquired="2002-02-02",
    ),
    _book(
        "b19",
        "Katalogisasi Bahan Pustaka Berdasarkan RDA",
        ["Tim Perpusnas"],
        ["Katalogisasi"],
        2019,
        abstract="Pedoman katalogisasi deskriptif dengan Resource Description and Access.",
        price=60000.0,
        acquired="2019-10-10",
    ),
    _book(
        "b20",
        "Klasifikasi Persepuluhan Dewey",
        ["Towa P. Hamakonda"],
        ["Klasifikasi"],
        2014,
        abstract="Penerapan DDC untuk penataan koleksi pustaka.",
        price=55000.0,
        acquired="2014-08-08",
    ),
    _book(
        "b21",
        "Layanan Referensi di Perpustakaan Umum",
        ["Tim Perpusnas"],
        ["Layanan referensi"],
        2012,
        abstract="Wawancara referensi dan sumber rujukan.",
        branches=("Jakarta Selatan",),
        price=45000.0,
        acquired="2013-01-01",
    ),
    _book(
        "b22",
        "Literasi Informasi untuk Mahasiswa",
        ["Nurdin Laugu"],
        ["Literasi informasi"],
        2016,
        abstract="Kecakapan menemukan, menilai, dan memakai informasi.",
        material="e-book",
        price=30000.0,
        acquired="2016-09-01",
    ),
    _book(
        "b23",
        "Membaca Jakarta: Kumpulan Esai Kota",
        ["Seno Gumira Ajidarma"],
        ["Jakarta", "Esai"],
        2018,
        abstract="Esai tentang warga, jalan, dan wajah kota Jakarta.",
        material="e-book",
        price=40000.0,
        acquired="2018-12-12",
    ),
    _book(
        "b24",
        "Peta Jakarta 1930",
        ["Topografische Dienst"],
        ["Peta", "Jakarta"],
        1930,
        abstract="Peta kota Batavia dan sekitarnya.",
        material="peta",
        level="TERBATAS",
        unit="Koleksi Khusus",
        branches=("Cikini",),
        price=500000.0,
        acquired="1990-01-01",
    ),
    _book(
        "b25",
        "Rekaman Wawancara Tokoh Betawi",
        ["Dinas Perpustakaan dan Kearsipan"],
        ["Sejarah lisan"],
        1995,
        abstract="Wawancara sejarah lisan dengan tokoh masyarakat Betawi.",
        material="rekaman suara",
        level="RAHASIA",
        unit="Arsip Statis",
        branches=("Cikini",),
        price=0.0,
        acquired="1996-02-02",
    ),
    _book(
        "b26",
        "Majalah Pustaka Edisi 1975",
        ["Redaksi Pustaka"],
        ["Majalah"],
        1975,
        abstract="Terbitan berkala tentang dunia buku.",
        material="majalah",
        price=15000.0,
        acquired="1976-01-01",
    ),
    _book(
        "b27",
        "Café Sastra: Catatan dari Jalan Sabang",
        ["Déwi Lestari"],
        ["Esai", "Sastra"],
        2020,
        abstract="Catatan dari sebuah kafe di Jakarta Pusat.",
        price=88000.0,
        acquired="2020-11-11",
    ),
    _book(
        "b28",
        "Ilmu Pengetahuan Sosial untuk SD",
        ["Tim Penulis"],
        ["Pendidikan"],
        2013,
        abstract="Buku pelajaran ilmu sosial sekolah dasar.",
        price=35000.0,
        acquired="2013-07-07",
    ),
    _book(
        "b29",
        "Perpustakaan dan Masyarakat",
        ["Sutarno NS"],
        ["Perpustakaan umum"],
        1999,
        abstract="Kajian ilmu sosial tentang peran perpustakaan bagi warga.",
        price=50000.0,
        acquired="2000-01-01",
    ),
    _book(
        "b30",
        "Risalah Tanpa Tahun",
        ["Anonim"],
        ["Naskah"],
        None,
        abstract="Naskah salinan tanpa keterangan tahun terbit.",
        material="naskah",
        available=False,
        price=25000.0,
        acquired="1970-01-01",
    ),
]


# ------------------------------------------------------------------ backends

BACKENDS = ["tantivy", pytest.param("elasticsearch", marks=pytest.mark.services)]


class Backend:
    """Opens index objects of one backend on named indexes (so readers and writers can differ)."""

    def __init__(self, kind: str, base: Path) -> None:
        self.kind = kind
        self.base = base
        self.run = uuid.uuid4().hex[:10]
        self.url = ""
        if kind == "elasticsearch":
            from pusip_kit.testing.servers import require

            self.url = require("elasticsearch").elasticsearch_url

    def schema(self, name: str, schema: IndexSchema = BOOK_SCHEMA) -> IndexSchema:
        return schema.model_copy(update={"name": name})

    def open(self, name: str, schema: IndexSchema = BOOK_SCHEMA) -> SearchIndex:
        sch = self.schema(name, schema)
        if self.kind == "tantivy":
            return TantivyIndex(self.base / name, sch)
        from pusip_kit.search.elasticsearch_backend import ElasticsearchIndex

        return ElasticsearchIndex(self.url, sch, prefix=f"pusiptest-{self.run}")


async def _build_corpus(backend: Backend, name: str) -> None:
    idx = backend.open(name)
    await idx.ensure()
    await idx.index(BOOKS)
    await idx.commit()
    await idx.close()


async def _drop(backend: Backend, name: str) -> None:
    idx = backend.open(name)
    await idx.drop()
    await idx.close()


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    be = Backend(request.param, tmp_path_factory.mktemp(f"search-{request.param}"))
    asyncio.run(_build_corpus(be, "books"))
    yield be
    asyncio.run(_drop(be, "books"))


@pytest.fixture
async def corpus(backend: Backend) -> AsyncIterator[SearchIndex]:
    """The 30-book catalogue, read only."""
    idx = backend.open("books")
    yield idx
    await idx.close()


@pytest.fixture
async def empty_index(backend: Backend) -> AsyncIterator[SearchIndex]:
    """A fresh index of the book schema for tests that write; dropped afterwards."""
    name = f"scratch-{uuid.uuid4().hex[:8]}"
    idx = backend.open(name)
    await idx.ensure()
    yield idx
    await idx.drop()
    await idx.close()
