"""The named refusal validators of check-out, renewal, check-in and receive-transit.

Each validator looks at a context loaded once (under the locks when it is for real) and returns a
:class:`~pusip_kit.errors.Reason` or ``None``; an action runs them all and is refused with *every*
reason that applies. Dry-run endpoints run the same list without writing anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from circulation.models import Hold, Item, Loan, Patron, Transit
from circulation.models.item import ITEM_IN_TRANSIT, ITEM_LOST, ITEM_MISSING, ITEM_WITHDRAWN
from circulation.patrons.blocks import ActiveBlock
from circulation.patrons.validators import (
    refuse_when_patron_blocked,
    refuse_when_patron_expired,
    refuse_when_patron_not_verified,
)
from circulation.policy import LoanRule
from pusip_kit.errors import Reason


@dataclass
class CheckoutContext:
    patron: Patron
    item: Item
    branch: str
    today: date
    rule: LoanRule
    blocks: list[ActiveBlock]
    open_loans: int
    open_of_type: int
    item_loan: Loan | None
    trapped_hold: Hold | None  # the hold this item is trapped for, if any
    item_holds_for_others: list[Hold] = field(default_factory=list)  # waiting item-level holds by others
    transit_to: str | None = None  # where the item travels, when it is in transit


@dataclass
class RenewContext:
    patron: Patron | None
    loan: Loan
    item: Item
    today: date
    rule: LoanRule
    blocks: list[ActiveBlock]
    holds_waiting: int  # holds this copy could fill
    new_due: date


@dataclass
class ReceiveContext:
    item: Item
    branch: str
    transit: Transit | None


C = Any
Validator = Callable[[C], Reason | None]


# -- check-out ----------------------------------------------------------------------------------------


def _patron_not_verified(ctx: CheckoutContext | RenewContext) -> Reason | None:
    return refuse_when_patron_not_verified(ctx.patron) if ctx.patron else None


def _patron_expired(ctx: CheckoutContext | RenewContext) -> Reason | None:
    return refuse_when_patron_expired(ctx.patron, ctx.blocks) if ctx.patron else None


def _patron_blocked(ctx: CheckoutContext | RenewContext) -> Reason | None:
    return refuse_when_patron_blocked(ctx.patron, ctx.blocks) if ctx.patron else None


def refuse_when_item_not_loanable(ctx: CheckoutContext) -> Reason | None:
    if ctx.item.status in (ITEM_LOST, ITEM_MISSING, ITEM_WITHDRAWN):
        return Reason(
            "refuse_when_item_not_loanable",
            f"Eksemplar {ctx.item.barcode} berstatus '{ctx.item.status}' dan tidak dapat dipinjam",
            f"Item {ctx.item.barcode} is '{ctx.item.status}' and cannot be loaned",
            {"status": ctx.item.status},
        )
    if not ctx.rule.loanable:
        return Reason(
            "refuse_when_item_not_loanable",
            f"Bahan jenis '{ctx.item.material_type}' tidak dipinjamkan untuk kategori ini (baca di tempat)",
            f"Material type '{ctx.item.material_type}' is not loanable for this category (reference only)",
            {"material_type": ctx.item.material_type},
        )
    return None


def refuse_when_item_on_loan(ctx: CheckoutContext) -> Reason | None:
    loan = ctx.item_loan
    if loan is None:
        return None
    own = loan.patron_id == ctx.patron.id
    return Reason(
        "refuse_when_item_on_loan",
        "Eksemplar ini sudah Anda pinjam; perpanjang bila perlu" if own else "Eksemplar ini sedang dipinjam",
        "You already have this item on loan; renew it instead" if own else "This item is on loan",
        {"due_date": loan.due_on.isoformat(), "own_loan": own},
    )


def refuse_when_item_in_transit(ctx: CheckoutContext) -> Reason | None:
    if ctx.item.status == ITEM_IN_TRANSIT or ctx.transit_to is not None:
        destination = ctx.transit_to
        return Reason(
            "refuse_when_item_in_transit",
            f"Eksemplar sedang dalam perjalanan ke {destination}; terima dulu di cabang tujuan",
            f"The item is in transit to {destination}; receive it at its destination first",
            {"to_branch": destination},
        )
    return None


def refuse_when_item_on_hold_for_another(ctx: CheckoutContext) -> Reason | None:
    hold = ctx.trapped_hold
    if hold is not None and hold.patron_id != ctx.patron.id:
        return Reason(
            "refuse_when_item_on_hold_for_another",
            "Eksemplar ini disisihkan untuk pemesan lain",
            "This item is set aside for another patron's reservation",
            {"pickup_branch": hold.pickup_branch},
        )
    if ctx.item_holds_for_others and (hold is None or hold.patron_id != ctx.patron.id):
        return Reason(
            "refuse_when_item_on_hold_for_another",
            "Eksemplar ini dipesan secara khusus oleh anggota lain",
            "Another patron has reserved this very item",
            {"holds": len(ctx.item_holds_for_others)},
        )
    return None


def refuse_when_loan_limit_reached(ctx: CheckoutContext) -> Reason | None:
    if ctx.open_loans >= ctx.rule.max_loans:
        return Reason(
            "refuse_when_loan_limit_reached",
            f"Batas pinjaman tercapai ({ctx.open_loans} dari {ctx.rule.max_loans})",
            f"Loan limit reached ({ctx.open_loans} of {ctx.rule.max_loans})",
            {"open_loans": ctx.open_loans, "max_loans": ctx.rule.max_loans},
        )
    return None


def refuse_when_type_limit_reached(ctx: CheckoutContext) -> Reason | None:
    limit = ctx.rule.max_loans_of_type
    if limit is not None and ctx.open_of_type >= limit:
        return Reason(
            "refuse_when_type_limit_reached",
            f"Batas pinjaman jenis '{ctx.item.material_type}' tercapai ({ctx.open_of_type} dari {limit})",
            f"Limit for material type '{ctx.item.material_type}' reached ({ctx.open_of_type} of {limit})",
            {"material_type": ctx.item.material_type, "open": ctx.open_of_type, "max": limit},
        )
    return None


# -- renewal ------------------------------------------------------------------------------------------


def refuse_when_renewals_exhausted(ctx: RenewContext) -> Reason | None:
    if ctx.loan.renewals >= ctx.rule.renewals:
        return Reason(
            "refuse_when_renewals_exhausted",
            f"Perpanjangan sudah {ctx.loan.renewals} kali (batas {ctx.rule.renewals})",
            f"Already renewed {ctx.loan.renewals} times (limit {ctx.rule.renewals})",
            {"renewals": ctx.loan.renewals, "max_renewals": ctx.rule.renewals},
        )
    return None


def refuse_when_item_has_holds(ctx: RenewContext) -> Reason | None:
    if ctx.holds_waiting:
        return Reason(
            "refuse_when_item_has_holds",
            f"Judul ini ditunggu {ctx.holds_waiting} pemesan; tidak dapat diperpanjang",
            f"{ctx.holds_waiting} patrons are waiting for this title; it cannot be renewed",
            {"holds": ctx.holds_waiting},
        )
    return None


def refuse_when_renewal_too_early(ctx: RenewContext) -> Reason | None:
    if ctx.new_due <= ctx.loan.due_on:
        return Reason(
            "refuse_when_renewal_too_early",
            f"Perpanjangan hari ini tidak memundurkan jatuh tempo {ctx.loan.due_on.isoformat()}",
            f"Renewing today would not move the due date {ctx.loan.due_on.isoformat()}",
            {"due_date": ctx.loan.due_on.isoformat()},
        )
    return None


# -- receive-transit --------------------------------------------------------------------------------


def refuse_when_item_not_in_transit(ctx: ReceiveContext) -> Reason | None:
    if ctx.transit is None:
        return Reason(
            "refuse_when_item_not_in_transit",
            f"Eksemplar {ctx.item.barcode} tidak sedang dalam perjalanan",
            f"Item {ctx.item.barcode} is not in transit",
        )
    return None


def refuse_when_wrong_destination(ctx: ReceiveContext) -> Reason | None:
    if ctx.transit is not None and ctx.transit.to_branch != ctx.branch:
        return Reason(
            "refuse_when_wrong_destination",
            f"Eksemplar ini dikirim ke {ctx.transit.to_branch}, bukan {ctx.branch}; lakukan pengembalian untuk meneruskannya",
            f"This item travels to {ctx.transit.to_branch}, not {ctx.branch}; check it in to forward it",
            {"to_branch": ctx.transit.to_branch},
        )
    return None


def _named(name: str, func: Validator) -> Validator:
    func.__name__ = name
    return func


CHECKOUT_VALIDATORS: tuple[Validator, ...] = (
    _named("refuse_when_patron_not_verified", _patron_not_verified),
    _named("refuse_when_patron_expired", _patron_expired),
    _named("refuse_when_patron_blocked", _patron_blocked),
    refuse_when_item_not_loanable,
    refuse_when_item_on_loan,
    refuse_when_item_in_transit,
    refuse_when_item_on_hold_for_another,
    refuse_when_loan_limit_reached,
    refuse_when_type_limit_reached,
)

RENEW_VALIDATORS: tuple[Validator, ...] = (
    _named("refuse_when_patron_expired", _patron_expired),
    _named("refuse_when_patron_blocked", _patron_blocked),
    refuse_when_renewals_exhausted,
    refuse_when_item_has_holds,
    refuse_when_renewal_too_early,
)

RECEIVE_VALIDATORS: tuple[Validator, ...] = (refuse_when_item_not_in_transit, refuse_when_wrong_destination)


def run(validators: tuple[Validator, ...], ctx: Any) -> list[Reason]:
    """Every reason the validators find, in their order."""
    return [reason for validator in validators if (reason := validator(ctx)) is not None]


def names(validators: tuple[Validator, ...]) -> list[str]:
    return [v.__name__ for v in validators]
