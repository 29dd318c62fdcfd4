"""ISBN and ISMN registrant prefixes (ISO 2108, ISO 10957) a depositor registers.

A depositor registers the *prefixes* its ISBNs or ISMNs start with (GS1 prefix, registration
group and registrant for ISBN; ``979-0`` and publisher for ISMN). A prefix has no check digit
of its own, so it is checked for shape, then against the International ISBN Agency's range
data as ``isbnlib`` ships it: the registration group must exist and the registrant element must
have the length that range gives it (``978-602-8`` is refused: that range has 4-digit
registrants). Full identifiers are checked by :mod:`deposit.rules.identifiers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import isbnlib

ISBN_TOTAL_DIGITS = 13


class PrefixError(ValueError):
    """A malformed prefix; the message is Indonesian with English beside it."""


@dataclass(frozen=True)
class Prefix:
    scheme: str  # "isbn" | "ismn"
    text: str  # hyphenated, e.g. "978-623-7654" or "979-0-2306"
    digits: str  # "9786237654"


def parse_isbn_prefix(value: str) -> Prefix:
    """``978-623-7654`` → Prefix; the parts must be hyphenated (group and registrant vary in length)."""
    text = value.strip().strip("-").strip()
    parts = [p for p in re.split(r"[\s\-‐‑–]+", text) if p]
    if not parts or not all(p.isdigit() for p in parts):
        raise PrefixError(
            f"prefiks ISBN '{value}' hanya boleh berisi angka dan tanda hubung / "
            f"ISBN prefix '{value}' may contain only digits and hyphens"
        )
    if len(parts) != 3:
        raise PrefixError(
            f"prefiks ISBN '{value}' harus ditulis awalan-kelompok-penerbit, mis. 978-623-7654 / "
            f"ISBN prefix '{value}' must be written prefix-group-registrant, e.g. 978-623-7654"
        )
    gs1, group, registrant = parts
    if gs1 not in ("978", "979"):
        raise PrefixError(
            f"prefiks ISBN '{value}' harus diawali 978 atau 979 / ISBN prefix '{value}' must start with 978 or 979"
        )
    if gs1 == "979" and group.startswith("0"):
        raise PrefixError(
            f"'{value}' adalah prefiks ISMN (979-0), bukan ISBN / '{value}' is an ISMN prefix (979-0), not an ISBN"
        )
    if not 1 <= len(group) <= 5:
        raise PrefixError(
            f"kelompok pendaftaran '{group}' harus 1-5 digit / registration group '{group}' must be 1-5 digits"
        )
    if not 1 <= len(registrant) <= 7:
        raise PrefixError(
            f"elemen penerbit '{registrant}' harus 1-7 digit / registrant element '{registrant}' must be 1-7 digits"
        )
    # 13 digits = 3 (GS1) + group + registrant + publication (>= 1) + check digit.
    if len(group) + len(registrant) > ISBN_TOTAL_DIGITS - 3 - 2:
        raise PrefixError(
            f"prefiks ISBN '{value}' terlalu panjang, tidak menyisakan elemen terbitan / "
            f"ISBN prefix '{value}' is too long to leave room for a publication element"
        )
    digits = f"{gs1}{group}{registrant}"
    _check_against_ranges(value, gs1, group, registrant, digits)
    return Prefix("isbn", f"{gs1}-{group}-{registrant}", digits)


def _sample_isbn13(digits: str) -> str:
    """The first ISBN-13 under a prefix (publication element all zeros), with its check digit."""
    first12 = (digits + "0" * 12)[:12]
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def _check_against_ranges(value: str, gs1: str, group: str, registrant: str, digits: str) -> None:
    masked = isbnlib.mask(_sample_isbn13(digits)) or ""
    parts = masked.split("-")
    if len(parts) != 5 or parts[0] != gs1 or parts[1] != group:
        raise PrefixError(
            f"kelompok pendaftaran {gs1}-{group} tidak dikenal dalam rentang ISBN / "
            f"registration group {gs1}-{group} is unknown in the ISBN ranges"
        )
    if parts[2] != registrant:
        raise PrefixError(
            f"prefiks ISBN '{value}' tidak sesuai rentang ISBN: elemen penerbit di rentang ini "
            f"{len(parts[2])} digit / ISBN prefix '{value}' does not fit the ISBN ranges: registrants "
            f"in this range have {len(parts[2])} digits"
        )


def parse_ismn_prefix(value: str) -> Prefix:
    """``979-0-2306`` (or legacy ``M-2306``) → Prefix with a 3-7 digit publisher element."""
    text = value.strip().strip("-").strip().upper()
    parts = [p for p in re.split(r"[\s\-‐‑–]+", text) if p]
    if len(parts) == 2 and parts[0] == "M":
        parts = ["979", "0", parts[1]]
    if len(parts) != 3 or parts[0] != "979" or parts[1] != "0" or not parts[2].isdigit():
        raise PrefixError(
            f"prefiks ISMN '{value}' harus ditulis 979-0-penerbit, mis. 979-0-2306 / "
            f"ISMN prefix '{value}' must be written 979-0-publisher, e.g. 979-0-2306"
        )
    publisher = parts[2]
    if not 3 <= len(publisher) <= 7:
        raise PrefixError(
            f"elemen penerbit ISMN '{publisher}' harus 3-7 digit / ISMN publisher element '{publisher}' "
            "must be 3-7 digits"
        )
    return Prefix("ismn", f"979-0-{publisher}", f"9790{publisher}")


def prefixes_overlap(a: str, b: str) -> bool:
    """Two registrant prefixes clash when one's digits start the other's."""
    return a.startswith(b) or b.startswith(a)
