"""Demo data: the Jakarta public library network, real MARC records with copies spread over the
branches, the seed publications as full-text e-resources, the PDS H.B. Jassin special collection,
a few reviews and a public reading list. Loading twice changes nothing.

Branch names are the network's public ones; where a precise street address is not certain it is
kept generic (street or area and city) rather than invented. The MARC records are the well-formed
ones of the shared test corpus (``../shared/corpus/marc21``, or ``PUSIP_CATALOG_DEMO_CORPUS``),
created through the cataloguing rules (:mod:`catalog.records.service`); the four seed publications
(``../shared/corpus/seeds``, not the SPBE decree) become records of the digital collection with a PDF
made from their text — not legal deposits: the deposit demo's accepted deposit of one of them (the same
PDF) joins its record and makes it one (:mod:`catalog.deposits.service`).
The files of the special collection are demonstration sheets, and say so.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.branches.repository import BranchRepository
from catalog.branches.schemas import BranchCreate
from catalog.branches.service import branch_service
from catalog.config import CatalogSettings
from catalog.eresources.repository import EResourceRepository
from catalog.eresources.service import eresource_service
from catalog.items.repository import ItemRepository
from catalog.items.schemas import ItemCreate
from catalog.items.service import item_service
from catalog.marc.reader import read_records
from catalog.models import AccessRule, AcquisitionSource, BibRecord, ItemStatus, RecordSource, TextStatus
from catalog.reading_lists.repository import ReadingListRepository
from catalog.reading_lists.schemas import ReadingListCreate
from catalog.reading_lists.service import reading_list_service
from catalog.records.service import record_service
from catalog.reviews.repository import ReviewRepository
from catalog.reviews.schemas import ReviewWrite
from catalog.reviews.service import ACTION_APPROVE, review_service
from catalog.runtime import ERESOURCES_BUCKET
from catalog.special.repository import SpecialCollectionRepository
from catalog.special.schemas import CollectionCreate, DocumentCreate
from catalog.special.service import special_collection_service
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.documents.seeds import SEED_WORKS
from pusip_kit.documents.seeds import seed_pdf as seed_work_pdf
from pusip_kit.errors import PusipError
from pusip_kit.files import FileKind
from pusip_kit.pagination import PaginationParams
from pusip_kit.storage import ObjectStore, make_object_store

log = logging.getLogger(__name__)

DEMO_SUBJECT = AuthSubject(subject="system:demo-data", username="demo-data", roles=frozenset({Role.ADMIN}))
DEMO_PATRON = AuthSubject(
    subject="demo:pemustaka", username="pemustaka", name="Pemustaka Demo", roles=frozenset({Role.PATRON})
)
DEMO_READER = AuthSubject(subject="demo:rina", username="rina", name="Rina", roles=frozenset({Role.PATRON}))
SHARED = Path(__file__).resolve().parents[4].parent / "shared" / "corpus"

# Opening hours are illustrative demo values, not the branches' published schedules.
_WEEKDAYS = ("selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")
_OFFICE_DAYS = ("senin", "selasa", "rabu", "kamis", "jumat")


def _hours(days: tuple[str, ...], opens: str, closes: str) -> list[dict[str, str]]:
    return [{"day": d, "opens": opens, "closes": closes} for d in days]


DEMO_BRANCHES: list[dict[str, Any]] = [
    {
        "code": "perpustakaan-jakarta-cikini",
        "name": "Perpustakaan Jakarta - Cikini",
        "type": "perpustakaan_provinsi",
        "city": "jakarta-pusat",
        "address": "Taman Ismail Marzuki, Jl. Cikini Raya No. 73, Menteng, Jakarta Pusat",
        "opening_hours": _hours(_WEEKDAYS, "09:00", "21:00"),
    },
    {
        "code": "pds-hb-jassin",
        "name": "Pusat Dokumentasi Sastra H.B. Jassin",
        "type": "perpustakaan_khusus",
        "city": "jakarta-pusat",
        "address": "Taman Ismail Marzuki, Jl. Cikini Raya No. 73, Menteng, Jakarta Pusat",
        "opening_hours": _hours(_WEEKDAYS, "09:00", "21:00"),
    },
    {
        "code": "perpustakaan-kota-jakarta-utara",
        "name": "Perpustakaan Kota Jakarta Utara",
        "type": "perpustakaan_kota",
        "city": "jakarta-utara",
        "address": "Jakarta Utara",
        "opening_hours": _hours(_OFFICE_DAYS, "08:00", "16:00"),
    },
    {
        "code": "perpustakaan-kota-jakarta-barat",
        "name": "Perpustakaan Kota Jakarta Barat",
        "type": "perpustakaan_kota",
        "city": "jakarta-barat",
        "address": "Jakarta Barat",
        "opening_hours": _hours(_OFFICE_DAYS, "08:00", "16:00"),
    },
    {
        "code": "perpustakaan-kota-jakarta-selatan",
        "name": "Perpustakaan Kota Jakarta Selatan",
        "type": "perpustakaan_kota",
        "city": "jakarta-selatan",
        "address": "Jakarta Selatan",
        "opening_hours": _hours(_OFFICE_DAYS, "08:00", "16:00"),
    },
    {
        "code": "perpustakaan-kota-jakarta-timur",
        "name": "Perpustakaan Kota Jakarta Timur",
        "type": "perpustakaan_kota",
        "city": "jakarta-timur",
        "address": "Jakarta Timur",
        "opening_hours": _hours(_OFFICE_DAYS, "08:00", "16:00"),
    },
    {
        "code": "perpustakaan-kabupaten-kepulauan-seribu",
        "name": "Perpustakaan Kabupaten Administrasi Kepulauan Seribu",
        "type": "perpustakaan_kota",
        "city": "kepulauan-seribu",
        "address": "Pulau Pramuka, Kepulauan Seribu",
        "opening_hours": _hours(_OFFICE_DAYS, "08:00", "16:00"),
    },
    {
        "code": "perpustakaan-kecamatan-menteng",
        "name": "Perpustakaan Kecamatan Menteng",
        "type": "perpustakaan_kecamatan",
        "city": "jakarta-pusat",
        "address": "Kecamatan Menteng, Jakarta Pusat",
        "opening_hours": _hours(_OFFICE_DAYS, "08:00", "16:00"),
    },
    {
        "code": "perpustakaan-kecamatan-cilandak",
        "name": "Perpustakaan Kecamatan Cilandak",
        "type": "perpustakaan_kecamatan",
        "city": "jakarta-selatan",
        "address": "Kecamatan Cilandak, Jakarta Selatan",
        "opening_hours": _hours(_OFFICE_DAYS, "08:00", "16:00"),
    },
    {
        "code": "perpustakaan-kecamatan-koja",
        "name": "Perpustakaan Kecamatan Koja",
        "type": "perpustakaan_kecamatan",
        "city": "jakarta-utara",
        "address": "Kecamatan Koja, Jakarta Utara",
        "opening_hours": _hours(_OFFICE_DAYS, "08:00", "16:00"),
    },
]
JASSIN = "pds-hb-jassin"
LENDING_BRANCHES = [b["code"] for b in DEMO_BRANCHES if b["code"] != JASSIN]
LOCATIONS = ("Rak Umum", "Rak Referensi", "Rak Sastra", "Rak Anak")

# Well-formed files of the shared MARC corpus (ISO 2709 UTF-8 and MARC-8, MARCXML, MARC-in-JSON),
# with how many of their records to take (None: all). Duplicates within and across files are
# refused by the cataloguing rules (001/035/ISBN) and simply skipped.
DEMO_MARC_FILES: tuple[tuple[str, int | None], ...] = (
    ("pymarc/marc.dat", None),
    ("pymarc/test.dat", None),
    ("marc4j/selectedRecs.mrc", None),
    ("marc4j/brkrtest_UTF8.mrc", None),
    ("marc4j/chabon.mrc", None),
    ("marc4j/summerland.mrc", None),
    ("marc4j/field700_4_test.mrc", None),
    ("marc4j/rec1.mrc", None),
    ("marc4j/rec2.mrc", None),
    ("marc4j/rec3.mrc", None),
    ("marc4j/kan1222221.mrc", None),
    ("marc4j/getty_test_1.mrc", None),
    ("marc4j/u17_utf8.mrc", None),
    ("marc4j/u335.mrc", None),
    ("marc4j/oclc_63111280_export_as_UTF8_from_connexion.mrc", None),
    ("marc4j/OCLC_814388508.xml", None),
    ("marc4j/azdoud.xml", None),
    ("marc4j/1474920681_KOHA_LFL_5.xml", None),
    ("pymarc/batch.xml", None),
    ("pymarc/multi_isbn.dat", None),
    ("pymarc/diacritic.dat", None),
    ("ruby-marc/marc8_accented_chars.marc", None),
    ("marc4j/pride-and-prejudice-fixed.mrc", 40),
)


@dataclass(frozen=True)
class SeedPublication:
    """One of the seed publications (``corpus/seeds``) as the catalogue describes it."""

    file: str
    title: str
    authors: tuple[str, ...]
    year: int | None
    publisher: str
    place: str
    subjects: tuple[str, ...]
    note: str
    access: AccessRule = AccessRule.PUBLIC


SEED_WORK_BY_FILE = {work.file: work for work in SEED_WORKS}
"""The PDF of a seed is the deposit demo's, byte for byte: an accepted deposit of it joins the record."""

