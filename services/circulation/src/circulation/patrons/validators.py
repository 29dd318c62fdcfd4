"""Named refusals about the patron, shared by check-out, renewal, holds and digital loans."""

from __future__ import annotations

from collections.abc import Sequence

from circulation.models import Patron
from circulation.models.patron import BLOCK_EXPIRED, PATRON_PENDING
from circulation.patrons.blocks import ActiveBlock
from pusip_kit.errors import Reason


def refuse_when_patron_not_verified(patron: Patron) -> Reason | None:
    if patron.status == PATRON_PENDING:
        return Reason(
            "refuse_when_patron_not_verified",
            "Pendaftaran belum selesai: alamat email belum diverifikasi",
            "Registration is not complete: the email address is not verified yet",
        )
    return None


def refuse_when_patron_expired(patron: Patron, blocks: Sequence[ActiveBlock]) -> Reason | None:
    if any(b.kind == BLOCK_EXPIRED for b in blocks):
        return Reason(
            "refuse_when_patron_expired",
            f"Keanggotaan berakhir pada {patron.expires_on.isoformat()}; perpanjang di loket",
            f"Membership expired on {patron.expires_on.isoformat()}; renew it at a desk",
            {"expires_on": patron.expires_on.isoformat()},
        )
    return None


def refuse_when_patron_blocked(patron: Patron, blocks: Sequence[ActiveBlock]) -> Reason | None:
    blocking = [b for b in blocks if b.kind != BLOCK_EXPIRED]
    if blocking:
        return Reason(
            "refuse_when_patron_blocked",
            "Anggota diblokir: " + "; ".join(b.reason for b in blocking),
            "Patron is blocked: " + "; ".join(b.reason_en for b in blocking),
            {"blocks": [{"kind": b.kind, "reason": b.reason, "reason_en": b.reason_en} for b in blocking]},
        )
    return None


def patron_reasons(patron: Patron, blocks: Sequence[ActiveBlock]) -> list[Reason]:
    found = [
        refuse_when_patron_not_verified(patron),
        refuse_when_patron_expired(patron, blocks),
        refuse_when_patron_blocked(patron, blocks),
    ]
    return [r for r in found if r is not None]
