"""The circulation clock: UTC instants, and calendar days in Jakarta (WIB, UTC+7, no daylight saving).

Due dates, fines and pickup deadlines are days at the branch, so "today" is the Jakarta date, not
the UTC one. Tests move time with :func:`frozen` instead of waiting for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")

_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


def today() -> date:
    return now().astimezone(WIB).date()


def local_day(moment: datetime) -> date:
    return moment.astimezone(WIB).date()


@contextmanager
def frozen(at: datetime | date) -> Iterator[None]:
    """Pretend it is ``at`` (a date means 10:00 WIB that day) for the duration of the block."""
    global _frozen
    if not isinstance(at, datetime):
        at = datetime(at.year, at.month, at.day, 10, 0, tzinfo=WIB)
    previous = _frozen
    _frozen = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    try:
        yield
    finally:
        _frozen = previous