SEED_PUBLICATIONS: tuple[SeedPublication, ...] = (
    SeedPublication(
        file="sinergi-abdimas-2024-rajut-purbalingga.txt",
        title="Upaya peningkatan kompetensi, kualitas dan penerapan pemasaran secara digital untuk "
        "meningkatkan penjualan kelompok wanita pengrajin rajut di Desa Kalikajar Kecamatan "
        "Kaligondang Kabupaten Purbalingga",
        authors=(
            "Kartikasari",
            "Fernandes, Nita",
            "Surtini",
            "Probowati, Diah Arum",
            "Sofiyani, Intan Indah",
            "Adawiyah, Wiwiek Rabiatal",
            "Sudjadi, Achmad",
        ),
        year=2024,
        publisher="Universitas Jenderal Soedirman",
        place="Purwokerto",
        subjects=("Pemasaran digital", "Usaha kecil dan menengah", "Kerajinan rajut"),
        note="Artikel dalam Sinergi Abdimas 3(1) 2024.",
    ),
    SeedPublication(
        file="learning-community-2020-tanocraft-jember.txt",
        title="Pengelolaan Tanocraft sebagai ruang edukasi pemberdayaan mantan pekerja migran perempuan "
        "di Tanoker Kabupaten Jember",
        authors=("Mukhajalin, Ghuril", "Ariefianto, Lutfi"),
        year=2020,
        publisher="Universitas Jember",
        place="Jember",
        subjects=("Pemberdayaan perempuan", "Pekerja migran", "Pendidikan luar sekolah"),
        note="Artikel dalam Learning Community: Jurnal Pendidikan Luar Sekolah 4(2) 2020, 6-11.",
    ),
    SeedPublication(
        file="promosi-media-sosial-umkm-pamulang.txt",
        title="Dampak promosi pada media sosial terhadap keterlibatan pelanggan dan minat beli pada "
        "usaha mikro menengah dan kecil",
        authors=("Rojikun, Ahmad",),
        year=None,
        publisher="Universitas Mohammad Husni Thamrin",
        place="Jakarta",
        subjects=("Media sosial", "Promosi penjualan", "Usaha kecil dan menengah"),
        note="Artikel ilmiah; penerbit di Jakarta (serah simpan karya Provinsi DKI Jakarta).",
        access=AccessRule.MEMBERS,
    ),
    SeedPublication(
        file="kube-pontianak-tinjauan-pustaka.txt",
        title="Tinjauan pustaka : kelompok usaha bersama (KUBE) di Kota Pontianak",
        authors=(),
        year=None,
        publisher="[s.n.]",
        place="Pontianak",
        subjects=("Kelompok usaha bersama", "Pemberdayaan masyarakat"),
        note="Bab II skripsi (literatur kelabu).",
    ),
)


