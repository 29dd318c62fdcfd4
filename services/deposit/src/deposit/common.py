"""What every feature of the deposit service shares: who is an officer, history rows, numbering."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from deposit.models import HistoryEntry, Sequence
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.db import utcnow
from pusip_kit.errors import Forbidden

OFFICER_ROLES = (Role.ADMIN, Role.DEPOSIT_OFFICER)
JAKARTA = ZoneInfo("Asia/Jakarta")


def is_officer(auth_subject: AuthSubject) -> bool:
    return auth_subject.has_role(*OFFICER_ROLES)


def require_officer(auth_subject: AuthSubject) -> None:
    if not is_officer(auth_subject):
        raise Forbidden(
            "Hanya petugas serah simpan yang dapat melakukan ini",
            "Only deposit officers can do this",
            code="missing_role",
            details={"required_roles": [Role.DEPOSIT_OFFICER.value]},
        )


def actor(auth_subject: AuthSubject) -> str:
    """How a person appears in history rows and documents: user name, else subject."""
    return auth_subject.username or auth_subject.subject


def today_local(now: datetime | None = None) -> date:
    """Today's date in Jakarta (WIB): due dates and overdue checks are calendar days there."""
    return (now or datetime.now(UTC)).astimezone(JAKARTA).date()


async def record_history(
    session: AsyncSession,
    *,
    depositor_id: uuid.UUID,
    entity: str,
    entity_id: uuid.UUID,
    action: str,
    actor_name: str,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> HistoryEntry:
    entry = HistoryEntry(
        depositor_id=depositor_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        actor=actor_name,
        from_status=from_status,
        to_status=to_status,
        note=note,
        details=details,
        at=utcnow(),
    )
    session.add(entry)
    return entry


async def next_number(session: AsyncSession, name: str, year: int) -> int:
    """The next value of the per-year sequence ``name``; rolled back with the caller's transaction.

    The row update takes the write lock (SQLite) or the row lock (PostgreSQL), so concurrent
    transactions get consecutive numbers and no number is lost or given twice.
    """
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(
        insert(Sequence).values(name=name, year=year, last_value=0).on_conflict_do_nothing()
    )
    result = await session.execute(
        update(Sequence)
        .where(Sequence.name == name, Sequence.year == year)
        .values(last_value=Sequence.last_value + 1)
        .returning(Sequence.last_value)
    )
    return int(result.scalar_one())
