"""The accreditation service under test, on a fresh database per test.

Migrating a new SQLite database takes about a second; the schema is built once per test process
into a template file and copied for each test (the app's own migration step then finds it at head),
which keeps the suite fast while every test still starts from a database built by the migrations.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from accreditation.config import AccreditationSettings
from accreditation.main import MIGRATIONS_DIR, create_app
from pusip_kit.db.migrate import upgrade
from pusip_kit.testing.service import ServiceClient, run_service, settings_for_test, shared_test_issuer


@pytest.fixture(scope="session")
def template_database() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="pusip-accreditation-template-"))
    path = folder / "accreditation.db"
    upgrade(f"sqlite+aiosqlite:///{path}", MIGRATIONS_DIR)
    return path


@pytest_asyncio.fixture
async def client(tmp_path: Path, template_database: Path) -> AsyncIterator[ServiceClient]:
    target = tmp_path / "accreditation" / "accreditation.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template_database, target)
    issuer = shared_test_issuer()
    settings = settings_for_test(AccreditationSettings, tmp_path, issuer)
    async with run_service(create_app, settings, issuer=issuer) as service_client:
        yield service_client