@dataclass(frozen=True)
class JassinWork:
    key: str
    title: str
    author: str
    year: int
    publisher: str
    subjects: tuple[str, ...]
    document: str
    conservation: str
    access: str
    original: str


# Real works of H.B. Jassin; the "digitised documents" are demonstration sheets that say so.
JASSIN_WORKS: tuple[JassinWork, ...] = (
    JassinWork(
        key="kritik-dan-esei",
        title="Kesusastraan Indonesia modern dalam kritik dan esei",
        author="Jassin, H. B.",
        year=1954,
        publisher="Gunung Agung",
        subjects=("Kesusastraan Indonesia -- Sejarah dan kritik",),
        document="Lembar dokumentasi: kliping ulasan",
        conservation="rusak_ringan",
        access="on_site",
        original="Kliping surat kabar, 4 lembar, kertas menguning",
    ),
    JassinWork(
        key="chairil-anwar",
        title="Chairil Anwar, pelopor Angkatan 45",
        author="Jassin, H. B.",
        year=1956,
        publisher="Gunung Agung",
        subjects=("Anwar, Chairil, 1922-1949", "Puisi Indonesia -- Sejarah dan kritik"),
        document="Lembar dokumentasi: naskah ketik",
        conservation="rusak_berat",
        access="by_request",
        original="Naskah ketik dengan koreksi tangan, 12 lembar, rapuh",
    ),
)


