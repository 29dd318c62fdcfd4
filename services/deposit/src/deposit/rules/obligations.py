"""Deposit obligations: what is due to the provincial library, by when, in how many copies."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class WorkKind(StrEnum):
    PRINTED = "karya_cetak"
    RECORDED = "karya_rekam"  # audio, video, digital works
    DIGITAL = "karya_digital"  # e-books, e-journals, e-newspapers… (a kind of recorded work)


class ObligationStatus(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"
    FULFILLED = "fulfilled"
    EXEMPT = "exempt"


@dataclass(frozen=True)
class KindRule:
    months_after_publication: int
    copies_provincial: int


@dataclass(frozen=True)
class DepositRules:
    """One version of the rules. Defaults follow PP 55/2021 for a provincial library."""

    version: str = "PP-55-2021"
    legal_basis: str = "UU 13/2018 tentang Serah Simpan Karya Cetak dan Karya Rekam; PP 55/2021"
    printed: KindRule = KindRule(months_after_publication=3, copies_provincial=1)
    recorded: KindRule = KindRule(months_after_publication=12, copies_provincial=1)

    def rule_for(self, kind: WorkKind) -> KindRule:
        return self.printed if kind is WorkKind.PRINTED else self.recorded

    def due_date(self, kind: WorkKind, published: date) -> date:
        return add_months(published, self.rule_for(kind).months_after_publication)

    def copies_required(self, kind: WorkKind) -> int:
        return self.rule_for(kind).copies_provincial


def add_months(day: date, months: int) -> date:
    """Same day of month ``months`` later, clamped to the month's end (30 Nov + 3 months → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def obligation_status(
    *, due: date, today: date, copies_required: int, copies_accepted: int, exempt: bool = False
) -> ObligationStatus:
    if exempt:
        return ObligationStatus.EXEMPT
    if copies_accepted >= copies_required:
        return ObligationStatus.FULFILLED
    return ObligationStatus.OVERDUE if today > due else ObligationStatus.DUE
