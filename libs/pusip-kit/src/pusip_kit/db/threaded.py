"""SQLite units of work run whole in one dedicated thread, without a thread hand-off per statement.

Through aiosqlite every statement costs four hand-offs between the event loop and aiosqlite's
thread (cursor, execute, fetch, close), and on SQLite they all happen while the single writer lock
is held. :class:`SQLiteWriterThread` instead runs a whole unit of work — the service code,
unchanged, and its commit — on an event loop of its own in one thread, through an ordinary
:class:`~sqlalchemy.ext.asyncio.AsyncSession` whose engine is SQLAlchemy's aiosqlite dialect fed
with an *inline* driver (:class:`InlineConnection`): the same ``sqlite3`` calls, made right there
instead of on another thread. ``await session.execute(...)`` then completes without suspending, and
a transaction costs two hand-offs in all (into the thread and back).

Writers of this process queue on that loop instead of in SQLite's busy handler; other processes
(a Celery worker, the CLI) still meet at ``BEGIN IMMEDIATE`` and the busy timeout, which may make
the writer thread wait (it does nothing else meanwhile). A unit that does suspend (a network call,
an ``asyncio.Lock``) is still correct: other units on the thread's loop run meanwhile, as on any
event loop.

::

    writer = SQLiteWriterThread(database_url, name="circulation")
    loan = await writer.run(lambda session: checkout(session, ...))   # committed when it returns
    await writer.aclose()
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from pusip_kit.db.engine import _sqlite_pragmas, is_sqlite, json_serializer
from pusip_kit.uow import unit_of_work

T = TypeVar("T")
Work = Callable[[AsyncSession], Awaitable[T]]

# -- the inline driver: aiosqlite's interface, sqlite3 called in place --------------------------------


class InlineCursor:
    """An aiosqlite-shaped cursor whose coroutines run the ``sqlite3`` call at once (never suspend)."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Any = None) -> InlineCursor:
        if parameters is None:
            self._cursor.execute(sql)
        else:
            self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class InlineConnection:
    """An aiosqlite-shaped connection over a ``sqlite3`` connection, used on one thread only."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection  # SQLAlchemy checks it is open

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._live().cursor())

    def _live(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    async def commit(self) -> None:
        self._live().commit()

    async def rollback(self) -> None:
        self._live().rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def stop(self) -> None:  # aiosqlite's forced close, for SQLAlchemy's terminate()
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def create_function(self, *args: Any, **kw: Any) -> None:
        self._live().create_function(*args, **kw)

    @property
    def in_transaction(self) -> bool:
        return self._live().in_transaction

    @property
    def isolation_level(self) -> str | None:
        return self._live().isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._live().isolation_level = value  # type: ignore[assignment]  # any level sqlite3 takes


def inline_sqlite_engine(url: str) -> AsyncEngine:
    """An async engine on ``url`` (a SQLite file) whose statements never leave the calling thread.

    Same dialect, pragmas, busy timeout and JSON serialiser as :func:`pusip_kit.db.engine.make_engine`;
    use it from one thread (one event loop) only.
    """
    if not is_sqlite(url):
        raise ValueError("an inline SQLite engine needs a SQLite URL")
    parsed = make_url(url).set(drivername="sqlite+aiosqlite")
    args, options = SQLiteDialect_aiosqlite().create_connect_args(parsed)
    options = {**options, "timeout": 30, "check_same_thread": False}
    connect_sqlite: Any = sqlite3.connect

    async def connect() -> InlineConnection:
        return InlineConnection(connect_sqlite(*args, **options))

    engine = create_async_engine(parsed, async_creator=connect, json_serializer=json_serializer)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


# -- the writer thread --------------------------------------------------------------------------------


class SQLiteWriterThread:
    """One thread, one event loop, one inline SQLite engine: where a service's SQLite units of work run."""

    def __init__(self, url: str, *, name: str = "pusip") -> None:
        self.url = url
        self.engine = inline_sqlite_engine(url)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"{name}-sqlite-writer", daemon=True
        )
        self._thread.start()
        self._closed = False

    async def _unit(self, work: Work[T]) -> T:
        async with unit_of_work(self.sessionmaker) as session:
            return await work(session)

    async def run(self, work: Work[T]) -> T:
        """Run ``work(session)`` as a unit of work on the writer thread: committed (and after-commit
        callbacks run) when it returns, rolled back if it raises; its result, or its exception.

        The caller's context variables (the request id, say) are visible to ``work``. Once started a
        unit runs to its end even if the caller stops waiting.
        """
        if self._closed:
            raise RuntimeError("the SQLite writer thread is closed")
        done: concurrent.futures.Future[T] = concurrent.futures.Future()
        context = contextvars.copy_context()

        def finished(task: asyncio.Task[T]) -> None:
            if done.done():  # the caller stopped waiting
                return
            if task.cancelled():
                done.cancel()
            elif (exc := task.exception()) is not None:
                done.set_exception(exc)
            else:
                done.set_result(task.result())

        def start() -> None:
            task = self._loop.create_task(self._unit(work), context=context)
            task.add_done_callback(finished)

        self._loop.call_soon_threadsafe(start)
        return await asyncio.wrap_future(done)

    async def aclose(self, grace: float = 10.0) -> None:
        """Let the units under way finish (up to ``grace`` seconds), close the connections, stop the thread."""
        if self._closed:
            return
        self._closed = True

        async def drain() -> None:
            current = asyncio.current_task()
            pending: Sequence[asyncio.Task[Any]] = [t for t in asyncio.all_tasks() if t is not current]
            if pending:
                await asyncio.wait(pending, timeout=grace)
            await self.engine.dispose()

        try:
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(drain(), self._loop))
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            await asyncio.to_thread(self._thread.join, grace)
            if not self._thread.is_alive():
                self._loop.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<SQLiteWriterThread {self.url!r} {state}>"
