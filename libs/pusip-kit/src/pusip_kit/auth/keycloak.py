"""Distributed-mode account administration in Keycloak (``pusip users`` uses it).

People get realm roles and the ``pusip_*`` user attributes that the realm's protocol mappers
put into tokens; agency systems get a confidential client with a service account holding
their realm roles and unit.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakError

from pusip_kit.auth.subject import (
    CLAIM_ACCESS_CATEGORY,
    CLAIM_BRANCHES,
    CLAIM_CLEARANCE,
    CLAIM_UNIT,
    SecurityLevel,
)
from pusip_kit.errors import Conflict, NotFound, ServiceUnavailable


@dataclass(frozen=True)
class KeycloakClientCredentials:
    client_id: str
    client_secret: str
    internal_id: str
    service_account_id: str


def pusip_attributes(
    *,
    unit: str | None = None,
    clearance: SecurityLevel | str | None = None,
    access_category: str | None = None,
    branches: Iterable[str] | None = None,
) -> dict[str, list[str]]:
    """Keycloak user attributes (multivalued strings) for the ``pusip_*`` claims."""
    attrs: dict[str, list[str]] = {}
    if unit is not None:
        attrs[CLAIM_UNIT] = [unit]
    if clearance is not None:
        attrs[CLAIM_CLEARANCE] = [SecurityLevel(str(clearance).upper()).value]
    if access_category is not None:
        attrs[CLAIM_ACCESS_CATEGORY] = [access_category]
    if branches is not None:
        attrs[CLAIM_BRANCHES] = list(branches)
    return attrs


def _attribute_mapper(claim: str, *, multivalued: bool = False) -> dict[str, Any]:
    return {
        "name": claim,
        "protocol": "openid-connect",
        "protocolMapper": "oidc-usermodel-attribute-mapper",
        "config": {
            "user.attribute": claim,
            "claim.name": claim,
            "jsonType.label": "String",
            "multivalued": str(multivalued).lower(),
            "access.token.claim": "true",
            "id.token.claim": "true",
            "userinfo.token.claim": "true",
            "introspection.token.claim": "true",
        },
    }


def pusip_protocol_mappers(audience: str = "pusip") -> list[dict[str, Any]]:
    """The mappers every Pusip client needs: the API audience and the ``pusip_*`` claims."""
    return [
        {
            "name": f"audience-{audience}",
            "protocol": "openid-connect",
            "protocolMapper": "oidc-audience-mapper",
            "config": {
                "included.custom.audience": audience,
                "access.token.claim": "true",
                "id.token.claim": "false",
                "introspection.token.claim": "true",
            },
        },
        _attribute_mapper(CLAIM_UNIT),
        _attribute_mapper(CLAIM_CLEARANCE),
        _attribute_mapper(CLAIM_ACCESS_CATEGORY),
        _attribute_mapper(CLAIM_BRANCHES, multivalued=True),
    ]


class KeycloakAccounts:
    """Small wrapper over :class:`keycloak.KeycloakAdmin` for one realm.

    The admin signs in to ``admin_realm`` (``master`` by default) and manages ``realm``.
    Calls are synchronous (the CLI's use); run them in a thread from async code.
    """

    def __init__(
        self,
        server_url: str,
        realm: str,
        *,
        username: str,
        password: str,
        admin_realm: str = "master",
        admin_client_id: str = "admin-cli",
        verify: bool | str = True,
        audience: str = "pusip",
        admin: KeycloakAdmin | None = None,
    ) -> None:
        self.realm = realm
        self.audience = audience
        self.admin = admin or KeycloakAdmin(
            server_url=server_url.rstrip("/") + "/",
            username=username,
            password=password,
            realm_name=realm,
            user_realm_name=admin_realm,
            client_id=admin_client_id,
            verify=verify,
        )

    # -- people -----------------------------------------------------------------------------

    def _realm_roles(self, roles: Iterable[str]) -> list[dict[str, Any]]:
        reps = []
        for role in roles:
            try:
                reps.append(self.admin.get_realm_role(str(role)))
            except KeycloakError as exc:
                raise NotFound(
                    f"Peran '{role}' tidak ada di realm {self.realm}",
                    f"Role '{role}' does not exist in realm {self.realm}",
                    code="role_not_found",
                ) from exc
        return reps

    def user_id(self, username: str) -> str:
        user_id = self.admin.get_user_id(username.lower())
        if not user_id:
            raise NotFound(
                f"Pengguna '{username}' tidak ditemukan",
                f"User '{username}' not found",
                code="account_not_found",
            )
        return user_id

    def create_user(
        self,
        username: str,
        password: str,
        *,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        roles: Iterable[str] = (),
        unit: str | None = None,
        clearance: SecurityLevel | str | None = SecurityLevel.BIASA,
        access_category: str | None = None,
        branches: Iterable[str] | None = None,
        temporary_password: bool = False,
    ) -> str:
        """Create a user with realm roles and ``pusip_*`` attributes; returns the Keycloak id."""
        payload: dict[str, Any] = {
            "username": username.lower(),
            "enabled": True,
            "emailVerified": bool(email),
            "attributes": pusip_attributes(
                unit=unit, clearance=clearance, access_category=access_category, branches=branches
            ),
            "credentials": [{"type": "password", "value": password, "temporary": temporary_password}],
        }
        if email:
            payload["email"] = email
        if first_name:
            payload["firstName"] = first_name
        if last_name:
            payload["lastName"] = last_name
        role_reps = self._realm_roles(roles)
        try:
            user_id = self.admin.create_user(payload, exist_ok=False)
        except KeycloakError as exc:
            if getattr(exc, "response_code", None) == 409:
                raise Conflict(
                    f"Pengguna '{username}' sudah ada",
                    f"User '{username}' already exists",
                    code="account_exists",
                ) from exc
            raise _unavailable(exc) from exc
        if role_reps:
            self.admin.assign_realm_roles(user_id, role_reps)
        return user_id

    def reset_password(self, username: str, password: str, *, temporary: bool = False) -> None:
        self.admin.set_user_password(self.user_id(username), password, temporary=temporary)

    def set_enabled(self, username: str, enabled: bool) -> None:
        self.admin.update_user(self.user_id(username), {"enabled": enabled})

    def delete_user(self, username: str) -> None:
        self.admin.delete_user(self.user_id(username))

    # -- agency systems ---------------------------------------------------------------------

    def create_agency_client(
        self,
        client_id: str,
        *,
        roles: Iterable[str] = ("agency_system",),
        unit: str | None = None,
        name: str | None = None,
        secret: str | None = None,
    ) -> KeycloakClientCredentials:
        """A confidential client with a service account holding ``roles`` and ``unit``.

        The client gets the audience and ``pusip_*`` mappers, so its tokens are accepted by the
        services exactly like those of the realm's demo agency client.
        """
        client_secret = secret or secrets.token_urlsafe(32)
        payload: dict[str, Any] = {
            "clientId": client_id,
            "name": name or client_id,
            "enabled": True,
            "protocol": "openid-connect",
            "publicClient": False,
            "clientAuthenticatorType": "client-secret",
            "secret": client_secret,
            "serviceAccountsEnabled": True,
            "standardFlowEnabled": False,
            "directAccessGrantsEnabled": False,
            "implicitFlowEnabled": False,
            "protocolMappers": pusip_protocol_mappers(self.audience),
        }
        role_reps = self._realm_roles(roles)
        try:
            internal_id = self.admin.create_client(payload, skip_exists=False)
        except KeycloakError as exc:
            if getattr(exc, "response_code", None) == 409:
                raise Conflict(
                    f"Klien '{client_id}' sudah ada",
                    f"Client '{client_id}' already exists",
                    code="client_exists",
                ) from exc
            raise _unavailable(exc) from exc
        service_user = self.admin.get_client_service_account_user(internal_id)
        service_user_id = service_user["id"]
        if role_reps:
            self.admin.assign_realm_roles(service_user_id, role_reps)
        if unit:
            attributes = dict(service_user.get("attributes") or {})
            attributes.update(pusip_attributes(unit=unit))
            self.admin.update_user(service_user_id, {**service_user, "attributes": attributes})
        return KeycloakClientCredentials(
            client_id=client_id,
            client_secret=client_secret,
            internal_id=internal_id,
            service_account_id=service_user_id,
        )

    def delete_client(self, client_id: str) -> None:
        internal_id = self.admin.get_client_id(client_id)
        if not internal_id:
            raise NotFound(
                f"Klien '{client_id}' tidak ditemukan",
                f"Client '{client_id}' not found",
                code="client_not_found",
            )
        self.admin.delete_client(internal_id)


def _unavailable(exc: KeycloakError) -> ServiceUnavailable:
    return ServiceUnavailable(
        "Keycloak menolak atau tidak menanggapi permintaan admin",
        f"Keycloak refused or did not answer the admin request: {exc}",
        code="keycloak_error",
    )
