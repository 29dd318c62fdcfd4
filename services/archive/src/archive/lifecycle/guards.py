"""The destruction guard (RULES.md §2) as named validators, and those of transfer and hand-over.

A record may be destroyed only when **all** hold: its retention has expired, its JRA disposition is
``MUSNAH`` (an exception "musnah, kecuali …" must have been assessed and must not apply), no law
forbids destroying it, it is not tied to an unresolved legal case, and no legal hold is on it. Each
validator returns a :class:`Reason` (Indonesian and English) or ``None``; callers collect every
reason, so a refusal names all of them, and each check has a dry run.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from archive.instruments.parse import Disposition
from archive.models import LegalCase, LegalHold, Record, RecordCase
from archive.models.records import STATUS_ACTIVE, STATUS_DESTROYED, STATUS_INACTIVE, STATUS_STATIC
from pusip_kit.errors import Reason


def _r(code: str, record: Record, message: str, message_en: str, **details: object) -> Reason:
    return Reason(code, message, message_en, {"record_id": str(record.id), **details})


def refuse_when_retention_not_expired(record: Record, today: date) -> Reason | None:
    if record.inactive_until is not None and today >= record.inactive_until:
        return None
    if record.inactive_until is None:
        waiting = bool(record.active_event or record.inactive_event) and record.event_date is None
        return _r(
            "refuse_when_retention_not_expired",
            record,
            "Retensi belum dapat dihitung: "
            + ("tanggal peristiwa belum dicatat" if waiting else "kode tidak memuat jadwal retensi"),
            "Retention cannot be computed: "
            + ("the event date is not recorded" if waiting else "the code carries no retention schedule"),
            waiting_event=waiting,
        )
    return _r(
        "refuse_when_retention_not_expired",
        record,
        f"Retensi inaktif baru berakhir pada {record.inactive_until.isoformat()}",
        f"Inactive retention ends only on {record.inactive_until.isoformat()}",
        inactive_until=record.inactive_until.isoformat(),
    )


def effective_disposition(record: Record) -> str | None:
    if record.exception_condition and record.exception_applies and record.exception_disposition:
        return record.exception_disposition
    return record.disposition


def refuse_when_disposition_not_musnah(record: Record) -> Reason | None:
    if record.disposition != Disposition.MUSNAH.value:
        return _r(
            "refuse_when_disposition_not_musnah",
            record,
            f"Nasib akhir menurut JRA adalah {record.disposition or 'tidak ditetapkan'}, bukan MUSNAH",
            f"The JRA disposition is {record.disposition or 'not set'}, not MUSNAH",
            disposition=record.disposition,
        )
    if record.exception_condition and record.exception_applies is None:
        return _r(
            "refuse_when_disposition_not_musnah",
            record,
            f"JRA memuat pengecualian ({record.exception_condition}) yang belum dinilai untuk arsip ini",
            f"The JRA has an exception ({record.exception_condition}) not yet assessed for this record",
            exception_condition=record.exception_condition,
        )
    if effective_disposition(record) != Disposition.MUSNAH.value:
        return _r(
            "refuse_when_disposition_not_musnah",
            record,
            f"Pengecualian berlaku: nasib akhir arsip ini {record.exception_disposition}",
            f"The exception applies: this record's disposition is {record.exception_disposition}",
            exception_condition=record.exception_condition,
        )
    return None


def refuse_when_law_forbids(record: Record) -> Reason | None:
    if not record.law_forbids_destruction:
        return None
    return _r(
        "refuse_when_law_forbids",
        record,
        f"Peraturan melarang pemusnahan arsip ini: {record.law_reference or 'tidak disebutkan'}",
        f"A law forbids destroying this record: {record.law_reference or 'unnamed'}",
        law_reference=record.law_reference,
    )


def refuse_when_tied_to_open_case(record: Record, open_cases: Sequence[str]) -> Reason | None:
    if not open_cases:
        return None
    listed = ", ".join(sorted(open_cases))
    return _r(
        "refuse_when_tied_to_open_case",
        record,
        f"Arsip terkait perkara yang belum selesai: {listed}",
        f"The record is tied to an unresolved legal case: {listed}",
        cases=sorted(open_cases),
    )


def refuse_when_legal_hold(record: Record, holds: Sequence[LegalHold]) -> Reason | None:
    if not holds:
        return None
    return _r(
        "refuse_when_legal_hold",
        record,
        f"Arsip sedang ditahan ({len(holds)} penahanan hukum aktif): {holds[0].reason}",
        f"The record is under {len(holds)} active legal hold(s): {holds[0].reason}",
        holds=[str(h.id) for h in holds],
    )


def refuse_when_not_inactive(record: Record) -> Reason | None:
    if record.status == STATUS_INACTIVE:
        return None
    return _r(
        "refuse_when_not_inactive",
        record,
        f"Arsip berstatus {record.status}; hanya arsip inaktif (di pusat arsip) yang dapat disusutkan",
        f"The record is {record.status}; only inactive records (in the records centre) can be disposed of",
        status=record.status,
    )


def refuse_when_not_active(record: Record) -> Reason | None:
    if record.status == STATUS_ACTIVE:
        return None
    return _r(
        "refuse_when_not_active",
        record,
        f"Arsip berstatus {record.status}; hanya arsip aktif yang dapat dipindahkan",
        f"The record is {record.status}; only active records can be transferred",
        status=record.status,
    )


def refuse_when_active_retention_not_expired(record: Record, today: date) -> Reason | None:
    if record.active_until is not None and today >= record.active_until:
        return None
    until = record.active_until.isoformat() if record.active_until else None
    return _r(
        "refuse_when_active_retention_not_expired",
        record,
        f"Retensi aktif belum berakhir ({until or 'belum dapat dihitung'})",
        f"Active retention has not ended ({until or 'cannot be computed yet'})",
        active_until=until,
    )


def refuse_when_disposition_not_permanen(record: Record) -> Reason | None:
    if effective_disposition(record) == Disposition.PERMANEN.value:
        return None
    return _r(
        "refuse_when_disposition_not_permanen",
        record,
        f"Hanya arsip bernasib akhir PERMANEN yang diserahkan (arsip ini: {effective_disposition(record) or '-'})",
        f"Only records with a PERMANEN disposition are handed over (this one: {effective_disposition(record) or '-'})",
    )


def refuse_when_final(record: Record) -> Reason | None:
    if record.status not in (STATUS_DESTROYED, STATUS_STATIC):
        return None
    return _r(
        "refuse_when_final",
        record,
        f"Arsip sudah {record.status}",
        f"The record is already {record.status}",
        status=record.status,
    )


async def open_cases_of(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    out: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
    if ids:
        rows = await session.execute(
            select(RecordCase.record_id, RecordCase.case_number)
            .join(LegalCase, LegalCase.case_number == RecordCase.case_number)
            .where(RecordCase.record_id.in_(ids), LegalCase.status == "open")
        )
        for record_id, case_number in rows:
            out[record_id].append(case_number)
    return out


async def active_holds_of(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[LegalHold]]:
    out: dict[uuid.UUID, list[LegalHold]] = {i: [] for i in ids}
    if ids:
        result = await session.execute(
            select(LegalHold).where(LegalHold.record_id.in_(ids), LegalHold.released_at.is_(None))
        )
        for hold in result.scalars().all():
            out[hold.record_id].append(hold)
    return out


async def destruction_reasons(
    session: AsyncSession, records: Sequence[Record], today: date
) -> dict[uuid.UUID, list[Reason]]:
    """Every reason each record may not be destroyed (empty list: it may)."""
    ids = [r.id for r in records]
    cases = await open_cases_of(session, ids)
    holds = await active_holds_of(session, ids)
    out: dict[uuid.UUID, list[Reason]] = {}
    for record in records:
        reasons = [
            refuse_when_final(record),
            refuse_when_not_inactive(record)
            if record.status not in (STATUS_DESTROYED, STATUS_STATIC)
            else None,
            refuse_when_retention_not_expired(record, today),
            refuse_when_disposition_not_musnah(record),
            refuse_when_law_forbids(record),
            refuse_when_tied_to_open_case(record, cases[record.id]),
            refuse_when_legal_hold(record, holds[record.id]),
        ]
        out[record.id] = [r for r in reasons if r is not None]
    return out


def transfer_reasons(record: Record, today: date) -> list[Reason]:
    return [
        r
        for r in (refuse_when_not_active(record), refuse_when_active_retention_not_expired(record, today))
        if r
    ]


def handover_reasons(record: Record, today: date) -> list[Reason]:
    return [
        r
        for r in (
            refuse_when_not_inactive(record),
            refuse_when_retention_not_expired(record, today),
            refuse_when_disposition_not_permanen(record),
        )
        if r
    ]