# -- building blocks --------------------------------------------------------------------------------


def corpus_dir() -> Path:
    return Path(os.environ.get("PUSIP_CATALOG_DEMO_CORPUS") or SHARED)


def _field(tag: str, subfields: list[tuple[str, str]], ind1: str = " ", ind2: str = " ") -> dict[str, Any]:
    return {tag: {"ind1": ind1, "ind2": ind2, "subfields": [{c: v} for c, v in subfields]}}


def _f008(year: int | None) -> str:
    dates = f"s{year:04d}    " if year else "nuuuuuuuu"
    return f"250101{dates}io a     b    000 0 ind d"


def marc_json(
    *,
    title: str,
    authors: tuple[str, ...],
    year: int | None,
    publisher: str,
    place: str,
    subjects: tuple[str, ...],
    note: str | None = None,
    control: str | None = None,
) -> dict[str, Any]:
    """A small MARC-in-JSON book record (RDA-ish: 264, 336-338 left out for brevity)."""
    fields: list[dict[str, Any]] = []
    if control:
        fields += [{"001": control}, {"003": "JKPD"}]
    fields.append({"008": _f008(year)})
    fields.append(_field("040", [("a", "JKPD"), ("b", "ind"), ("c", "JKPD")]))
    if authors:
        fields.append(_field("100", [("a", authors[0])], "1"))
    main, _, rest = title.partition(" : ")
    title_subfields = [("a", main + (" :" if rest else ""))] + ([("b", rest)] if rest else [])
    fields.append(_field("245", title_subfields, "1" if authors else "0", "0"))
    imprint = [("a", f"{place} :"), ("b", publisher + ("," if year else ""))]
    if year:
        imprint.append(("c", str(year)))
    fields.append(_field("264", imprint, " ", "1"))
    if note:
        fields.append(_field("500", [("a", note)]))
    for subject in subjects:
        fields.append(_field("650", [("a", subject)], " ", "4"))
    for author in authors[1:]:
        fields.append(_field("700", [("a", author)], "1"))
    return {"leader": "00000nam a2200000 a 4500", "fields": fields}


