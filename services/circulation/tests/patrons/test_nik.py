"""NIK format checks and card numbers."""

from __future__ import annotations

from datetime import date

import pytest

from circulation.patrons.cards import luhn_valid, new_card_number
from circulation.patrons.nik import NikError, mask_nik, parse_nik


def test_a_man_and_a_woman() -> None:
    man = parse_nik("3174011505900001", today=date(2026, 1, 1))
    assert (man.province, man.birth_date, man.gender) == ("DKI Jakarta", date(1990, 5, 15), "L")
    woman = parse_nik("3174015505900002", today=date(2026, 1, 1))
    assert (woman.birth_date, woman.gender) == (date(1990, 5, 15), "P")
    child = parse_nik("3201020103180003", today=date(2026, 1, 1))
    assert child.birth_date == date(2018, 3, 1) and child.province == "Jawa Barat"


@pytest.mark.parametrize(
    "nik",
    [
        "317401150590000",  # 15 digits
        "31740115059000011",
        "31740115059O0001",  # a letter O
        "9974011505900001",  # no such province
        "3100011505900001",  # regency 00
        "3174001505900001",  # district 00
        "3174013205900001",  # day 32
        "3174017205900001",  # day 72 (32 + 40)
        "3174011513900001",  # month 13
        "3174013002900001",  # 30 February
        "3174011505900000",  # serial 0000
        "３１７４０１１５０５９０００１",  # full-width digits
    ],
)
def test_implausible_niks(nik: str) -> None:
    with pytest.raises(NikError):
        parse_nik(nik, today=date(2026, 1, 1))


def test_future_birth_dates_are_last_century() -> None:
    assert parse_nik("3174011505990001", today=date(2026, 1, 1)).birth_date == date(1999, 5, 15)
    with pytest.raises(NikError):
        parse_nik("3174011512260001", today=date(2026, 1, 1))  # 15 December 2026, not born yet


def test_masking_and_cards() -> None:
    assert mask_nik("3174011505900001") == "3174********0001"
    cards = {new_card_number() for _ in range(200)}
    assert len(cards) == 200
    assert all(len(c) == 13 and c.startswith("31") and luhn_valid(c) for c in cards)
    assert not luhn_valid("3100000000001")
