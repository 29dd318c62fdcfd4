"""Between a pymarc ``Record``, its stored MARC-in-JSON text and the record's database columns."""

from __future__ import annotations

import re
from typing import Any

import orjson
from pymarc import Field, Indicators, Record, Subfield

from catalog.marc.derive import BibFields, derive, isbn10_to_13
from catalog.marc.export import to_marc_json
from catalog.vocab import IdentifierKind, RecordSource

BIBLIOGRAPHIC_TYPES = frozenset("acdefgijkmoprt")
"""Leader/06 values of bibliographic records (holdings, authority and classification are not)."""

KEY_MAX = 200
_SPACES = re.compile(r"\s+")


def marc_text(record: Record) -> str:
    """The stored form: MARC-in-JSON, compact, UTF-8."""
    return orjson.dumps(to_marc_json(record)).decode()


def record_from_json(obj: dict[str, Any]) -> Record:
    """A pymarc record from MARC-in-JSON already known to be well formed (stored or validated)."""
    leader = obj["leader"]
    record = Record(leader=leader[:9] + "a" + leader[10:], force_utf8=True)
    fields: list[Field] = []
    for entry in obj["fields"]:
        ((tag, value),) = entry.items()
        if isinstance(value, str):
            fields.append(Field(tag=tag, data=value))
        else:
            subfields = [Subfield(code, text) for sub in value["subfields"] for code, text in sub.items()]
            fields.append(
                Field(tag=tag, indicators=Indicators(value["ind1"], value["ind2"]), subfields=subfields)
            )
    record.fields = fields
    return record


def record_from_text(text: str) -> Record:
    return record_from_json(orjson.loads(text))


def _control(record: Record, tag: str) -> str:
    field = record.get(tag)
    return (field.data or "") if field is not None and field.is_control_field() else ""


def isbn13(isbn: str) -> str:
    return isbn10_to_13(isbn) if len(isbn) == 10 else isbn


def isbn_forms(isbn: str) -> list[str]:
    """An ISBN as both ISBN-13 and (for the 978 range) ISBN-10, so either finds it."""
    thirteen = isbn13(isbn)
    forms = [thirteen]
    if thirteen.startswith("978"):
        core = thirteen[3:12]
        total = sum((10 - i) * int(c) for i, c in enumerate(core))
        check = (11 - total % 11) % 11
        forms.append(core + ("X" if check == 10 else str(check)))
    return forms


def match_keys(record: Record, fields: BibFields) -> list[tuple[str, str]]:
    """De-duplication keys in priority order: 001 (with 003), each 035 $a, each ISBN-13."""
    keys: list[tuple[str, str]] = []
    control = _control(record, "001").strip()
    if control:
        agency = _control(record, "003").strip()
        keys.append((IdentifierKind.CONTROL_NUMBER.value, f"{agency}|{control}"[:KEY_MAX]))
    for system_number in fields.system_numbers:
        value = _SPACES.sub("", system_number)
        if value:
            keys.append((IdentifierKind.SYSTEM_NUMBER.value, value[:KEY_MAX]))
    for isbn in fields.isbns:
        keys.append((IdentifierKind.ISBN.value, isbn13(isbn)))
    return list(dict.fromkeys(keys))


JAKARTA = re.compile(r"\b(jakarta|djakarta|batavia)\b", re.IGNORECASE)


def is_regional(record: Record, fields: BibFields, source: str) -> bool:
    """Whether a record belongs to the regional bibliography (OAI set ``regional-bibliography``).

    The rule: received through legal deposit (``source == legal_deposit``), or published in
    Jakarta — a place of publication (260/264 $a) naming Jakarta (also the older "Djakarta" and
    "Batavia") together with Indonesia as country of publication (008/15-17 or 044 $a ``io``).
    """
    if source == RecordSource.LEGAL_DEPOSIT:
        return True
    f008 = _control(record, "008")
    countries = {f008[15:18].strip()} if len(f008) >= 18 else set()
    for f in record.get_fields("044"):
        countries.update(v.strip() for v in f.get_subfields("a"))
    if "io" not in countries:
        return False
    return bool(fields.place and JAKARTA.search(fields.place))


def columns(fields: BibFields) -> dict[str, Any]:
    """The record table's derived columns."""
    return {
        "control_number": fields.control_number[:64] if fields.control_number else None,
        "title": fields.title,
        "title_sort": fields.title_sort[:255],
        "authors": fields.authors,
        "isbns": fields.isbns,
        "year": fields.year,
        "language": fields.language[:8] if fields.language else None,
        "material_type": fields.material_type,
        "publisher": fields.publisher,
        "call_number": fields.call_number[:100] if fields.call_number else None,
        "derived": fields.as_dict(),
    }


def derive_all(record: Record, source: str) -> tuple[BibFields, dict[str, Any], list[tuple[str, str]], bool]:
    fields = derive(record)
    return fields, columns(fields), match_keys(record, fields), is_regional(record, fields, source)
