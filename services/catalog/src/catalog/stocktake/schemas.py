"""Shapes of stock-taking over HTTP."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from catalog.items.schemas import Barcode, BranchCode, ShortText
from catalog.models import Stocktake, StocktakeEntry
from pusip_kit.schemas import Schema, WriteSchema


class StocktakeCreate(WriteSchema):
    branch: BranchCode
    location: ShortText | None = Field(
        default=None, description="Satu lokasi/rak di cabang; kosong = seluruh cabang / one location"
    )
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class ScanCreate(WriteSchema):
    barcode: Barcode


class CloseRequest(WriteSchema):
    update_statuses: bool = Field(
        default=False,
        description="Tandai eksemplar hilang sebagai 'missing' dan yang ditemukan kembali sebagai "
        "'available' / set missing items to 'missing' and found-again items to 'available'",
    )


class Summary(Schema):
    expected: int = Field(description="Eksemplar yang seharusnya ada di rak / items expected on the shelves")
    scanned: int = Field(description="Barkode berbeda yang dipindai / distinct barcodes scanned")
    scans: int = Field(description="Semua pemindaian, termasuk ulangan / every scan, repeats included")
    found: int
    missing: int
    misplaced: int
    unexpected: int
    progress: float = Field(description="found / expected, persen / percent")


class StocktakeRead(Schema):
    id: uuid.UUID
    number: str
    branch: str
    branch_name: str | None
    location: str | None
    note: str | None
    status: str
    summary: Summary
    statuses_updated: bool
    opened_by: str | None
    created_at: datetime
    updated_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    links: dict[str, str]

    @classmethod
    def of(cls, stocktake: Stocktake, summary: Summary, branch_name: str | None) -> StocktakeRead:
        base = f"/stocktakes/{stocktake.id}"
        return cls(
            id=stocktake.id,
            number=stocktake.number,
            branch=stocktake.branch_code,
            branch_name=branch_name,
            location=stocktake.location,
            note=stocktake.note,
            status=stocktake.status,
            summary=summary,
            statuses_updated=stocktake.statuses_updated,
            opened_by=stocktake.opened_by,
            created_at=stocktake.created_at,
            updated_at=stocktake.updated_at,
            closed_by=stocktake.closed_by,
            closed_at=stocktake.closed_at,
            links={
                "self": base,
                "scans": f"{base}/scans",
                "batch": f"{base}/scans/batch",
                "entries": f"{base}/entries",
                "close": f"{base}/close",
                "report_pdf": f"{base}/report.pdf",
                "report_csv": f"{base}/report.csv",
            },
        )


class EntryRead(Schema):
    barcode: str
    result: str
    item_id: uuid.UUID | None
    record_id: uuid.UUID | None
    title: str | None
    call_number: str | None
    item_branch: str | None
    item_location: str | None
    item_status: str | None
    scan_count: int
    source: str
    first_scanned_at: datetime | None
    last_scanned_at: datetime | None
    scanned_by: str | None

    @classmethod
    def of(cls, entry: StocktakeEntry) -> EntryRead:
        return cls.model_validate(entry)


class ScanOutcome(Schema):
    """What the scanner shows at once: the verdict on this barcode, in both languages."""

    barcode: str
    result: str
    repeat: bool = Field(description="Sudah dipindai sebelumnya di sesi ini / scanned before in this session")
    message: str
    message_en: str
    entry: EntryRead
    summary: Summary


class RejectedLine(Schema):
    line: int
    value: str
    code: str
    message: str
    message_en: str


class BatchReport(Schema):
    lines: int = Field(description="Baris berisi / non-empty lines read")
    accepted: int
    repeats: int
    results: dict[str, int] = Field(description="found / misplaced / unexpected among accepted barcodes")
    rejected: list[RejectedLine]
    summary: Summary
