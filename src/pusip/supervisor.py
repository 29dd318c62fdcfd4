"""``pusip up``: run the suite's processes as children, show their logs, keep them alive.

Each child runs in its own process group, so a terminal's Ctrl-C reaches only this supervisor,
which then stops every child in order: SIGTERM to the child's whole group (a Celery worker's
embedded beat process included), a grace period, then SIGKILL. A child that dies on its own is
started again after a backoff that doubles on every quick failure (0.5 s … 30 s) and resets once
the child has stayed up for a minute. On Linux every child also asks the kernel to send it
SIGTERM should the supervisor itself die (``PR_SET_PDEATHSIG``), so nothing is left orphaned.

The supervisor writes what it runs under ``<data_dir>/run/``: ``up.pid`` (itself), ``<name>.pid``
per child (``catalog.pid``, ``catalog-worker.pid`` …) and ``up.json`` (pids, ports, restarts,
readiness), which ``pusip status`` and the end-to-end tests read.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.text import Text

from pusip.logfmt import format_line, prefixed

STOP_TIMEOUT_SECONDS = 20.0
BACKOFF_START_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 30.0
STABLE_AFTER_SECONDS = 60.0
READY_POLL_SECONDS = 0.5
HEALTH_POLL_SECONDS = 2.0
LINE_LIMIT = 1 << 20
EXIT_POLL_SECONDS = 0.1
SUPERVISOR_PREFIX = "pusip"
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ChildSpec:
    """One supervised process."""

    name: str
    argv: Sequence[str]
    style: str = ""
    port: int | None = None  # polled at ``ready_path`` when set
    ready_path: str = "/readyz"
    component: str = ""
    kind: str = "web"  # web | worker


@dataclass
class ChildState:
    spec: ChildSpec
    process: asyncio.subprocess.Process | None = None
    started_at: float = 0.0
    restarts: int = 0
    quick_failures: int = 0
    ready: bool = False
    last_exit: int | None = None
    pumps: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None


def _child_setup(parent_pid: int) -> Callable[[], None]:
    """Runs in the child between fork and exec: die with the supervisor (Linux)."""

    def setup() -> None:
        if sys.platform.startswith("linux"):
            with contextlib.suppress(OSError, AttributeError):
                libc = ctypes.CDLL(None, use_errno=True)
                libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent_pid:  # the supervisor died before prctl took effect
            os._exit(1)

    return setup


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group; on Linux read from ``/proc``."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return []
        except PermissionError:
            pass
        return [pgid]
    members = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state not in ("Z", "X"):
            members.append(int(entry.name))
    return members


async def wait_exit(process: asyncio.subprocess.Process, within: float | None = None) -> int | None:
    """The exit code as soon as the process has exited (``None`` on timeout).

    Not ``process.wait()``: on Python 3.11 it returns only once every pipe is closed, and a
    grandchild that inherited stdout (a Celery worker's embedded beat) keeps it open after the
    child itself died.
    """
    deadline = None if within is None else time.monotonic() + within
    while process.returncode is None:
        if deadline is not None and time.monotonic() >= deadline:
            return None
        await asyncio.sleep(EXIT_POLL_SECONDS)
    return process.returncode


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


class Supervisor:
    def __init__(
        self,
        specs: Sequence[ChildSpec],
        *,
        run_dir: Path,
        console: Console,
        env: dict[str, str] | None = None,
        stop_timeout: float = STOP_TIMEOUT_SECONDS,
        ready_timeout: float = 180.0,
        on_ready: Callable[[], None] | None = None,
        status_extra: dict[str, Any] | None = None,
    ) -> None:
        self.states = [ChildState(spec) for spec in specs]
        self.run_dir = run_dir
        self.console = console
        self.env = dict(os.environ if env is None else env)
        self.env.setdefault("PYTHONUNBUFFERED", "1")
        self.stop_timeout = stop_timeout
        self.ready_timeout = ready_timeout
        self.on_ready = on_ready
        self.status_extra = dict(status_extra or {})
        self.width = max([len(SUPERVISOR_PREFIX), *(len(s.name) for s in specs)])
        self.stopping = False
        self.signals_received = 0
        self._stop = asyncio.Event()
        self._started = time.time()

    # -- output -----------------------------------------------------------------------------

    def say(self, message: str, *, style: str = "") -> None:
        """A line from the supervisor itself."""
        self.console.print(prefixed(SUPERVISOR_PREFIX, self.width, "bold", Text(message, style=style)))

    def _emit(self, spec: ChildSpec, line: str) -> None:
        self.console.print(prefixed(spec.name, self.width, spec.style, format_line(line)))

    async def _pump(self, spec: ChildSpec, stream: asyncio.StreamReader) -> None:
        while True:
            try:
                raw = await stream.readline()
            except ValueError:  # a line longer than the limit: show it in pieces
                raw = await stream.read(LINE_LIMIT)
            if not raw:
                return
            if raw.strip():
                self._emit(spec, raw.decode("utf-8", errors="replace"))

    # -- run files --------------------------------------------------------------------------

    def _pid_file(self, spec: ChildSpec) -> Path:
        return self.run_dir / f"{spec.name}.pid"

    def write_status(self) -> None:
        status = {
            "pid": os.getpid(),
            "started_at": self._started,
            "stopping": self.stopping,
            **self.status_extra,
            "children": {
                s.spec.name: {
                    "pid": s.pid if s.alive else None,
                    "component": s.spec.component,
                    "kind": s.spec.kind,
                    "port": s.spec.port,
                    "restarts": s.restarts,
                    "ready": s.ready,
                    "last_exit": s.last_exit,
                }
                for s in self.states
            },
        }
        with contextlib.suppress(OSError):
            _write_atomic(self.run_dir / "up.json", json.dumps(status, indent=2))

    # -- one-shot steps (migrate, demo data) ------------------------------------------------

    async def run_step(self, name: str, argv: Sequence[str], *, style: str = "bold") -> int:
        """Run a command to completion with prefixed output; returns its exit code."""
        spec = ChildSpec(name=name, argv=argv, style=style, kind="step")
        self.width = max(self.width, len(name))
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=self.env,
            limit=LINE_LIMIT,
            process_group=0,
            preexec_fn=_child_setup(os.getpid()),
        )
        assert process.stdout is not None
        pump = asyncio.create_task(self._pump(spec, process.stdout))
        waiter = asyncio.create_task(wait_exit(process))
        stopper = asyncio.create_task(self._stop.wait())
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if not waiter.done():
            self._signal_group(process.pid, signal.SIGTERM)
            if await wait_exit(process, self.stop_timeout) is None:
                self._signal_group(process.pid, signal.SIGKILL)
        stopper.cancel()
        code = await waiter
        self._signal_group(process.pid, signal.SIGKILL)  # anything it left behind
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(pump, 5)
        return code if code is not None else 1

    # -- children ---------------------------------------------------------------------------

    @staticmethod
    def _signal_group(pid: int | None, sig: int) -> None:
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)

    async def _spawn(self, state: ChildState) -> None:
        spec = state.spec
        process = await asyncio.create_subprocess_exec(
            *spec.argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=self.env,
            limit=LINE_LIMIT,
            process_group=0,
            preexec_fn=_child_setup(os.getpid()),
        )
        state.process = process
        state.started_at = time.monotonic()
        state.ready = False
        assert process.stdout is not None
        state.pumps = [asyncio.create_task(self._pump(spec, process.stdout))]
        with contextlib.suppress(OSError):
            _write_atomic(self._pid_file(spec), f"{process.pid}\n")
        self.write_status()

    async def _keep(self, state: ChildState) -> None:
        """Start a child and restart it whenever it dies, until the supervisor stops."""
        spec = state.spec
        while not self.stopping:
            try:
                await self._spawn(state)
            except OSError as exc:
                self.say(f"{spec.name} gagal dijalankan / failed to start: {exc}", style="bold red")
                code: int | None = None
            else:
                if self.stopping:  # stop arrived while it was being started
                    self._signal_group(state.pid, signal.SIGTERM)
                if state.restarts:
                    self.say(
                        f"{spec.name} dimulai ulang / restarted (pid {state.pid}, ke-/#{state.restarts})",
                        style="yellow",
                    )
                assert state.process is not None
                code = await wait_exit(state.process)
                if not self.stopping:
                    # Whatever the dead child left in its group (an embedded beat, say) goes too.
                    self._signal_group(state.pid, signal.SIGKILL)
                for pump in state.pumps:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(pump, 5)
            state.last_exit = code
            state.ready = False
            with contextlib.suppress(OSError):
                self._pid_file(spec).unlink(missing_ok=True)
            if self.stopping:
                break
            if time.monotonic() - state.started_at >= STABLE_AFTER_SECONDS:
                state.quick_failures = 0
            delay = min(BACKOFF_MAX_SECONDS, BACKOFF_START_SECONDS * 2**state.quick_failures)
            state.quick_failures += 1
            self.say(
                f"{spec.name} berhenti (kode keluar {code}); dimulai ulang dalam {delay:.1f} dtk / "
                f"exited (code {code}); restarting in {delay:.1f} s",
                style="bold yellow",
            )
            self.write_status()
            try:
                await asyncio.wait_for(self._stop.wait(), delay)
                break
            except TimeoutError:
                state.restarts += 1
        self.write_status()

    async def _watch_readiness(self) -> None:
        web = [s for s in self.states if s.spec.port]
        announced = not web
        warned = False
        if announced and self.on_ready:
            self.on_ready()
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=2.0) as client:
            while not self.stopping:
                changed = False
                for state in web:
                    ok = False
                    if state.alive:
                        try:
                            response = await client.get(
                                f"http://127.0.0.1:{state.spec.port}{state.spec.ready_path}"
                            )
                            ok = response.status_code == 200
                        except httpx.HTTPError:
                            ok = False
                    if ok != state.ready:
                        changed = True
                        state.ready = ok
                        if ok:
                            self.say(
                                f"{state.spec.name} siap / ready"
                                + (" kembali / again" if announced else "")
                                + f" (http://127.0.0.1:{state.spec.port})",
                                style="green",
                            )
                        elif state.alive:
                            self.say(f"{state.spec.name} tidak siap / not ready", style="yellow")
                if changed:
                    self.write_status()
                if not announced and all(s.ready for s in web):
                    announced = True
                    if self.on_ready:
                        self.on_ready()
                if not announced and not warned and time.monotonic() - started > self.ready_timeout:
                    warned = True
                    waiting = ", ".join(s.spec.name for s in web if not s.ready)
                    self.say(
                        f"belum siap setelah {self.ready_timeout:.0f} dtk / not ready after "
                        f"{self.ready_timeout:.0f} s: {waiting}",
                        style="bold red",
                    )
                interval = (
                    HEALTH_POLL_SECONDS if announced and all(s.ready for s in web) else READY_POLL_SECONDS
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), interval)

    # -- stop -------------------------------------------------------------------------------

    def request_stop(self, signum: int | None = None) -> None:
        self.signals_received += 1
        if self.signals_received == 1:
            name = signal.Signals(signum).name if signum else "stop"
            self.say(f"{name}: menghentikan semua proses / stopping all processes …", style="bold")
            self.stopping = True
            self._stop.set()
        else:
            self.say("dihentikan paksa / killing now", style="bold red")
            for state in self.states:
                if state.alive:
                    self._signal_group(state.pid, signal.SIGKILL)

    def install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, self.request_stop, sig)

    async def _stop_children(self) -> None:
        alive = [s for s in self.states if s.alive]
        # Every group at once: SIGTERM, then SIGKILL for whatever outlives the grace period.
        for state in alive:
            self._signal_group(state.pid, signal.SIGTERM)
        waits = {asyncio.ensure_future(wait_exit(s.process)): s for s in alive if s.process is not None}
        if waits:
            _, pending = await asyncio.wait(waits, timeout=self.stop_timeout)
            for future in pending:
                state = waits[future]
                self.say(
                    f"{state.spec.name} tidak berhenti dalam {self.stop_timeout:.0f} dtk, dibunuh / "
                    f"did not stop within {self.stop_timeout:.0f} s, killed",
                    style="bold red",
                )
                self._signal_group(state.pid, signal.SIGKILL)
            if pending:
                await asyncio.wait(pending, timeout=10)
        # Leftovers of each group (a worker's embedded beat outlives its parent for a moment).
        groups = [s.pid for s in self.states if s.pid is not None]
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            remaining = [g for g in groups if group_members(g)]
            if not remaining:
                break
            for pgid in remaining:
                self._signal_group(pgid, signal.SIGKILL)
            await asyncio.sleep(0.1)

    # -- main -------------------------------------------------------------------------------

    async def run(self) -> int:
        """Supervise until stopped; returns the exit code (0 after a clean stop)."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        keepers = [asyncio.create_task(self._keep(s)) for s in self.states]
        watcher = asyncio.create_task(self._watch_readiness())
        await self._stop.wait()
        self.write_status()
        await self._stop_children()
        for task in [*keepers, watcher]:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(task, 15)
        self.write_status()
        return 0
