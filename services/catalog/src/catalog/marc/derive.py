"""Derive the searchable, displayable fields of a bibliographic record from its MARC21.

The MARC record stays the source of truth; these fields are recomputed from it whenever the
record changes and feed the database columns, the search index and the API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pymarc import Field, Record

_ISBD_TRAILING = re.compile(r"[\s/:;,=.]+$")
_YEAR = re.compile(r"(1[4-9]\d\d|20\d\d)")
_ISBN_TOKEN = re.compile(r"^[0-9Xx-]{10,17}")

# Leader/06 (type of record) and /07 (bibliographic level) → material type code.
MATERIAL_TYPES: dict[str, tuple[str, str]] = {
    "book": ("Buku", "Book"),
    "serial": ("Terbitan berkala", "Serial"),
    "manuscript": ("Naskah", "Manuscript"),
    "map": ("Peta", "Map"),
    "music_score": ("Musik tercetak", "Notated music"),
    "video": ("Video / film", "Video / film"),
    "audio": ("Rekaman suara", "Sound recording"),
    "music_audio": ("Rekaman musik", "Music recording"),
    "graphic": ("Bahan grafis", "Graphic material"),
    "electronic": ("Sumber elektronik", "Electronic resource"),
    "kit": ("Kit", "Kit"),
    "mixed": ("Bahan campuran", "Mixed materials"),
    "object": ("Benda tiga dimensi", "Three-dimensional object"),
}
_BY_TYPE = {
    "e": "map",
    "f": "map",
    "c": "music_score",
    "d": "music_score",
    "g": "video",
    "i": "audio",
    "j": "music_audio",
    "k": "graphic",
    "m": "electronic",
    "o": "kit",
    "p": "mixed",
    "r": "object",
    "t": "manuscript",
}


@dataclass
class BibFields:
    control_number: str | None = None
    system_numbers: list[str] = field(default_factory=list)
    title: str = ""
    title_sort: str = ""
    authors: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    isbns: list[str] = field(default_factory=list)
    issns: list[str] = field(default_factory=list)
    publisher: str | None = None
    place: str | None = None
    year: int | None = None
    language: str | None = None
    material_type: str = "book"
    call_number: str | None = None
    ddc: str | None = None
    series: list[str] = field(default_factory=list)
    edition: str | None = None
    summary: str | None = None

    def as_dict(self) -> dict[str, Any]:
        # what dataclasses.asdict gives (lists copied), without its recursive deep copy
        return {name: list(v) if isinstance(v, list) else v for name, v in vars(self).items()}


def clean(text: str | None) -> str:
    """Trim ISBD punctuation and surrounding blanks: 'Laskar pelangi /' → 'Laskar pelangi'."""
    if not text:
        return ""
    return _ISBD_TRAILING.sub("", " ".join(text.split())).strip()


class _Fields:
    """A record's fields by tag: each lookup without a pass over the whole record."""

    __slots__ = ("by_tag",)

    def __init__(self, record: Record) -> None:
        by_tag: dict[str, list[tuple[int, Field]]] = {}
        for i, f in enumerate(record.fields):
            by_tag.setdefault(f.tag, []).append((i, f))
        self.by_tag = by_tag

    def get_fields(self, *tags: str) -> list[Field]:
        """Fields with any of ``tags``, in record order (as ``Record.get_fields``)."""
        found = [pair for tag in tags for pair in self.by_tag.get(tag, ())]
        if len(tags) > 1:
            found.sort(key=lambda pair: pair[0])
        return [f for _, f in found]

    def get(self, tag: str) -> Field | None:
        found = self.by_tag.get(tag)
        return found[0][1] if found else None


def _values(record: _Fields, tags: tuple[str, ...], codes: str) -> list[str]:
    out: list[str] = []
    for f in record.get_fields(*tags):
        value = clean(" ".join(f.get_subfields(*codes)))
        if value and value not in out:
            out.append(value)
    return out


def _first(record: _Fields, tags: tuple[str, ...], codes: str) -> str | None:
    values = _values(record, tags, codes)
    return values[0] if values else None


