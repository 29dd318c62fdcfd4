"""Stock-taking (stock opname): sessions per branch or location, scanning, closing, the named refusals.

A session counts the shelves of one branch, or of one location in it. Every scanned barcode is
judged at once:

``found``       the item belongs here (its branch, and the session's location when it has one);
``misplaced``   a known item that belongs to another branch or location;
``unexpected``  no item carries this barcode.

When the session closes, every item that should have been on these shelves — at this branch and
location, not lent, not in transit, not withdrawn or lost (:data:`OFF_SHELF_STATUSES`) — and was not
scanned is written down as ``missing``, and the counts are frozen for the report. Closing may also
update item statuses (missing → ``missing``, found again → ``available``) through the item rules, so
circulation hears of it.

Refusals are named validators (``refuse_when_…``); every action has a dry run.
"""

from __future__ import annotations

import builtins
import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.checks import refuse_if, run_validators
from catalog.items.repository import ItemRepository
from catalog.items.schemas import BulkAction, BulkItemRequest
from catalog.items.service import item_service
from catalog.models import Branch, Item, ItemStatus, ScanResult, Stocktake, StocktakeEntry, StocktakeStatus
from catalog.stocktake.repository import StocktakeRepository
from catalog.stocktake.schemas import (
    BatchReport,
    CloseRequest,
    EntryRead,
    RejectedLine,
    ScanOutcome,
    StocktakeCreate,
    Summary,
)
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.db.base import utcnow
from pusip_kit.errors import NotFound, PayloadTooLarge, Reason, Unprocessable
from pusip_kit.pagination import PaginationParams

ACTION_OPEN = "stocktake.open"
ACTION_SCAN = "stocktake.scan"
ACTION_CLOSE = "stocktake.close"

BATCH_MAX_BYTES = 2 * 1024 * 1024
BATCH_MAX_LINES = 20_000
BARCODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/-")
BARCODE_HEADERS = frozenset({"barcode", "barkode", "kode_eksemplar", "kode eksemplar", "no_barcode"})
FOUND_AGAIN_STATUSES = (ItemStatus.MISSING.value, ItemStatus.LOST.value)


def stocktake_not_found(stocktake_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Sesi stock opname '{stocktake_id}' tidak ditemukan",
        f"Stock-take session '{stocktake_id}' not found",
        code="stocktake_not_found",
        details={"id": str(stocktake_id)},
    )


# -- the named refusals ---------------------------------------------------------------------------


@dataclass
class StocktakeContext:
    auth_subject: AuthSubject
    branch_code: str
    location: str | None = None
    branch: Branch | None = None
    stocktake: Stocktake | None = None
    running: Stocktake | None = None
    scanned: int = 0


def refuse_when_branch_unknown(ctx: StocktakeContext) -> Reason | None:
    if ctx.branch is None:
        return Reason(
            "branch_unknown",
            f"Cabang '{ctx.branch_code}' tidak dikenal",
            f"Unknown branch '{ctx.branch_code}'",
            {"branch": ctx.branch_code},
        )
    return None


def refuse_when_branch_inactive(ctx: StocktakeContext) -> Reason | None:
    if ctx.branch is not None and not ctx.branch.active:
        return Reason(
            "branch_inactive",
            f"Cabang '{ctx.branch_code}' tidak aktif",
            f"Branch '{ctx.branch_code}' is not active",
            {"branch": ctx.branch_code},
        )
    return None


def refuse_when_branch_not_assigned(ctx: StocktakeContext) -> Reason | None:
    """Staff assigned to branches (the ``pusip_branches`` claim) count only their own shelves."""
    subject = ctx.auth_subject
    if subject.is_admin or not subject.branches or ctx.branch_code in subject.branches:
        return None
    return Reason(
        "branch_not_assigned",
        f"Anda tidak ditugaskan di cabang '{ctx.branch_code}'",
        f"You are not assigned to branch '{ctx.branch_code}'",
        {"branch": ctx.branch_code, "assigned": sorted(subject.branches)},
    )


def refuse_when_stocktake_running(ctx: StocktakeContext) -> Reason | None:
    if ctx.running is not None:
        where = ctx.location or "seluruh cabang"
        return Reason(
            "stocktake_already_running",
            f"Sesi {ctx.running.number} masih berjalan untuk {ctx.branch_code} ({where})",
            f"Session {ctx.running.number} is still running for {ctx.branch_code} "
            f"({ctx.location or 'whole branch'})",
            {"stocktake_id": str(ctx.running.id), "number": ctx.running.number},
        )
    return None


