"""FastAPI dependencies every service and the gateway use to know who is calling.

::

    configure_auth(app, TokenValidator(settings.oidc_issuer, settings.oidc_jwks_url, settings.oidc_audience))

    @router.get("/records")
    async def list_records(subject: CurrentSubject): ...             # anonymous allowed

    @router.post("/records", dependencies=[Depends(require_roles(Role.ARCHIVIST))])
    async def create_record(subject: Authenticated): ...

``current_subject``  the caller, or ``ANONYMOUS`` without an Authorization header; a bad token is 401
``authenticated``    the caller; 401 ``authentication_required`` without a token
``require_roles``    403 ``missing_role`` unless the caller has one of the roles (admin has all)
``require_scopes``   403 ``missing_scope`` unless a client-credentials caller holds every scope
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pusip_kit.auth.subject import ANONYMOUS, AuthSubject
from pusip_kit.auth.tokens import TokenValidator, refuse
from pusip_kit.errors import Forbidden, Unauthorized

STATE_VALIDATOR = "token_validator"
STATE_SUBJECT = "auth_subject"

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="JWT",
    description="Token akses OIDC (Keycloak atau penerbit bawaan) / OIDC access token",
)


def configure_auth(app: FastAPI, validator: TokenValidator) -> None:
    """Make ``validator`` the one the auth dependencies of ``app`` use."""
    setattr(app.state, STATE_VALIDATOR, validator)


def get_validator(request: Request) -> TokenValidator:
    validator = getattr(request.app.state, STATE_VALIDATOR, None)
    if validator is None:
        raise RuntimeError("configure_auth(app, validator) was not called for this application")
    return validator


def _authentication_required() -> Unauthorized:
    return Unauthorized(
        "Autentikasi diperlukan: sertakan token akses (Authorization: Bearer …)",
        "Authentication required: send an access token (Authorization: Bearer ...)",
        code="authentication_required",
    )


async def current_subject(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> AuthSubject:
    """The caller, or ``ANONYMOUS`` when no Authorization header was sent.

    A header that is present but not a valid bearer token is refused (401), never treated as
    anonymous.
    """
    cached = getattr(request.state, STATE_SUBJECT, None)
    if isinstance(cached, AuthSubject):
        return cached
    header = request.headers.get("authorization")
    if header is None:
        return ANONYMOUS
    if credentials is None or not credentials.credentials.strip():
        raise refuse("token_malformed", "Authorization header is not 'Bearer <token>'")
    subject = await get_validator(request).validate(credentials.credentials.strip())
    setattr(request.state, STATE_SUBJECT, subject)
    return subject


CurrentSubject = Annotated[AuthSubject, Depends(current_subject)]


async def authenticated(subject: CurrentSubject) -> AuthSubject:
    """The caller; 401 when no token was sent."""
    if subject is ANONYMOUS or subject.subject == ANONYMOUS.subject:
        raise _authentication_required()
    return subject


Authenticated = Annotated[AuthSubject, Depends(authenticated)]


def require_roles(*roles: str) -> Callable[[AuthSubject], Awaitable[AuthSubject]]:
    """A dependency admitting callers with any of ``roles`` (admins always)."""
    if not roles:
        raise ValueError("require_roles needs at least one role")
    wanted = [str(r) for r in roles]

    async def dependency(subject: Authenticated) -> AuthSubject:
        if not subject.has_role(*wanted):
            listed = ", ".join(wanted)
            raise Forbidden(
                f"Tindakan ini memerlukan salah satu peran: {listed}",
                f"This action requires one of the roles: {listed}",
                code="missing_role",
                details={"required_roles": wanted},
            )
        return subject

    dependency.__name__ = f"require_roles_{'_'.join(wanted)}"
    return dependency


def require_scopes(*scopes: str) -> Callable[[AuthSubject], Awaitable[AuthSubject]]:
    """A dependency requiring client-credentials callers to hold every one of ``scopes``.

    Scopes limit what an agency system may do; people are governed by their roles, so
    tokens that are not service-account tokens pass this check (combine with
    :func:`require_roles` to restrict them).
    """
    if not scopes:
        raise ValueError("require_scopes needs at least one scope")
    wanted = [str(s) for s in scopes]

    async def dependency(subject: Authenticated) -> AuthSubject:
        if subject.is_service_account:
            missing = [s for s in wanted if s not in subject.scopes]
            if missing:
                listed = " ".join(missing)
                raise Forbidden(
                    f"Klien tidak memiliki cakupan yang diperlukan: {listed}",
                    f"Client lacks the required scope: {listed}",
                    code="missing_scope",
                    details={"required_scopes": wanted, "missing_scopes": missing},
                )
        return subject

    dependency.__name__ = f"require_scopes_{'_'.join(wanted)}"
    return dependency
