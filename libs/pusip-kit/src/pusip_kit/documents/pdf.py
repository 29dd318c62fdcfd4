"""Render an official document (Indonesian government style) to PDF with reportlab.

A document has a letterhead (agency and unit), a title and number, a block of labelled facts,
paragraphs, an optional table (e.g. the list of records destroyed), signatories, and a footer
carrying the document number and a verification hash so a printed copy can be checked.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def tanggal(day: date) -> str:
    """Indonesian long date: 21 November 2026."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Signatory:
    role: str  # "Kepala Dinas", "Saksi"
    name: str
    identifier: str | None = None  # NIP


@dataclass
class OfficialDocument:
    agency: str
    title: str
    number: str
    issued_on: date
    place: str = "Jakarta"
    unit: str | None = None
    facts: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    table_header: list[str] = field(default_factory=list)
    table_rows: list[list[str]] = field(default_factory=list)
    signatories: list[Signatory] = field(default_factory=list)
    footer_note: str | None = None

    def fingerprint(self) -> str:
        """A short hash of the document's content, printed in the footer for verification."""
        parts = [self.agency, self.title, self.number, self.issued_on.isoformat(), *map(str, self.facts),
                 *self.paragraphs, *map(str, self.table_rows)]  # fmt: skip
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "agency": ParagraphStyle("agency", parent=base["Title"], fontSize=13, leading=16, spaceAfter=0),
        "unit": ParagraphStyle("unit", parent=base["Normal"], alignment=1, fontSize=10),
        "title": ParagraphStyle("title", parent=base["Heading2"], alignment=1, spaceBefore=10, spaceAfter=2),
        "number": ParagraphStyle("number", parent=base["Normal"], alignment=1, spaceAfter=10),
        "body": ParagraphStyle(
            "body", parent=base["Normal"], fontSize=10, leading=14, spaceAfter=6, alignment=4
        ),
        "cell": ParagraphStyle("cell", parent=base["Normal"], fontSize=8.5, leading=10.5),
        "small": ParagraphStyle("small", parent=base["Normal"], fontSize=8, textColor=colors.grey),
    }


def render_pdf(doc: OfficialDocument) -> bytes:
    s = _styles()
    out = io.BytesIO()
    fingerprint = doc.fingerprint()

    def footer(canvas, pdf) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(20 * mm, 12 * mm, f"{doc.number} · verifikasi {fingerprint}")
        canvas.drawRightString(190 * mm, 12 * mm, f"Halaman {pdf.page}")
        canvas.restoreState()

    pdf = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=20 * mm,
        title=doc.title, author=doc.agency, subject=doc.number,
    )  # fmt: skip
    story: list = [Paragraph(escape(doc.agency.upper()), s["agency"])]
    if doc.unit:
        story.append(Paragraph(escape(doc.unit), s["unit"]))
    story.append(
        Table(
            [[""]],
            colWidths=[170 * mm],
            style=TableStyle([("LINEBELOW", (0, 0), (-1, -1), 1.2, colors.black)]),
        )
    )
    story += [
        Paragraph(escape(doc.title.upper()), s["title"]),
        Paragraph(f"Nomor: {escape(doc.number)}", s["number"]),
    ]
    if doc.facts:
        rows = [[Paragraph(escape(k), s["cell"]), ":", Paragraph(escape(v), s["cell"])] for k, v in doc.facts]
        story += [Table(rows, colWidths=[50 * mm, 4 * mm, 116 * mm], hAlign="LEFT"), Spacer(1, 4 * mm)]
    story += [Paragraph(escape(p), s["body"]) for p in doc.paragraphs]
    if doc.table_rows:
        header = [Paragraph(f"<b>{escape(h)}</b>", s["cell"]) for h in doc.table_header]
        body = [[Paragraph(escape(c), s["cell"]) for c in row] for row in doc.table_rows]
        table = Table([header, *body], repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story += [Spacer(1, 2 * mm), table, Spacer(1, 4 * mm)]
    story.append(Paragraph(f"{escape(doc.place)}, {tanggal(doc.issued_on)}", s["body"]))
    if doc.signatories:
        cells = [
            Paragraph(
                f"{escape(sig.role)}<br/><br/><br/><br/><b>{escape(sig.name)}</b>"
                + (f"<br/>NIP {escape(sig.identifier)}" if sig.identifier else ""),
                s["cell"],
            )
            for sig in doc.signatories
        ]
        rows = [cells[i : i + 3] for i in range(0, len(cells), 3)]
        signatures = Table(rows, colWidths=[56 * mm] * min(3, len(cells)), hAlign="RIGHT")
        signatures.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(KeepTogether(signatures))
    if doc.footer_note:
        story += [Spacer(1, 6 * mm), Paragraph(escape(doc.footer_note), s["small"])]
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
