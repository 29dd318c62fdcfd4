"""Validation of MARC-in-JSON submitted by catalogers: every problem found, field by field.

Checked: the object's shape; the leader (24 characters, valid codes at 05-09, 10-11 = ``22``,
20-23 = ``4500``, numbers or blanks at 00-04 and 12-16); tags (three digits or letters) and their
kind (control fields 001-009 hold text, the others indicators and subfields); indicators (one
character: digit, lower-case letter or blank); subfield codes (one lower-case letter or digit)
with non-empty text; no MARC delimiter characters inside values; 008 of exactly 40 characters;
exactly one 245 with $a; at most one 1XX; non-repeatable control fields; each field within
ISO 2709's 9,999-byte limit so the record can always be exported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pymarc import Record

from catalog.records.marcdata import record_from_json
from pusip_kit.errors import Unprocessable

MAX_FIELDS = 2000
MAX_FIELD_BYTES = 9999
_TAG = re.compile(r"^[0-9A-Za-z]{3}$")
_INDICATOR = re.compile(r"^[0-9a-z ]$")
_CODE = re.compile(r"^[0-9a-z]$")
_DELIMITERS = re.compile("[\x1d\x1e\x1f]")
LEADER_CODES: dict[int, tuple[str, str, str]] = {
    5: ("acdnp", "status rekaman", "record status"),
    6: ("acdefgijkmoprt", "jenis rekaman", "type of record"),
    7: ("abcdims", "tingkat bibliografis", "bibliographic level"),
    8: (" a", "jenis kendali", "type of control"),
    9: (" a", "skema pengodean karakter", "character coding scheme"),
    17: (" 12345678uzIJKLM", "tingkat pengodean", "encoding level"),
    18: (" acinpu", "bentuk katalogisasi deskriptif", "descriptive cataloging form"),
    19: (" abc", "rekaman sumber multibagian", "multipart resource record level"),
}
NON_REPEATABLE = ("001", "003", "005", "008", "245")


@dataclass(frozen=True)
class MarcError:
    field: str  # a tag, or "leader", or "record"
    index: int | None  # position in ``fields``
    code: str
    message: str
    message_en: str
    subfield: str | None = None
    position: int | None = None  # character position (leader, 008)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "field": self.field,
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en,
        }
        for name in ("index", "subfield", "position"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


def marc_invalid(errors: list[MarcError]) -> Unprocessable:
    return Unprocessable(
        f"Rekaman MARC tidak valid ({len(errors)} masalah)",
        f"Invalid MARC record ({len(errors)} problems)",
        code="marc_invalid",
        details={"errors": [e.as_dict() for e in errors]},
    )


def _leader_errors(leader: Any) -> list[MarcError]:
    if not isinstance(leader, str) or len(leader) != 24:
        return [
            MarcError(
                "leader",
                None,
                "leader_length",
                "Leader harus berupa teks sepanjang 24 karakter",
                "The leader must be a string of 24 characters",
            )
        ]
    errors: list[MarcError] = []
    for start, end in ((0, 5), (12, 17)):
        part = leader[start:end]
        if not (part.isdigit() or part.strip() == "") or not part.isascii():
            errors.append(
                MarcError(
                    "leader",
                    None,
                    "leader_number",
                    f"Leader/{start:02d}-{end - 1:02d} harus angka atau kosong",
                    f"Leader/{start:02d}-{end - 1:02d} must be digits or blanks",
                    position=start,
                )
            )
    for position, (allowed, name_id, name_en) in LEADER_CODES.items():
        if leader[position] not in allowed:
            errors.append(
                MarcError(
                    "leader",
                    None,
                    "leader_code",
                    f"Leader/{position:02d} ({name_id}) tidak sah: {leader[position]!r}",
                    f"Leader/{position:02d} ({name_en}) is invalid: {leader[position]!r}",
                    position=position,
                )
            )
    for position, expected in ((10, "22"), (20, "4500")):
        if leader[position : position + len(expected)] != expected:
            errors.append(
                MarcError(
                    "leader",
                    None,
                    "leader_fixed",
                    f"Leader/{position:02d} harus {expected!r}",
                    f"Leader/{position:02d} must be {expected!r}",
                    position=position,
                )
            )
    return errors


def _text_errors(tag: str, index: int, value: str, subfield: str | None = None) -> list[MarcError]:
    if _DELIMITERS.search(value):
        return [
            MarcError(
                tag,
                index,
                "delimiter_in_value",
                f"Ruas {tag} berisi karakter pembatas MARC (0x1D-0x1F)",
                f"Field {tag} contains a MARC delimiter character (0x1D-0x1F)",
                subfield=subfield,
            )
        ]
    return []


def _field_errors(index: int, entry: Any) -> tuple[str | None, list[MarcError]]:
    if not isinstance(entry, dict) or len(entry) != 1:
        return None, [
            MarcError(
                "record",
                index,
                "field_shape",
                "Setiap ruas harus berupa objek dengan tepat satu tag",
                "Each field must be an object with exactly one tag",
            )
        ]
    ((tag, value),) = entry.items()
    if not isinstance(tag, str) or not _TAG.match(tag):
        return None, [
            MarcError(
                str(tag)[:10],
                index,
                "tag_invalid",
                f"Tag {tag!r} tidak sah (tiga angka atau huruf)",
                f"Tag {tag!r} is invalid (three digits or letters)",
            )
        ]
    control = tag.isdigit() and tag < "010"
    if control:
        if not isinstance(value, str):
            return tag, [
                MarcError(
                    tag,
                    index,
                    "control_field_shape",
                    f"Ruas kontrol {tag} harus berupa teks",
                    f"Control field {tag} must be a string",
                )
            ]
        errors = _text_errors(tag, index, value)
        if tag == "008" and len(value) != 40:
            errors.append(
                MarcError(
                    tag,
                    index,
                    "fixed_field_length",
                    f"Ruas 008 harus 40 karakter (ada {len(value)})",
                    f"Field 008 must be 40 characters long (found {len(value)})",
                )
            )
        if len(value.encode()) + 1 > MAX_FIELD_BYTES:
            errors.append(_too_long(tag, index))
        return tag, errors
    if not isinstance(value, dict) or not isinstance(value.get("subfields"), list):
        return tag, [
            MarcError(
                tag,
                index,
                "data_field_shape",
                f"Ruas data {tag} harus berisi ind1, ind2 dan daftar subfields",
                f"Data field {tag} must have ind1, ind2 and a list of subfields",
            )
        ]
    errors = []
    unknown = set(value) - {"ind1", "ind2", "subfields"}
    if unknown:
        errors.append(
            MarcError(
                tag,
                index,
                "data_field_shape",
                f"Ruas {tag} memiliki kunci yang tidak dikenal: {', '.join(sorted(map(str, unknown)))}",
                f"Field {tag} has unknown keys: {', '.join(sorted(map(str, unknown)))}",
            )
        )
    for name in ("ind1", "ind2"):
        indicator = value.get(name, " ")
        if not isinstance(indicator, str) or not _INDICATOR.match(indicator):
            errors.append(
                MarcError(
                    tag,
                    index,
                    "indicator_invalid",
                    f"Indikator {name} ruas {tag} harus satu karakter (angka, huruf kecil atau spasi)",
                    f"Indicator {name} of field {tag} must be one character (digit, lower-case letter or blank)",
                )
            )
    subfields = value["subfields"]
    if not subfields:
        errors.append(
            MarcError(
                tag,
                index,
                "subfields_missing",
                f"Ruas {tag} tidak memiliki subruas",
                f"Field {tag} has no subfields",
            )
        )
    size = 3
    for sub in subfields:
        if not isinstance(sub, dict) or len(sub) != 1:
            errors.append(
                MarcError(
                    tag,
                    index,
                    "subfield_shape",
                    f"Subruas ruas {tag} harus objek dengan satu kode",
                    f"Subfields of {tag} must be objects with one code",
                )
            )
            continue
        ((code, text),) = sub.items()
        if not isinstance(code, str) or not _CODE.match(code):
            errors.append(
                MarcError(
                    tag,
                    index,
                    "subfield_code_invalid",
                    f"Kode subruas {code!r} pada ruas {tag} tidak sah (huruf kecil atau angka)",
                    f"Subfield code {code!r} in field {tag} is invalid (lower-case letter or digit)",
                    subfield=str(code)[:5],
                )
            )
            continue
        if not isinstance(text, str) or not text.strip():
            errors.append(
                MarcError(
                    tag,
                    index,
                    "subfield_empty",
                    f"Subruas ${code} ruas {tag} kosong",
                    f"Subfield ${code} of field {tag} is empty",
                    subfield=code,
                )
            )
            continue
        errors += _text_errors(tag, index, text, code)
        size += 2 + len(text.encode())
    if size > MAX_FIELD_BYTES:
        errors.append(_too_long(tag, index))
    return tag, errors


def _too_long(tag: str, index: int) -> MarcError:
    return MarcError(
        tag,
        index,
        "field_too_long",
        f"Ruas {tag} melebihi {MAX_FIELD_BYTES} bita",
        f"Field {tag} exceeds {MAX_FIELD_BYTES} bytes",
    )


def validate_marc_json(obj: Any) -> Record:
    """The record, or :class:`Unprocessable` (422 ``marc_invalid``) listing every problem."""
    if not isinstance(obj, dict):
        raise marc_invalid(
            [
                MarcError(
                    "record",
                    None,
                    "record_shape",
                    "Rekaman harus berupa objek MARC-in-JSON {leader, fields}",
                    "The record must be a MARC-in-JSON object {leader, fields}",
                )
            ]
        )
    errors: list[MarcError] = []
    unknown = set(obj) - {"leader", "fields"}
    if unknown:
        errors.append(
            MarcError(
                "record",
                None,
                "record_shape",
                f"Kunci tidak dikenal: {', '.join(sorted(map(str, unknown)))}",
                f"Unknown keys: {', '.join(sorted(map(str, unknown)))}",
            )
        )
    errors += _leader_errors(obj.get("leader"))
    fields = obj.get("fields")
    if not isinstance(fields, list):
        errors.append(
            MarcError(
                "record",
                None,
                "fields_missing",
                "Daftar ruas (fields) tidak ada",
                "The fields list is missing",
            )
        )
        raise marc_invalid(errors)
    if len(fields) > MAX_FIELDS:
        errors.append(
            MarcError(
                "record",
                None,
                "too_many_fields",
                f"Rekaman memiliki lebih dari {MAX_FIELDS} ruas",
                f"The record has more than {MAX_FIELDS} fields",
            )
        )
        raise marc_invalid(errors)
    counts: dict[str, list[int]] = {}
    for index, entry in enumerate(fields):
        tag, field_errors = _field_errors(index, entry)
        errors += field_errors
        if tag is not None:
            counts.setdefault(tag, []).append(index)
    for tag in NON_REPEATABLE:
        for index in counts.get(tag, [])[1:]:
            errors.append(
                MarcError(
                    tag,
                    index,
                    "field_not_repeatable",
                    f"Ruas {tag} tidak boleh berulang",
                    f"Field {tag} is not repeatable",
                )
            )
    main_entries = [i for tag, indexes in counts.items() if tag.startswith("1") for i in indexes]
    for index in sorted(main_entries)[1:]:
        errors.append(
            MarcError(
                "1XX",
                index,
                "field_not_repeatable",
                "Hanya boleh ada satu tajuk entri utama (1XX)",
                "Only one main entry (1XX) is allowed",
            )
        )
    for tag, name_id, name_en in (
        ("008", "data panjang tetap", "fixed-length data"),
        ("245", "judul", "title"),
    ):
        if tag not in counts:
            errors.append(
                MarcError(
                    tag,
                    None,
                    "field_required",
                    f"Ruas {tag} ({name_id}) wajib ada",
                    f"Field {tag} ({name_en}) is required",
                )
            )
    for index in counts.get("245", [])[:1]:
        value = fields[index]["245"]
        if isinstance(value, dict) and isinstance(value.get("subfields"), list):
            has_a = any(isinstance(s, dict) and "a" in s for s in value["subfields"])
            if not has_a:
                errors.append(
                    MarcError(
                        "245",
                        index,
                        "subfield_required",
                        "Ruas 245 wajib memiliki subruas $a (judul utama)",
                        "Field 245 must have subfield $a (title proper)",
                        subfield="a",
                    )
                )
    if errors:
        raise marc_invalid(errors)
    return record_from_json(obj)
