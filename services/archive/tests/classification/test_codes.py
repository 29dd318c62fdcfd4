"""Classification code format and hierarchy."""

from __future__ import annotations

import pytest

from archive.classification.codes import CodeFormatError, implied_parent, level_of, normalise_code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("000", "000"),
        ("000.1", "000.1"),
        ("000.1.1", "000.1.1"),
        ("001.31", "001.31"),
        (" 800.1.2.3 ", "800.1.2.3"),
        ("kp.01.02", "KP.01.02"),
        ("KP", "KP"),
        ("HK.01", "HK.01"),
    ],
)
def test_valid_codes(value: str, code: str) -> None:
    assert normalise_code(value) == code


@pytest.mark.parametrize(
    "value",
    [
        "",
        "00",
        "0000",
        "000.",
        ".1",
        "000..1",
        "000.1234",
        "K.01",
        "KP-01",
        "KP.A1",
        "000.1.1.1.1.1.1",
        "abc def",
    ],
)
def test_invalid_codes(value: str) -> None:
    with pytest.raises(CodeFormatError):
        normalise_code(value)


@pytest.mark.parametrize(
    ("code", "parent"),
    [
        ("000.1.1", "000.1"),
        ("000.1", "000"),
        ("000", None),
        ("100", None),
        ("010", "000"),
        ("012", "010"),
        ("001", "000"),
        ("012.3", "012"),
        ("KP.01.02", "KP.01"),
        ("KP.01", "KP"),
        ("KP", None),
    ],
)
def test_implied_parent(code: str, parent: str | None) -> None:
    assert implied_parent(code) == parent


def test_levels() -> None:
    assert [level_of(c) for c in ("000", "010", "012", "012.3", "012.3.1")] == [1, 2, 3, 4, 5]
    assert [level_of(c) for c in ("KP", "KP.01", "KP.01.02")] == [1, 2, 3]
