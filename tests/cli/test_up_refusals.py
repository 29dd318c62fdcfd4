"""``pusip up`` refuses clearly instead of starting a second, colliding installation."""

from __future__ import annotations

import socket
from pathlib import Path

from typer.testing import CliRunner

from pusip.cli import _single_instance, app


def test_a_second_up_on_the_same_data_dir_is_refused(runner: CliRunner, data_dir: Path) -> None:
    with _single_instance(data_dir / "run"):
        result = runner.invoke(app, ["up", "--only", "gateway", "--no-workers", "--no-demo"])
    assert result.exit_code == 1
    assert "sudah berjalan" in result.output and "already running" in result.output


def test_a_taken_port_is_refused_before_anything_starts(runner: CliRunner, data_dir: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = runner.invoke(
            app, ["up", "--only", "gateway", "--no-workers", "--no-demo", "--port-base", str(port)]
        )
    assert result.exit_code == 1
    assert f"gateway:{port}" in result.output
    assert "--port-base" in result.output
    assert not (data_dir / "gateway").exists()  # nothing was migrated or started


def test_status_without_a_running_up(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 1
    assert "tidak ada `pusip up`" in result.output
