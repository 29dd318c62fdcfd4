"""Named refusals as the API shows them: a dry run says whether an action would go through."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from pusip_kit.errors import Reason
from pusip_kit.schemas import Schema


class RefusalReason(Schema):
    code: str
    message: str
    message_en: str
    details: dict[str, Any] | None = None


class ActionCheck(Schema):
    """A dry run: whether the action would go through now, and every reason it would not."""

    subject_id: uuid.UUID | None = None
    action: str
    allowed: bool
    reasons: list[RefusalReason]


def action_check(action: str, reasons: Sequence[Reason], subject_id: uuid.UUID | None = None) -> ActionCheck:
    return ActionCheck(
        subject_id=subject_id,
        action=action,
        allowed=not reasons,
        reasons=[RefusalReason(**r.as_dict()) for r in reasons],
    )