def seed_pdf(title: str, authors: tuple[str, ...], note: str, text: str) -> bytes:
    """A readable PDF of a seed text (title page facts, then its paragraphs)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
        title=title, author="; ".join(authors) or "-", subject=note,
    )  # fmt: skip
    story: list[Any] = [Paragraph(escape(title), styles["Title"])]
    if authors:
        story.append(Paragraph(escape("; ".join(authors)), styles["Normal"]))
    story += [Paragraph(escape(note), styles["Italic"]), Spacer(1, 6 * mm)]
    for block in re.split(r"\n\s*\n", text):
        cleaned = " ".join(block.split()).replace("*", "")
        if cleaned:
            story.append(Paragraph(escape(cleaned), styles["BodyText"]))
    pdf.build(story)
    return out.getvalue()


def demo_sheet(collection: str, work: JassinWork) -> bytes:
    """A one-page PDF standing in for a digitised original (it says that it is a demo sheet)."""
    text = (
        f"{work.document} — {work.title} ({work.author}, {work.year}).\n\n"
        f"Koleksi: {collection}. Kondisi naskah asli: {work.original}.\n\n"
        "Lembar ini dibuat untuk demonstrasi Pusip dan menggantikan pindaian naskah asli; "
        "isinya bukan reproduksi dokumen koleksi."
    )
    return seed_pdf(f"{work.document}", (work.author,), "Dokumen demonstrasi", text)


def corpus_records(base: Path) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """``(file, position, MARC-in-JSON)`` of the demo files' readable records."""
    for name, limit in DEMO_MARC_FILES:
        path = base / "marc21" / name
        if not path.is_file():
            log.warning("demo MARC file %s is missing; skipped", path)
            continue
        taken = 0
        with path.open("rb") as stream:
            for outcome in read_records(stream):
                if outcome.record is None:
                    continue
                yield name, outcome.position, json.loads(outcome.record.as_json())
                taken += 1
                if limit is not None and taken >= limit:
                    break


async def _record_by_ref(session: AsyncSession, source_ref: str) -> BibRecord | None:
    """The demo record created earlier under this reference (demo data looks itself up by it)."""
    rows = await session.execute(
        select(BibRecord).where(BibRecord.source_ref == source_ref, BibRecord.deleted.is_(False)).limit(1)
    )
    return rows.scalar_one_or_none()


async def _create_record(
    session: AsyncSession, marc: dict[str, Any], source_ref: str, source: RecordSource
) -> tuple[BibRecord | None, bool]:
    existing = await _record_by_ref(session, source_ref)
    if existing is not None:
        return existing, False
    try:
        async with session.begin_nested():
            record = await record_service.create(
                session, DEMO_SUBJECT, marc=marc, source=source, source_ref=source_ref
            )
    except PusipError as exc:  # invalid for the cataloguing rules, or a duplicate of one already in
        log.info("demo record %s skipped: %s", source_ref, exc.code)
        return None, False
    return record, True


async def _add_item(session: AsyncSession, data: ItemCreate) -> bool:
    if await ItemRepository(session).get_by_barcode(data.barcode) is not None:
        return False
    await item_service.create(session, DEMO_SUBJECT, data=data)
    return True


async def _add_file(
    session: AsyncSession,
    store: ObjectStore,
    record: BibRecord,
    *,
    filename: str,
    content: bytes,
    access: AccessRule,
    text: str | None,
) -> uuid.UUID | None:
    if await EResourceRepository(session).of_record(record.id):
        return None
    eresource_id = uuid.uuid4()
    stored = await store.put(f"records/{record.id}/{eresource_id}", content)
    eresource = await eresource_service.create(
        session,
        DEMO_SUBJECT,
        eresource_id=eresource_id,
        record_id=record.id,
        stored=stored,
        kind=FileKind.PDF,
        filename=filename,
        access=access,
    )
    if text:  # the text is known: searchable at once, before the worker re-extracts it from the PDF
        eresource.text_status = TextStatus.EXTRACTED.value
        eresource.fulltext = text
        await EResourceRepository(session).flush()
    return eresource.id


