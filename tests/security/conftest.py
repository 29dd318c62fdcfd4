"""The session's running suite (see :mod:`suite`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .declared import Declared, declared_routes
from .suite import DEMO_USERS, Suite, fetch_token, start_suite, stop_suite, wait_ready


@pytest.fixture(scope="session")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    reuse = os.environ.get("PUSIP_SECURITY_SUITE")
    if reuse:
        data_dir = Path(reuse)
        info = json.loads((data_dir.parent / "suite.json").read_text())
        handle = Suite(data_dir=data_dir, base=int(info["base"]), log=Path(info["log"]))
    else:
        handle = start_suite(tmp_path_factory.mktemp("security"))
    try:
        wait_ready(handle)
        for username in DEMO_USERS:
            handle.tokens[username] = fetch_token(handle.url, username)["access_token"]
        yield handle
    finally:
        stop_suite(handle)


@pytest.fixture(scope="session")
def routes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Declared, ...]:
    """Every service route with its declared requirement (the services' apps, introspected)."""
    found = declared_routes(Path(tmp_path_factory.mktemp("declared")))
    assert len(found) > 300, f"only {len(found)} routes found: the introspection broke"
    return found
