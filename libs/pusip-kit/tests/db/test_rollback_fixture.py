"""The per-test rollback fixtures: commits inside a test never leak out of it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pusip_kit.db.engine import Database
from pusip_kit.outbox import emit_event, outbox
from pusip_kit.testing.outbox import recording_kicks
from pusip_kit.uow import commit, unit_of_work


async def _count(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(outbox))).scalar_one()


async def test_commits_release_savepoints_and_run_after_commit(
    db_session: AsyncSession, db_sessionmaker: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    with recording_kicks("fixturetest") as kicks:
        await emit_event(db_session, "fixturetest.thing.created", {"n": 1})
        await commit(db_session)
        assert kicks.count("fixturetest") == 1
        async with unit_of_work(db_sessionmaker) as other:
            await emit_event(other, "fixturetest.thing.created", {"n": 2})
        assert kicks.count("fixturetest") == 2
    assert await _count(db_session) == 2

    # Another connection sees nothing: the outer transaction is still open.
    outside = Database(db_url)
    try:
        async with outside.sessionmaker() as session:
            assert await _count(session) == 0
    finally:
        await outside.dispose()


async def test_previous_test_left_nothing_behind(db_session: AsyncSession) -> None:
    assert await _count(db_session) == 0
