"""The deposit service under test: a fresh database per test, copied from one migrated template.

Running the migrations takes about two seconds; copying the migrated file takes milliseconds. The
application still runs its own migrations at start-up (a no-op at head), so a test sees exactly
what production would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from deposit.config import DepositSettings
from deposit.main import MIGRATIONS_DIR, create_app
from pusip_kit.db.migrate import upgrade
from pusip_kit.testing.service import ServiceClient, run_service, settings_for_test, shared_test_issuer


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("deposit-template") / "deposit.db"
    upgrade(f"sqlite+aiosqlite:///{path}", MIGRATIONS_DIR)
    yield path


def copy_database(template: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(template)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


@pytest_asyncio.fixture
async def client(tmp_path: Path, migrated_template: Path) -> AsyncIterator[ServiceClient]:
    copy_database(migrated_template, tmp_path / "deposit" / "deposit.db")
    issuer = shared_test_issuer()
    settings = settings_for_test(DepositSettings, tmp_path, issuer)
    async with run_service(create_app, settings, issuer=issuer) as service:
        yield service
