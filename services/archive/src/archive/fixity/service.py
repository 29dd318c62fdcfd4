"""The fixity check: every stored record file and lifecycle document is re-read and re-hashed.

For each object the SHA-256 recorded in the database when it was stored is compared with the
object store's own record (``stat``) and with a fresh hash of the bytes (``verify``). Findings are
kept as data (``fixity_issues``, per run) and announced with an ``archive.fixity.problem`` event.
Scheduled daily by beat (``archive.fixity.run``); also callable from the CLI (:func:`run_fixity`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from archive.events import FIXITY_PROBLEM, publish
from archive.models import Document, FixityIssue, FixityRun, RecordFile
from archive.runtime import ArchiveRuntime
from pusip_kit.db import utcnow
from pusip_kit.errors import NotFound
from pusip_kit.outbox import enqueue_task
from pusip_kit.pagination import PaginationParams
from pusip_kit.storage import CorruptObjectError, ObjectNotFound, ObjectStore

TASK_RUN = "archive.fixity.run"
BATCH = 200


async def _check(store: ObjectStore, key: str, expected: str) -> tuple[str | None, str | None, str | None]:
    """``(problem kind, actual sha256, detail)``; kind ``None`` when the object is intact."""
    try:
        stored = await store.stat(key)
    except ObjectNotFound:
        return "missing", None, "objek tidak ada / object is missing"
    except CorruptObjectError:
        return "mismatch", None, "metadata objek rusak / the object's metadata is damaged"
    except Exception as exc:
        return "error", None, f"{type(exc).__name__}: {exc}"[:500]
    if stored.sha256 != expected:
        return (
            "checksum_differs",
            stored.sha256,
            "SHA-256 di penyimpanan berbeda dari catatan / store checksum differs",
        )
    try:
        intact = await store.verify(key)
    except ObjectNotFound:
        return "missing", None, "objek hilang saat dibaca / object vanished while read"
    except Exception as exc:
        return "error", None, f"{type(exc).__name__}: {exc}"[:500]
    if not intact:
        return "mismatch", None, "isi tidak cocok dengan SHA-256 / content does not match its SHA-256"
    return None, None, None


async def run_fixity(
    sessionmaker: async_sessionmaker[AsyncSession],
    runtime: ArchiveRuntime,
    *,
    triggered_by: str = "system:fixity",
) -> FixityRun:
    async with sessionmaker() as session:
        run = FixityRun(started_at=utcnow(), triggered_by=triggered_by, checked=0, ok=0, problems=0)
        session.add(run)
        await session.commit()
        run_id = run.id
    checked = ok = problems = 0
    for object_type, model, store in (
        ("record_file", RecordFile, runtime.files),
        ("document", Document, runtime.documents),
    ):
        after: uuid.UUID | None = None
        while True:
            async with sessionmaker() as session:
                statement = select(model.id, model.object_key, model.sha256).order_by(model.id).limit(BATCH)
                if model is RecordFile:
                    statement = statement.where(RecordFile.purged_at.is_(None))
                if after is not None:
                    statement = statement.where(model.id > after)
                rows = (await session.execute(statement)).all()
            if not rows:
                break
            issues = []
            for object_id, key, expected in rows:
                checked += 1
                kind, actual, detail = await _check(store, key, expected)
                if kind is None:
                    ok += 1
                    continue
                problems += 1
                issues.append(
                    FixityIssue(
                        run_id=run_id,
                        object_type=object_type,
                        object_id=object_id,
                        object_key=key,
                        kind=kind,
                        expected_sha256=expected,
                        actual_sha256=actual,
                        detail=detail,
                        detected_at=utcnow(),
                    )
                )
            async with sessionmaker() as session:
                session.add_all(issues)
                for issue in issues:
                    await publish(
                        session,
                        FIXITY_PROBLEM,
                        {
                            "run_id": str(run_id),
                            "object_type": issue.object_type,
                            "object_id": str(issue.object_id),
                            "kind": issue.kind,
                        },
                        key=str(issue.object_id),
                        unit=None,
                    )
                await session.commit()
            after = rows[-1][0]
    async with sessionmaker() as session:
        stored_run = await session.get(FixityRun, run_id)
        assert stored_run is not None
        stored_run.checked, stored_run.ok, stored_run.problems = checked, ok, problems
        stored_run.finished_at = utcnow()
        await session.commit()
        return stored_run


class FixityService:
    async def request_run(self, session: AsyncSession) -> None:
        await enqueue_task(session, TASK_RUN)

    async def runs(
        self, session: AsyncSession, *, pagination: PaginationParams
    ) -> tuple[Sequence[FixityRun], int]:
        total = await session.scalar(select(func.count()).select_from(FixityRun))
        result = await session.execute(
            select(FixityRun)
            .order_by(FixityRun.started_at.desc())
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)

    async def run(
        self, session: AsyncSession, *, run_id: uuid.UUID
    ) -> tuple[FixityRun, Sequence[FixityIssue]]:
        run = await session.get(FixityRun, run_id)
        if run is None:
            raise NotFound("Pemeriksaan tidak ditemukan", "Fixity run not found", code="fixity_run_not_found")
        result = await session.execute(
            select(FixityIssue).where(FixityIssue.run_id == run_id).order_by(FixityIssue.detected_at)
        )
        return run, result.scalars().all()

    async def issues(
        self, session: AsyncSession, *, kind: str | None, pagination: PaginationParams
    ) -> tuple[Sequence[FixityIssue], int]:
        statement = select(FixityIssue)
        if kind:
            statement = statement.where(FixityIssue.kind == kind)
        total = await session.scalar(select(func.count()).select_from(statement.subquery()))
        result = await session.execute(
            statement.order_by(FixityIssue.detected_at.desc())
            .offset(pagination.offset)
            .limit(pagination.limit)
        )
        return result.scalars().all(), int(total or 0)


fixity_service = FixityService()


def issue_dict(issue: FixityIssue) -> dict[str, Any]:
    return {
        "id": str(issue.id),
        "run_id": str(issue.run_id),
        "object_type": issue.object_type,
        "object_id": str(issue.object_id),
        "object_key": issue.object_key,
        "kind": issue.kind,
        "expected_sha256": issue.expected_sha256,
        "actual_sha256": issue.actual_sha256,
        "detail": issue.detail,
        "detected_at": issue.detected_at.isoformat(),
    }
