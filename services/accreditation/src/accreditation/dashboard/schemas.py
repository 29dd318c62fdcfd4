"""Dashboard data: a table (for display and CSV/XLSX export) and the chart drawn from it."""

from __future__ import annotations

from typing import Any

from pusip_kit.schemas import Schema


class ChartDataset(Schema):
    label: str
    data: list[float | int | None]


class Chart(Schema):
    """Ready for a chart library: ``type`` (bar, line, pie), ``labels`` on the x axis, one dataset
    per series."""

    type: str
    labels: list[str]
    datasets: list[ChartDataset]


class DashboardTable(Schema):
    name: str
    title: str
    title_en: str
    columns: list[str]
    rows: list[list[Any]]
    chart: Chart


class Summary(Schema):
    libraries: int
    libraries_by_type: dict[str, int]
    accredited: int
    accreditation_due_180_days: int
    assessments_open: int
    assessments_graded_this_year: int
    upcoming_activities: int
    certified_staff: int
