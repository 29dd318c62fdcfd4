"""Dry runs of refusable actions: whether the action would go through now, and every named reason.

Every refusable action of the catalogue (open, scan into or close a stock-take; moderate a review;
add to a reading list …) runs named validators (``refuse_when_…``) that each return a
:class:`~pusip_kit.errors.Reason` or nothing. The action raises
:class:`~pusip_kit.errors.Refused` (409, every reason) when any speaks; its ``?dry_run=true`` twin
answers an :class:`ActionCheck` and changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Query

from pusip_kit.errors import Reason, Refused
from pusip_kit.schemas import Schema

C = TypeVar("C")

DryRun = Annotated[
    bool,
    Query(description="Periksa saja, tanpa mengubah apa pun / check only, change nothing"),
]


class RefusalReason(Schema):
    code: str
    message: str
    message_en: str
    details: dict[str, Any] | None = None


class ActionCheck(Schema):
    """The answer of a dry run."""

    subject_id: uuid.UUID | None = None
    action: str
    allowed: bool
    reasons: list[RefusalReason]
    preview: dict[str, Any] | None = None


def action_check(
    action: str,
    reasons: Sequence[Reason],
    subject_id: uuid.UUID | None = None,
    preview: dict[str, Any] | None = None,
) -> ActionCheck:
    return ActionCheck(
        subject_id=subject_id,
        action=action,
        allowed=not reasons,
        reasons=[RefusalReason(**r.as_dict()) for r in reasons],
        preview=preview,
    )


def run_validators(validators: Iterable[Callable[[C], Reason | None]], context: C) -> list[Reason]:
    """Every reason the validators give (in their order)."""
    return [reason for validator in validators if (reason := validator(context)) is not None]


def refuse_if(reasons: Sequence[Reason]) -> None:
    if reasons:
        raise Refused(reasons=list(reasons))
