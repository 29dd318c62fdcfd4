"""Watermarked PDF copies for readers: every page stamped with who read it and when.

The stamp (a diagonal line across the page and a footer line) is drawn once per page size with
reportlab and merged onto each page with pypdf. pypdf reads the source lazily from a file on
disk, but the pages it stamps (with their content and images) are held until the copy is
written. So memory follows the pages stamped, not the file: a whole file is stamped up to
``watermark_max_bytes`` (settings); a larger file is served only as page ranges of at most
``watermark_max_pages`` pages (``?pages=1-50``), otherwise refused with 413
``watermark_range_required``. The stamped copy is written to a temporary file and streamed
from there, never built in memory.
"""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PageObject, PdfReader, PdfWriter
from reportlab.lib.colors import Color
from reportlab.pdfgen import canvas

from pusip_kit.errors import BadRequest


def parse_pages(value: str | None, count: int, max_pages: int) -> list[int] | None:
    """``"3-7"`` or ``"5"`` → 0-based page indexes; None for the whole document."""
    if value is None or value == "":
        return None
    start_text, dash, end_text = value.partition("-")
    try:
        start = int(start_text)
        end = int(end_text) if dash else start
    except ValueError:
        start, end = 0, -1
    if start < 1 or end < start:
        raise BadRequest(
            "Rentang halaman tidak sah (mis. 1-20)",
            "Invalid page range (e.g. 1-20)",
            code="invalid_page_range",
        )
    if start > count:
        raise BadRequest(
            f"Dokumen hanya {count} halaman",
            f"The document has only {count} pages",
            code="invalid_page_range",
        )
    end = min(end, count)
    if end - start + 1 > max_pages:
        raise BadRequest(
            f"Paling banyak {max_pages} halaman per unduhan",
            f"At most {max_pages} pages per download",
            code="invalid_page_range",
            details={"max_pages": max_pages},
        )
    return list(range(start - 1, end))


def _stamp(width: float, height: float, label: str) -> PageObject:
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=(width, height))
    c.setFillColor(Color(0.55, 0.1, 0.1, alpha=0.18))
    c.setFont("Helvetica-Bold", max(10.0, min(width, height) / 22))
    c.saveState()
    c.translate(width / 2, height / 2)
    c.rotate(35)
    c.drawCentredString(0, 0, label)
    c.restoreState()
    c.setFillColor(Color(0.3, 0.3, 0.3, alpha=0.75))
    c.setFont("Helvetica", 7)
    c.drawCentredString(width / 2, 10, f"Salinan serah simpan untuk dibaca: {label}")
    c.save()
    buffer.seek(0)
    return PdfReader(buffer).pages[0]


def page_count(source: Path) -> int:
    return len(PdfReader(str(source), strict=False).pages)


def watermark_pdf(source: Path, target: Path, label: str, *, pages: list[int] | None) -> int:
    """Write ``source`` (or its ``pages``) stamped with ``label`` to ``target``; returns pages written."""
    reader = PdfReader(str(source), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")
    writer = PdfWriter()
    stamps: dict[tuple[float, float], PageObject] = {}
    indexes = pages if pages is not None else range(len(reader.pages))
    for index in indexes:
        page = writer.add_page(reader.pages[index])
        box = page.mediabox
        size = (float(box.width), float(box.height))
        if size not in stamps:
            stamps[size] = _stamp(size[0], size[1], label)
        page.merge_page(stamps[size])
    writer.add_metadata({"/Producer": "Pusip serah simpan (watermarked copy)"})
    with open(target, "wb") as handle:
        writer.write(handle)
    return len(writer.pages)
