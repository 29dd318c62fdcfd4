"""The database pool is a setting of every service: per service, suite-wide, or the engine's defaults."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from pusip_kit.config import ServiceSettings
from pusip_kit.db.engine import Database

POSTGRES = "postgresql+psycopg://pusip:pusip@127.0.0.1:1/pusip_pooled"  # never connected to


class PooledSettings(ServiceSettings):
    service_name: ClassVar[str] = "pooled"
    model_config = SettingsConfigDict(env_prefix="PUSIP_POOLED_", extra="ignore")


def _pool(database: Database) -> tuple[int, int, float]:
    pool = database.engine.pool
    return pool.size(), pool._max_overflow, pool._timeout  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for prefix in ("PUSIP_", "PUSIP_POOLED_"):
        for name in ("DATABASE_POOL_SIZE", "DATABASE_MAX_OVERFLOW", "DATABASE_POOL_TIMEOUT"):
            monkeypatch.delenv(prefix + name, raising=False)


def test_unset_keeps_the_engines_defaults(tmp_path: Path) -> None:
    settings = PooledSettings(data_dir=tmp_path)
    assert (settings.database_pool_size, settings.database_max_overflow, settings.database_pool_timeout) == (
        None,
        None,
        None,
    )
    assert _pool(Database.from_settings(settings.model_copy(update={"database_url": POSTGRES}))) == (
        10,
        10,
        30,
    )
    assert _pool(Database.from_settings(settings)) == (5, 10, 30)  # a SQLite file: SQLAlchemy's own


async def test_service_variables_win_over_suite_wide_ones(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PUSIP_DATABASE_POOL_SIZE", "20")
    monkeypatch.setenv("PUSIP_DATABASE_POOL_TIMEOUT", "4.5")
    monkeypatch.setenv("PUSIP_POOLED_DATABASE_POOL_SIZE", "3")
    monkeypatch.setenv("PUSIP_POOLED_DATABASE_MAX_OVERFLOW", "0")
    settings = PooledSettings(data_dir=tmp_path, database_url=POSTGRES)
    assert (settings.database_pool_size, settings.database_max_overflow, settings.database_pool_timeout) == (
        3,
        0,
        4.5,
    )
    database = Database.from_settings(settings)
    assert _pool(database) == (3, 0, 4.5)
    await database.dispose()
    # a pool size alone: as many overflow connections on PostgreSQL, as before it was a setting
    monkeypatch.delenv("PUSIP_POOLED_DATABASE_MAX_OVERFLOW")
    assert _pool(Database.from_settings(PooledSettings(data_dir=tmp_path, database_url=POSTGRES))) == (
        3,
        3,
        4.5,
    )
    sqlite = Database.from_settings(PooledSettings(data_dir=tmp_path))
    assert _pool(sqlite) == (3, 10, 4.5)
    await sqlite.dispose()


def test_an_in_memory_database_takes_no_pool_arguments(tmp_path: Path) -> None:
    settings = PooledSettings(
        data_dir=tmp_path,
        database_url="sqlite+aiosqlite:///:memory:",
        database_pool_size=2,
        database_max_overflow=0,
    )
    assert Database.from_settings(settings).engine.pool.__class__.__name__ == "StaticPool"


@pytest.mark.parametrize("field", ["database_pool_size", "database_pool_timeout"])
def test_a_pool_of_nothing_is_refused(tmp_path: Path, field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        PooledSettings(data_dir=tmp_path, **{field: 0})
