"""Reading SRIKANDI-style record exports (JSON or CSV) into record registrations.

**Format** (one row per record; keys are case-insensitive, the alternatives in brackets are accepted):

============================  =========================================================  ==========
field                         meaning                                                    required
============================  =========================================================  ==========
``nomor`` [nomor_naskah]      reference number of the record                             yes
``tanggal`` [tanggal_naskah]  date: ``YYYY-MM-DD``, ``DD-MM-YYYY`` or ``DD/MM/YYYY``       yes
``perihal`` [hal, judul]      title / subject                                            yes
``unit`` [unit_kerja,         creating unit path (``dispusip/bidang-arsip``); defaults   no
unit_pengolah]                to the caller's unit
``kode_klasifikasi``          classification code (``000.1.2``, ``KP.01.02``)             yes
[klasifikasi, kode]
``sifat`` [keamanan,          ``Biasa``/``Terbuka``, ``Terbatas``, ``Rahasia``,           no
klasifikasi_keamanan]         ``Sangat Rahasia``; empty = inherited from the code
``dasar_hukum``               ground (UU 43/2009 art. 44 code, see ``GET /access-grounds``) when
                              ``sifat`` differs from the code's level and is not Biasa
``alasan``                    reason for a level different from the code's               with sifat
``ringkasan`` [isi_ringkas,   description                                                no
uraian]
``berkas`` [nomor_berkas]     number of an existing berkas of the same unit              no
``tanggal_peristiwa``         event date for event-based retention                       no
============================  =========================================================  ==========

JSON: a list of such objects, or an object with the list under ``naskah``, ``data`` or ``items``.
CSV: a header row with the field names, UTF-8 (a BOM is fine), comma or semicolon separated.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pusip_kit.auth.subject import SecurityLevel

ALIASES = {
    "nomor": ("nomor", "nomor_naskah", "no_naskah", "reference_number"),
    "tanggal": ("tanggal", "tanggal_naskah", "tgl_naskah", "record_date"),
    "perihal": ("perihal", "hal", "judul", "title"),
    "unit": ("unit", "unit_kerja", "unit_pengolah", "unit_pencipta"),
    "kode_klasifikasi": ("kode_klasifikasi", "klasifikasi", "kode", "classification_code"),
    "sifat": ("sifat", "keamanan", "klasifikasi_keamanan", "sifat_naskah", "security_level"),
    "dasar_hukum": ("dasar_hukum", "dasar", "security_ground"),
    "alasan": ("alasan", "security_reason"),
    "ringkasan": ("ringkasan", "isi_ringkas", "uraian", "description"),
    "berkas": ("berkas", "nomor_berkas"),
    "tanggal_peristiwa": ("tanggal_peristiwa", "event_date"),
}
_LEVELS = {
    "biasa": SecurityLevel.BIASA,
    "terbuka": SecurityLevel.BIASA,
    "biasa/terbuka": SecurityLevel.BIASA,
    "terbatas": SecurityLevel.TERBATAS,
    "rahasia": SecurityLevel.RAHASIA,
    "sangat rahasia": SecurityLevel.SANGAT_RAHASIA,
    "sangat_rahasia": SecurityLevel.SANGAT_RAHASIA,
}


@dataclass
class SourceRow:
    row: int
    values: dict[str, Any]
    errors: list[dict[str, str]] = field(default_factory=list)

    def error(self, code: str, message: str, message_en: str) -> None:
        self.errors.append({"code": code, "message": message, "message_en": message_en})


class ExportFormatError(ValueError):
    pass


def _normalise_keys(raw: dict[str, Any]) -> dict[str, Any]:
    lowered = {re.sub(r"[\s\-]+", "_", str(k).strip().lower()): v for k, v in raw.items()}
    out: dict[str, Any] = {}
    for name, keys in ALIASES.items():
        for key in keys:
            value = lowered.get(key)
            if value not in (None, ""):
                out[name] = value.strip() if isinstance(value, str) else value
                break
    return out


def parse_date(text: Any) -> date | None:
    if isinstance(text, date):
        return text
    value = str(text or "").strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(value[:10], fmt).date()
        except ValueError:
            continue
    return None


def parse_level(text: Any) -> SecurityLevel | None:
    value = " ".join(str(text or "").lower().replace(" / ", "/").split())
    return _LEVELS.get(value)


def read_export(data: bytes, filename_or_format: str) -> list[SourceRow]:
    """The rows of a JSON or CSV export, with keys normalised; raises :class:`ExportFormatError`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExportFormatError(f"bukan teks UTF-8 / not UTF-8 text (byte {exc.start})") from exc
    kind = filename_or_format.lower()
    if kind.endswith("json"):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ExportFormatError(f"JSON tidak sah / invalid JSON: {exc}") from exc
        if isinstance(parsed, dict):
            parsed = next(
                (parsed[k] for k in ("naskah", "data", "items") if isinstance(parsed.get(k), list)), None
            )
        if not isinstance(parsed, list):
            raise ExportFormatError("JSON harus berupa daftar naskah / JSON must be a list of records")
        rows = []
        for number, item in enumerate(parsed, start=1):
            if isinstance(item, dict):
                rows.append(SourceRow(number, _normalise_keys(item)))
            else:
                bad = SourceRow(number, {})
                bad.error("row_not_object", "Baris bukan objek JSON", "Row is not a JSON object")
                rows.append(bad)
        return rows
    if kind.endswith("csv"):
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        return [SourceRow(number, _normalise_keys(item)) for number, item in enumerate(reader, start=2)]
    raise ExportFormatError("format harus json atau csv / format must be json or csv")
