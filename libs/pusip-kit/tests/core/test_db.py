import asyncio
from pathlib import Path

import pytest
from sqlalchemy import String, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pusip_kit.db import Database, TimestampMixin, UUIDPrimaryKey, new_metadata
from pusip_kit.uow import after_commit, unit_of_work


class Base(DeclarativeBase):
    metadata = new_metadata()


class Note(UUIDPrimaryKey, TimestampMixin, Base):
    __tablename__ = "notes"
    body: Mapped[str] = mapped_column(String(100))


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'x' / 'notes.db'}")
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield database
    await database.dispose()


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1


async def test_unit_of_work_commits_then_runs_after_commit(db: Database) -> None:
    ran: list[str] = []
    async with unit_of_work(db.sessionmaker) as session:
        session.add(Note(body="a"))
        after_commit(session, lambda: ran.append("kick"))
        assert ran == []
    assert ran == ["kick"]
    async with db.sessionmaker() as session:
        assert [n.body for n in (await session.scalars(select(Note))).all()] == ["a"]


async def test_unit_of_work_rolls_back_and_drops_after_commit_work(db: Database) -> None:
    ran: list[str] = []
    with pytest.raises(ValueError):
        async with unit_of_work(db.sessionmaker) as session:
            session.add(Note(body="b"))
            after_commit(session, lambda: ran.append("kick"))
            raise ValueError("fail")
    assert ran == []
    async with db.sessionmaker() as session:
        assert (await session.execute(text("SELECT count(*) FROM notes"))).scalar() == 0


async def test_concurrent_writers_wait_instead_of_failing(db: Database) -> None:
    async def write(i: int) -> None:
        async with unit_of_work(db.sessionmaker) as session:
            session.add(Note(body=f"n{i}"))

    await asyncio.gather(*(write(i) for i in range(25)))
    async with db.sessionmaker() as session:
        assert (await session.execute(text("SELECT count(*) FROM notes"))).scalar() == 25
