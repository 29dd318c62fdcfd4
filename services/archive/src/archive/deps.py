"""Request dependencies of the archive service.

:data:`ArchiveSession` is the kit's one-transaction-per-request session with one addition: when a
request fails with an error that carries audit entries (a refused read, say), the request's work is
rolled back and *then* those entries are appended and committed in a fresh transaction, so every
refusal is in the audit log even though the request itself changed nothing.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from archive.audit import append_many
from archive.runtime import ArchiveRuntime
from pusip_kit.uow import commit, discard_after_commit

log = logging.getLogger(__name__)


async def _archive_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        try:
            yield session
            await commit(session)
        except BaseException as exc:
            await session.rollback()
            discard_after_commit(session)
            drafts = getattr(exc, "audit_drafts", None)
            if drafts:
                try:
                    await append_many(session, drafts)
                    await commit(session)
                except Exception:
                    log.exception("could not append refusal audit entries")
                    await session.rollback()
            raise


ArchiveSession = Annotated[AsyncSession, Depends(_archive_session, scope="function")]


def _runtime(request: Request) -> ArchiveRuntime:
    runtime: ArchiveRuntime = request.app.state.archive_runtime
    return runtime


RuntimeDep = Annotated[ArchiveRuntime, Depends(_runtime)]
