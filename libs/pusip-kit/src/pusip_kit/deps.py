"""FastAPI dependencies shared by every service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from pusip_kit.uow import commit, discard_after_commit


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed before the response is sent."""
    async with request.app.state.sessionmaker() as session:
        try:
            yield session
            await commit(session)
        except BaseException:
            await session.rollback()
            discard_after_commit(session)
            raise


SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
get_session = _session