# -- the loader ---------------------------------------------------------------------------------------


async def load_demo_data(session: AsyncSession, settings: CatalogSettings | None = None) -> dict[str, int]:
    """Create whatever demo data does not exist yet; returns how much was created."""
    counts = dict.fromkeys(
        (
            "branches",
            "records",
            "items",
            "eresources",
            "special_collections",
            "documents",
            "reviews",
            "reading_lists",
        ),
        0,
    )
    repository = BranchRepository(session)
    for raw in DEMO_BRANCHES:
        if await repository.get_by_code(raw["code"]) is not None:
            continue
        await branch_service.create(session, DEMO_SUBJECT, data=BranchCreate.model_validate(raw))
        counts["branches"] += 1

    base = corpus_dir()
    settings = settings or CatalogSettings()
    store = make_object_store(settings, ERESOURCES_BUCKET)
    try:
        await _load_marc(session, base, counts)
        seeds = await _load_seeds(session, base, store, counts)
        await _load_special_collection(session, store, counts)
        await _load_contributions(session, seeds, counts)
    finally:
        await store.close()
    return counts


async def _load_marc(session: AsyncSession, base: Path, counts: dict[str, int]) -> None:
    for sequence, (name, position, marc) in enumerate(corpus_records(base), start=1):
        record, created = await _create_record(session, marc, f"demo:{name}#{position}", RecordSource.IMPORT)
        counts["records"] += created
        if record is None:
            continue
        for copy in range(1 + sequence % 3):
            branch = LENDING_BRANCHES[(sequence + 4 * copy) % len(LENDING_BRANCHES)]
            status = ItemStatus.IN_REPAIR if (sequence + copy) % 13 == 0 else ItemStatus.AVAILABLE
            data = ItemCreate(
                barcode=f"DEMO-{sequence:04d}-{copy + 1}",
                record_id=record.id,
                branch=branch,
                location=LOCATIONS[(sequence + copy) % len(LOCATIONS)],
                status=status,
            )
            counts["items"] += await _add_item(session, data)


async def _load_seeds(
    session: AsyncSession, base: Path, store: ObjectStore, counts: dict[str, int]
) -> list[BibRecord]:
    records: list[BibRecord] = []
    for number, seed in enumerate(SEED_PUBLICATIONS, start=1):
        path = base / "seeds" / seed.file
        if not path.is_file():
            log.warning("seed publication %s is missing; skipped", path)
            continue
        marc = marc_json(
            title=seed.title, authors=seed.authors, year=seed.year, publisher=seed.publisher,
            place=seed.place, subjects=seed.subjects, note=seed.note, control=f"DEMO-SEED-{number:02d}",
        )  # fmt: skip
        # the digital collection's copy, catalogued here; a legal deposit of the same PDF joins it
        record, created = await _create_record(
            session, marc, f"demo:seed:{seed.file}", RecordSource.CATALOGING
        )
        counts["records"] += created
        if record is None:
            continue
        records.append(record)
        text = path.read_text(encoding="utf-8").strip()
        added = await _add_file(
            session,
            store,
            record,
            filename=seed.file.removesuffix(".txt") + ".pdf",
            content=seed_work_pdf(base / "seeds", SEED_WORK_BY_FILE[seed.file]),
            access=seed.access,
            text=text,
        )
        counts["eresources"] += added is not None
        # and a printed copy on the reference shelf, so a reader sees where to read it on paper
        data = ItemCreate(
            barcode=f"DEMO-SEED-{number:02d}",
            record_id=record.id,
            branch="perpustakaan-jakarta-cikini",
            location="Koleksi Referensi",
            acquisition_source=AcquisitionSource.GIFT,
        )
        counts["items"] += await _add_item(session, data)
    return records


