"""Start a real Celery worker in a subprocess for end-to-end tests (no mocks of the broker).

::

    with celery_worker("myapp.worker", queues=["catalog"], env=env, cwd=tmp_path, beat=True) as worker:
        ...  # worker.log_text() for diagnostics
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Block until the worker logs that it is ready (raises if it exits or times out)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"Celery worker exited early ({self.process.returncode}):\n{self.log_text()[-4000:]}"
                )
            if " ready." in self.log_text():
                return
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"Celery worker not ready after {timeout}s:\n{self.log_text()[-4000:]}")

    def kill(self) -> None:
        """SIGKILL: the worker gets no chance to requeue or acknowledge anything."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_worker(
    app: str,
    *,
    queues: list[str],
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    beat: bool = False,
    pool: str = "threads",
    concurrency: int = 2,
    ready_timeout: float = 90.0,
    wait: bool = True,
    extra_args: list[str] | None = None,
) -> WorkerProcess:
    """``celery -A app worker`` in a subprocess; returns once it logs that it is ready (``wait``)."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        app,
        "worker",
        "-l",
        "INFO",
        "-Q",
        ",".join(queues),
        "-P",
        pool,
        "-c",
        str(concurrency),
        "-n",
        f"{queues[0]}-{os.getpid()}-{time.monotonic_ns()}@%h",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
    ]
    if beat:
        command += ["-B", "-s", str(log_path.with_suffix(".schedule"))]
    command += extra_args or []
    full_env = {**os.environ, **(env or {})}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, stdout=log_file, stderr=subprocess.STDOUT, env=full_env, cwd=cwd
        )
    worker = WorkerProcess(process, log_path)
    if wait:
        worker.wait_ready(ready_timeout)
    return worker


def stop_workers(workers: list[WorkerProcess], timeout: float = 10.0) -> None:
    """Stop several workers at once (SIGTERM to all, then wait), faster than one by one."""
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.stop(timeout)


@contextmanager
def celery_worker(
    app: str, *, queues: list[str], log_path: Path, **kwargs: object
) -> Iterator[WorkerProcess]:
    worker = start_worker(app, queues=queues, log_path=log_path, **kwargs)  # type: ignore[arg-type]
    try:
        yield worker
    finally:
        worker.stop()
