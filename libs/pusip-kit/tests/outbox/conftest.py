from collections.abc import AsyncIterator

import pytest

from pusip_kit.db.engine import Database
from pusip_kit.testing.db import (  # noqa: F401  (fixtures are found by name)
    db_backend,
    db_connection,
    db_engine,
    db_session,
    db_sessionmaker,
    db_url,
    migrations_dir,
)
from pusip_kit.testing.outbox import clear_kit_tables


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:  # noqa: F811
    """The session's migrated database with empty kit tables, for tests that need real commits."""
    database = Database(db_url)
    await clear_kit_tables(database.sessionmaker)
    try:
        yield database
    finally:
        await database.dispose()
