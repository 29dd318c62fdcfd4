"""Fault-injection driver: ``python driver.py SCENARIO DATA_DIR SEED...`` prints one JSON line per seed.

One interpreter per scenario. It imports the scenario's modules once (``Scenario.preload``), then
forks a child for everything that opens a database, an index, a store or a broker, so the driver
itself never holds a lock a fork could copy and every child starts warm:

1. *setup* child — builds the scenario's world once in ``DATA_DIR/template`` and drains it (the
   template reconciles clean, so any drift a seed finds is that seed's);
2. per seed: the template is copied, a *work* child (or a real Celery worker) runs the operation;
   the driver SIGKILLs it once its progress reaches the seed's target (plus a seeded jitter);
3. a *recover* child restarts on the same files, carries on what can be carried on, measures the
   invariants and runs the service's reconcile once with ``--repair`` (which reports what it found),
   then once more without, only when something was found.

Children write their output to ``<run dir>/*.log`` (shown when a child fails). The test
(``test_faults.py``) asserts on the facts; the seed in each line reproduces the run.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import multiprocessing
import os
import random
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
WORK_TIMEOUT = 120.0
SLOW_TIMEOUT = 300.0  # setup and recovery: migrations, a restart, reconcile
POLL = 0.003

Progress = Callable[[], int]


def load(path: str, name: str) -> Any:
    """A test helper module of a service (not importable as a package) by its path."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# -- children -------------------------------------------------------------------------------------


def spawn(func: Callable[[], Any], log: Path) -> tuple[int, int]:
    """Fork a child running ``func`` with its output in ``log``; returns ``(pid, result pipe)``."""
    reader, writer = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(reader)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        code = 0
        try:
            out: Any = {"ok": True, "result": func()}
        except BaseException as exc:
            out = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()}
            code = 1
        with os.fdopen(writer, "w") as pipe:
            pipe.write(json.dumps(out, default=str))
        os._exit(code)
    os.close(writer)
    return pid, reader


def supervise(
    pid: int,
    *,
    progress: Progress | None = None,
    kill_at: int | None = None,
    jitter: float = 0.0,
    stop_when: Callable[[], bool] | None = None,
    timeout: float = WORK_TIMEOUT,
) -> bool:
    """Wait for ``pid``; SIGKILL it once ``progress() >= kill_at`` (returns True when the kill landed).

    ``stop_when`` ends a child that does not end by itself (a worker) with SIGTERM, gracefully.
    """
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return False
        if kill_at is not None and progress is not None and progress() >= kill_at:
            time.sleep(jitter)
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        if stop_when is not None and stop_when():
            os.kill(pid, signal.SIGTERM)
            stop_by = time.monotonic() + 60
            while not os.waitpid(pid, os.WNOHANG)[0]:
                if time.monotonic() > stop_by:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.05)
            return False
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise TimeoutError(f"child {pid} did not finish in {timeout:.0f} s")
        time.sleep(POLL)


def result_of(reader: int, log: Path, *, killed: bool) -> Any:
    with os.fdopen(reader) as pipe:
        text = pipe.read()
    if not text:
        if killed:
            return None
        raise RuntimeError(f"child ended without a result; its log:\n{_tail(log)}")
    out = json.loads(text)
    if not out["ok"]:
        raise RuntimeError(f"child failed: {out['error']}\n{out['trace']}\nits log:\n{_tail(log)}")
    return out["result"]


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-4000:]
    except FileNotFoundError:
        return ""


def in_child(
    func: Callable[[], Any],
    log: Path,
    *,
    progress: Progress | None = None,
    kill_at: int | None = None,
    jitter: float = 0.0,
    timeout: float = WORK_TIMEOUT,
) -> dict[str, Any]:
    """Run ``func`` in a forked child, SIGKILLed at ``kill_at``: ``{"killed": bool, "result": …}``."""
    pid, reader = spawn(func, log)
    try:
        killed = supervise(pid, progress=progress, kill_at=kill_at, jitter=jitter, timeout=timeout)
    except BaseException:
        os.close(reader)
        raise
    return {"killed": killed, "result": result_of(reader, log, killed=killed)}


