"""Tables in and out: CSV and XLSX (openpyxl) for imports, exports and dashboard downloads.

Reading takes the first sheet of an XLSX workbook or a CSV file (UTF-8 with or without BOM,
``,`` or ``;`` separated, as spreadsheet programs in Indonesian locales write it). The header row
names the columns (case and surrounding spaces ignored); every following non-empty row is one
record, numbered as a spreadsheet shows it (the header is row 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from fastapi.responses import Response

from pusip_kit.errors import Unprocessable

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
MAX_ROWS = 20_000


class TableFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet numbers it (the header is row 1)
    values: dict[str, str]


def _unreadable(why: str, why_en: str) -> Unprocessable:
    return Unprocessable(
        f"Berkas tabel tidak dapat dibaca: {why}",
        f"The table file cannot be read: {why_en}",
        code="table_unreadable",
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def read_table(data: bytes) -> tuple[list[str], list[Row]]:
    """The header (lower-cased) and the non-empty rows of a CSV or XLSX file."""
    raw_rows = _xlsx_rows(data) if is_xlsx(data) else _csv_rows(data)
    header: list[str] | None = None
    rows: list[Row] = []
    for number, cells in enumerate(raw_rows, start=1):
        if header is None:
            header = [c.strip().lower() for c in cells]
            if not any(header):
                raise _unreadable("baris judul kosong", "the header row is empty")
            continue
        if not any(c.strip() for c in cells):
            continue
        values = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header) if name}
        rows.append(Row(number, values))
        if len(rows) > MAX_ROWS:
            raise _unreadable(f"lebih dari {MAX_ROWS} baris", f"more than {MAX_ROWS} rows")
    if header is None:
        raise _unreadable("tidak ada baris", "no rows")
    return [h for h in header if h], rows


def _csv_rows(data: bytes) -> Iterable[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(data: bytes) -> Iterable[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # not a workbook, damaged, encrypted
        raise _unreadable("bukan buku kerja XLSX yang sah", "not a valid XLSX workbook") from exc
    try:
        sheet = workbook.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _out(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            ["" if v is None else (str(v) if not isinstance(v, float) else f"{v:g}") for v in map(_out, row)]
        )
    return out.getvalue().encode("utf-8")


def write_xlsx(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Data") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31] or "Data"
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_out(v) for v in row])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_download(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    format: TableFormat,
    filename: str,
    title: str = "Data",
) -> Response:
    """A CSV or XLSX attachment of ``rows`` (``filename`` without extension)."""
    if format is TableFormat.XLSX:
        body, media, ext = write_xlsx(columns, rows, title=title), XLSX_MEDIA_TYPE, "xlsx"
    else:
        body, media, ext = write_csv(columns, rows), CSV_MEDIA_TYPE, "csv"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}.{ext}"'}
    )
