"""Database access: engines, sessions, base models and per-service migrations."""

from pusip_kit.db.base import (
    NAMING_CONVENTION,
    CreatedAtMixin,
    TimestampMixin,
    UTCDateTime,
    UUIDPrimaryKey,
    new_id,
    new_metadata,
    utcnow,
)
from pusip_kit.db.engine import Database, RawJSON, is_sqlite

__all__ = [
    "NAMING_CONVENTION",
    "CreatedAtMixin",
    "Database",
    "RawJSON",
    "TimestampMixin",
    "UTCDateTime",
    "UUIDPrimaryKey",
    "is_sqlite",
    "new_id",
    "new_metadata",
    "utcnow",
]