def normalize_isbn(raw: str) -> str | None:
    """The ISBN digits of a 020 $a ('979-602-1234-56-7 (pbk.)' → '9796021234567'), check digit verified."""
    match = _ISBN_TOKEN.match(raw.strip())
    if not match:
        return None
    digits = match.group(0).replace("-", "").upper()
    if len(digits) == 10 and _isbn10_ok(digits):
        return digits
    if len(digits) == 13 and digits.isdigit() and _isbn13_ok(digits):
        return digits
    return None


def _isbn10_ok(d: str) -> bool:
    if not d[:9].isdigit() or not (d[9].isdigit() or d[9] == "X"):
        return False
    total = sum((10 - i) * int(c) for i, c in enumerate(d[:9])) + (10 if d[9] == "X" else int(d[9]))
    return total % 11 == 0


def _isbn13_ok(d: str) -> bool:
    return sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(d)) % 10 == 0


def isbn10_to_13(d: str) -> str:
    core = "978" + d[:9]
    check = (10 - sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(core)) % 10) % 10
    return core + str(check)


def _control(record: _Fields, tag: str) -> str:
    f = record.get(tag)
    return (f.data or "") if f is not None else ""


def _material_type(record: Record) -> str:
    leader = str(record.leader)
    rtype, level = leader[6:7], leader[7:8]
    if rtype in ("a", "t") and level in ("b", "i", "s"):
        return "serial"
    return _BY_TYPE.get(rtype, "book")


def _year(record: _Fields) -> int | None:
    f008 = _control(record, "008")
    if len(f008) >= 11 and f008[7:11].isdigit() and f008[7:11] != "0000":
        return int(f008[7:11])
    for f in record.get_fields("260", "264"):
        for value in f.get_subfields("c"):
            if m := _YEAR.search(value):
                return int(m.group(1))
    return None


def _language(record: _Fields) -> str | None:
    f008 = _control(record, "008")
    code = f008[35:38].strip().lower() if len(f008) >= 38 else ""
    if len(code) == 3 and code.isalpha() and code not in ("und", "zxx", "|||"):
        return code
    for f in record.get_fields("041"):
        for value in f.get_subfields("a"):
            if len(value.strip()) >= 3:
                return value.strip()[:3].lower()
    return None


def _subjects(record: _Fields) -> list[str]:
    out: list[str] = []
    for f in record.get_fields("600", "610", "611", "630", "648", "650", "651", "655"):
        head = clean(" ".join(f.get_subfields("a", "b", "c", "d", "t")))
        subdivisions = [clean(v) for v in f.get_subfields("v", "x", "y", "z")]
        value = " -- ".join(p for p in [head, *subdivisions] if p)
        if value and value not in out:
            out.append(value)
    return out


def derive(marc: Record) -> BibFields:
    record = _Fields(marc)
    control = _control(record, "001").strip()
    f245 = record.get("245")
    title = clean(" ".join(f245.get_subfields("a", "b", "n", "p"))) if f245 else ""
    nonfiling = 0
    if f245 and f245.indicator2 and f245.indicator2.isdigit():
        nonfiling = int(f245.indicator2)
    isbns: list[str] = []
    for f in record.get_fields("020"):
        for raw in f.get_subfields("a"):
            if (isbn := normalize_isbn(raw)) and isbn not in isbns:
                isbns.append(isbn)
    publication = [f for f in record.get_fields("264") if f.indicator2 == "1"] or record.get_fields("260")
    publisher = clean(" ".join(publication[0].get_subfields("b"))) if publication else ""
    place = clean(" ".join(publication[0].get_subfields("a"))) if publication else ""
    ddc = _first(record, ("082",), "a")
    call_number = _first(record, ("090", "050", "099"), "ab") or ddc
    return BibFields(
        control_number=control or None,
        system_numbers=_values(record, ("035",), "a"),
        title=title,
        title_sort=title[nonfiling:].lower() if nonfiling < len(title) else title.lower(),
        authors=_values(record, ("100", "110", "111", "700", "710", "711"), "abcdq"),
        subjects=_subjects(record),
        isbns=isbns,
        issns=[v.strip() for v in (_values(record, ("022",), "a")) if v.strip()],
        publisher=publisher or None,
        place=place or None,
        year=_year(record),
        language=_language(record),
        material_type=_material_type(marc),
        call_number=call_number,
        ddc=ddc,
        series=_values(record, ("490", "830", "440"), "av"),
        edition=_first(record, ("250",), "a"),
        summary=_first(record, ("520",), "a"),
    )
