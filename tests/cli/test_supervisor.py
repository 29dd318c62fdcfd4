"""The process supervisor behind ``pusip up``, with small stand-in children (fast, no services)."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from pusip.logfmt import format_line
from pusip.supervisor import ChildSpec, Supervisor, group_members

SLEEPER = "import time; print('mulai / started', flush=True); time.sleep(120)"


def _supervisor(tmp_path: Path, *specs: ChildSpec, **kwargs: Any) -> tuple[Supervisor, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, width=200, highlight=False, soft_wrap=True)
    sup = Supervisor(specs, run_dir=tmp_path / "run", console=console, **kwargs)
    return sup, out


def _pid(tmp_path: Path, name: str) -> int | None:
    try:
        return int((tmp_path / "run" / f"{name}.pid").read_text())
    except (OSError, ValueError):
        return None


async def _until(check: Callable[[], Any], within: float = 15.0) -> Any:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {within} s")


async def test_a_killed_child_is_restarted_and_stop_ends_everything(tmp_path: Path) -> None:
    sup, out = _supervisor(tmp_path, ChildSpec("svc", [sys.executable, "-c", SLEEPER], kind="worker"))
    run = asyncio.create_task(sup.run())
    first = await _until(lambda: _pid(tmp_path, "svc"))
    assert isinstance(first, int)
    await _until(lambda: "mulai / started" in out.getvalue())
    os.kill(first, signal.SIGKILL)
    second = await _until(lambda: (p := _pid(tmp_path, "svc")) and p != first and p)
    assert "kode keluar -9" in out.getvalue()
    await _until(lambda: "dimulai ulang / restarted" in out.getvalue())
    status = json.loads((tmp_path / "run" / "up.json").read_text())
    assert status["children"]["svc"]["restarts"] == 1
    assert status["children"]["svc"]["pid"] == second

    sup.request_stop(signal.SIGINT)
    assert await asyncio.wait_for(run, 30) == 0
    assert not group_members(second)
    assert not (tmp_path / "run" / "svc.pid").exists()


async def test_a_grandchild_holding_the_pipe_does_not_hide_the_death(tmp_path: Path) -> None:
    """Like a Celery worker whose embedded beat process inherited stdout."""
    script = (
        "import subprocess, sys, time\n"
        "g = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        "print('grandchild', g.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    sup, out = _supervisor(tmp_path, ChildSpec("worker", [sys.executable, "-c", script], kind="worker"))
    run = asyncio.create_task(sup.run())
    first = await _until(lambda: _pid(tmp_path, "worker"))
    await _until(lambda: "grandchild" in out.getvalue())
    grandchild = int(out.getvalue().split("grandchild", 1)[1].split()[0])
    os.kill(first, signal.SIGKILL)
    await _until(lambda: "kode keluar -9" in out.getvalue(), within=5)
    await _until(lambda: not group_members(first), within=5)
    assert grandchild not in group_members(first)
    sup.request_stop()
    assert await asyncio.wait_for(run, 30) == 0


async def test_a_child_ignoring_sigterm_is_killed_after_the_grace_period(tmp_path: Path) -> None:
    stubborn = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('keras kepala', flush=True); time.sleep(120)"
    )
    sup, out = _supervisor(
        tmp_path, ChildSpec("stubborn", [sys.executable, "-c", stubborn], kind="worker"), stop_timeout=1.0
    )
    run = asyncio.create_task(sup.run())
    pid = await _until(lambda: _pid(tmp_path, "stubborn"))
    await _until(lambda: "keras kepala" in out.getvalue())
    started = time.monotonic()
    sup.request_stop(signal.SIGTERM)
    assert await asyncio.wait_for(run, 30) == 0
    assert time.monotonic() - started < 10
    assert "dibunuh / killed" in out.getvalue() or "killed" in out.getvalue()
    assert not group_members(pid)


async def test_quick_failures_back_off(tmp_path: Path) -> None:
    sup, out = _supervisor(tmp_path, ChildSpec("crash", [sys.executable, "-c", "raise SystemExit(3)"]))
    run = asyncio.create_task(sup.run())
    await _until(lambda: "dalam 2.0 dtk" in out.getvalue(), within=20)
    text = out.getvalue()
    assert text.index("dalam 0.5 dtk") < text.index("dalam 1.0 dtk") < text.index("dalam 2.0 dtk")
    assert "kode keluar 3" in text
    sup.request_stop()
    assert await asyncio.wait_for(run, 30) == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_ready_when_every_web_child_answers(tmp_path: Path) -> None:
    www = tmp_path / "www"
    www.mkdir()
    (www / "readyz").write_text("ok")
    port = _free_port()
    spec = ChildSpec(
        "web",
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(www)],
        port=port,
    )
    calls: list[float] = []
    sup, out = _supervisor(tmp_path, spec, on_ready=lambda: calls.append(time.monotonic()))
    run = asyncio.create_task(sup.run())
    await _until(lambda: calls, within=20)
    assert f"web siap / ready (http://127.0.0.1:{port})" in out.getvalue()
    assert json.loads((tmp_path / "run" / "up.json").read_text())["children"]["web"]["ready"] is True
    sup.request_stop()
    assert await asyncio.wait_for(run, 30) == 0
    assert len(calls) == 1


async def test_a_failing_step_reports_its_exit_code(tmp_path: Path) -> None:
    sup, out = _supervisor(tmp_path)
    code = await sup.run_step(
        "migrate", [sys.executable, "-c", "print('langkah / step'); raise SystemExit(4)"]
    )
    assert code == 4
    assert "migrate │ langkah / step" in out.getvalue()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            json.dumps(
                {
                    "time": "2024-05-01 10:00:00,123",
                    "level": "INFO",
                    "logger": "uvicorn.error",
                    "message": "Application startup complete.",
                    "service": "catalog",
                    "request_id": None,
                }
            ),
            "10:00:00 INFO  uvicorn.error  Application startup complete.",
        ),
        (
            json.dumps(
                {
                    "time": "2024-05-01 10:00:01,000",
                    "level": "WARNING",
                    "logger": "pusip_kit.outbox.relay",
                    "message": "outbox relay",
                    "service": "catalog",
                    "request_id": "abcdef0123456789",
                    "sent": 3,
                }
            ),
            "10:00:01 WARNING pusip_kit.outbox.relay  outbox relay  sent=3  [abcdef012345]",
        ),
        (
            "[2024-05-01 10:00:00,000: INFO/MainProcess] celery plain",
            "[2024-05-01 10:00:00,000: INFO/MainProcess] celery plain",
        ),
        ("{not json", "{not json"),
    ],
)
def test_log_lines_become_one_readable_line(line: str, expected: str) -> None:
    assert format_line(line + "\n").plain == expected


def test_a_traceback_in_a_json_record_follows_on_its_own_lines() -> None:
    record = {
        "time": "2024-05-01 10:00:00,000",
        "level": "ERROR",
        "logger": "x",
        "message": "boom",
        "exc_info": "Traceback (most recent call last):\n  ValueError: boom",
    }
    text = format_line(json.dumps(record)).plain
    assert text.splitlines()[0] == "10:00:00 ERROR x  boom"
    assert text.splitlines()[-1] == "  ValueError: boom"
