"""A PostgreSQL server of a test's own: ``initdb`` into a temporary directory, ``pg_ctl`` on a free
port, with the Debian binaries ``infra/dev/services.sh`` uses. A test may SIGKILL it (postmaster and
backends at once, as a power cut leaves them) and start it again on the same data directory, which
runs PostgreSQL's crash recovery; the shared dev server (``make services-up``) is never touched.

::

    with ScratchPostgres() as server:
        server.create_database("work")
        url = server.url("work")          # postgresql+psycopg://…
        server.kill()                     # kill -9, every process of the server
        seconds = server.start()          # crash recovery; returns when it accepts connections

Run as root, the server runs as the ``pusip`` service user (as ``services.sh`` does), because
``initdb`` refuses root. The settings are PostgreSQL's durable defaults (``fsync``, synchronous
commit), not the dev server's ``synchronous_commit = off``: a commit acknowledged before the kill
must survive it.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from pusip_kit.processes import pid_alive

PG_MAJOR = os.environ.get("PUSIP_PG_MAJOR", "15")
PG_BIN = Path(os.environ.get("PUSIP_PG_BIN", f"/usr/lib/postgresql/{PG_MAJOR}/bin"))
SERVICE_USER = "pusip"  # the unprivileged user services.sh runs its servers as
USER = "pusip"
PASSWORD = "pusip"  # noqa: S105 - a throwaway server on 127.0.0.1
HOST = "127.0.0.1"
START_TIMEOUT = 120


class ScratchPostgres:
    """One disposable PostgreSQL server (see the module's docstring)."""

    def __init__(self, *, port: int | None = None, synchronous_commit: bool = True) -> None:
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError(
                f"{PG_BIN}/initdb is missing: apt-get install postgresql-{PG_MAJOR} "
                "(or `bash infra/dev/services.sh up postgres`, which installs it)"
            )
        # /tmp, not a pytest tmp_path: the server's user must reach it (pytest's are 0700 root's)
        self.root = Path(tempfile.mkdtemp(prefix="pusip-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = port or _free_port()
        self.synchronous_commit = synchronous_commit
        self._as_user = os.geteuid() == 0
        if self._as_user:
            entry = pwd.getpwnam(SERVICE_USER)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._initdb()

    # -- lifecycle --------------------------------------------------------------------------------

    def _run(self, *argv: str, timeout: float = START_TIMEOUT) -> subprocess.CompletedProcess[bytes]:
        prefix = (
            ["setpriv", f"--reuid={SERVICE_USER}", f"--regid={SERVICE_USER}", "--init-groups", "--"]
            if self._as_user
            else []
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")} | {"LC_ALL": "C.UTF-8"}
        return subprocess.run(  # noqa: S603 - fixed binaries, our own arguments
            [*prefix, *argv], capture_output=True, timeout=timeout, env=env, check=False
        )

    def _initdb(self) -> None:
        pwfile = self.root / ".pwfile"
        pwfile.write_text(PASSWORD + "\n")
        if self._as_user:
            entry = pwd.getpwnam(SERVICE_USER)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        done = self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            USER,
            f"--pwfile={pwfile}",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--no-sync",  # the cluster is new and disposable; its later commits are synced as usual
        )
        pwfile.unlink()
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stdout.decode()[-2000:]}{done.stderr.decode()[-2000:]}")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '{HOST}'\nport = {self.port}\nunix_socket_directories = '{self.root}'\n"
                "max_connections = 100\nshared_buffers = 32MB\n"
                f"synchronous_commit = {'on' if self.synchronous_commit else 'off'}\n"
                "fsync = on\nlog_min_messages = warning\n"
            )

    def start(self) -> float:
        """Start (after a kill: crash recovery); seconds until it accepts connections."""
        started = time.monotonic()
        self._clear_stale_lock()
        done = self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            str(START_TIMEOUT),
            "start",
        )
        if done.returncode:
            raise RuntimeError(
                f"pg_ctl start failed: {done.stdout.decode()}{done.stderr.decode()}\n{self.log_tail()}"
            )
        return time.monotonic() - started

    def _clear_stale_lock(self) -> None:
        """After a kill the postmaster may linger as a zombie until its parent (init) reaps it, and
        PostgreSQL takes a zombie's pid for a running server: drop the lock file of a server that is
        certainly dead, as PostgreSQL itself does when the pid is gone."""
        pid = self.postmaster_pid()
        if pid is not None and not pid_alive(pid):
            (self.data / "postmaster.pid").unlink(missing_ok=True)
            (self.root / f".s.PGSQL.{self.port}.lock").unlink(missing_ok=True)

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (FileNotFoundError, ValueError):
            return None

    def pids(self) -> list[int]:
        """The postmaster and every process it started (backends, checkpointer, WAL writer …)."""
        root = self.postmaster_pid()
        if root is None or not pid_alive(root):
            return []
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, ValueError, IndexError):
                    # the parent's pid is the second field after the ")" closing the command name
                    parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        return [root, *(pid for pid, parent in parents.items() if parent == root)]

    def kill(self) -> int:
        """SIGKILL the whole server at once; returns how many processes were killed.

        ``pg_ctl`` starts the postmaster in a session of its own, so one ``killpg`` reaches every
        process of the server in the same instant; any stray child is killed after it."""
        pids = self.pids()
        if not pids:
            return 0
        with contextlib.suppress(ProcessLookupError):
            os.killpg(os.getpgid(pids[0]), signal.SIGKILL)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any(pid_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.01)
        return len(pids)

    def stop(self) -> None:
        if self.postmaster_pid() is not None and self.pids():
            self._run(
                str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=60
            )
        self.kill()  # whatever did not stop

    def cleanup(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.cleanup()

    # -- use --------------------------------------------------------------------------------------

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}:{PASSWORD}@{HOST}:{self.port}/{database}"

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """``CREATE DATABASE`` (a copy of ``template`` if given, which must have no sessions); its URL.

        A copy is made with ``STRATEGY FILE_COPY`` (checkpoints around the copy), not PostgreSQL 15's
        default ``WAL_LOG``: a sequence copied that way keeps the template's logged-ahead values as if
        they were its own, so after a crash it goes back and hands out numbers already committed
        (a duplicate key on the outbox's ``seq``), which no database created otherwise does.
        """
        import psycopg

        statement = f'CREATE DATABASE "{name}"'
        if template:
            statement += f' TEMPLATE "{template}" STRATEGY FILE_COPY'
        with psycopg.connect(
            host=HOST, port=self.port, user=USER, password=PASSWORD, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(statement.encode())
        return self.url(name)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""


def _free_port() -> int:
    from pusip_kit.testing.suite import free_port_base

    return free_port_base(1)