def refuse_when_stocktake_closed(ctx: StocktakeContext) -> Reason | None:
    if ctx.stocktake is not None and ctx.stocktake.status == StocktakeStatus.CLOSED:
        return Reason(
            "stocktake_closed",
            f"Sesi {ctx.stocktake.number} sudah ditutup",
            f"Session {ctx.stocktake.number} is closed",
            {"number": ctx.stocktake.number},
        )
    return None


def refuse_when_nothing_scanned(ctx: StocktakeContext) -> Reason | None:
    if ctx.stocktake is not None and ctx.stocktake.status != StocktakeStatus.CLOSED and ctx.scanned == 0:
        return Reason(
            "stocktake_empty",
            "Belum ada barkode yang dipindai; sesi kosong tidak dapat ditutup",
            "Nothing has been scanned; an empty session cannot be closed",
        )
    return None


OPEN_VALIDATORS = (
    refuse_when_branch_unknown,
    refuse_when_branch_inactive,
    refuse_when_branch_not_assigned,
    refuse_when_stocktake_running,
)
SCAN_VALIDATORS = (refuse_when_stocktake_closed, refuse_when_branch_not_assigned)
CLOSE_VALIDATORS = (
    refuse_when_stocktake_closed,
    refuse_when_branch_not_assigned,
    refuse_when_nothing_scanned,
)


# -- judging one barcode -------------------------------------------------------------------------


def classify(stocktake: Stocktake, item: Item | None) -> ScanResult:
    if item is None:
        return ScanResult.UNEXPECTED
    if item.branch_code != stocktake.branch_code:
        return ScanResult.MISPLACED
    if stocktake.location is not None and item.location != stocktake.location:
        return ScanResult.MISPLACED
    return ScanResult.FOUND


def verdict(entry: StocktakeEntry, branch_names: dict[str, str]) -> tuple[str, str]:
    """The scanner's message for an entry, in Indonesian and English."""
    title = entry.title or entry.barcode
    if entry.result == ScanResult.FOUND:
        extra_id = extra_en = ""
        if entry.item_status and entry.item_status != ItemStatus.AVAILABLE:
            extra_id = f" (status tercatat: {entry.item_status})"
            extra_en = f" (recorded status: {entry.item_status})"
        return f"Ditemukan: {title}{extra_id}", f"Found: {title}{extra_en}"
    if entry.result == ScanResult.MISPLACED:
        home = branch_names.get(entry.item_branch or "", entry.item_branch or "?")
        where = f"{home}" + (f" / {entry.item_location}" if entry.item_location else "")
        return f"Salah tempat: {title} milik {where}", f"Misplaced: {title} belongs to {where}"
    return (
        f"Barkode {entry.barcode} tidak dikenal di katalog",
        f"Barcode {entry.barcode} is not in the catalogue",
    )


def _entry_for(stocktake: Stocktake, barcode: str, item: Item | None, title: str | None) -> StocktakeEntry:
    return StocktakeEntry(
        stocktake_id=stocktake.id,
        barcode=barcode,
        result=classify(stocktake, item).value,
        item_id=item.id if item else None,
        record_id=item.record_id if item else None,
        title=title,
        call_number=item.call_number if item else None,
        item_branch=item.branch_code if item else None,
        item_location=item.location if item else None,
        item_status=item.status if item else None,
        scan_count=0,
    )


# -- reading a batch file -------------------------------------------------------------------------


def _valid_barcode(value: str) -> bool:
    return 0 < len(value) <= 64 and all(c in BARCODE_CHARS for c in value)


