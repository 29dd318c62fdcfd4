"""Card numbers: province prefix, ten random digits and a Luhn check digit (13 digits, barcode-friendly)."""

from __future__ import annotations

import secrets


def luhn_digit(digits: str) -> str:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return number.isdigit() and len(number) > 1 and luhn_digit(number[:-1]) == number[-1]


def new_card_number(prefix: str = "31") -> str:
    body = prefix + "".join(str(secrets.randbelow(10)) for _ in range(10))
    return body + luhn_digit(body)
