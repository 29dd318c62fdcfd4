"""National holidays shipped as data (one CSV per year under ``data/``)."""

from __future__ import annotations

import csv
from datetime import date
from importlib import resources

from circulation.policy.calendar import Closure


def national_holidays(year: int) -> list[Closure]:
    name = f"hari_libur_nasional_{year}.csv"
    source = resources.files("circulation.policy") / "data" / name
    if not source.is_file():
        return []
    lines = [line for line in source.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return [Closure(date.fromisoformat(row["tanggal"]), row["nama"]) for row in csv.DictReader(lines)]
