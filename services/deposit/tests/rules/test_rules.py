from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from deposit.rules import (
    DepositRules,
    IdentifierError,
    ObligationStatus,
    WorkKind,
    compliance_rate,
    obligation_status,
    validate_isbn,
    validate_ismn,
    validate_issn,
)
from deposit.rules.compliance import ObligationFact
from deposit.rules.obligations import add_months
from pusip_kit.files import FileKind, sniff

SEEDS = Path(__file__).resolve().parents[4].parent / "shared" / "corpus" / "seeds"


def test_due_dates_follow_the_rules() -> None:
    rules = DepositRules()
    assert rules.due_date(WorkKind.PRINTED, date(2026, 1, 15)) == date(2026, 4, 15)
    assert rules.due_date(WorkKind.RECORDED, date(2026, 1, 15)) == date(2027, 1, 15)
    assert rules.due_date(WorkKind.PRINTED, date(2025, 11, 30)) == date(2026, 2, 28)
    assert rules.copies_required(WorkKind.PRINTED) == 1
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)


def test_obligation_status() -> None:
    due = date(2026, 4, 15)
    assert (
        obligation_status(due=due, today=date(2026, 4, 15), copies_required=1, copies_accepted=0)
        is ObligationStatus.DUE
    )
    assert (
        obligation_status(due=due, today=date(2026, 4, 16), copies_required=1, copies_accepted=0)
        is ObligationStatus.OVERDUE
    )
    assert (
        obligation_status(due=due, today=date(2026, 9, 1), copies_required=1, copies_accepted=1)
        is ObligationStatus.FULFILLED
    )
    assert (
        obligation_status(due=due, today=date(2026, 9, 1), copies_required=1, copies_accepted=0, exempt=True)
        is ObligationStatus.EXEMPT
    )


def test_compliance_rate() -> None:
    facts = [
        ObligationFact(date(2026, 2, 1), ObligationStatus.FULFILLED, date(2026, 1, 20)),
        ObligationFact(date(2026, 3, 1), ObligationStatus.FULFILLED, date(2026, 3, 10)),
        ObligationFact(date(2026, 3, 5), ObligationStatus.OVERDUE),
        ObligationFact(date(2026, 3, 6), ObligationStatus.EXEMPT),
        ObligationFact(date(2026, 7, 1), ObligationStatus.DUE),  # outside the period
    ]
    rate = compliance_rate(facts, start=date(2026, 1, 1), end=date(2026, 6, 30))
    assert (rate.due, rate.fulfilled, rate.fulfilled_on_time) == (3, 2, 1)
    assert rate.rate == Decimal("66.7") and rate.on_time_rate == Decimal("33.3")
    assert compliance_rate([], start=date(2026, 1, 1), end=date(2026, 6, 30)).rate is None


def test_identifiers() -> None:
    assert validate_isbn("978-602-03-3294-9") == "9786020332949"
    assert validate_isbn("0-306-40615-2") == "9780306406157"
    assert validate_issn("0317-8471") == "0317-8471"
    assert validate_issn("2049-3630") == "2049-3630"
    assert validate_ismn("979-0-2600-0043-8") == "9790260000438"
    assert validate_ismn("M-2600-0043-8") == "9790260000438"
    for bad, check in (
        ("978-602-03-3294-0", validate_isbn),
        ("0317-8472", validate_issn),
        ("979-0-2600-0043-9", validate_ismn),
    ):
        with pytest.raises(IdentifierError) as err:
            check(bad)
        assert err.value.message and err.value.message_en


def test_sniffing_by_content_not_name() -> None:
    assert sniff(b"%PDF-1.7\n...") is FileKind.PDF
    assert sniff(b"PK\x03\x04" + b"\x00" * 26 + b"mimetypeapplication/epub+zip") is FileKind.EPUB
    assert sniff(b"\x89PNG\r\n\x1a\n....") is FileKind.PNG
    assert sniff(b"ID3\x03\x00") is FileKind.MP3
    assert sniff(b"MZ\x90\x00\x03\x00\x00\x00") is FileKind.UNKNOWN  # a Windows executable
    assert sniff(b"Perpustakaan umum \xe2\x80\x94 teks") is FileKind.TEXT
    seed = next(SEEDS.glob("*.txt"))
    assert sniff(seed.read_bytes()[:4096]) is FileKind.TEXT
