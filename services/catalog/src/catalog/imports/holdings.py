"""Holdings in incoming MARC records, turned into items.

Two conventions are read:

* **852** (MARC21 holdings location): ``$b`` sublocation/collection, else ``$a`` institution, as the
  branch code; ``$c`` shelving location; ``$h`` + ``$i`` call number; ``$p`` barcode (piece
  designation); ``$9`` price (local).
* **949** (local item field, as written by Inlislite-style exports): ``$b`` branch code, ``$l``
  (or ``$c``) location, ``$a`` call number, ``$i`` (or ``$p``) barcode, ``$t`` material type,
  ``$g`` price.

A holding without a branch uses the import job's target branch. A holding that cannot become an
item (no barcode, unknown branch, barcode taken, value too long) is reported as a warning; the
record itself is still stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pymarc import Record

_PLAIN = re.compile(r"^\d+(?:[.,]\d{1,2})?$")
_GROUPED = re.compile(r"^\d{1,3}(?:[.,]\d{3})+(?:,\d{1,2})?$")
_CURRENCY = re.compile(r"^(?:rp\.?|idr|usd|\$)\s*", re.IGNORECASE)


@dataclass(slots=True)
class Holding:
    tag: str
    barcode: str | None
    branches: tuple[str, ...]  # candidate branch codes, best first
    location: str | None
    call_number: str | None
    material_type: str | None
    price: str | None


def _first(field: object, *codes: str) -> str | None:
    for code in codes:
        for value in field.get_subfields(code):  # type: ignore[attr-defined]
            value = value.strip()
            if value:
                return value
    return None


def _branch(value: str | None) -> str | None:
    return value.strip().lower() if value and value.strip() else None


def holdings_of(record: Record) -> list[Holding]:
    out: list[Holding] = []
    for field in record.get_fields("852"):
        if field.is_control_field():
            continue
        call = " ".join(v.strip() for v in field.get_subfields("h", "i") if v.strip()) or None
        out.append(
            Holding(
                tag="852",
                barcode=_first(field, "p"),
                branches=tuple(b for b in (_branch(_first(field, "b")), _branch(_first(field, "a"))) if b),
                location=_first(field, "c"),
                call_number=call,
                material_type=None,
                price=_first(field, "9"),
            )
        )
    for field in record.get_fields("949"):
        if field.is_control_field():
            continue
        branch = _branch(_first(field, "b"))
        out.append(
            Holding(
                tag="949",
                barcode=_first(field, "i", "p"),
                branches=(branch,) if branch else (),
                location=_first(field, "l", "c"),
                call_number=_first(field, "a"),
                material_type=_first(field, "t"),
                price=_first(field, "g"),
            )
        )
    return out


def parse_price(raw: str | None) -> Decimal | None:
    """'85000', '85.000', 'Rp 85.000,00', '12.50' → a Decimal; anything else raises ValueError."""
    if raw is None:
        return None
    text = _CURRENCY.sub("", raw.strip()).replace(" ", "")
    if _GROUPED.match(text):
        whole, _, cents = (
            text.partition(",") if text.count(",") == 1 and text.count(".") >= 1 else (text, "", "")
        )
        if "," in whole and "." not in whole:  # 85,000 written with commas
            whole = whole.replace(",", "")
        number = whole.replace(".", "").replace(",", "") + (f".{cents}" if cents else "")
    elif _PLAIN.match(text):
        number = text.replace(",", ".")
    else:
        raise ValueError(raw)
    try:
        value = Decimal(number)
    except InvalidOperation as exc:
        raise ValueError(raw) from exc
    if value < 0 or value > Decimal("999999999999"):
        raise ValueError(raw)
    return value
