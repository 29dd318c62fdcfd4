"""Async engines and sessions for SQLite (embedded, WAL) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from pusip_kit.config import ServiceSettings

POSTGRES_POOL_SIZE = 10
"""Connections a process keeps open to PostgreSQL unless ``database_pool_size`` says otherwise."""


class RawJSON(str):
    """JSON text already serialised (say, by a bulk load's parse process): a JSON column stores it
    as it is instead of serialising it again. Anything else is serialised as SQLAlchemy would."""

    __slots__ = ()


def json_serializer(value: Any) -> str:
    return str.__str__(value) if isinstance(value, RawJSON) else json.dumps(value)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _pool_args(pool_size: int | None, max_overflow: int | None, pool_timeout: float | None) -> dict[str, Any]:
    given = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": pool_timeout}
    return {name: value for name, value in given.items() if value is not None}


def make_engine(
    url: str,
    *,
    pool_size: int | None = None,
    max_overflow: int | None = None,
    pool_timeout: float | None = None,
    echo: bool = False,
) -> AsyncEngine:
    """An engine with its connection pool: ``pool_size`` connections kept open, up to ``max_overflow``
    more under a burst, a request waiting ``pool_timeout`` seconds for one before
    :func:`pusip_kit.errors.database_busy`. Unset: PostgreSQL keeps 10 (+ as many overflow), a SQLite
    file SQLAlchemy's own 5 (+ 10); both wait 30 s. An in-memory SQLite database has no pool."""
    if is_sqlite(url):
        database = make_url(url).database
        pooled = bool(database) and database != ":memory:"
        if pooled:
            Path(str(database)).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            echo=echo,
            connect_args={"timeout": 30},
            json_serializer=json_serializer,
            **(_pool_args(pool_size, max_overflow, pool_timeout) if pooled else {}),
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    size = pool_size or POSTGRES_POOL_SIZE
    return create_async_engine(
        url,
        echo=echo,
        json_serializer=json_serializer,
        pool_pre_ping=True,
        **_pool_args(size, size if max_overflow is None else max_overflow, pool_timeout),
    )


def make_sync_url(url: str) -> str:
    """The synchronous driver URL for the same database (Alembic, Celery workers)."""
    parsed = make_url(url)
    driver = "sqlite" if parsed.get_backend_name() == "sqlite" else "postgresql+psycopg"
    # str(URL) masks the password as "***"; render it in full or authentication fails.
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


class Database:
    """One service's database: an engine and a session factory.

    Sessions never commit by themselves; the unit of work (a request, a task, a CLI
    command) commits once at its end so domain changes and outbox rows land together.
    """

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        null_pool: bool = False,
        pool_size: int | None = None,
        max_overflow: int | None = None,
        pool_timeout: float | None = None,
    ) -> None:
        self.url = url
        if null_pool and not is_sqlite(url):
            self.engine = create_async_engine(
                url, echo=echo, poolclass=NullPool, json_serializer=json_serializer
            )
        else:
            self.engine = make_engine(
                url, pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout, echo=echo
            )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Database:
        """The service's database with the pool its settings ask for (``database_pool_size`` …)."""
        return cls(
            settings.database_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
            pool_timeout=settings.database_pool_timeout,
        )

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: commits on success, rolls back on any exception."""
        async with self.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await self.engine.dispose()
