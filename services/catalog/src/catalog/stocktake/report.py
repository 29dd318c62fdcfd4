"""The stock-take report: a PDF (berita acara) and a CSV of every barcode."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalog.models import ScanResult, Stocktake, StocktakeStatus
from catalog.stocktake.repository import StocktakeRepository
from catalog.stocktake.schemas import Summary
from pusip_kit.documents import OfficialDocument, Signatory, render_pdf

AGENCY = "Dinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta"
JAKARTA = ZoneInfo("Asia/Jakarta")
PDF_ROWS_MAX = 2000
RESULT_LABELS = {
    ScanResult.FOUND.value: "ditemukan",
    ScanResult.MISPLACED.value: "salah tempat",
    ScanResult.UNEXPECTED.value: "tidak dikenal",
    ScanResult.MISSING.value: "hilang",
}
CSV_COLUMNS = (
    "barcode",
    "result",
    "hasil",
    "title",
    "call_number",
    "item_branch",
    "item_location",
    "item_status",
    "scan_count",
    "source",
    "first_scanned_at",
    "last_scanned_at",
    "scanned_by",
)


def _local(value: datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(JAKARTA).strftime("%d-%m-%Y %H.%M WIB")


async def report_pdf(
    session: AsyncSession, stocktake: Stocktake, summary: Summary, branch_name: str | None
) -> bytes:
    """The berita acara: facts, counts, and every exception (missing, misplaced, unexpected)."""
    repository = StocktakeRepository(session)
    final = stocktake.status == StocktakeStatus.CLOSED
    rows: list[list[str]] = []
    if final:
        async for entry in repository.iter_entries(
            stocktake.id, (ScanResult.MISSING.value, ScanResult.MISPLACED.value, ScanResult.UNEXPECTED.value)
        ):
            rows.append(
                [
                    str(len(rows) + 1),
                    entry.barcode,
                    RESULT_LABELS.get(entry.result, entry.result),
                    entry.title or "-",
                    entry.call_number or "-",
                    " / ".join(v for v in (entry.item_branch, entry.item_location) if v) or "-",
                ]
            )
            if len(rows) >= PDF_ROWS_MAX:
                break
    else:
        for item, title in await repository.missing_items(stocktake, limit=PDF_ROWS_MAX):
            rows.append(
                [
                    str(len(rows) + 1),
                    item.barcode,
                    RESULT_LABELS[ScanResult.MISSING.value],
                    title or "-",
                    item.call_number or "-",
                    " / ".join(v for v in (item.branch_code, item.location) if v),
                ]
            )
    where = branch_name or stocktake.branch_code
    issued = (stocktake.closed_at or datetime.now(UTC)).astimezone(JAKARTA).date()
    paragraphs = [
        f"Pada tanggal tersebut di bawah ini telah dilaksanakan stock opname (inventarisasi koleksi) di "
        f"{where}" + (f", lokasi {stocktake.location}" if stocktake.location else "") + ". "
        "Eksemplar yang sedang dipinjam, dalam perjalanan, dihapus atau sudah tercatat hilang tidak "
        "diharapkan berada di rak.",
    ]
    if not final:
        paragraphs.append(
            "Laporan ini SEMENTARA: sesi belum ditutup, daftar di bawah memuat eksemplar yang belum dipindai."
        )
    if stocktake.statuses_updated:
        paragraphs.append(
            "Status eksemplar telah diperbarui: yang tidak ditemukan ditandai hilang, yang ditemukan kembali "
            "ditandai tersedia."
        )
    if len(rows) >= PDF_ROWS_MAX:
        paragraphs.append(f"Daftar dibatasi {PDF_ROWS_MAX} baris; daftar lengkap ada pada berkas CSV.")
    doc = OfficialDocument(
        agency=AGENCY,
        unit=where,
        title="Berita Acara Stock Opname" + ("" if final else " (Sementara)"),
        number=stocktake.number,
        issued_on=issued,
        facts=[
            ("Cabang", f"{where} ({stocktake.branch_code})"),
            ("Lokasi", stocktake.location or "Seluruh cabang"),
            ("Dibuka", f"{_local(stocktake.created_at)} oleh {stocktake.opened_by or '-'}"),
            ("Ditutup", f"{_local(stocktake.closed_at)} oleh {stocktake.closed_by or '-'}" if final else "-"),
            ("Seharusnya di rak", str(summary.expected)),
            ("Ditemukan", str(summary.found)),
            ("Hilang", str(summary.missing)),
            ("Salah tempat", str(summary.misplaced)),
            ("Barkode tidak dikenal", str(summary.unexpected)),
            ("Jumlah pemindaian", f"{summary.scans} ({summary.scanned} barkode berbeda)"),
        ],
        paragraphs=paragraphs,
        table_header=["No", "Barkode", "Hasil", "Judul", "Nomor panggil", "Tempat tercatat"],
        table_rows=rows,
        signatories=[
            Signatory("Petugas stock opname", stocktake.closed_by or stocktake.opened_by or "-"),
            Signatory(f"Kepala {where}", "...................................."),
        ],
    )
    return render_pdf(doc)


async def report_csv(
    sessionmaker: async_sessionmaker[AsyncSession], stocktake_id: uuid.UUID
) -> AsyncIterator[bytes]:
    """Every entry (and, before closing, every item not yet scanned) as CSV, streamed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: list[object]) -> bytes:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(["" if v is None else v for v in values])
        return buffer.getvalue().encode()

    yield "\ufeff".encode() + line(list(CSV_COLUMNS))
    results = [r.value for r in ScanResult]
    async with sessionmaker() as session:
        repository = StocktakeRepository(session)
        stocktake = await repository.get(stocktake_id)
        if stocktake is None:
            return
        async for e in repository.iter_entries(stocktake.id, results):
            yield line(
                [
                    e.barcode, e.result, RESULT_LABELS.get(e.result, e.result), e.title, e.call_number,
                    e.item_branch, e.item_location, e.item_status, e.scan_count, e.source,
                    e.first_scanned_at.isoformat() if e.first_scanned_at else None,
                    e.last_scanned_at.isoformat() if e.last_scanned_at else None,
                    e.scanned_by,
                ]
            )  # fmt: skip
        if stocktake.status != StocktakeStatus.CLOSED:
            offset = 0
            while rows := await repository.missing_items(stocktake, offset=offset, limit=1000):
                for item, title in rows:
                    yield line(
                        [
                            item.barcode, ScanResult.MISSING.value, RESULT_LABELS[ScanResult.MISSING.value],
                            title, item.call_number, item.branch_code, item.location, item.status, 0,
                            "close", None, None, None,
                        ]
                    )  # fmt: skip
                offset += len(rows)
