"""Serialising circulation's writers, on SQLite and PostgreSQL alike.

Correctness under concurrency rests on three things:

* the database enforces the invariants that must never break: one open loan per item, one open
  transit per item, one trapped hold per item, one active hold per patron and title (unique
  partial indexes), so no interleaving can create a second one;
* a transaction that checks a limit and then writes holds a lock covering what it counted:
  on PostgreSQL a row lock on the patron (``SELECT … FOR UPDATE``), taken before the item's, so
  two check-outs for one patron run one after the other and the second counts the first's loan;
  on SQLite :func:`begin_write` opens the transaction with ``BEGIN IMMEDIATE`` (the write lock
  is taken *before* anything is read, so writers serialise and never read a stale snapshot);
* whatever still collides (a unique index, a deadlock, a lock timeout) becomes a clean 409
  refusal through :func:`conflicts_as_refusals`, never a 5xx.

On SQLite the desk's check-outs and check-ins run whole on one writer thread that calls ``sqlite3`` in
place (:func:`run_unit`, :class:`pusip_kit.db.threaded.SQLiteWriterThread`): the same service code,
two thread hand-offs per transaction instead of four per statement. On PostgreSQL :func:`run_unit`
is the ordinary unit of work on the event loop.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from pusip_kit.db.threaded import SQLiteWriterThread
from pusip_kit.errors import Conflict
from pusip_kit.uow import unit_of_work

T = TypeVar("T")

_LOCK_KEY = "circulation_sqlite_writer"
# One asyncio lock per (event loop, database file): writers of this process queue here, cheaply,
# instead of in SQLite's busy handler (which sleeps and retries); other processes still meet at
# BEGIN IMMEDIATE and the busy timeout.
_writer_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _writer_lock(url: str) -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    locks = _writer_locks.setdefault(loop, {})
    lock = locks.get(url)
    if lock is None:
        lock = locks[url] = asyncio.Lock()
    return lock


@event.listens_for(Session, "after_transaction_end")
def _release_writer_lock(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    lock: Any = session.info.pop(_LOCK_KEY, None)
    if lock is not None and lock.locked():
        lock.release()


def is_sqlite_session(session: AsyncSession) -> bool:
    bind = session.bind
    return bind is not None and bind.dialect.name == "sqlite"


async def begin_write(session: AsyncSession) -> None:
    """Make the session's transaction a writer's one: ``BEGIN IMMEDIATE`` on SQLite (no-op on PostgreSQL).

    Call it before the transaction writes anything. Reads done earlier in the session ran outside a
    transaction (the SQLite driver only begins one at the first write), so the limits a writer checks
    after this call are read under the write lock. Calling it twice is harmless.
    """
    if not is_sqlite_session(session) or _LOCK_KEY in session.info:
        return
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if driver is None or driver.in_transaction:
        return
    lock = _writer_lock(str(connection.engine.url))
    await lock.acquire()
    session.info[_LOCK_KEY] = lock  # released when the session's transaction ends, however it ends
    try:
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        session.info.pop(_LOCK_KEY, None)
        lock.release()
        raise


# -- where a unit of work runs -----------------------------------------------------------------------

_WRITER = "circulation_sqlite_writer"


async def open_writer(app: FastAPI) -> None:
    """On SQLite, start the writer thread the desk's transactions run on (an ``on_startup`` hook)."""
    database = app.state.database
    if database.is_sqlite:
        setattr(app.state, _WRITER, SQLiteWriterThread(database.url, name="circulation"))


async def close_writer(app: FastAPI) -> None:
    writer: SQLiteWriterThread | None = getattr(app.state, _WRITER, None)
    if writer is not None:
        setattr(app.state, _WRITER, None)
        await writer.aclose()


async def run_unit(app: FastAPI, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work(session)`` as one unit of work and commit it (rolled back if it raises).

    SQLite: on the writer thread (see the module's docstring); PostgreSQL, or an app whose writer
    thread is not open: a session of ``app.state.sessionmaker`` on the caller's event loop.
    """
    writer: SQLiteWriterThread | None = getattr(app.state, _WRITER, None)
    if writer is not None:
        return await writer.run(work)
    async with unit_of_work(app.state.sessionmaker) as session:
        return await work(session)


def concurrent_update() -> Conflict:
    return Conflict(
        "Data sedang diubah oleh transaksi lain; silakan ulangi",
        "The data is being changed by another transaction; please try again",
        code="concurrent_update",
    )


def _is_lock_failure(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code in ("40001", "40P01", "55P03"):  # serialization failure, deadlock, lock not available
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "deadlock" in text


@asynccontextmanager
async def conflicts_as_refusals() -> AsyncIterator[None]:
    """Turn lock failures (deadlock, serialization failure, SQLite busy) into a 409 ``concurrent_update``."""
    try:
        yield
    except IntegrityError:
        raise
    except OperationalError as exc:
        if _is_lock_failure(exc):
            raise concurrent_update() from exc
        raise
    except DBAPIError as exc:
        if _is_lock_failure(exc):
            raise concurrent_update() from exc
        raise
