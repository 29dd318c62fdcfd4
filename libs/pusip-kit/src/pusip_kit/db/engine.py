"""Async engines and sessions for SQLite (embedded, WAL) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool


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


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, echo=echo, connect_args={"timeout": 30}, json_serializer=json_serializer
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        json_serializer=json_serializer,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
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

    def __init__(self, url: str, *, echo: bool = False, null_pool: bool = False) -> None:
        self.url = url
        if null_pool and not is_sqlite(url):
            self.engine = create_async_engine(
                url, echo=echo, poolclass=NullPool, json_serializer=json_serializer
            )
        else:
            self.engine = make_engine(url, echo=echo)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

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
