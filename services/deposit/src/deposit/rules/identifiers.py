"""ISBN, ISSN and ISMN validation with check digits, returning the normalised form."""

from __future__ import annotations

import re

import isbnlib


class IdentifierError(ValueError):
    def __init__(self, kind: str, value: str, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.kind, self.value, self.message, self.message_en = kind, value, message, message_en


def validate_isbn(value: str) -> str:
    """ISBN-10 or ISBN-13 → canonical ISBN-13 digits."""
    digits = isbnlib.canonical(value or "")
    if isbnlib.is_isbn13(digits):
        return digits
    if isbnlib.is_isbn10(digits):
        return str(isbnlib.to_isbn13(digits))
    raise IdentifierError(
        "isbn",
        value,
        f"ISBN tidak valid (angka periksa salah atau panjang keliru): {value!r}",
        f"Invalid ISBN (wrong check digit or length): {value!r}",
    )


def validate_issn(value: str) -> str:
    """ISSN 'NNNN-NNNC' → canonical '1234-5679'."""
    raw = re.sub(r"[\s-]", "", (value or "").upper())
    if re.fullmatch(r"\d{7}[\dX]", raw):
        total = sum(int(d) * w for d, w in zip(raw[:7], range(8, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if raw[7] == ("X" if check == 10 else str(check)):
            return f"{raw[:4]}-{raw[4:]}"
    raise IdentifierError("issn", value, f"ISSN tidak valid: {value!r}", f"Invalid ISSN: {value!r}")


def validate_ismn(value: str) -> str:
    """ISMN (979-0-… 13 digits, or the old M-… form) → canonical 13 digits."""
    raw = re.sub(r"[\s-]", "", (value or "").upper())
    if raw.startswith("M") and len(raw) == 10 and raw[1:].isdigit():
        raw = "9790" + raw[1:]
    if (
        len(raw) == 13
        and raw.isdigit()
        and raw.startswith("9790")
        and sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(raw)) % 10 == 0
    ):
        return raw
    raise IdentifierError("ismn", value, f"ISMN tidak valid: {value!r}", f"Invalid ISMN: {value!r}")
