"""Streamed exports of one record, a search result or the whole catalogue.

Records are read from the database in batches (a session per batch, so a long download holds
no transaction) and written one at a time: memory stays flat whatever the size. A record too
long for ISO 2709 is left out of a binary MARC stream (and logged); the other formats carry it.
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog.marc.export import (
    CSV_COLUMNS,
    DC_NS,
    MARCXML_NS,
    TooLongForIso2709,
    to_iso2709,
    to_marcxml,
    to_oai_dc,
)
from catalog.models import BibRecord
from catalog.records.marcdata import record_from_text

log = logging.getLogger(__name__)

BATCH = 500


class ExportFormat(StrEnum):
    MARC21 = "marc21"
    MARCXML = "marcxml"
    JSON = "json"
    DC = "dc"
    CSV = "csv"


MEDIA: dict[ExportFormat, tuple[str, str]] = {
    ExportFormat.MARC21: ("application/marc", "mrc"),
    ExportFormat.MARCXML: ("application/marcxml+xml; charset=utf-8", "xml"),
    ExportFormat.JSON: ("application/json", "json"),
    ExportFormat.DC: ("application/xml; charset=utf-8", "xml"),
    ExportFormat.CSV: ("text/csv; charset=utf-8", "csv"),
}


@dataclass(frozen=True, slots=True)
class Row:
    id: uuid.UUID
    marc: str
    derived: dict[str, Any]


async def _rows(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Row]:
    result = await session.execute(
        select(BibRecord.id, BibRecord.marc, BibRecord.derived).where(
            BibRecord.id.in_(list(ids)), BibRecord.deleted.is_(False)
        )
    )
    by_id = {r.id: Row(r.id, r.marc, r.derived) for r in result}
    return [by_id[i] for i in ids if i in by_id]


async def rows_by_ids(
    sessionmaker: async_sessionmaker[AsyncSession], ids: Sequence[uuid.UUID]
) -> AsyncIterator[Row]:
    for start in range(0, len(ids), BATCH):
        async with sessionmaker() as session:
            rows = await _rows(session, ids[start : start + BATCH])
        for row in rows:
            yield row


async def all_rows(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[Row]:
    after: uuid.UUID | None = None
    while True:
        async with sessionmaker() as session:
            statement = (
                select(BibRecord.id, BibRecord.marc, BibRecord.derived)
                .where(BibRecord.deleted.is_(False))
                .order_by(BibRecord.id)
                .limit(BATCH)
            )
            if after is not None:
                statement = statement.where(BibRecord.id > after)
            rows = [Row(r.id, r.marc, r.derived) for r in await session.execute(statement)]
        if not rows:
            return
        for row in rows:
            yield row
        after = rows[-1].id


def _csv_line(values: Sequence[Any]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue().encode()


def csv_values(derived: dict[str, Any]) -> list[Any]:
    return [
        "; ".join(v) if isinstance(v, list) else ("" if v is None else v)
        for v in (derived.get(c) for c in CSV_COLUMNS)
    ]


async def render(fmt: ExportFormat, rows: AsyncIterator[Row]) -> AsyncIterator[bytes]:
    """The bytes of an export, record by record."""
    if fmt is ExportFormat.MARCXML:
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="{MARCXML_NS}">\n'.encode()
    elif fmt is ExportFormat.JSON:
        yield b"["
    elif fmt is ExportFormat.DC:
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<records {DC_NS}>\n'.encode()
    elif fmt is ExportFormat.CSV:
        yield "\ufeff".encode() + _csv_line(("id", *CSV_COLUMNS))
    first = True
    async for row in rows:
        if fmt is ExportFormat.CSV:
            yield _csv_line([str(row.id), *csv_values(row.derived)])
            continue
        if fmt is ExportFormat.JSON:
            yield (b"" if first else b",") + row.marc.encode()
            first = False
            continue
        record = record_from_text(row.marc)
        if fmt is ExportFormat.MARC21:
            try:
                yield to_iso2709(record)
            except TooLongForIso2709 as exc:
                log.warning("record %s left out of an ISO 2709 export: %s", row.id, exc.detail)
        elif fmt is ExportFormat.MARCXML:
            yield (to_marcxml(record, namespace=False) + "\n").encode()
        else:
            yield (to_oai_dc(record) + "\n").encode()
    if fmt is ExportFormat.MARCXML:
        yield b"</collection>\n"
    elif fmt is ExportFormat.JSON:
        yield b"]\n"
    elif fmt is ExportFormat.DC:
        yield b"</records>\n"


def one(fmt: ExportFormat, record_id: uuid.UUID, marc: str, derived: dict[str, Any]) -> bytes:
    """One record in one format (``TooLongForIso2709`` for an oversize binary record)."""
    if fmt is ExportFormat.JSON:
        return marc.encode()
    if fmt is ExportFormat.CSV:
        return (
            "\ufeff".encode()
            + _csv_line(("id", *CSV_COLUMNS))
            + _csv_line([str(record_id), *csv_values(derived)])
        )
    record = record_from_text(marc)
    if fmt is ExportFormat.MARC21:
        return to_iso2709(record)
    if fmt is ExportFormat.MARCXML:
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + to_marcxml(record) + "\n").encode()
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + to_oai_dc(record) + "\n").encode()
