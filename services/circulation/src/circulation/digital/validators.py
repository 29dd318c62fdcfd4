"""Named refusals for borrowing an e-resource."""

from __future__ import annotations

from dataclasses import dataclass

from circulation.models import DigitalLoan, Licence, Patron
from circulation.patrons.blocks import ActiveBlock
from circulation.patrons.validators import patron_reasons
from pusip_kit.errors import Reason


@dataclass
class DigitalContext:
    patron: Patron
    blocks: list[ActiveBlock]
    licence: Licence
    on_loan: int
    own_loan: DigitalLoan | None
    patron_digital_loans: int
    max_per_patron: int
    waiting_ahead: int  # waitlist entries of others (a free copy is theirs first)


def refuse_when_licence_inactive(ctx: DigitalContext) -> Reason | None:
    if not ctx.licence.active:
        return Reason(
            "refuse_when_licence_inactive",
            "Lisensi judul digital ini tidak aktif",
            "The licence for this e-resource is not active",
        )
    return None


def refuse_when_already_borrowed(ctx: DigitalContext) -> Reason | None:
    if ctx.own_loan is not None:
        return Reason(
            "refuse_when_already_borrowed",
            "Anda sedang meminjam judul digital ini",
            "You already have this e-resource on loan",
            {"expires_at": ctx.own_loan.expires_at.isoformat()},
        )
    return None


def refuse_when_no_copy_available(ctx: DigitalContext) -> Reason | None:
    if ctx.on_loan + ctx.waiting_ahead >= ctx.licence.copies:
        return Reason(
            "refuse_when_no_copy_available",
            f"Semua {ctx.licence.copies} salinan sedang dipinjam; Anda dapat masuk daftar tunggu",
            f"All {ctx.licence.copies} copies are on loan; you can join the waitlist",
            {"copies": ctx.licence.copies, "on_loan": ctx.on_loan, "waiting": ctx.waiting_ahead},
        )
    return None


def refuse_when_digital_limit_reached(ctx: DigitalContext) -> Reason | None:
    if ctx.patron_digital_loans >= ctx.max_per_patron:
        return Reason(
            "refuse_when_digital_limit_reached",
            f"Batas pinjaman digital tercapai ({ctx.patron_digital_loans} dari {ctx.max_per_patron})",
            f"Digital loan limit reached ({ctx.patron_digital_loans} of {ctx.max_per_patron})",
        )
    return None


DIGITAL_VALIDATORS = (
    refuse_when_licence_inactive,
    refuse_when_already_borrowed,
    refuse_when_no_copy_available,
    refuse_when_digital_limit_reached,
)
DIGITAL_VALIDATOR_NAMES = (
    "refuse_when_patron_not_verified",
    "refuse_when_patron_expired",
    "refuse_when_patron_blocked",
    *(v.__name__ for v in DIGITAL_VALIDATORS),
)


def run_digital_validators(ctx: DigitalContext) -> list[Reason]:
    return patron_reasons(ctx.patron, ctx.blocks) + [
        r for v in DIGITAL_VALIDATORS if (r := v(ctx)) is not None
    ]
