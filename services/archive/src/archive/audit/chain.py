"""The access audit log: append-only and hash-chained.

Each entry carries ``seq`` (1, 2, 3 … without gaps), ``at`` (ISO 8601 UTC text, hashed as stored),
``actor``, ``action`` (``read``, ``list``, ``search``, ``download``, ``export``, ``destroy`` …),
``record_id``, ``level``, ``outcome`` (``allowed``, ``refused``, ``done``) and ``details``, plus
``prev_hash`` (the previous entry's hash; 64 zeros for the first) and

    hash = sha256(prev_hash + canonical_json(entry without the two hashes))

where canonical JSON is sorted keys, no insignificant whitespace, UTF-8. Changing, removing or
re-ordering any entry breaks every later link, which :func:`verify` reports.

Appends are serialised: on PostgreSQL a transaction-scoped advisory lock, then the single
``audit_head`` row is updated (its row lock would serialise appends on its own); on SQLite the
``UPDATE`` of that row takes the database's single write lock. The head is read only after the lock
is held, so two transactions can never chain onto the same predecessor. Entries are written in the
caller's transaction: an access is logged exactly when the transaction that served it commits.
Refusals roll the request back, so they are appended in a fresh transaction afterwards (see
:mod:`archive.deps`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from archive.models import AuditEntry, AuditHead
from pusip_kit.db import utcnow

GENESIS = "0" * 64
ADVISORY_LOCK_ID = 6_066_043_2009  # any constant; "UU 43/2009"
HASHED_FIELDS = ("seq", "at", "actor", "actor_category", "action", "record_id", "level", "outcome", "details")


@dataclass(frozen=True)
class AuditDraft:
    """An entry to append (the chain fields are filled in by :func:`append_many`)."""

    actor: str
    action: str
    outcome: str
    record_id: str | None = None
    level: str | None = None
    actor_category: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def canonical(entry: dict[str, Any]) -> str:
    return json.dumps(
        {name: entry.get(name) for name in HASHED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )


def chain_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(entry)).encode("utf-8")).hexdigest()


async def _lock_head(session: AsyncSession) -> tuple[int, str]:
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": ADVISORY_LOCK_ID})
    # A no-op write: takes the row lock (PostgreSQL) or the write lock (SQLite) before the read.
    await session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq))
    row = (
        await session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1))
    ).one_or_none()
    if row is None:  # a database migrated without the head row
        await session.execute(insert(AuditHead).values(id=1, seq=0, hash=GENESIS))
        return 0, GENESIS
    return int(row.seq), str(row.hash)


async def append_many(session: AsyncSession, drafts: Sequence[AuditDraft]) -> list[int]:
    """Append ``drafts`` in order in the session's transaction; returns their sequence numbers."""
    if not drafts:
        return []
    seq, prev = await _lock_head(session)
    at = utcnow().isoformat(timespec="microseconds")
    rows: list[dict[str, Any]] = []
    for draft in drafts:
        seq += 1
        entry: dict[str, Any] = {
            "seq": seq,
            "at": at,
            "actor": draft.actor[:200],
            "actor_category": draft.actor_category,
            "action": draft.action,
            "record_id": draft.record_id,
            "level": draft.level,
            "outcome": draft.outcome,
            "details": json.loads(json.dumps(draft.details, default=str)),
        }
        digest = chain_hash(prev, entry)
        rows.append({**entry, "prev_hash": prev, "hash": digest})
        prev = digest
    await session.execute(insert(AuditEntry), rows)
    await session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=prev))
    return [r["seq"] for r in rows]


async def append(session: AsyncSession, draft: AuditDraft) -> int:
    return (await append_many(session, [draft]))[0]


@dataclass
class VerifyResult:
    ok: bool
    entries: int
    last_seq: int
    last_hash: str
    problems: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "last_seq": self.last_seq,
            "last_hash": self.last_hash,
            "problems": self.problems,
        }


def _problem(seq: int, kind: str, message: str, message_en: str) -> dict[str, Any]:
    return {"seq": seq, "kind": kind, "message": message, "message_en": message_en}


class ChainChecker:
    """Checks entries fed in sequence order: no gaps, links and hashes intact."""

    def __init__(self) -> None:
        self.expected_prev = GENESIS
        self.expected_seq = 1
        self.count = 0
        self.problems: list[dict[str, Any]] = []

    def feed(self, row: dict[str, Any]) -> None:
        self.count += 1
        seq = int(row["seq"])
        if seq != self.expected_seq:
            self.problems.append(
                _problem(
                    seq,
                    "sequence_gap",
                    f"Nomor urut {seq} tidak terduga (seharusnya {self.expected_seq}): ada entri yang hilang",
                    f"Sequence number {seq} unexpected (expected {self.expected_seq}): entries are missing",
                )
            )
        if row["prev_hash"] != self.expected_prev:
            self.problems.append(
                _problem(
                    seq,
                    "broken_link",
                    f"Entri {seq} tidak menunjuk hash entri sebelumnya",
                    f"Entry {seq} does not point at the previous entry's hash",
                )
            )
        if chain_hash(row["prev_hash"], row) != row["hash"]:
            self.problems.append(
                _problem(
                    seq,
                    "hash_mismatch",
                    f"Isi entri {seq} tidak cocok dengan hash-nya: entri telah diubah",
                    f"Entry {seq} does not match its hash: it was altered",
                )
            )
        self.expected_prev = row["hash"]
        self.expected_seq = seq + 1

    def finish(self, head: tuple[int, str] | None) -> VerifyResult:
        last_seq = self.expected_seq - 1
        if head is not None and (head[0] != last_seq or head[1] != self.expected_prev):
            self.problems.append(
                _problem(
                    head[0],
                    "head_mismatch",
                    "Kepala rantai tidak cocok dengan entri terakhir: entri di akhir telah dihapus atau diubah",
                    "The chain head does not match the last entry: entries at the end were removed or altered",
                )
            )
        return VerifyResult(not self.problems, self.count, last_seq, self.expected_prev, self.problems)


def verify_rows(rows: Iterable[dict[str, Any]], head: tuple[int, str] | None = None) -> VerifyResult:
    """Check a run of entries from the first (see :class:`ChainChecker`)."""
    checker = ChainChecker()
    for row in rows:
        checker.feed(row)
    return checker.finish(head)


_COLUMNS = (
    AuditEntry.seq,
    AuditEntry.at,
    AuditEntry.actor,
    AuditEntry.actor_category,
    AuditEntry.action,
    AuditEntry.record_id,
    AuditEntry.level,
    AuditEntry.outcome,
    AuditEntry.details,
    AuditEntry.prev_hash,
    AuditEntry.hash,
)


async def verify(session: AsyncSession, *, batch: int = 5000) -> VerifyResult:
    """Re-compute the whole chain from the database, in batches, and compare it with the head.

    For the CLI (``pusip archive verify-audit``) and ``GET /audit/verify``.
    """
    head_row = (
        await session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1))
    ).one_or_none()
    head = (int(head_row.seq), str(head_row.hash)) if head_row is not None else None
    checker = ChainChecker()
    after = 0
    while True:
        result = await session.execute(
            select(*_COLUMNS).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(batch)
        )
        chunk = [dict(row) for row in result.mappings()]
        if not chunk:
            break
        for row in chunk:
            checker.feed(row)
        after = int(chunk[-1]["seq"])
    return checker.finish(head)


async def count_entries(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
