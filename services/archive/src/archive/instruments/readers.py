"""Readers for the classification and JRA files agencies actually have, and their merge.

* OpenSID ``klasifikasi_surat.csv`` (id, kode, nama, uraian, enabled): the local-government
  decimal scheme, titles but no schedule;
* TVRI ``masterKlasifikasi`` JSON (kode, retensiAktif, retensiInaktif, nasibAkhir, keamanan):
  a JRA with SKKAAD level, no titles;
* SIMPEL ``ref_klasifikasi`` rows in a MySQL dump (kode, nama, uraian): letter codes.

Each returns an :class:`InstrumentImport`; :func:`merge` lays a schedule over a scheme and then
checks the whole: missing parents, leaves without a schedule, codes in one file but not the other.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from archive.instruments.parse import (
    CodeEntry,
    InstrumentImport,
    Severity,
    normalize_code,
    parent_of,
    parse_disposition,
    parse_retention,
    parse_security,
    valid_code,
)

_HEADER_CODES = {"KODE", "KODE KLASIFIKASI", "KODEKLASIFIKASI"}


def _add(result: InstrumentImport, entry: CodeEntry, raw: str) -> None:
    if entry.code in result.entries:
        first = result.entries[entry.code]
        result.problem(
            entry.source_row,
            entry.code,
            "duplicate_code",
            Severity.ERROR,
            f"Kode {entry.code} muncul lagi (pertama di baris {first.source_row}); baris ini diabaikan",
            f"Code {entry.code} appears again (first at row {first.source_row}); this row is ignored",
            raw,
        )
        return
    result.entries[entry.code] = entry


def _check_code(result: InstrumentImport, row: int, raw_code: str, raw: str) -> str | None:
    code = normalize_code(raw_code)
    if not code:
        result.problem(row, None, "empty_code", Severity.ERROR, "Baris tanpa kode", "Row without a code", raw)
        return None
    if code.upper() in _HEADER_CODES:
        result.problem(
            row,
            code,
            "header_row",
            Severity.INFO,
            "Baris judul tabel dilewati",
            "Table header row skipped",
            raw,
        )
        return None
    if not valid_code(code):
        result.problem(
            row,
            code,
            "code_format_invalid",
            Severity.ERROR,
            f"Format kode tidak dikenal: {code!r}",
            f"Unrecognised code format: {code!r}",
            raw,
        )
        return None
    return code


def read_opensid_csv(text: str) -> InstrumentImport:
    result = InstrumentImport()
    for row_no, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        raw = ",".join(str(v) for v in row.values())
        code = _check_code(result, row_no, row.get("kode") or "", raw)
        if code is None:
            continue
        description = (row.get("uraian") or "").strip()
        _add(
            result,
            CodeEntry(
                code=code,
                title=" ".join((row.get("nama") or "").split()) or None,
                description=None if description in ("", "-") else description,
                parent_code=parent_of(code),
                source_row=row_no,
            ),
            raw,
        )
    return result


def read_tvri_jra_json(text: str) -> InstrumentImport:
    result = InstrumentImport()
    for row_no, item in enumerate(json.loads(text), start=1):
        raw = json.dumps(item, ensure_ascii=False)
        code = _check_code(result, row_no, str(item.get("kode", "")), raw)
        if code is None:
            continue
        entry = CodeEntry(code=code, parent_code=parent_of(code), source_row=row_no)
        for attr, parser, key in (
            ("active_retention", parse_retention, "retensiAktif"),
            ("inactive_retention", parse_retention, "retensiInaktif"),
            ("disposition", parse_disposition, "nasibAkhir"),
            ("security_level", parse_security, "keamanan"),
        ):
            value, issues = parser(str(item.get(key) or ""))
            setattr(entry, attr, value)
            for kind, severity, message, message_en in issues:
                result.problem(row_no, code, kind, severity, message, message_en, str(item.get(key)))
        _add(result, entry, raw)
    return result


_INSERT = re.compile(r"INSERT INTO `ref_klasifikasi` VALUES \((?P<values>.*)\);\s*$")
_SQL_STRING = re.compile(r"'((?:[^'\\]|\\.|'')*)'")


def _sql_unescape(value: str) -> str:
    return re.sub(
        r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(m[1], m[1]), value
    ).replace("''", "'")


def read_simpel_sql(text: str) -> InstrumentImport:
    result = InstrumentImport()
    for line_no, line in enumerate(text.splitlines(), start=1):
        match = _INSERT.match(line.strip())
        if not match:
            continue
        values = [_sql_unescape(v) for v in _SQL_STRING.findall(match["values"])]
        if len(values) != 4:
            result.problem(
                line_no,
                None,
                "row_unparsed",
                Severity.ERROR,
                "Baris INSERT tidak dapat dibaca",
                "INSERT row could not be read",
                line[:200],
            )
            continue
        _id, raw_code, title, description = values
        code = _check_code(result, line_no, raw_code, line[:200])
        if code is None:
            continue
        _add(
            result,
            CodeEntry(
                code=code,
                title=" ".join(title.split()) or None,
                description=description.strip() or None,
                parent_code=parent_of(code),
                source_row=line_no,
            ),
            line[:200],
        )
    return result


def merge(scheme: InstrumentImport, *schedules: InstrumentImport) -> InstrumentImport:
    """Lay schedules (JRA + SKKAAD) over a scheme, then check the hierarchy and the leaves."""
    result = InstrumentImport(dict(scheme.entries), list(scheme.problems))
    for schedule in schedules:
        result.problems.extend(schedule.problems)
        for code, entry in schedule.entries.items():
            base = result.entries.get(code)
            if base is None:
                result.entries[code] = entry
                continue
            for attr in ("active_retention", "inactive_retention", "disposition", "security_level"):
                if getattr(entry, attr) is not None:
                    setattr(base, attr, getattr(entry, attr))
    check_hierarchy(result)
    return result


def check_hierarchy(result: InstrumentImport) -> None:
    codes = result.entries
    children: dict[str, int] = {}
    for entry in codes.values():
        if entry.parent_code:
            children[entry.parent_code] = children.get(entry.parent_code, 0) + 1
    for entry in sorted(codes.values(), key=lambda e: e.code):
        if entry.parent_code and entry.parent_code not in codes:
            result.problem(
                entry.source_row,
                entry.code,
                "missing_parent",
                Severity.WARNING,
                f"Induk {entry.parent_code} dari kode {entry.code} tidak ada",
                f"Parent {entry.parent_code} of code {entry.code} is missing",
            )
        is_leaf = entry.code not in children
        if is_leaf and entry.has_schedule and (entry.active_retention is None or entry.disposition is None):
            result.problem(
                entry.source_row,
                entry.code,
                "schedule_incomplete",
                Severity.ERROR,
                f"Kode {entry.code} belum lengkap: retensi aktif dan nasib akhir wajib",
                f"Code {entry.code} is incomplete: active retention and final disposition are required",
            )


def read_file(path: Path) -> InstrumentImport:
    text = path.read_text(encoding="utf-8", errors="strict")
    if path.suffix == ".csv":
        return read_opensid_csv(text)
    if path.suffix == ".json":
        return read_tvri_jra_json(text)
    if path.suffix == ".sql":
        return read_simpel_sql(text)
    raise ValueError(f"unsupported instrument file: {path.name}")


def summary(result: InstrumentImport) -> dict[str, int]:
    return {
        "codes": len(result.entries),
        "with_schedule": sum(1 for e in result.entries.values() if e.has_schedule),
        "errors": result.count(Severity.ERROR),
        "warnings": result.count(Severity.WARNING),
        "info": result.count(Severity.INFO),
    }


def kinds(result: InstrumentImport) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in result.problems:
        out[p.kind] = out.get(p.kind, 0) + 1
    return out
