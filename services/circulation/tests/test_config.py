"""Circulation's database pool comes from its settings (``PUSIP_CIRCULATION_DATABASE_POOL_*``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from circulation.main import create_app
from pusip_kit.testing.service import run_service

from .conftest import circulation_settings


async def test_the_running_service_uses_the_pool_its_environment_asks_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, migrated_template: Path
) -> None:
    monkeypatch.setenv("PUSIP_CIRCULATION_DATABASE_POOL_SIZE", "3")
    monkeypatch.setenv("PUSIP_CIRCULATION_DATABASE_MAX_OVERFLOW", "1")
    monkeypatch.setenv("PUSIP_CIRCULATION_DATABASE_POOL_TIMEOUT", "2.5")
    target = tmp_path / "circulation" / "circulation.db"
    target.parent.mkdir(parents=True)
    shutil.copyfile(migrated_template, target)
    async with run_service(create_app, circulation_settings(tmp_path)) as service:
        pool = service.app.state.database.engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout) == (3, 1, 2.5)
        assert (await service.get("/patron-categories")).status_code == 200
