"""Patron blocks: computed from the facts (expiry, overdue loans, unpaid fines) plus manual ones.

Borrowing decisions always use the computed state, so a block can never be stale. The automatic
blocks are also *recorded* (a ``patron_blocks`` row when one starts, ``lifted_at`` when it ends) by
:func:`sync_blocks`, run after every check-in, payment, waiver and membership renewal and nightly,
so staff can see when and why a patron was blocked.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from circulation.models import Patron, PatronBlock
from circulation.models.patron import BLOCK_EXPIRED, BLOCK_FINES, BLOCK_MANUAL, BLOCK_OVERDUE
from circulation.patrons.repository import PatronRepository
from circulation.policies.repository import PolicyRepository
from pusip_kit.db import utcnow

DEFAULT_OVERDUE_ITEMS = 3
DEFAULT_UNPAID_FINES = 50_000


@dataclass(frozen=True)
class ActiveBlock:
    kind: str
    reason: str
    reason_en: str
    id: uuid.UUID | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    lifted_at: datetime | None = None
    lifted_by: str | None = None


@dataclass(frozen=True)
class Thresholds:
    overdue_items: int = DEFAULT_OVERDUE_ITEMS
    unpaid_fines: int = DEFAULT_UNPAID_FINES


async def thresholds(session: AsyncSession) -> Thresholds:
    row = await PolicyRepository(session).active_rule_set()
    if row is None:
        return Thresholds()
    return Thresholds(row.block_overdue_items, row.block_unpaid_fines)


def compose_blocks(
    patron: Patron, *, today: date, limits: Thresholds, overdue: int, balance: int
) -> list[ActiveBlock]:
    """The automatic blocks, from the facts (pure: callers that already counted pass the counts)."""
    out: list[ActiveBlock] = []
    if patron.expires_on < today:
        out.append(
            ActiveBlock(
                BLOCK_EXPIRED,
                f"Keanggotaan berakhir pada {patron.expires_on.isoformat()}",
                f"Membership expired on {patron.expires_on.isoformat()}",
            )
        )
    if overdue >= limits.overdue_items:
        out.append(
            ActiveBlock(
                BLOCK_OVERDUE,
                f"{overdue} pinjaman terlambat (batas {limits.overdue_items})",
                f"{overdue} overdue loans (limit {limits.overdue_items})",
            )
        )
    if balance > limits.unpaid_fines:
        out.append(
            ActiveBlock(
                BLOCK_FINES,
                f"Denda belum dibayar Rp{balance:,} melebihi batas Rp{limits.unpaid_fines:,}".replace(
                    ",", "."
                ),
                f"Unpaid fines of Rp{balance:,} exceed the limit of Rp{limits.unpaid_fines:,}",
            )
        )
    return out


def manual_as_active(rows: Sequence[PatronBlock]) -> list[ActiveBlock]:
    return [
        ActiveBlock(BLOCK_MANUAL, b.reason, b.reason_en, b.id, b.created_at, b.created_by)
        for b in rows
        if b.kind == BLOCK_MANUAL and b.lifted_at is None
    ]


async def computed_blocks(
    session: AsyncSession, patron: Patron, *, today: date, limits: Thresholds | None = None
) -> list[ActiveBlock]:
    """The automatic blocks that hold for ``patron`` right now."""
    limits = limits or await thresholds(session)
    repository = PatronRepository(session)
    return compose_blocks(
        patron,
        today=today,
        limits=limits,
        overdue=await repository.overdue_loan_count(patron.id, today),
        balance=await repository.fines_balance(patron.id),
    )


async def current_blocks(
    session: AsyncSession, patron: Patron, *, today: date, limits: Thresholds | None = None
) -> list[ActiveBlock]:
    """Manual blocks in force and the computed automatic ones."""
    manual = manual_as_active(await PatronRepository(session).manual_blocks(patron.id))
    return manual + await computed_blocks(session, patron, today=today, limits=limits)


async def sync_blocks(session: AsyncSession, patron: Patron, *, today: date, by: str) -> list[ActiveBlock]:
    """Record automatic blocks that started and lift the ones that ended; returns the blocks in force."""
    repository = PatronRepository(session)
    facts = await repository.block_facts(patron.id, today)  # one query; the open blocks only if any
    defaults = Thresholds()
    limits = Thresholds(
        defaults.overdue_items if facts.overdue_limit is None else facts.overdue_limit,
        defaults.unpaid_fines if facts.fines_limit is None else facts.fines_limit,
    )
    computed = {
        b.kind: b
        for b in compose_blocks(
            patron, today=today, limits=limits, overdue=facts.overdue, balance=facts.balance
        )
    }
    open_rows = await repository.blocks(patron.id) if facts.open_blocks else []
    recorded = {b.kind: b for b in open_rows if b.kind != BLOCK_MANUAL}
    now = utcnow()
    for kind, row in recorded.items():
        if kind not in computed:
            row.lifted_at = now
            row.lifted_by = by
            row.lift_note = "otomatis / automatic"
    for kind, block in computed.items():
        if kind not in recorded:
            session.add(
                PatronBlock(
                    patron_id=patron.id,
                    kind=kind,
                    reason=block.reason,
                    reason_en=block.reason_en,
                    created_by=by,
                )
            )
    await session.flush()
    # What current_blocks() would read back now: the open manual blocks, then the computed ones.
    return manual_as_active(open_rows) + list(computed.values())
