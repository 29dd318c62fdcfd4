"""Who is calling: the authenticated subject every service and the gateway reason about."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    ADMIN = "admin"
    LIBRARIAN = "librarian"
    CATALOGER = "cataloger"
    PATRON = "patron"
    PUBLISHER = "publisher"
    DEPOSIT_OFFICER = "deposit_officer"
    ARCHIVIST = "archivist"
    RECORDS_CREATOR = "records_creator"
    LIBRARY_ADMIN = "library_admin"
    ASSESSOR = "assessor"
    ACCREDITATION_OFFICER = "accreditation_officer"
    AGENCY_SYSTEM = "agency_system"


DEPOSIT_READER_ROLES: tuple[Role, ...] = (Role.PATRON, Role.LIBRARIAN, Role.CATALOGER, Role.AGENCY_SYSTEM)
"""Who may read accepted digital legal deposits besides deposit officers and the depositor's own
accounts: the deposit service serves the files to them, the catalog offers them the download."""


class SecurityLevel(StrEnum):
    """SKKAAD security levels, lowest first (UU 43/2009)."""

    BIASA = "BIASA"
    TERBATAS = "TERBATAS"
    RAHASIA = "RAHASIA"
    SANGAT_RAHASIA = "SANGAT_RAHASIA"

    @property
    def rank(self) -> int:
        return list(SecurityLevel).index(self)


# Custom token claims (issued by the embedded issuer and by Keycloak protocol mappers alike).
CLAIM_UNIT = "pusip_unit"
CLAIM_CLEARANCE = "pusip_clearance"
CLAIM_ACCESS_CATEGORY = "pusip_access_category"
CLAIM_BRANCHES = "pusip_branches"


@dataclass(frozen=True)
class AuthSubject:
    subject: str
    username: str | None = None
    name: str | None = None
    email: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    unit: str | None = None
    clearance: SecurityLevel = SecurityLevel.BIASA
    access_category: str | None = None
    branches: frozenset[str] = field(default_factory=frozenset)
    client_id: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    is_service_account: bool = False
    claims: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def has_role(self, *roles: str) -> bool:
        return Role.ADMIN in self.roles or any(r in self.roles for r in roles)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles


ANONYMOUS = AuthSubject(subject="anonymous", roles=frozenset())
