"""``pusip up`` as a real process for the end-to-end and security tiers.

Free ports below the ephemeral range, a clean environment (no ``PUSIP_*`` of the developer's own),
the process in its own session with its output in a log, readiness (the banner line and a URL
answering 200), and a stop that leaves nothing of the run behind. Plus the headless Chromium setup
every portal test launches.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
import pytest

READY_LINE = "Pusip siap / Pusip is ready"
READY_TIMEOUT = 420.0  # shared CI machines can be slow to start the suite
STOP_TIMEOUT = 60.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (make system-deps)")


def corpus_dir(repo: Path, required: str = "seeds") -> Path:
    """The shared corpus (``PUSIP_CORPUS_DIR``, else beside the checkout); fails without ``required``."""
    configured = os.environ.get("PUSIP_CORPUS_DIR")
    path = Path(configured) if configured else repo.parent / "shared" / "corpus"
    if not (path / required).exists():
        pytest.fail(f"the shared corpus is missing at {path} (set PUSIP_CORPUS_DIR)")
    return path


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_base(count: int = 6) -> int:
    """``count`` free ports below the ephemeral range (an outgoing connection could take those)."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    rng = random.Random()
    for _ in range(500):
        base = rng.randrange(10_000, min(low, 32_000) - 10, 10)
        if all(port_free(p) for p in range(base, base + count)):
            return base
    raise RuntimeError(f"no free block of {count} ports")


def environment(data_dir: Path, base: int, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any ``PUSIP_*`` setting, for an embedded suite."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUSIP_")}
    env |= {
        "PUSIP_DATA_DIR": str(data_dir),
        "PUSIP_PORT_BASE": str(base),
        "PUSIP_MODE": "embedded",
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "200",
    }
    return env | dict(extra or {})


def start(
    root: Path,
    log: Path,
    env: Mapping[str, str],
    *,
    only: str | None = None,
    args: Iterable[str] = (),
    ready_timeout: float = READY_TIMEOUT,
) -> subprocess.Popen[bytes]:
    """``python -m pusip up`` in its own session, its output in ``log``."""
    argv = [sys.executable, "-m", "pusip", "up", *(["--only", only] if only else []), *args]
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [*argv, "--ready-timeout", str(ready_timeout)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=root,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes], data_dir: Path, timeout: float = STOP_TIMEOUT) -> None:
    """SIGINT, then SIGKILL to the run's process groups: only what this run started."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
    pids: set[int] = set()
    for pid_file in (data_dir / "run").glob("*.pid"):
        with contextlib.suppress(OSError, ValueError):
            pids.add(int(pid_file.read_text().strip()))
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


class Running(Protocol):
    @property
    def url(self) -> str: ...

    @property
    def process(self) -> subprocess.Popen[bytes] | None: ...

    def tail(self, lines: int = 80) -> str: ...


@dataclass
class Up:
    """A started ``pusip up``: its process, data directory, port base and log."""

    process: subprocess.Popen[bytes]
    data_dir: Path
    base: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.base}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def tail(self, lines: int = 80) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def stop(self) -> None:
        stop(self.process, self.data_dir)


U = TypeVar("U", bound=Up)


def launch(
    root: Path,
    *,
    only: str | None = None,
    args: Iterable[str] = (),
    env: Mapping[str, str] | None = None,
    base: int | None = None,
    ready_timeout: float = READY_TIMEOUT,
    cls: type[U] = Up,  # type: ignore[assignment]
    fields: Mapping[str, Any] | None = None,
) -> U:
    """Start ``pusip up`` (``--only`` the given services, more ``args``) in ``root``, data in
    ``root/var``; ``env`` adds to the clean environment, ``cls`` and ``fields`` make a richer handle."""
    data_dir, log = root / "var", root / "up.log"
    base = free_port_base() if base is None else base
    process = start(
        root,
        log,
        environment(data_dir, base, env),
        only=only,
        args=[*args, "--port-base", str(base)],
        ready_timeout=ready_timeout,
    )
    return cls(process=process, data_dir=data_dir, base=base, log=log, **dict(fields or {}))


def wait_for(
    up: Running,
    check: Callable[[httpx.Client], Any],
    timeout: float,
    what: str,
    *,
    interval: float = 0.5,
    client_timeout: float = 10,
) -> Any:
    """Call ``check`` with a client on the suite until it returns something true; fail on exit or timeout."""
    deadline = time.monotonic() + timeout
    last: Any = None
    with httpx.Client(base_url=up.url, timeout=client_timeout) as client:
        while time.monotonic() < deadline:
            if up.process is not None and up.process.poll() is not None:
                pytest.fail(f"`pusip up` exited ({up.process.returncode}):\n{up.tail()}")
            with contextlib.suppress(httpx.HTTPError, OSError, ValueError, KeyError):
                last = check(client)
                if last:
                    return last
            time.sleep(interval)
    pytest.fail(f"{what} not seen within {timeout:.0f} s (last: {last!r}):\n{up.tail()}")


def wait_ready(up: Up, path: str, timeout: float = READY_TIMEOUT, **options: float) -> None:
    """The banner line in the log and ``path`` answering 200."""
    wait_for(
        up,
        lambda c: READY_LINE in up.output() and c.get(path).status_code == 200,
        timeout,
        f"`pusip up` ready ({path})",
        **options,
    )


@contextlib.contextmanager
def running(root: Path, ready: str, **options: Any) -> Iterator[Up]:
    """:func:`launch`, wait until ``ready`` answers, and stop at the end whatever happened."""
    up = launch(root, **options)
    try:
        wait_ready(up, ready)
        yield up
    finally:
        up.stop()
