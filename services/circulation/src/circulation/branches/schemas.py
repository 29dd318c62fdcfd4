"""Shapes for circulation's branch replica."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator, StringConstraints

from pusip_kit.schemas import Schema


def _aware(value: object) -> object:
    """Catalog may send naive timestamps (SQLite keeps no zone); they are UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value  # left for pydantic to refuse
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class BranchSnapshot(Schema):
    """What a ``catalog.branch.created`` / ``catalog.branch.updated`` event says about a branch."""

    code: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    city: str | None = None
    active: bool = True
    updated_at: Annotated[AwareDatetime, BeforeValidator(_aware)]


class BranchRead(Schema):
    code: str
    name: str
    city: str | None
    active: bool
    source_updated_at: datetime
    synced_at: datetime
