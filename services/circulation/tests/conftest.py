import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from circulation.config import CirculationSettings
from circulation.main import MIGRATIONS_DIR, create_app
from pusip_kit.db.migrate import upgrade
from pusip_kit.testing.service import ServiceClient, run_service, settings_for_test, shared_test_issuer

from .helpers import MailSink, start_mail_sink

SINK = start_mail_sink()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite database brought to head by the migrations, copied for every test (fast and fresh)."""
    path = tmp_path_factory.mktemp("template") / "circulation.db"
    upgrade(f"sqlite+aiosqlite:///{path}", MIGRATIONS_DIR)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def circulation_settings(tmp_path: Path, **overrides: object) -> CirculationSettings:
    return settings_for_test(
        CirculationSettings,
        tmp_path,
        shared_test_issuer(),
        smtp_port=SINK.port,
        portal_url="http://portal.test",
        **overrides,
    )


@pytest_asyncio.fixture
async def client(tmp_path: Path, migrated_template: Path) -> AsyncIterator[ServiceClient]:
    """The circulation app on a fresh copy of the migrated database, mailing to the local SMTP sink."""
    target = tmp_path / "circulation" / "circulation.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_template, target)
    async with run_service(create_app, circulation_settings(tmp_path)) as service:
        yield service


@pytest.fixture
def mail() -> Iterator[MailSink]:
    """The local SMTP sink every test app mails to (emptied before each test)."""
    SINK.clear()
    yield SINK
