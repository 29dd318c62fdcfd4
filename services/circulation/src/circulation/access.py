"""Who may do what at which branch (one place for the circulation desk's access rules)."""

from __future__ import annotations

from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.errors import Forbidden

KIOSK_ROLE = "kiosk"  # a SIP2 self-check machine, logged in with a kiosk account
STAFF_ROLES = (Role.ADMIN, Role.LIBRARIAN)
DESK_ROLES = (Role.ADMIN, Role.LIBRARIAN, KIOSK_ROLE)


def is_staff(subject: AuthSubject) -> bool:
    return subject.has_role(*STAFF_ROLES)


def is_desk(subject: AuthSubject) -> bool:
    return subject.has_role(*DESK_ROLES)


def may_act_at(subject: AuthSubject, branch: str | None) -> bool:
    """Admins act everywhere; librarians and kiosks at the branches of their ``pusip_branches`` claim
    (a librarian without any branch claim works for the whole network)."""
    if subject.is_admin:
        return True
    if not is_desk(subject):
        return False
    if not subject.branches:
        return not subject.has_role(KIOSK_ROLE)
    return branch is not None and branch in subject.branches


def require_branch(subject: AuthSubject, branch: str | None) -> None:
    if not may_act_at(subject, branch):
        raise Forbidden(
            f"Anda tidak bertugas di cabang '{branch}'",
            f"You are not assigned to branch '{branch}'",
            code="branch_not_assigned",
            details={"branch": branch, "your_branches": sorted(subject.branches)},
        )


def require_staff(subject: AuthSubject) -> None:
    if not is_staff(subject):
        raise Forbidden(
            "Tindakan ini hanya untuk pustakawan",
            "This action is for librarians only",
            code="missing_role",
            details={"required_roles": [str(r) for r in STAFF_ROLES]},
        )
