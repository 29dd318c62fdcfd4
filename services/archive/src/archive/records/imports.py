"""Registering many records at once: SRIKANDI-style exports and agency bulk submissions.

Each row is validated on its own and answered on its own (``created``, ``valid`` in a dry run,
``exists`` when the unit already registered that reference number, or ``error`` with every named
reason); one bad row never stops the others. See :mod:`archive.records.srikandi` for the format.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from archive.records.repository import RecordRepository
from archive.records.schemas import ImportResult, ImportRowResult, RecordCreate
from archive.records.service import record_service
from archive.records.srikandi import SourceRow, parse_date, parse_level
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.errors import PusipError

MAX_ROWS = 5000


def _reason(
    code: str, message: str, message_en: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "message": message, "message_en": message_en}
    if details:
        out["details"] = details
    return out


async def to_registration(
    session: AsyncSession, source: SourceRow, *, default_unit: str | None
) -> tuple[RecordCreate | None, list[dict[str, Any]]]:
    values = source.values
    if source.errors:  # the row could not even be read
        return None, list(source.errors)
    errors: list[dict[str, Any]] = []
    for name in ("nomor", "tanggal", "perihal", "kode_klasifikasi"):
        if not values.get(name):
            errors.append(_reason("field_missing", f"Kolom {name} wajib diisi", f"Field {name} is required"))
    record_date = parse_date(values.get("tanggal"))
    if values.get("tanggal") and record_date is None:
        errors.append(
            _reason(
                "date_invalid",
                f"Tanggal {values.get('tanggal')!r} tidak dikenali (YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY)",
                f"Date {values.get('tanggal')!r} not recognised (YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY)",
            )
        )
    level = None
    if values.get("sifat"):
        level = parse_level(values["sifat"])
        if level is None:
            errors.append(
                _reason(
                    "security_level_invalid",
                    f"Sifat/keamanan {values['sifat']!r} tidak dikenal",
                    f"Security level {values['sifat']!r} not recognised",
                )
            )
    event_date = parse_date(values.get("tanggal_peristiwa")) if values.get("tanggal_peristiwa") else None
    unit = str(values.get("unit") or default_unit or "").strip().strip("/").lower()
    if not unit:
        errors.append(_reason("field_missing", "Kolom unit wajib diisi", "Field unit is required"))
    if errors:
        return None, errors
    berkas_id = None
    if values.get("berkas"):
        berkas = await RecordRepository(session).berkas_by_number(unit, str(values["berkas"]))
        if berkas is None:
            return None, [
                _reason(
                    "berkas_unknown",
                    f"Berkas {values['berkas']} tidak ada di unit {unit}",
                    f"Berkas {values['berkas']} does not exist in unit {unit}",
                )
            ]
        berkas_id = berkas.id
    try:
        data = RecordCreate(
            reference_number=str(values["nomor"]),
            title=str(values["perihal"]),
            record_date=record_date,
            unit=unit,
            description=str(values["ringkasan"]) if values.get("ringkasan") else None,
            classification_code=str(values["kode_klasifikasi"]),
            security_level=level,
            security_ground=str(values["dasar_hukum"]) if values.get("dasar_hukum") else None,
            security_reason=str(values["alasan"]) if values.get("alasan") else None,
            berkas_id=berkas_id,
            event_date=event_date,
        )
    except ValidationError as exc:
        return None, [
            _reason(
                "field_invalid",
                f"Isian tidak valid: {e['loc'][0] if e['loc'] else ''} — {e['msg']}",
                f"Invalid field: {e['loc'][0] if e['loc'] else ''} — {e['msg']}",
            )
            for e in exc.errors()
        ]
    return data, []


async def register_rows(
    session: AsyncSession,
    auth_subject: AuthSubject,
    *,
    rows: Sequence[SourceRow],
    dry_run: bool,
    source: str,
) -> ImportResult:
    results: list[ImportRowResult] = []
    for row in rows[:MAX_ROWS]:
        data, errors = await to_registration(session, row, default_unit=auth_subject.unit)
        reference = str(row.values.get("nomor")) if row.values.get("nomor") else None
        if data is None:
            results.append(
                ImportRowResult(row=row.row, status="error", reference_number=reference, reasons=errors)
            )
            continue
        existing = await RecordRepository(session).by_reference(data.unit, data.reference_number)
        if existing is not None:
            results.append(
                ImportRowResult(
                    row=row.row, status="exists", record_id=existing.id, reference_number=reference
                )
            )
            continue
        _, reasons = await record_service.check_create(session, auth_subject, data=data)
        if reasons:
            results.append(
                ImportRowResult(
                    row=row.row,
                    status="error",
                    reference_number=reference,
                    reasons=[r.as_dict() for r in reasons],
                )
            )
            continue
        if dry_run:
            results.append(ImportRowResult(row=row.row, status="valid", reference_number=reference))
            continue
        try:
            record = await record_service.create(session, auth_subject, data=data, source=source)
        except PusipError as exc:
            if exc.code == "record_exists":  # a concurrent registration won the race: the transaction is lost
                raise
            details = exc.details.get("reasons") if isinstance(exc.details, dict) else None
            results.append(
                ImportRowResult(
                    row=row.row,
                    status="error",
                    reference_number=reference,
                    reasons=details or [_reason(exc.code, exc.message, exc.message_en)],
                )
            )
            continue
        results.append(
            ImportRowResult(row=row.row, status="created", record_id=record.id, reference_number=reference)
        )
    if len(rows) > MAX_ROWS:
        results.append(
            ImportRowResult(
                row=rows[MAX_ROWS].row,
                status="error",
                reasons=[
                    _reason(
                        "too_many_rows",
                        f"Lebih dari {MAX_ROWS} baris; sisanya tidak diproses",
                        f"More than {MAX_ROWS} rows; the rest were not processed",
                    )
                ],
            )
        )
    counts = {s: sum(1 for r in results if r.status == s) for s in ("created", "valid", "exists", "error")}
    return ImportResult(
        dry_run=dry_run,
        total=len(results),
        created=counts["created"],
        valid=counts["valid"],
        exists=counts["exists"],
        errors=counts["error"],
        rows=results,
    )
