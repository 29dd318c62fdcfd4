"""Reading a CSV of ISBN assignments (``isbn,title,published_on,kind``) into obligation rows.

The file comes from the ISBN agency's assignment lists or a publisher's own records, so it is read
leniently where that is safe (a BOM, ``;`` as separator, ``dd/mm/yyyy`` dates, kind aliases) and
strictly where it is not: an invalid ISBN, date or kind refuses that row, with its line number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from deposit.rules import IdentifierError, WorkKind, validate_isbn

REQUIRED = ("isbn", "title", "published_on")
MAX_ROWS = 50_000
KIND_ALIASES = {
    "karya_cetak": WorkKind.PRINTED,
    "cetak": WorkKind.PRINTED,
    "printed": WorkKind.PRINTED,
    "print": WorkKind.PRINTED,
    "buku": WorkKind.PRINTED,
    "karya_rekam": WorkKind.RECORDED,
    "rekam": WorkKind.RECORDED,
    "recorded": WorkKind.RECORDED,
    "audio": WorkKind.RECORDED,
    "video": WorkKind.RECORDED,
    "karya_digital": WorkKind.DIGITAL,
    "digital": WorkKind.DIGITAL,
    "ebook": WorkKind.DIGITAL,
    "e-book": WorkKind.DIGITAL,
    "pdf": WorkKind.DIGITAL,
}


@dataclass(frozen=True)
class CsvRow:
    line: int
    isbn: str
    title: str
    published_on: date
    kind: WorkKind


@dataclass(frozen=True)
class CsvError:
    line: int
    value: str | None
    code: str
    message: str
    message_en: str


class CsvFormatError(ValueError):
    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message, self.message_en = message, message_en


def _date(value: str) -> date | None:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def parse_assignments(data: bytes) -> tuple[list[CsvRow], list[CsvError]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvFormatError("Berkas CSV harus UTF-8", "The CSV file must be UTF-8") from exc
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        raise CsvFormatError(
            f"Kolom wajib tidak ada: {', '.join(missing)} (kolom: isbn,title,published_on,kind)",
            f"Missing required columns: {', '.join(missing)} (columns: isbn,title,published_on,kind)",
        )
    reader.fieldnames = headers
    rows: list[CsvRow] = []
    errors: list[CsvError] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            raise CsvFormatError(f"Paling banyak {MAX_ROWS} baris", f"At most {MAX_ROWS} rows")
        record = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(record.values()):
            continue
        try:
            isbn = validate_isbn(record.get("isbn", ""))
        except IdentifierError as exc:
            errors.append(CsvError(number, record.get("isbn"), "invalid_isbn", exc.message, exc.message_en))
            continue
        if isbn in seen:
            errors.append(
                CsvError(
                    number,
                    record.get("isbn"),
                    "duplicate_isbn",
                    f"ISBN sudah ada di baris {seen[isbn]}",
                    f"ISBN already on line {seen[isbn]}",
                )
            )
            continue
        title = record.get("title", "")
        if not title or len(title) > 500:
            errors.append(
                CsvError(
                    number,
                    title[:80] or None,
                    "invalid_title",
                    "Judul kosong atau terlalu panjang",
                    "Title empty or too long",
                )
            )
            continue
        published = _date(record.get("published_on", ""))
        if published is None:
            errors.append(
                CsvError(
                    number,
                    record.get("published_on"),
                    "invalid_date",
                    "Tanggal terbit tidak sah (YYYY-MM-DD atau DD/MM/YYYY)",
                    "Invalid publication date (YYYY-MM-DD or DD/MM/YYYY)",
                )
            )
            continue
        kind_text = (record.get("kind") or "karya_cetak").lower().replace(" ", "_")
        kind = KIND_ALIASES.get(kind_text)
        if kind is None:
            errors.append(
                CsvError(
                    number,
                    record.get("kind"),
                    "invalid_kind",
                    "Jenis karya tidak dikenal (karya_cetak, karya_rekam, karya_digital)",
                    "Unknown kind of work (karya_cetak, karya_rekam, karya_digital)",
                )
            )
            continue
        seen[isbn] = number
        rows.append(CsvRow(number, isbn, title, published, kind))
    return rows, errors
