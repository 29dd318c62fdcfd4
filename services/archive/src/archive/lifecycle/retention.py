"""Retention arithmetic: when a record's active and inactive periods end and what is then due.

A period counts from the record's date, or from its *event date* when the JRA names an event
("2 tahun setelah tidak berlaku"): until the event date is recorded such a record is never due
(it is reported as waiting for its event instead). The inactive period follows the active one
unless it names its own event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from archive.instruments.parse import Disposition
from archive.models.records import (
    DUE_DESTROY,
    DUE_HANDOVER,
    DUE_REAPPRAISE,
    DUE_TRANSFER,
    DUE_WAITING_EVENT,
    STATUS_ACTIVE,
    STATUS_INACTIVE,
)


class Scheduled(Protocol):
    record_date: date
    event_date: date | None
    active_years: int | None
    active_event: str | None
    inactive_years: int | None
    inactive_event: str | None
    disposition: str | None
    status: str


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Dates:
    active_until: date | None
    inactive_until: date | None
    waiting_event: bool


def schedule_dates(record: Scheduled) -> Dates:
    if record.active_years is None and record.inactive_years is None:
        return Dates(None, None, False)
    waiting = False
    start: date | None = record.record_date
    if record.active_event:
        start = record.event_date
        waiting = start is None
    active_until = add_years(start, record.active_years or 0) if start is not None else None
    inactive_start: date | None = active_until
    if record.inactive_event:
        inactive_start = record.event_date
        waiting = waiting or inactive_start is None
    inactive_until = (
        add_years(inactive_start, record.inactive_years or 0) if inactive_start is not None else None
    )
    return Dates(active_until, inactive_until, waiting)


def due_action(record: Scheduled, today: date) -> str | None:
    """What is due for ``record`` on ``today`` (``None``: nothing)."""
    dates = schedule_dates(record)
    if record.status == STATUS_ACTIVE:
        if dates.active_until is not None and today >= dates.active_until:
            return DUE_TRANSFER
        return DUE_WAITING_EVENT if dates.waiting_event and dates.active_until is None else None
    if record.status == STATUS_INACTIVE:
        if dates.inactive_until is None:
            return DUE_WAITING_EVENT if dates.waiting_event else None
        if today < dates.inactive_until:
            return None
        if record.disposition == Disposition.MUSNAH.value:
            return DUE_DESTROY
        if record.disposition == Disposition.PERMANEN.value:
            return DUE_HANDOVER
        return DUE_REAPPRAISE
    return None


def total_retention_years(record: Scheduled) -> int:
    return (record.active_years or 0) + (record.inactive_years or 0)
