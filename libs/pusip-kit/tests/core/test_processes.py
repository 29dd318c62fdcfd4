"""``pid_alive``: running, exited and reaped, exited but not yet reaped (a zombie)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from pusip_kit.processes import pid_alive


def test_running_reaped_and_zombie() -> None:
    assert pid_alive(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    while pid_alive(child.pid) and time.monotonic() < deadline:  # exited, not reaped: a zombie
        time.sleep(0.02)
    assert not pid_alive(child.pid)
    assert os.path.exists(f"/proc/{child.pid}")  # still in the process table, as a zombie
    child.wait()
    assert not pid_alive(child.pid)
