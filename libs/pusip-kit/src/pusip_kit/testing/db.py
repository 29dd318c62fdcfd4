"""Database fixtures for the kit's and the services' tests: one migrated database per test session,
one rolled-back transaction per test, on SQLite and (marker ``services``) on the real PostgreSQL.

Use from a service's ``tests/conftest.py``::

    from pusip_kit.testing.db import (  # noqa: F401  (fixtures are found by name)
        db_backend, db_connection, db_engine, db_session, db_sessionmaker, db_url,
    )

    @pytest.fixture(scope="session")
    def migrations_dir() -> Path:
        return Path(__file__).parents[1] / "migrations"

``db_url`` is migrated once per session (kit tables, then the service's own migrations). Each test
gets ``db_session`` (and ``db_sessionmaker`` for code that opens its own sessions) inside an outer
connection-level transaction that is rolled back at the end; commits inside the test only release
savepoints (``join_transaction_mode="create_savepoint"``), and after-commit callbacks still run.

``db_backend`` is parametrized over ``"sqlite"`` and ``"postgres"`` (the latter marked ``services``,
so plain ``make test`` runs SQLite only); override it in a conftest to pin one backend.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from pusip_kit.db.engine import make_engine
from pusip_kit.db.migrate import upgrade
from pusip_kit.testing.servers import SERVERS, require

DB_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.services)]


def postgres_server_url(database: str = "postgres") -> str:
    """The real PostgreSQL server of ``make services-up``, pointed at ``database`` (async driver)."""
    return (
        make_url(SERVERS.postgres_url)
        .set(drivername="postgresql+psycopg", database=database)
        .render_as_string(hide_password=False)
    )


def _admin_engine() -> Any:
    return create_engine(postgres_server_url("postgres"), isolation_level="AUTOCOMMIT")


def create_postgres_database(prefix: str = "pusip_test") -> str:
    """CREATE a uniquely named database on the test server; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return postgres_server_url(name)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


@contextmanager
def temporary_database(backend: str, directory: Path, *, prefix: str = "pusip_test") -> Iterator[str]:
    """An empty database for the duration of the block: a SQLite file or a new PG database."""
    if backend == "sqlite":
        directory.mkdir(parents=True, exist_ok=True)
        yield f"sqlite+aiosqlite:///{directory / f'{prefix}_{uuid.uuid4().hex[:8]}.db'}"
        return
    if backend != "postgres":
        raise ValueError(f"unknown database backend {backend!r}")
    require("postgres")
    url = create_postgres_database(prefix)
    try:
        yield url
    finally:
        drop_postgres_database(url)


@contextmanager
def migrated_database(
    backend: str, directory: Path, migrations_dir: Path | None = None, *, prefix: str = "pusip_test"
) -> Iterator[str]:
    """:func:`temporary_database` brought to head (kit tables, then ``migrations_dir``)."""
    with temporary_database(backend, directory, prefix=prefix) as url:
        upgrade(url, migrations_dir)
        yield url


def make_test_engine(url: str) -> AsyncEngine:
    """An engine whose transactions and savepoints nest properly on SQLite too.

    pysqlite/aiosqlite defer ``BEGIN`` until the first write, which breaks SAVEPOINT-based test
    isolation; the recipe from the SQLAlchemy documentation takes over transaction control.
    """
    engine = make_engine(url, pool_size=2)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _autocommit_driver(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

    return engine


# -- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="session", params=DB_BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    if backend == "postgres":
        require("postgres")
    return backend


@pytest.fixture(scope="session")
def migrations_dir() -> Path | None:
    """Override in a service's conftest: that service's Alembic directory (kit tables only if None)."""
    return None


@pytest.fixture(scope="session")
def db_url(
    db_backend: str, migrations_dir: Path | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with migrated_database(db_backend, tmp_path_factory.mktemp("db"), migrations_dir) as url:
        yield url


@pytest.fixture
async def db_engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_test_engine(db_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def db_connection(db_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction that is rolled back after the test."""
    async with db_engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            if transaction.is_active:
                await transaction.rollback()


@pytest.fixture
def db_sessionmaker(db_connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        bind=db_connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
async def db_session(db_sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with db_sessionmaker() as session:
        yield session


__all__ = [
    "DB_BACKENDS",
    "create_postgres_database",
    "db_backend",
    "db_connection",
    "db_engine",
    "db_session",
    "db_sessionmaker",
    "db_url",
    "drop_postgres_database",
    "make_test_engine",
    "migrated_database",
    "migrations_dir",
    "postgres_server_url",
    "temporary_database",
]
