"""Response shapes for compliance reports."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from pusip_kit.schemas import Schema


class Rate(Schema):
    due: int
    fulfilled: int
    fulfilled_on_time: int
    rate: Decimal | None
    on_time_rate: Decimal | None


class DepositorCompliance(Schema):
    depositor_id: uuid.UUID
    depositor_name: str
    depositor_type: str
    city: str
    start: date
    end: date
    rate: Rate
    overdue_now: int
    rank: int | None = None


class AppreciationEntry(Schema):
    depositor_id: uuid.UUID
    depositor_name: str
    depositor_type: str
    city: str
    rate: Rate
    rank: int


class AppreciationList(Schema):
    year: int
    rules: str
    criteria: dict[str, str]
    publishers: list[AppreciationEntry]


class OverdueRow(Schema):
    obligation_id: uuid.UUID
    depositor_id: uuid.UUID
    depositor_name: str
    title: str
    identifier: str | None
    kind: str
    published_on: date
    due_on: date
    days_overdue: int
    warning_level: int | None


class ChartPoint(Schema):
    period: str
    start: date
    end: date
    due: int
    fulfilled: int
    fulfilled_on_time: int
    rate: Decimal | None
    on_time_rate: Decimal | None


class Chart(Schema):
    granularity: str
    depositor_id: uuid.UUID | None
    points: list[ChartPoint]
    by_kind: dict[str, Rate]
