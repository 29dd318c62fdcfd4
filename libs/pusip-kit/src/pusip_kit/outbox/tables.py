"""The kit's own tables, present in every service database (migration ``kit_migrations/0001``).

* ``outbox`` — domain events and after-commit Celery tasks written in the caller's transaction,
  relayed to the broker after commit;
* ``processed_events`` — which (event, handler) pairs this service has already applied (dedupe);
* ``dead_letters`` — events a handler of this service gave up on after its retries.

Queried with SQLAlchemy Core on :data:`KIT_METADATA`, never through a service's ORM base.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

from pusip_kit.db.base import new_metadata


class UTCDateTime(sa.TypeDecorator[datetime]):
    """``timestamp with time zone`` that always hands back aware UTC datetimes (SQLite too)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        # SQLite stores text: keep it naive UTC so string comparisons order correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType: Any = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
SeqType: Any = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

KIT_METADATA = new_metadata()

# Outbox row status
PENDING = "pending"
SENT = "sent"
DEAD = "dead"
OUTBOX_STATUSES = (PENDING, SENT, DEAD)

# Outbox row kind
KIND_EVENT = "event"
KIND_TASK = "task"

# Dead-letter status
DL_DEAD = "dead"
DL_RETRYING = "retrying"
DL_RESOLVED = "resolved"
DEAD_LETTER_STATUSES = (DL_DEAD, DL_RETRYING, DL_RESOLVED)

outbox = sa.Table(
    "outbox",
    KIT_METADATA,
    sa.Column("seq", SeqType, primary_key=True, autoincrement=True),
    sa.Column("id", sa.Uuid, nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("producer", sa.String(64), nullable=False),
    sa.Column("key", sa.String(200), nullable=True),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default=PENDING),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("claimed_by", sa.String(128), nullable=True),
    sa.Column("claimed_until", UTCDateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime, nullable=True),
    sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    sa.Index("ix_outbox_created_at", "created_at"),
)

processed_events = sa.Table(
    "processed_events",
    KIT_METADATA,
    sa.Column("event_id", sa.Uuid, primary_key=True),
    sa.Column("handler", sa.String(200), primary_key=True),
    sa.Column("event_type", sa.String(200), nullable=False),
    sa.Column("processed_at", UTCDateTime, nullable=False),
    sa.Index("ix_processed_events_processed_at", "processed_at"),
)

dead_letters = sa.Table(
    "dead_letters",
    KIT_METADATA,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("event_id", sa.Uuid, nullable=False),
    sa.Column("event_type", sa.String(200), nullable=False),
    sa.Column("producer", sa.String(64), nullable=False),
    sa.Column("key", sa.String(200), nullable=True),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    sa.Column("handler", sa.String(200), nullable=False),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default=DL_DEAD),
    sa.Column("failed_at", UTCDateTime, nullable=False),
    sa.Column("resolved_at", UTCDateTime, nullable=True),
    sa.UniqueConstraint("event_id", "handler", name="uq_dead_letters_event_id_handler"),
    sa.Index("ix_dead_letters_status_failed_at", "status", "failed_at"),
)