async def _load_special_collection(session: AsyncSession, store: ObjectStore, counts: dict[str, int]) -> None:
    collection = await SpecialCollectionRepository(session).get_by_code(JASSIN)
    if collection is None:
        collection = await special_collection_service.create(
            session,
            DEMO_SUBJECT,
            data=CollectionCreate(
                code=JASSIN,
                name="Dokumentasi Sastra H.B. Jassin",
                name_en="H.B. Jassin Literary Documentation",
                description=(
                    "Dokumentasi sastra Indonesia yang dihimpun H.B. Jassin: buku, kliping, naskah, "
                    "surat dan foto para sastrawan, dirawat oleh Pusat Dokumentasi Sastra H.B. Jassin."
                ),
                curator_branch=JASSIN,
            ),
        )
        counts["special_collections"] += 1
    for number, work in enumerate(JASSIN_WORKS, start=1):
        marc = marc_json(
            title=work.title, authors=(work.author,), year=work.year, publisher=work.publisher,
            place="Jakarta", subjects=work.subjects, control=f"DEMO-JASSIN-{number:02d}",
        )  # fmt: skip
        record, created = await _create_record(
            session, marc, f"demo:{JASSIN}:{work.key}", RecordSource.CATALOGING
        )
        counts["records"] += created
        if record is None:
            continue
        item = ItemCreate(
            barcode=f"DEMO-JASSIN-{number:02d}",
            record_id=record.id,
            branch=JASSIN,
            location="Ruang Dokumentasi",
            acquisition_source=AcquisitionSource.GIFT,
        )
        counts["items"] += await _add_item(session, item)
        eresource_id = await _add_file(
            session,
            store,
            record,
            filename=f"{work.key}-dokumentasi.pdf",
            content=demo_sheet(collection.name, work),
            access=AccessRule.RESTRICTED,
            text=None,
        )
        if eresource_id is None:
            continue
        counts["eresources"] += 1
        await special_collection_service.register_document(
            session,
            DEMO_SUBJECT,
            code=JASSIN,
            data=DocumentCreate(
                eresource_id=eresource_id,
                conservation_status=work.conservation,
                access_condition=work.access,
                original_description=work.original,
            ),
        )
        counts["documents"] += 1


async def _load_contributions(session: AsyncSession, seeds: list[BibRecord], counts: dict[str, int]) -> None:
    if len(seeds) < 2:
        return
    reviews = ReviewRepository(session)
    wanted = (
        (
            DEMO_PATRON,
            seeds[0],
            5,
            "Contoh nyata pemasaran digital untuk kelompok pengrajin; mudah diikuti.",
            True,
        ),
        (DEMO_READER, seeds[0], 4, None, True),
        (DEMO_READER, seeds[1], 4, "Menarik untuk bahan diskusi komunitas pendidikan nonformal.", False),
    )
    for author, record, rating, text, approve in wanted:
        if await reviews.of_author(record.id, author.subject) is not None:
            continue
        review, _ = await review_service.write(
            session, author, record_id=record.id, data=ReviewWrite(rating=rating, text=text)
        )
        if approve and review.status != "approved":
            await review_service.moderate(
                session, DEMO_SUBJECT, review_id=review.id, action=ACTION_APPROVE, reason=None
            )
        counts["reviews"] += 1
    name = "Bacaan UMKM dan pemberdayaan masyarakat"
    lists = ReadingListRepository(session)
    owned, _ = await lists.list(pagination=PaginationParams(limit=100), owner=DEMO_PATRON.subject)
    if any(r.name == name for r in owned):
        return
    reading_list = await reading_list_service.create(
        session,
        DEMO_PATRON,
        data=ReadingListCreate(
            name=name, description="Artikel tentang UMKM, pemasaran digital dan pemberdayaan.", public=True
        ),
    )
    for record in seeds:
        await reading_list_service.add(
            session, DEMO_PATRON, list_id=reading_list.id, record_id=record.id, note=None
        )
    counts["reading_lists"] += 1
