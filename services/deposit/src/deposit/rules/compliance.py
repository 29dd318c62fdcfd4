"""Compliance rate per depositor and period: fulfilled obligations ÷ obligations that fell due."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from deposit.rules.obligations import ObligationStatus


@dataclass(frozen=True)
class ObligationFact:
    due: date
    status: ObligationStatus
    fulfilled_on: date | None = None


@dataclass(frozen=True)
class ComplianceRate:
    due: int  # obligations that fell due in the period (exempt ones excluded)
    fulfilled: int
    fulfilled_on_time: int
    rate: Decimal | None  # percent; None when nothing fell due

    @property
    def on_time_rate(self) -> Decimal | None:
        if not self.due:
            return None
        return (Decimal(self.fulfilled_on_time) / self.due * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


def compliance_rate(facts: Iterable[ObligationFact], *, start: date, end: date) -> ComplianceRate:
    """Obligations whose due date lies in [start, end] and are not exempt form the denominator."""
    counted = [f for f in facts if start <= f.due <= end and f.status is not ObligationStatus.EXEMPT]
    fulfilled = [f for f in counted if f.status is ObligationStatus.FULFILLED]
    on_time = [f for f in fulfilled if f.fulfilled_on is not None and f.fulfilled_on <= f.due]
    rate = (
        (Decimal(len(fulfilled)) / len(counted) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if counted
        else None
    )
    return ComplianceRate(len(counted), len(fulfilled), len(on_time), rate)
