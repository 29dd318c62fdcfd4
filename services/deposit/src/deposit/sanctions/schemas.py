"""Response shapes for warnings and sanction runs."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pusip_kit.schemas import Schema


class WarningRead(Schema):
    id: uuid.UUID
    depositor_id: uuid.UUID
    level: int
    code: str
    name: str
    number: str
    issued_on: date
    obligation_ids: list[uuid.UUID]
    status: str
    resolved_at: datetime | None
    letter_ready: bool
    issued_by: str
    created_at: datetime

    @classmethod
    def of(cls, warning: object) -> WarningRead:
        data = {k: getattr(warning, k) for k in cls.model_fields if k != "letter_ready"}
        data["letter_ready"] = bool(getattr(warning, "letter_object_key", None))
        return cls.model_validate(data)


class PlannedWarningRead(Schema):
    depositor_id: uuid.UUID
    depositor_name: str
    level: int
    code: str
    name: str
    name_en: str
    obligation_ids: list[uuid.UUID]
    oldest_days_overdue: int


class SanctionRunRead(Schema):
    dry_run: bool
    planned: list[PlannedWarningRead]
    issued: list[WarningRead]
    resolved: list[uuid.UUID]
