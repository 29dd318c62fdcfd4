"""The ``pusip`` command line, in-process (typer's CliRunner), on a temporary data directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.fixture(autouse=True)
def _restore_environment() -> Iterator[None]:
    """``--data-dir`` / ``--port-base`` write to ``os.environ`` (children inherit it): undo after each test."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "var"
    monkeypatch.setenv("PUSIP_DATA_DIR", str(root))
    monkeypatch.setenv("PUSIP_MODE", "embedded")
    monkeypatch.setenv("PUSIP_ENVIRONMENT", "test")
    for name in ("PUSIP_PORT_BASE", "PUSIP_OIDC_ISSUER", "PUSIP_GATEWAY_URL", "PUSIP_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    return root


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
