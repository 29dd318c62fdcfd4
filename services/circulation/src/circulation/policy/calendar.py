"""Branch calendars: weekly closing days and dated closures (public holidays, branch events).

Due dates never fall on a closed day: they move forward to the branch's next opening day.
Overdue fines count only the days the branch was open, so a holiday never costs a reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

MAX_LOOKAHEAD_DAYS = 366


@dataclass(frozen=True)
class Closure:
    day: date
    name: str
    branch: str | None = None  # None = every branch (a national holiday)


@dataclass
class BranchCalendar:
    branch: str
    closed_weekdays: frozenset[int] = frozenset()  # 0 = Monday … 6 = Sunday
    closures: set[date] = field(default_factory=set)

    @classmethod
    def build(cls, branch: str, closed_weekdays: frozenset[int], closures: list[Closure]) -> BranchCalendar:
        return cls(branch, closed_weekdays, {c.day for c in closures if c.branch in (None, branch)})

    def is_open(self, day: date) -> bool:
        return day.weekday() not in self.closed_weekdays and day not in self.closures

    def next_open_day(self, day: date) -> date:
        for offset in range(MAX_LOOKAHEAD_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_open(candidate):
                return candidate
        raise ValueError(f"branch {self.branch} has no opening day within a year of {day}")

    def due_date(self, loaned_on: date, loan_days: int) -> date:
        return self.next_open_day(loaned_on + timedelta(days=loan_days))

    def open_days_between(self, after: date, until: date) -> int:
        """Opening days in the half-open range (after, until]."""
        return sum(1 for n in range(1, (until - after).days + 1) if self.is_open(after + timedelta(days=n)))
