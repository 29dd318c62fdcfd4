"""Identity: who is calling (``AuthSubject``), token validation, the embedded issuer, FastAPI deps.

The Keycloak admin helpers (``KeycloakAccounts``) are imported lazily, so services that only
validate tokens do not load python-keycloak.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pusip_kit.auth.accounts import (
    LOCKOUT_MAX_FAILURES,
    LOCKOUT_SECONDS,
    AccountInfo,
    AccountStore,
    ClientInfo,
    LockoutPolicy,
    LoginRefused,
)
from pusip_kit.auth.fastapi import (
    Authenticated,
    CurrentSubject,
    authenticated,
    bearer_scheme,
    configure_auth,
    current_subject,
    require_roles,
    require_scopes,
)
from pusip_kit.auth.issuer import (
    ACCESS_TOKEN_SECONDS,
    REFRESH_TOKEN_SECONDS,
    EmbeddedIssuer,
    OAuthError,
    SigningKey,
    load_or_create_signing_key,
    rfc7638_thumbprint,
)
from pusip_kit.auth.issuer_router import make_issuer_router
from pusip_kit.auth.subject import (
    ANONYMOUS,
    CLAIM_ACCESS_CATEGORY,
    CLAIM_BRANCHES,
    CLAIM_CLEARANCE,
    CLAIM_UNIT,
    AuthSubject,
    Role,
    SecurityLevel,
)
from pusip_kit.auth.tokens import ALLOWED_ALGORITHMS, TokenValidator, subject_from_claims

if TYPE_CHECKING:
    from pusip_kit.auth.keycloak import KeycloakAccounts, KeycloakClientCredentials

__all__ = [
    "ACCESS_TOKEN_SECONDS",
    "ALLOWED_ALGORITHMS",
    "ANONYMOUS",
    "CLAIM_ACCESS_CATEGORY",
    "CLAIM_BRANCHES",
    "CLAIM_CLEARANCE",
    "CLAIM_UNIT",
    "LOCKOUT_MAX_FAILURES",
    "LOCKOUT_SECONDS",
    "REFRESH_TOKEN_SECONDS",
    "AccountInfo",
    "AccountStore",
    "AuthSubject",
    "Authenticated",
    "ClientInfo",
    "CurrentSubject",
    "EmbeddedIssuer",
    "KeycloakAccounts",
    "KeycloakClientCredentials",
    "LockoutPolicy",
    "LoginRefused",
    "OAuthError",
    "Role",
    "SecurityLevel",
    "SigningKey",
    "TokenValidator",
    "authenticated",
    "bearer_scheme",
    "configure_auth",
    "current_subject",
    "load_or_create_signing_key",
    "make_issuer_router",
    "require_roles",
    "require_scopes",
    "rfc7638_thumbprint",
    "subject_from_claims",
]


def __getattr__(name: str) -> Any:
    if name in ("KeycloakAccounts", "KeycloakClientCredentials"):
        from pusip_kit.auth import keycloak

        return getattr(keycloak, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