class Clock:
    """Seconds spent in each phase of a seed (reported with its facts)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.monotonic()

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.laps[name] = round(now - self._last, 2)
        self._last = now


# -- reconcile ------------------------------------------------------------------------------------


async def reconcile_and_repair(module: str, settings: Any) -> dict[str, Any]:
    """What ``pusip reconcile --repair`` does: one pass that finds and repairs, and a second look
    (only when the first found something) that must find nothing."""
    from pusip_kit.reconcile import ReconcileOptions

    reconcile = importlib.import_module(module).reconcile
    started = time.monotonic()
    grace = timedelta(0)  # the crashed writer is gone: no write is about to commit
    found = await reconcile(settings, ReconcileOptions(repair=True, grace=grace))
    after = found
    if found.drift or found.errors:
        after = await reconcile(settings, ReconcileOptions(grace=grace))
    errors = [e for c in found.checks for e in c.errors]
    if after is not found:
        errors += [e for c in after.checks for e in c.errors]
    return {
        "drift_before": {c.check: c.by_kind() for c in found.checks if c.drift},
        "repaired": found.repaired,
        "errors": errors,
        "drift_after": {c.check: c.by_kind() for c in after.checks if c.drift} if after is not found else {},
        "passes": 1 if after is found else 2,
        "seconds": round(time.monotonic() - started, 2),
    }


def settings_in(settings_cls: Any, data_dir: Path, **overrides: Any) -> Any:
    from pusip_kit.testing.service import settings_for_test, shared_test_issuer

    return settings_for_test(settings_cls, data_dir, shared_test_issuer(), **overrides)


# -- the scenarios' frame -------------------------------------------------------------------------


class Scenario:
    name = ""
    preload: tuple[str, ...] = ()
    """Modules imported by the driver before it forks anything (no database or file is opened)."""

    def __init__(self) -> None:
        self.counter = multiprocessing.Value("q", 0, lock=False)

    def open(self, base: Path) -> None:
        """Before the setup, in the driver: start what the scenario runs against (a server)."""

    def close(self) -> None:
        """After the last seed, in the driver (also after a failure)."""

    def setup(self, template: Path) -> dict[str, Any]:
        raise NotImplementedError

    def target(self, rng: random.Random, info: dict[str, Any]) -> int:
        raise NotImplementedError

    def work(self, data_dir: Path, info: dict[str, Any], progress: Any) -> Any:
        raise NotImplementedError

    def recover(self, data_dir: Path, info: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def run_seed(self, run_dir: Path, info: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        """The usual run: work (killed at the target), then recover."""
        clock = Clock()
        kill_at = self.target(rng, info)
        jitter = rng.uniform(0.0, 0.02)
        counter = self.counter
        counter.value = 0
        work = in_child(
            lambda: self.work(run_dir, info, counter),
            run_dir / "work.log",
            progress=lambda: int(counter.value),
            kill_at=kill_at,
            jitter=jitter,
        )
        reached = int(counter.value)
        clock.lap("work")
        facts = in_child(lambda: self.recover(run_dir, info), run_dir / "recover.log", timeout=SLOW_TIMEOUT)[
            "result"
        ]
        clock.lap("recover")
        return {
            "phases": clock.laps,
            "kill_at": kill_at,
            "jitter": round(jitter, 4),
            "killed": work["killed"],
            "progress": reached,
            **facts,
        }


def _cpu_of_children() -> float:
    times = os.times()
    return times.children_user + times.children_system


def main() -> None:
    from postgres_scenarios import POSTGRES_SCENARIOS
    from scenarios import SCENARIOS  # tests/faults/scenarios.py, beside this file

    name, data_dir, *seeds = sys.argv[1:]
    scenario: Scenario = {**SCENARIOS, **POSTGRES_SCENARIOS}[name]()
    for module in scenario.preload:
        importlib.import_module(module)
    base = Path(data_dir)
    scenario.open(base)
    try:
        run_seeds(scenario, name, base, seeds)
    finally:
        scenario.close()


def run_seeds(scenario: Scenario, name: str, base: Path, seeds: list[str]) -> None:
    template = base / "template"
    template.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    info = in_child(lambda: scenario.setup(template), base / "setup.log", timeout=SLOW_TIMEOUT)["result"]
    print(
        json.dumps({"scenario": name, "setup_seconds": round(time.monotonic() - started, 2)}),
        file=sys.stderr,
        flush=True,
    )
    for seed_text in seeds:
        seed = int(seed_text)
        run_dir = base / f"seed-{seed}"
        shutil.copytree(template, run_dir)
        started, cpu = time.monotonic(), _cpu_of_children()
        facts = scenario.run_seed(run_dir, info, random.Random(seed))
        line = {
            "scenario": name,
            "seed": seed,
            "seconds": round(time.monotonic() - started, 2),
            "cpu_seconds": round(_cpu_of_children() - cpu, 2),
            **facts,
        }
        print(json.dumps(line, default=str), flush=True)
        if not os.environ.get("PUSIP_FAULT_KEEP"):
            shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
