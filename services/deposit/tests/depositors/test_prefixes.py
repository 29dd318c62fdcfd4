"""ISBN/ISMN registrant prefixes: shape, ISBN range data, normalisation."""

from __future__ import annotations

import pytest

from deposit.depositors.prefixes import PrefixError, parse_isbn_prefix, parse_ismn_prefix, prefixes_overlap


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("978-623-7654", "978-623-7654"),
        (" 978 602 1234 ", "978-602-1234"),
        ("978-623-99901-", "978-623-99901"),
        ("978–602–1234", "978-602-1234"),  # en dashes pasted from a word processor
    ],
)
def test_valid_isbn_prefixes(value: str, text: str) -> None:
    assert parse_isbn_prefix(value).text == text


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("9786237654", "978-623-7654"),  # unhyphenated: group and registrant cannot be told apart
        ("977-623-7654", "978 atau 979"),
        ("979-0-2306", "ISMN"),
        ("978-602-8", "4 digit"),  # the 602-8… range has four-digit registrants
        ("978-979-123", "4 digit"),
        ("978-623-00000", "2 digit"),
        ("978-999999-1", "1-5 digit"),
        ("978-6-12345678", "1-7 digit"),
        ("978-abc-1", "angka"),
    ],
)
def test_invalid_isbn_prefixes(value: str, fragment: str) -> None:
    with pytest.raises(PrefixError) as info:
        parse_isbn_prefix(value)
    assert fragment in str(info.value)


def test_ismn_prefixes() -> None:
    assert parse_ismn_prefix("979-0-2306").text == "979-0-2306"
    assert parse_ismn_prefix("M-2306").text == "979-0-2306"
    for bad in ("979-1-2306", "979-0-12", "978-623-7654", "979-0-12345678"):
        with pytest.raises(PrefixError):
            parse_ismn_prefix(bad)


def test_overlap() -> None:
    assert prefixes_overlap("97862376", "9786237654")
    assert not prefixes_overlap("9786237654", "9786237655")
