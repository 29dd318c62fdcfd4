"""The unit of work: one transaction per request, task or command, committed once at the end.

Services never commit. Code that must run only once the transaction is durable (kicking the
outbox relay, say) registers itself with :func:`after_commit`; it runs after a successful
commit and never after a rollback.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[None] | None]
_KEY = "pusip_after_commit"


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    callbacks: list[AfterCommit] = session.info.setdefault(_KEY, [])
    if callback not in callbacks:
        callbacks.append(callback)


async def run_after_commit(session: AsyncSession) -> None:
    callbacks: list[AfterCommit] = session.info.pop(_KEY, [])
    for callback in callbacks:
        try:
            result = callback()
            if result is not None:
                await result
        except Exception:  # after-commit work is best effort; the outbox retries it durably
            log.exception("after-commit callback failed")


def discard_after_commit(session: AsyncSession) -> None:
    session.info.pop(_KEY, None)


async def commit(session: AsyncSession) -> None:
    await session.commit()
    await run_after_commit(session)


@asynccontextmanager
async def unit_of_work(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        try:
            yield session
            await commit(session)
        except BaseException:
            await session.rollback()
            discard_after_commit(session)
            raise
