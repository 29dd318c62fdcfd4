"""Overdue fines from the rule and the branch calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from circulation.policy.calendar import BranchCalendar
from circulation.policy.rules import LoanRule


@dataclass(frozen=True)
class Fine:
    overdue_days: int  # calendar days late
    chargeable_days: int  # opening days late, less the grace days
    amount: int  # Rupiah
    capped: bool


def compute_fine(rule: LoanRule, calendar: BranchCalendar, *, due: date, returned: date) -> Fine:
    """The fine for an item due on ``due`` and returned on ``returned`` at the lending branch's calendar."""
    if returned <= due:
        return Fine(0, 0, 0, False)
    open_days = calendar.open_days_between(due, returned)
    chargeable = max(0, open_days - rule.grace_days)
    raw = chargeable * rule.fine_per_day
    amount = min(raw, rule.fine_cap) if rule.fine_cap else raw
    return Fine((returned - due).days, chargeable, amount, amount < raw)
