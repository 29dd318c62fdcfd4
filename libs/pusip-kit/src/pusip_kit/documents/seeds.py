"""The four seed publications (shared corpus ``seeds/``) and the PDFs the demos make of them.

The texts are real Indonesian publications (see ``corpus/seeds/README.md``). The deposit demo deposits
them as PDFs; the catalog demo holds the same PDFs in its digital collection. The PDF of a text is the
same bytes every time (reportlab's invariant mode), so a deposit of a work the catalogue already holds
is recognised by its SHA-256 and joins that record instead of duplicating it.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer


@dataclass(frozen=True)
class SeedWork:
    file: str
    title: str
    creators: tuple[str, ...]
    year: int
    published_on: date
    publisher: str
    place: str
    issn: str | None = None


SEED_WORKS: tuple[SeedWork, ...] = (
    SeedWork(
        "sinergi-abdimas-2024-rajut-purbalingga.txt",
        "Upaya Peningkatan Kompetensi, Kualitas dan Penerapan Pemasaran secara Digital untuk Meningkatkan "
        "Penjualan Kelompok Wanita Pengrajin Rajut di Desa Kalikajar Kecamatan Kaligondang Kabupaten Purbalingga",
        (
            "Kartikasari",
            "Nita Fernandes",
            "Surtini",
            "Diah Arum Probowati",
            "Intan Indah Sofiyani",
            "Wiwiek Rabiatal Adawiyah",
            "Achmad Sudjadi",
        ),
        2024,
        date(2024, 6, 30),
        "Sinergi Abdimas, Universitas Jenderal Soedirman",
        "Purwokerto",
    ),
    SeedWork(
        "learning-community-2020-tanocraft-jember.txt",
        "Pengelolaan Tanocraft sebagai Ruang Edukasi Pemberdayaan Mantan Pekerja Migran Perempuan di Tanoker "
        "Kabupaten Jember",
        ("Ghuril Mukhajalin", "Lutfi Ariefianto"),
        2020,
        date(2020, 12, 1),
        "Learning Community: Jurnal Pendidikan Luar Sekolah, Universitas Jember",
        "Jember",
    ),
    SeedWork(
        "promosi-media-sosial-umkm-pamulang.txt",
        "Dampak Promosi pada Media Sosial terhadap Keterlibatan Pelanggan dan Minat Beli pada Usaha Mikro "
        "Menengah dan Kecil",
        ("Ahmad Rojikun",),
        2023,
        date(2023, 3, 1),
        "Universitas Mohammad Husni Thamrin",
        "Jakarta",
    ),
    SeedWork(
        "kube-pontianak-tinjauan-pustaka.txt",
        "Kelompok Usaha Bersama (KUBE) di Pontianak: Tinjauan Pustaka",
        ("(penulis skripsi)",),
        2023,
        date(2023, 1, 15),
        "Pontianak (literatur kelabu / grey literature)",
        "Pontianak",
    ),
)

_MARKUP = re.compile(r"[*_`#]+|\[([^\]]*)\]\([^)]*\)")


def _clean(line: str) -> str:
    return _MARKUP.sub(lambda m: m.group(1) or "", line).strip()


def text_to_pdf(title: str, text: str, *, author: str = "") -> bytes:
    """A simple A4 PDF of ``text`` (paragraphs split on blank lines) with real, extractable text;
    the same input gives the same bytes."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
        title=title, author=author, invariant=True,
    )  # fmt: skip
    story: list[object] = [Paragraph(escape(title), styles["Title"]), Spacer(1, 4 * mm)]
    for block in re.split(r"\n\s*\n", text):
        cleaned = " ".join(_clean(line) for line in block.splitlines() if _clean(line))
        if cleaned:
            story.append(Paragraph(escape(cleaned), styles["BodyText"]))
    document.build(story)
    return buffer.getvalue()


def seed_pdf(seed_dir: Path, work: SeedWork) -> bytes:
    text = (seed_dir / work.file).read_text(encoding="utf-8")
    return text_to_pdf(work.title, text, author="; ".join(work.creators))
