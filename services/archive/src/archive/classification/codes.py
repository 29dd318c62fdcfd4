"""The shape of classification codes and where each sits in its hierarchy.

Two families are accepted:

* dotted decimal codes of regional government (``000`` → ``000.1`` → ``000.1.1``; three digits
  at the top, where ``X00`` is a main function, ``XY0`` a function and ``XYZ`` a sub-function);
* letter codes of other schemes (``KP`` → ``KP.01`` → ``KP.01.02``).
"""

from __future__ import annotations

import re

MAX_SEGMENTS = 6
_DECIMAL = re.compile(rf"^\d{{3}}(?:\.\d{{1,3}}){{0,{MAX_SEGMENTS - 1}}}$")
_LETTER = re.compile(rf"^[A-Z]{{2,4}}(?:\.\d{{1,3}}){{0,{MAX_SEGMENTS - 1}}}$")


class CodeFormatError(ValueError):
    pass


def normalise_code(value: str) -> str:
    """Trim and upper-case ``value`` and check it is a decimal or letter classification code."""
    code = re.sub(r"\s+", "", value).upper()
    if not (_DECIMAL.match(code) or _LETTER.match(code)):
        raise CodeFormatError(
            f"kode klasifikasi '{value}' tidak sah: gunakan kode desimal (000, 000.1, 000.1.1) atau kode "
            f"huruf (KP, KP.01, KP.01.02) / classification code '{value}' is invalid: use decimal codes "
            "(000, 000.1, 000.1.1) or letter codes (KP, KP.01, KP.01.02)"
        )
    return code


def is_valid_code(value: str) -> bool:
    try:
        normalise_code(value)
    except CodeFormatError:
        return False
    return True


def implied_parent(code: str) -> str | None:
    """The code directly above ``code`` in its hierarchy, or ``None`` for a top-level code.

    ``000.1.1`` → ``000.1`` → ``000``; ``KP.01.02`` → ``KP.01`` → ``KP``; among three-digit
    decimal codes ``012`` → ``010`` → ``000`` (``X00`` main functions are the roots).
    """
    if "." in code:
        return code.rsplit(".", 1)[0]
    if len(code) == 3 and code.isdigit():
        if code[2] != "0":
            return code[:2] + "0"
        if code[1] != "0":
            return code[0] + "00"
    return None


def level_of(code: str) -> int:
    """1 for a root, +1 for each step down."""
    level = 1
    parent = implied_parent(code)
    while parent is not None:
        level += 1
        parent = implied_parent(parent)
    return level
