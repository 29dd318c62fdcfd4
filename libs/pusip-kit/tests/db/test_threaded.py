"""The SQLite writer thread: whole units of work on one thread, committed or rolled back as a unit."""

from __future__ import annotations

import contextvars
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from pusip_kit.db.engine import Database
from pusip_kit.db.threaded import SQLiteWriterThread
from pusip_kit.uow import after_commit

REQUEST = contextvars.ContextVar("request", default="-")


@pytest.fixture
async def writer(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    database = Database(url)
    async with database.session() as session:
        await session.execute(text("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"))
    writer = SQLiteWriterThread(url, name="test")
    yield writer, database
    await writer.aclose()
    await database.dispose()


async def _rows(database: Database) -> list[tuple[str, int]]:
    async with database.session() as session:
        return [tuple(r) for r in (await session.execute(text("SELECT k, v FROM t ORDER BY k"))).all()]


async def test_a_unit_runs_whole_on_the_writer_thread_and_commits(writer) -> None:
    thread, database = writer
    seen: dict[str, object] = {}
    REQUEST.set("req-7")

    async def work(session):
        seen["thread"] = threading.current_thread().name
        seen["request"] = REQUEST.get()
        await session.execute(text("BEGIN IMMEDIATE"))
        raw = await (await session.connection()).get_raw_connection()
        seen["in_transaction"] = raw.driver_connection.in_transaction
        await session.execute(text("INSERT INTO t VALUES ('a', 1)"))
        after_commit(session, lambda: seen.setdefault("after_commit", threading.current_thread().name))
        return (await session.execute(text("SELECT count(*) FROM t"))).scalar_one()

    assert await thread.run(work) == 1
    assert seen["thread"] == "test-sqlite-writer" != threading.current_thread().name
    assert seen["request"] == "req-7"  # the caller's context travels with the unit
    assert seen["in_transaction"] is True
    assert seen["after_commit"] == "test-sqlite-writer"
    assert await _rows(database) == [("a", 1)]  # committed: another connection sees it


async def test_a_failing_unit_rolls_back_entirely_and_raises_to_the_caller(writer) -> None:
    thread, database = writer

    async def work(session):
        await session.execute(text("INSERT INTO t VALUES ('b', 2)"))
        await session.execute(text("INSERT INTO t VALUES ('b', 3)"))  # duplicate key

    with pytest.raises(IntegrityError):
        await thread.run(work)
    assert await _rows(database) == []

    async def refuses(session):
        await session.execute(text("INSERT INTO t VALUES ('c', 4)"))
        raise LookupError("domain refusal")

    with pytest.raises(LookupError):
        await thread.run(refuses)
    assert await _rows(database) == []


async def test_closed_writer_refuses_new_units(writer) -> None:
    thread, _ = writer
    await thread.aclose()

    async def work(session):
        return 1

    with pytest.raises(RuntimeError):
        await thread.run(work)
