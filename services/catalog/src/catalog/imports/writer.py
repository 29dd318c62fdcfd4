"""Stage two of an import: store one batch in one transaction, with a handful of statements.

Per batch: one lookup of match keys, one of barcodes, then bulk inserts of records, match keys,
items, outbox events and problems, and bulk updates for replaced records. Each record lands
whole (its MARC, keys and items) or not at all: if the batch's transaction fails, the caller
retries it one record per transaction, and a record that fails alone is reported.

The inserts are SQLAlchemy Core ``executemany`` statements on the tables (no ORM unit of work);
JSON columns and new records' event payloads arrive already serialised from stage one
(:class:`~pusip_kit.db.RawJSON`), and so does a new record's search document.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.domain_events import ITEM_CREATED, RECORD_CREATED, RECORD_UPDATED, emit_events
from catalog.imports.holdings import Holding, parse_price
from catalog.imports.prepare import (
    JSON_COLUMNS,
    DocumentEncoder,
    Entry,
    PreparedRecord,
    json_value,
    record_event,
)
from catalog.items.repository import ItemRepository
from catalog.marc import RecordProblem
from catalog.models import (
    BibRecord,
    DedupePolicy,
    ImportProblem,
    Item,
    ItemStatus,
    ProblemSeverity,
    RecordIdentifier,
)
from catalog.records.repository import RecordRepository
from catalog.search.documents import BranchHolding, build_document
from pusip_kit.db.base import utcnow
from pusip_kit.db.engine import json_serializer

RECORDS: Table = BibRecord.__table__  # type: ignore[assignment]
IDENTIFIERS: Table = RecordIdentifier.__table__  # type: ignore[assignment]
ITEMS: Table = Item.__table__  # type: ignore[assignment]
PROBLEMS: Table = ImportProblem.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class JobOptions:
    job_id: uuid.UUID
    dedupe: DedupePolicy
    target_branch: str | None
    acquisition_source: str
    record_source: str
    branches: frozenset[str]
    fulltext_max: int = 200_000


@dataclass
class BatchResult:
    read: int = 0
    created: int = 0
    replaced: int = 0
    merged: int = 0
    skipped: int = 0
    reported: int = 0
    items_created: int = 0
    warnings: int = 0
    created_ids: list[uuid.UUID] = field(default_factory=list)  # new records
    documents: list[Any] = field(default_factory=list)  # their search documents, encoded
    reindex: list[uuid.UUID] = field(default_factory=list)  # changed records, indexed from the database

    @property
    def stored(self) -> int:
        return self.created + self.replaced + self.merged

    def add(self, other: BatchResult) -> None:
        for name in (
            "read",
            "created",
            "replaced",
            "merged",
            "skipped",
            "reported",
            "items_created",
            "warnings",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.created_ids += other.created_ids
        self.documents += other.documents
        self.reindex += other.reindex


@dataclass
class _New:
    id: uuid.UUID
    entry: PreparedRecord


def _problem_row(
    job_id: uuid.UUID,
    severity: ProblemSeverity,
    position: int,
    control: str | None,
    code: str,
    message: str,
    message_en: str,
    offset: int | None = None,
) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "position": position,
        "offset": offset,
        "control_number": control[:200] if control else None,
        "severity": severity.value,
        "code": code,
        "message": message,
        "message_en": message_en,
    }


def _plain(columns: dict[str, Any]) -> dict[str, Any]:
    return {k: json_value(v) if k in JSON_COLUMNS else v for k, v in columns.items()}


class BatchWriter:
    """Stores batches; with an ``encoder`` it also hands back new records' search documents."""

    def __init__(self, options: JobOptions, encoder: DocumentEncoder | None = None) -> None:
        self.options = options
        self.encoder = encoder

    async def store(self, session: AsyncSession, entries: Sequence[Entry]) -> BatchResult:
        o = self.options
        # RawJSON is stored as it is only by the kit's engines; any other engine gets plain values
        raw_json = getattr(session.get_bind().dialect, "_json_serializer", None) is json_serializer
        result = BatchResult(read=len(entries))
        now = utcnow()
        problems: list[dict[str, Any]] = []
        prepared = [e for e in entries if isinstance(e, PreparedRecord)]
        for entry in entries:
            if isinstance(entry, RecordProblem):
                result.reported += 1
                problems.append(
                    _problem_row(
                        o.job_id,
                        ProblemSeverity.ERROR,
                        entry.position,
                        entry.control_number,
                        entry.code,
                        entry.message,
                        entry.message_en,
                        entry.offset,
                    )
                )
        records = RecordRepository(session)
        existing = await records.matches([k for p in prepared for k in p.keys])
        barcodes = {h.barcode for p in prepared for h in p.holdings if h.barcode}
        taken = await ItemRepository(session).existing_barcodes(sorted(barcodes)) if barcodes else set()

        in_batch: dict[tuple[str, str], _New] = {}
        new: list[_New] = []
        replaced: dict[uuid.UUID, PreparedRecord] = {}
        items: list[dict[str, Any]] = []
        item_titles: dict[uuid.UUID, str] = {}
        touched: set[uuid.UUID] = set()
        new_holdings: dict[uuid.UUID, dict[str, int]] = {}

        for entry in prepared:
            for warning in entry.warnings:
                result.warnings += 1
                problems.append(
                    _problem_row(
                        o.job_id,
                        ProblemSeverity.WARNING,
                        entry.position,
                        entry.control_number,
                        "read_warning",
                        f"Diperbaiki saat dibaca: {warning}",
                        f"Repaired while reading: {warning}",
                    )
                )
            match_id: uuid.UUID | None = None
            pending: _New | None = None
            for key in entry.keys:
                if key in existing:
                    match_id = existing[key]
                    break
                if key in in_batch:
                    pending = in_batch[key]
                    match_id = pending.id
                    break
            if match_id is None:
                target = _New(entry.id, entry)
                new.append(target)
                for key in entry.keys:
                    in_batch.setdefault(key, target)
                result.created += 1
                record_id = target.id
            elif o.dedupe is DedupePolicy.SKIP:
                result.skipped += 1
                problems.append(
                    _problem_row(
                        o.job_id,
                        ProblemSeverity.DUPLICATE,
                        entry.position,
                        entry.control_number,
                        "duplicate_skipped",
                        f"Sudah ada sebagai rekaman {match_id}; dilewati",
                        f"Already in the catalogue as record {match_id}; skipped",
                    )
                )
                continue
            elif o.dedupe is DedupePolicy.REPLACE:
                if pending is not None:
                    pending.entry = entry
                else:
                    replaced[match_id] = entry
                result.replaced += 1
                record_id = match_id
            else:
                result.merged += 1
                record_id = match_id
                if pending is None:
                    touched.add(match_id)
            item_titles.setdefault(record_id, entry.columns["title"])
            for holding in entry.holdings:
                row = self._item_row(holding, record_id, entry, taken, problems, result)
                if row is not None:
                    items.append(row)
                    counts = new_holdings.setdefault(record_id, {})
                    counts[row["branch_code"]] = counts.get(row["branch_code"], 0) + 1

        if new:
            await session.execute(
                insert(RECORDS),
                [
                    {
                        "id": n.id,
                        "marc": n.entry.marc,
                        **(n.entry.columns if raw_json else _plain(n.entry.columns)),
                        "source": o.record_source,
                        "source_ref": str(o.job_id),
                        "regional": n.entry.regional,
                        "deleted": False,
                        "datestamp": now,
                        "version": 1,
                        "created_by": f"import:{o.job_id}",
                        "updated_by": f"import:{o.job_id}",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n in new
                ],
            )
            key_rows = [
                {"record_id": n.id, "kind": kind, "value": value} for n in new for kind, value in n.entry.keys
            ]
            if key_rows:
                await session.execute(insert(IDENTIFIERS), key_rows)
        if replaced:
            await session.execute(
                update(RECORDS)
                .where(RECORDS.c.id == bindparam("b_id"))
                .values(
                    {
                        "marc": bindparam("b_marc"),
                        "regional": bindparam("b_regional"),
                        "datestamp": now,
                        "updated_at": now,
                        "updated_by": f"import:{o.job_id}",
                        "version": RECORDS.c.version + 1,
                        **{name: bindparam(f"b_{name}") for name in next(iter(replaced.values())).columns},
                    }
                ),
                [
                    {
                        "b_id": record_id,
                        "b_marc": entry.marc,
                        "b_regional": entry.regional,
                        **{
                            f"b_{name}": value
                            for name, value in (entry.columns if raw_json else _plain(entry.columns)).items()
                        },
                    }
                    for record_id, entry in replaced.items()
                ],
            )
            await session.execute(
                delete(RecordIdentifier).where(RecordIdentifier.record_id.in_(list(replaced)))
            )
            rows = [
                {"record_id": rid, "kind": k, "value": v} for rid, e in replaced.items() for k, v in e.keys
            ]
            if rows:
                await session.execute(insert(IDENTIFIERS), rows)
        if items:
            await session.execute(insert(ITEMS), items)
            result.items_created += len(items)
        if touched:
            await ItemRepository(session).touch_records(sorted(touched))

        events: list[tuple[str, Any, str | None]] = []
        for n in new:
            ready = raw_json and n.entry.id == n.id and n.entry.created_event is not None
            payload = n.entry.created_event if ready else record_event(n.id, n.entry, 1)
            events.append((RECORD_CREATED, payload, str(n.id)))
        for record_id, entry in replaced.items():
            events.append((RECORD_UPDATED, record_event(record_id, entry, None), str(record_id)))
        for row in items:
            events.append(
                (
                    ITEM_CREATED,
                    {
                        "id": str(row["id"]),
                        "barcode": row["barcode"],
                        "record_id": str(row["record_id"]),
                        "branch": row["branch_code"],
                        "location": row["location"],
                        "call_number": row["call_number"],
                        "material_type": row["material_type"],
                        "status": row["status"],
                        "title": item_titles.get(row["record_id"]),
                    },
                    row["barcode"],
                )
            )
        await emit_events(session, events)
        if problems:
            await session.execute(insert(PROBLEMS), problems)

        result.created_ids = [n.id for n in new]
        if self.encoder is not None:
            for n in new:
                copies = new_holdings.get(n.id)
                if n.entry.document is not None and n.entry.id == n.id and not copies:
                    result.documents.append(n.entry.document)
                    continue
                holdings = [BranchHolding(b, c, c) for b, c in sorted((copies or {}).items())]
                doc = build_document(
                    record_id=str(n.id),
                    derived=n.entry.derived,
                    holdings=holdings,
                    fulltext_max=o.fulltext_max,
                )
                result.documents.append(self.encoder(doc))
        result.reindex = sorted(set(replaced) | touched)
        return result

    def _item_row(
        self,
        holding: Holding,
        record_id: uuid.UUID,
        entry: PreparedRecord,
        taken: set[str],
        problems: list[dict[str, Any]],
        result: BatchResult,
    ) -> dict[str, Any] | None:
        o = self.options

        def warn(code: str, message: str, message_en: str) -> None:
            result.warnings += 1
            problems.append(
                _problem_row(
                    o.job_id,
                    ProblemSeverity.WARNING,
                    entry.position,
                    entry.control_number,
                    code,
                    f"Eksemplar dari ruas {holding.tag} tidak dibuat: {message}",
                    f"Item from field {holding.tag} not created: {message_en}",
                )
            )

        if not holding.barcode:
            warn("item_barcode_missing", "tanpa barkode", "no barcode")
            return None
        barcode = holding.barcode
        if len(barcode) > 64 or any(len(v or "") > 100 for v in (holding.location, holding.call_number)):
            warn(
                "item_field_too_long",
                f"nilai terlalu panjang ({barcode[:30]})",
                f"a value is too long ({barcode[:30]})",
            )
            return None
        if barcode in taken:
            warn(
                "item_barcode_taken",
                f"barkode {barcode} sudah dipakai",
                f"barcode {barcode} is already taken",
            )
            return None
        branch = next((b for b in holding.branches if b in o.branches), None)
        if branch is None and not holding.branches:
            branch = o.target_branch
        if branch is None:
            named = ", ".join(holding.branches) or "-"
            warn(
                "item_branch_unknown",
                f"cabang tidak dikenal ({named}) dan tidak ada cabang tujuan",
                f"unknown branch ({named}) and no target branch",
            )
            return None
        price: Decimal | None = None
        try:
            price = parse_price(holding.price)
        except ValueError:
            result.warnings += 1
            problems.append(
                _problem_row(
                    o.job_id,
                    ProblemSeverity.WARNING,
                    entry.position,
                    entry.control_number,
                    "item_price_invalid",
                    f"Harga tidak terbaca: {holding.price!r}; dikosongkan",
                    f"Unreadable price {holding.price!r}; left empty",
                )
            )
        taken.add(barcode)
        now = utcnow()
        material = (holding.material_type or entry.columns["material_type"] or "book").lower()[:32]
        return {
            "id": uuid.uuid4(),
            "barcode": barcode,
            "record_id": record_id,
            "branch_code": branch,
            "location": holding.location,
            "call_number": holding.call_number or entry.columns["call_number"],
            "material_type": material,
            "acquisition_source": o.acquisition_source,
            "price": price,
            "status": ItemStatus.AVAILABLE.value,
            "status_changed_at": now,
            "notes": None,
            "created_at": now,
            "updated_at": now,
        }
