"""Named refusals for placing a hold (reservation)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from circulation.models import Branch, Hold, Item, Patron, Record
from circulation.models.item import ITEM_LOST, ITEM_MISSING, ITEM_WITHDRAWN
from circulation.patrons.blocks import ActiveBlock
from circulation.patrons.validators import (
    refuse_when_patron_blocked,
    refuse_when_patron_expired,
    refuse_when_patron_not_verified,
)
from circulation.policy import LoanRule
from pusip_kit.errors import Reason


@dataclass
class HoldContext:
    patron: Patron
    blocks: list[ActiveBlock]
    record_id: str
    record: Record | None
    items: list[Item]
    item: Item | None  # item-level hold
    item_barcode: str | None
    rule: LoanRule | None
    active_holds: int
    existing: Hold | None
    on_loan_to_patron: bool
    pickup: Branch | None
    pickup_branch: str


def _patron(ctx: HoldContext) -> list[Reason]:
    found = [
        refuse_when_patron_not_verified(ctx.patron),
        refuse_when_patron_expired(ctx.patron, ctx.blocks),
        refuse_when_patron_blocked(ctx.patron, ctx.blocks),
    ]
    return [r for r in found if r is not None]


def refuse_when_title_unknown(ctx: HoldContext) -> Reason | None:
    holdable = [i for i in ctx.items if i.status not in (ITEM_WITHDRAWN,)]
    if (ctx.record is not None and ctx.record.deleted) or not holdable:
        return Reason(
            "refuse_when_title_unknown",
            f"Judul '{ctx.record_id}' tidak memiliki eksemplar yang dapat dipesan",
            f"Title '{ctx.record_id}' has no copies that can be reserved",
            {"record_id": ctx.record_id},
        )
    return None


def refuse_when_item_not_holdable(ctx: HoldContext) -> Reason | None:
    if ctx.item_barcode is None:
        return None
    item = ctx.item
    if (
        item is None
        or item.record_id != ctx.record_id
        or item.status in (ITEM_LOST, ITEM_MISSING, ITEM_WITHDRAWN)
    ):
        return Reason(
            "refuse_when_item_not_holdable",
            f"Eksemplar {ctx.item_barcode} tidak dapat dipesan",
            f"Item {ctx.item_barcode} cannot be reserved",
            {"barcode": ctx.item_barcode, "status": item.status if item else None},
        )
    return None


def refuse_when_holds_not_allowed(ctx: HoldContext) -> Reason | None:
    if ctx.rule is not None and (not ctx.rule.holds_allowed or not ctx.rule.loanable):
        return Reason(
            "refuse_when_holds_not_allowed",
            "Bahan ini tidak dapat dipesan untuk kategori keanggotaan Anda",
            "This material cannot be reserved with your membership category",
        )
    return None


def refuse_when_hold_limit_reached(ctx: HoldContext) -> Reason | None:
    if ctx.rule is not None and ctx.active_holds >= ctx.rule.max_holds:
        return Reason(
            "refuse_when_hold_limit_reached",
            f"Batas pesanan tercapai ({ctx.active_holds} dari {ctx.rule.max_holds})",
            f"Hold limit reached ({ctx.active_holds} of {ctx.rule.max_holds})",
            {"active_holds": ctx.active_holds, "max_holds": ctx.rule.max_holds},
        )
    return None


def refuse_when_already_on_hold(ctx: HoldContext) -> Reason | None:
    if ctx.existing is not None:
        return Reason(
            "refuse_when_already_on_hold",
            "Anda sudah memesan judul ini",
            "You already have a reservation for this title",
            {"hold_id": str(ctx.existing.id)},
        )
    return None


def refuse_when_already_on_loan(ctx: HoldContext) -> Reason | None:
    if ctx.on_loan_to_patron:
        return Reason(
            "refuse_when_already_on_loan",
            "Anda sedang meminjam eksemplar judul ini",
            "You already have a copy of this title on loan",
        )
    return None


def refuse_when_pickup_branch_unavailable(ctx: HoldContext) -> Reason | None:
    if ctx.pickup is None or not ctx.pickup.active:
        return Reason(
            "refuse_when_pickup_branch_unavailable",
            f"Cabang '{ctx.pickup_branch}' tidak melayani pengambilan pesanan",
            f"Branch '{ctx.pickup_branch}' does not serve as a pickup point",
            {"pickup_branch": ctx.pickup_branch},
        )
    return None


HOLD_VALIDATORS = (
    refuse_when_title_unknown,
    refuse_when_item_not_holdable,
    refuse_when_holds_not_allowed,
    refuse_when_hold_limit_reached,
    refuse_when_already_on_hold,
    refuse_when_already_on_loan,
    refuse_when_pickup_branch_unavailable,
)

HOLD_VALIDATOR_NAMES = (
    "refuse_when_patron_not_verified",
    "refuse_when_patron_expired",
    "refuse_when_patron_blocked",
    *(v.__name__ for v in HOLD_VALIDATORS),
)


def run_hold_validators(ctx: HoldContext) -> list[Reason]:
    reasons: list[Any] = _patron(ctx)
    reasons += [r for v in HOLD_VALIDATORS if (r := v(ctx)) is not None]
    return reasons
