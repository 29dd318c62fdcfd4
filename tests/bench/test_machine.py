"""The CPU split the benchmarks record next to their figures (``bench/machine.py``)."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def machine() -> ModuleType:
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(ROOT))
        return importlib.import_module("bench.machine")


def test_split_counts_steal_apart_from_busy_and_idle(machine: ModuleType) -> None:
    before = dict.fromkeys(machine.COLUMNS, 1000)
    after = {**before, "user": 1300, "system": 1100, "softirq": 1020, "idle": 1380, "iowait": 1000}
    after["steal"] = 1200
    split = machine.cpu_split(before, after)
    # 1,000 ticks in all: 420 busy (300 user + 100 system + 20 softirq), 380 idle, 200 stolen
    assert split == {"busy_pct": 42.0, "idle_pct": 38.0, "iowait_pct": 0.0, "steal_pct": 20.0}


def test_no_time_passed_gives_zeros(machine: ModuleType) -> None:
    same = dict.fromkeys(machine.COLUMNS, 5)
    assert set(machine.cpu_split(same, same).values()) == {0.0}


def test_this_machine_reads_and_adds_up(machine: ModuleType) -> None:
    with machine.CpuShare() as share:
        sum(i * i for i in range(2_000_000))  # some CPU time must pass for ticks to move
    assert set(share.split) == {"busy_pct", "idle_pct", "iowait_pct", "steal_pct"}
    assert all(0.0 <= value <= 100.0 for value in share.split.values())
    assert share.split["busy_pct"] > 0.0
