"""Opening hours: structured ({day, opens, closes}) in the API, compact text in CSV/XLSX files.

The compact form lists day ranges with their hours, separated by ``;``: ``Sen-Jum 08:00-16:00;
Sab 08:00-12:00`` (Indonesian day abbreviations Sen Sel Rab Kam Jum Sab Min; English Mon…Sun are
read too). Days are numbered ISO-style, Monday = 1.
"""

from __future__ import annotations

import re
from typing import Any

DAYS_ID = ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min")
_DAY_NUMBERS = {name.lower(): n for n, name in enumerate(DAYS_ID, start=1)} | {
    name: n for n, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), start=1)
}
_TIME = r"([01]?\d|2[0-3])[:.]([0-5]\d)"
_ENTRY = re.compile(rf"^\s*([A-Za-z]{{3}})(?:\s*-\s*([A-Za-z]{{3}}))?\s+{_TIME}\s*-\s*{_TIME}\s*$")


class HoursError(ValueError):
    pass


def parse_hours(text: str) -> list[dict[str, Any]]:
    """``"Sen-Jum 08:00-16:00; Sab 08:00-12:00"`` → ``[{"day": 1, "opens": "08:00", …}, …]``."""
    out: dict[int, dict[str, Any]] = {}
    for part in (p for p in text.split(";") if p.strip()):
        match = _ENTRY.match(part)
        if not match:
            raise HoursError(f"jam buka tidak dikenali / opening hours not understood: {part.strip()!r}")
        first, last, h1, m1, h2, m2 = match.groups()
        start = _DAY_NUMBERS.get(first.lower())
        end = _DAY_NUMBERS.get((last or first).lower())
        if start is None or end is None:
            raise HoursError(f"hari tidak dikenal / unknown day in {part.strip()!r}")
        opens, closes = f"{int(h1):02d}:{m1}", f"{int(h2):02d}:{m2}"
        if closes <= opens:
            raise HoursError(
                f"jam tutup harus setelah jam buka / closing must follow opening: {part.strip()!r}"
            )
        days = range(start, end + 1) if start <= end else [*range(start, 8), *range(1, end + 1)]
        for day in days:
            out[day] = {"day": day, "opens": opens, "closes": closes}
    return [out[d] for d in sorted(out)]


def format_hours(hours: list[dict[str, Any]]) -> str:
    """The compact form, consecutive days with the same hours joined: ``Sen-Jum 08:00-16:00``."""
    entries = sorted(hours, key=lambda h: int(h["day"]))
    parts: list[str] = []
    i = 0
    while i < len(entries):
        j = i
        while (
            j + 1 < len(entries)
            and int(entries[j + 1]["day"]) == int(entries[j]["day"]) + 1
            and (entries[j + 1]["opens"], entries[j + 1]["closes"])
            == (entries[i]["opens"], entries[i]["closes"])
        ):
            j += 1
        first, last = DAYS_ID[int(entries[i]["day"]) - 1], DAYS_ID[int(entries[j]["day"]) - 1]
        days = first if i == j else f"{first}-{last}"
        parts.append(f"{days} {entries[i]['opens']}-{entries[i]['closes']}")
        i = j + 1
    return "; ".join(parts)