def parse_batch(data: bytes) -> tuple[list[tuple[int, str]], list[RejectedLine]]:
    """Barcodes of a file: one per line, or CSV/TSV/semicolon rows (the ``barcode`` column when the
    first row names one, else the first column). Blank lines are skipped; bad values are reported."""
    if len(data) > BATCH_MAX_BYTES:
        raise PayloadTooLarge(
            f"Berkas pindaian melebihi {BATCH_MAX_BYTES} bita",
            f"The scan file exceeds {BATCH_MAX_BYTES} bytes",
            code="payload_too_large",
            details={"max_size": BATCH_MAX_BYTES},
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    lines = text.splitlines()
    barcodes: list[tuple[int, str]] = []
    rejected: list[RejectedLine] = []
    column = 0
    first = True
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        delimiter = next((d for d in ("\t", ";", ",") if d in line), None)
        cells = next(csv.reader(io.StringIO(line), delimiter=delimiter)) if delimiter else [line]
        cells = [c.strip() for c in cells]
        if first:
            first = False
            header = [c.lower() for c in cells]
            named = next((i for i, c in enumerate(header) if c in BARCODE_HEADERS), None)
            if named is not None:
                column = named
                continue
        value = cells[column] if column < len(cells) else ""
        if not _valid_barcode(value):
            rejected.append(
                RejectedLine(
                    line=number,
                    value=value[:100],
                    code="barcode_invalid",
                    message="Bukan barkode yang sah (huruf, angka, . _ / -; maks. 64)",
                    message_en="Not a valid barcode (letters, digits, . _ / -; max 64)",
                )
            )
            continue
        barcodes.append((number, value))
    if len(barcodes) + len(rejected) > BATCH_MAX_LINES:
        raise Unprocessable(
            f"Terlalu banyak baris (maks. {BATCH_MAX_LINES})",
            f"Too many lines (max {BATCH_MAX_LINES})",
            code="batch_too_large",
            details={"max_lines": BATCH_MAX_LINES},
        )
    return barcodes, rejected


# -- the service ----------------------------------------------------------------------------------


@dataclass
class CloseOutcome:
    stocktake: Stocktake
    marked_missing: int = 0
    marked_available: int = 0
    not_changed: builtins.list[str] = field(default_factory=builtins.list)


def _who(auth_subject: AuthSubject) -> str:
    return auth_subject.username or auth_subject.subject


class StocktakeService:
    async def get(
        self, session: AsyncSession, auth_subject: AuthSubject, *, stocktake_id: uuid.UUID
    ) -> Stocktake:
        stocktake = await StocktakeRepository(session).get(stocktake_id)
        if stocktake is None:
            raise stocktake_not_found(stocktake_id)
        return stocktake

    async def list(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        pagination: PaginationParams,
        branch: str | None = None,
        status: str | None = None,
    ) -> tuple[Sequence[Stocktake], int]:
        return await StocktakeRepository(session).list(pagination=pagination, branch=branch, status=status)

    async def summary(self, session: AsyncSession, stocktake: Stocktake) -> Summary:
        repository = StocktakeRepository(session)
        if stocktake.status == StocktakeStatus.CLOSED and stocktake.expected is not None:
            expected, missing = stocktake.expected, stocktake.missing or 0
        else:
            expected = await repository.expected_count(stocktake.branch_code, stocktake.location)
            missing = await repository.missing_count(stocktake)
        scanned = stocktake.found + stocktake.misplaced + stocktake.unexpected
        progress = round(min(100.0, 100.0 * stocktake.found / expected), 1) if expected else 0.0
        return Summary(
            expected=expected,
            scanned=scanned,
            scans=stocktake.scans,
            found=stocktake.found,
            missing=missing,
            misplaced=stocktake.misplaced,
            unexpected=stocktake.unexpected,
            progress=progress,
        )

    async def branch_name(self, session: AsyncSession, code: str) -> str | None:
        return (await StocktakeRepository(session).branch_names([code])).get(code)

    # -- open -------------------------------------------------------------------------------------

    async def check_open(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: StocktakeCreate
    ) -> builtins.list[Reason]:
        repository = StocktakeRepository(session)
        ctx = StocktakeContext(
            auth_subject=auth_subject,
            branch_code=data.branch,
            location=data.location,
            branch=await repository.branch(data.branch),
            running=await repository.running(data.branch, data.location),
        )
        return run_validators(OPEN_VALIDATORS, ctx)

    async def open(
        self, session: AsyncSession, auth_subject: AuthSubject, *, data: StocktakeCreate
    ) -> Stocktake:
        refuse_if(await self.check_open(session, auth_subject, data=data))
        repository = StocktakeRepository(session)
        prefix = f"SO-{utcnow().year}-"
        sequence = await repository.numbers_with_prefix(prefix)
        for attempt in range(5):
            stocktake = Stocktake(
                number=f"{prefix}{sequence + 1 + attempt:04d}",
                branch_code=data.branch,
                location=data.location,
                note=data.note,
                status=StocktakeStatus.OPEN.value,
                scans=0,
                found=0,
                misplaced=0,
                unexpected=0,
                statuses_updated=False,
                opened_by=_who(auth_subject),
            )
            try:
                async with session.begin_nested():
                    await repository.add(stocktake)
            except IntegrityError:
                continue
            return stocktake
        raise RuntimeError("could not number the stock-take session")  # pragma: no cover

    # -- scan -------------------------------------------------------------------------------------

    async def check_scan(
        self, session: AsyncSession, auth_subject: AuthSubject, *, stocktake: Stocktake
    ) -> builtins.list[Reason]:
        ctx = StocktakeContext(
            auth_subject=auth_subject, branch_code=stocktake.branch_code, stocktake=stocktake
        )
        return run_validators(SCAN_VALIDATORS, ctx)

    async def preview_scan(
        self, session: AsyncSession, stocktake: Stocktake, barcode: str
    ) -> dict[str, object]:
        item = await ItemRepository(session).get_by_barcode(barcode)
        existing = await StocktakeRepository(session).entries_by_barcode(stocktake.id, [barcode])
        return {"barcode": barcode, "result": classify(stocktake, item).value, "repeat": barcode in existing}

    async def scan(
        self, session: AsyncSession, auth_subject: AuthSubject, *, stocktake_id: uuid.UUID, barcode: str
    ) -> ScanOutcome:
        stocktake = await self.get(session, auth_subject, stocktake_id=stocktake_id)
        refuse_if(await self.check_scan(session, auth_subject, stocktake=stocktake))
        entries, repeats = await self._record(session, auth_subject, stocktake, [barcode], source="single")
        entry = entries[0]
        names = await StocktakeRepository(session).branch_names([entry.item_branch or ""])
        message, message_en = verdict(entry, names)
        if repeats:
            message = f"{message} — sudah dipindai ({entry.scan_count}×)"
            message_en = f"{message_en} — already scanned ({entry.scan_count}×)"
        return ScanOutcome(
            barcode=entry.barcode,
            result=entry.result,
            repeat=bool(repeats),
            message=message,
            message_en=message_en,
            entry=EntryRead.of(entry),
            summary=await self.summary(session, stocktake),
        )

    async def scan_batch(
        self, session: AsyncSession, auth_subject: AuthSubject, *, stocktake_id: uuid.UUID, data: bytes
    ) -> BatchReport:
        stocktake = await self.get(session, auth_subject, stocktake_id=stocktake_id)
        refuse_if(await self.check_scan(session, auth_subject, stocktake=stocktake))
        barcodes, rejected = parse_batch(data)
        results: dict[str, int] = {
            r.value: 0 for r in (ScanResult.FOUND, ScanResult.MISPLACED, ScanResult.UNEXPECTED)
        }
        repeats = 0
        if barcodes:
            entries, repeats = await self._record(
                session, auth_subject, stocktake, [b for _, b in barcodes], source="batch"
            )
            for entry in entries:
                results[entry.result] = results.get(entry.result, 0) + 1
        return BatchReport(
            lines=len(barcodes) + len(rejected),
            accepted=len(barcodes),
            repeats=repeats,
            results=results,
            rejected=rejected,
            summary=await self.summary(session, stocktake),
        )

    async def _record(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        stocktake: Stocktake,
        barcodes: Sequence[str],
        *,
        source: str,
    ) -> tuple[builtins.list[StocktakeEntry], int]:
        """Judge and store scans (in order); returns the distinct entries touched and the repeats."""
        repository = StocktakeRepository(session)
        items = await ItemRepository(session).get_many_by_barcode(barcodes)
        titles = await repository.titles([i.record_id for i in items.values()])
        existing = await repository.entries_by_barcode(stocktake.id, barcodes)
        now = utcnow()
        who = _who(auth_subject)
        touched: dict[str, StocktakeEntry] = {}
        new: builtins.list[StocktakeEntry] = []
        repeats = 0
        for barcode in barcodes:
            entry = touched.get(barcode) or existing.get(barcode)
            if entry is None:
                item = items.get(barcode)
                entry = _entry_for(stocktake, barcode, item, titles.get(item.record_id) if item else None)
                entry.source = source
                entry.first_scanned_at = now
                new.append(entry)
            elif entry.scan_count > 0:
                repeats += 1
            entry.scan_count += 1
            entry.last_scanned_at = now
            entry.scanned_by = who
            touched[barcode] = entry
        if new:
            await repository.add_entries(new)
        counts = {r: sum(1 for e in new if e.result == r) for r in ("found", "misplaced", "unexpected")}
        stocktake.scans = Stocktake.scans + len(barcodes)
        stocktake.found = Stocktake.found + counts["found"]
        stocktake.misplaced = Stocktake.misplaced + counts["misplaced"]
        stocktake.unexpected = Stocktake.unexpected + counts["unexpected"]
        if stocktake.status == StocktakeStatus.OPEN:
            stocktake.status = StocktakeStatus.SCANNING.value
        stocktake.updated_at = now
        await repository.flush()
        await repository.refresh(stocktake)
        return list(touched.values()), repeats

    # -- close ------------------------------------------------------------------------------------

    async def check_close(
        self, session: AsyncSession, auth_subject: AuthSubject, *, stocktake: Stocktake
    ) -> builtins.list[Reason]:
        ctx = StocktakeContext(
            auth_subject=auth_subject,
            branch_code=stocktake.branch_code,
            stocktake=stocktake,
            scanned=stocktake.found + stocktake.misplaced + stocktake.unexpected,
        )
        return run_validators(CLOSE_VALIDATORS, ctx)

    async def close(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        stocktake_id: uuid.UUID,
        data: CloseRequest,
    ) -> CloseOutcome:
        repository = StocktakeRepository(session)
        stocktake = await self.get(session, auth_subject, stocktake_id=stocktake_id)
        refuse_if(await self.check_close(session, auth_subject, stocktake=stocktake))
        expected = await repository.expected_count(stocktake.branch_code, stocktake.location)
        missing = await repository.missing_items(stocktake)
        now = utcnow()
        await repository.insert_missing(
            [
                {
                    "stocktake_id": stocktake.id,
                    "barcode": item.barcode,
                    "result": ScanResult.MISSING.value,
                    "item_id": item.id,
                    "record_id": item.record_id,
                    "title": title,
                    "call_number": item.call_number,
                    "item_branch": item.branch_code,
                    "item_location": item.location,
                    "item_status": item.status,
                    "scan_count": 0,
                    "source": "close",
                }
                for item, title in missing
            ]
        )
        outcome = CloseOutcome(stocktake=stocktake)
        if data.update_statuses:
            await self._update_statuses(
                session, auth_subject, stocktake, [i.barcode for i, _ in missing], outcome
            )
        stocktake.status = StocktakeStatus.CLOSED.value
        stocktake.expected = expected
        stocktake.missing = len(missing)
        stocktake.statuses_updated = data.update_statuses
        stocktake.closed_by = _who(auth_subject)
        stocktake.closed_at = now
        stocktake.updated_at = now
        await repository.flush()
        return outcome

    async def _update_statuses(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        stocktake: Stocktake,
        missing: Sequence[str],
        outcome: CloseOutcome,
    ) -> None:
        found_again = await StocktakeRepository(session).found_with_status(stocktake.id, FOUND_AGAIN_STATUSES)
        for barcodes, status, attr in (
            (missing, ItemStatus.MISSING, "marked_missing"),
            (found_again, ItemStatus.AVAILABLE, "marked_available"),
        ):
            for start in range(0, len(barcodes), 1000):
                response = await item_service.bulk(
                    session,
                    auth_subject,
                    request=BulkItemRequest(
                        action=BulkAction.SET_STATUS,
                        barcodes=list(barcodes[start : start + 1000]),
                        status=status,
                    ),
                )
                setattr(outcome, attr, getattr(outcome, attr) + response.succeeded)
                outcome.not_changed.extend(r.barcode for r in response.results if not r.ok)

    # -- reading the result -----------------------------------------------------------------------

    async def entries(
        self,
        session: AsyncSession,
        auth_subject: AuthSubject,
        *,
        stocktake: Stocktake,
        pagination: PaginationParams,
        result: ScanResult | None = None,
    ) -> tuple[builtins.list[EntryRead], int]:
        repository = StocktakeRepository(session)
        if result is ScanResult.MISSING and stocktake.status != StocktakeStatus.CLOSED:
            total = await repository.missing_count(stocktake)
            rows = await repository.missing_items(stocktake, offset=pagination.offset, limit=pagination.limit)
            return [missing_entry(item, title) for item, title in rows], total
        entries, total = await repository.entries(
            stocktake.id, pagination=pagination, result=result.value if result else None
        )
        return [EntryRead.of(e) for e in entries], total


def missing_entry(item: Item, title: str | None) -> EntryRead:
    """A not-yet-closed session's missing item, shaped like a stored entry."""
    return EntryRead(
        barcode=item.barcode,
        result=ScanResult.MISSING.value,
        item_id=item.id,
        record_id=item.record_id,
        title=title,
        call_number=item.call_number,
        item_branch=item.branch_code,
        item_location=item.location,
        item_status=item.status,
        scan_count=0,
        source="close",
        first_scanned_at=None,
        last_scanned_at=None,
        scanned_by=None,
    )


stocktake_service = StocktakeService()
