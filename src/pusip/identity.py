"""Accounts behind ``pusip users`` and ``pusip demo-data``, for both ways of running.

Embedded mode: the gateway's own identity store (``<data_dir>/gateway/identity.db``) through
:class:`pusip_kit.auth.accounts.AccountStore`. Distributed mode: the Keycloak realm that issues
the tokens, through :class:`pusip_kit.auth.keycloak.KeycloakAccounts`; its admin credentials come
from ``PUSIP_KEYCLOAK_ADMIN`` / ``PUSIP_KEYCLOAK_ADMIN_PASSWORD`` (``PUSIP_KEYCLOAK_ADMIN_REALM``,
default ``master``), the server and realm from the OIDC issuer
(``http://host:8080/realms/pusip``) unless ``PUSIP_KEYCLOAK_URL`` / ``PUSIP_KEYCLOAK_REALM`` say
otherwise.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pusip_kit.auth.subject import (
    CLAIM_ACCESS_CATEGORY,
    CLAIM_BRANCHES,
    CLAIM_CLEARANCE,
    CLAIM_UNIT,
    Role,
    SecurityLevel,
)
from pusip_kit.errors import Unprocessable

KNOWN_ROLES: tuple[str, ...] = tuple(r.value for r in Role)


@dataclass(frozen=True)
class AccountView:
    """One account as the command line shows it (both backends)."""

    username: str
    display_name: str | None = None
    email: str | None = None
    roles: tuple[str, ...] = ()
    unit: str | None = None
    clearance: str = SecurityLevel.BIASA.value
    access_category: str | None = None
    branches: tuple[str, ...] = ()
    active: bool = True
    locked: bool = False


@dataclass(frozen=True)
class ClientView:
    client_id: str
    name: str | None = None
    roles: tuple[str, ...] = ()
    unit: str | None = None
    active: bool = True


@dataclass
class AccountChanges:
    """What ``users add`` / ``users set`` / the demo loader want an account to carry."""

    display_name: str | None = None
    email: str | None = None
    roles: Sequence[str] = ()
    unit: str | None = None
    clearance: str = SecurityLevel.BIASA.value
    access_category: str | None = None
    branches: Sequence[str] = field(default_factory=tuple)


def check_roles(roles: Iterable[str]) -> list[str]:
    cleaned = [r.strip() for role in roles for r in role.split(",") if r.strip()]
    unknown = [r for r in cleaned if r not in KNOWN_ROLES]
    if unknown:
        raise Unprocessable(
            f"Peran tidak dikenal: {', '.join(unknown)} (pilihan: {', '.join(KNOWN_ROLES)})",
            f"Unknown role(s): {', '.join(unknown)}",
            code="unknown_role",
        )
    return cleaned


def check_clearance(value: str) -> str:
    try:
        return SecurityLevel(value.strip().upper().replace("-", "_").replace(" ", "_")).value
    except ValueError:
        raise Unprocessable(
            f"Klasifikasi keamanan tidak dikenal: {value} (pilihan: "
            f"{', '.join(s.value for s in SecurityLevel)})",
            f"Unknown security clearance: {value}",
            code="invalid_clearance",
        ) from None


class Directory(Protocol):
    """Where accounts live. Every method is async; errors are :class:`PusipError`."""

    kind: str

    async def list_accounts(self) -> list[AccountView]: ...

    async def get_account(self, username: str) -> AccountView | None: ...

    async def create_account(self, username: str, password: str, changes: AccountChanges) -> AccountView: ...

    async def update_account(self, username: str, changes: AccountChanges) -> AccountView: ...

    async def set_password(self, username: str, password: str) -> None: ...

    async def set_active(self, username: str, active: bool) -> AccountView: ...

    async def list_clients(self) -> list[ClientView]: ...

    async def ensure_client(
        self, client_id: str, secret: str, *, name: str | None, roles: Sequence[str], unit: str | None
    ) -> tuple[ClientView, bool]: ...

    async def close(self) -> None: ...


# -- embedded ---------------------------------------------------------------------------------


def identity_database_url(settings: Any) -> str:
    """The embedded identity store's URL for these gateway settings."""
    return f"sqlite+aiosqlite:///{settings.identity_db_path}"


class EmbeddedDirectory:
    """The gateway's built-in accounts (argon2id hashes in ``<data_dir>/gateway/identity.db``)."""

    kind = "embedded"

    def __init__(self, database_url: str) -> None:
        from pusip_kit.auth.accounts import AccountStore

        self.database_url = database_url
        self.store = AccountStore(database_url)
        self._ready = False

    @classmethod
    def from_settings(cls) -> EmbeddedDirectory:
        from gateway.config import GatewaySettings

        settings = GatewaySettings()
        settings.identity_dir.mkdir(parents=True, exist_ok=True)
        return cls(identity_database_url(settings))

    async def open(self) -> EmbeddedDirectory:
        if not self._ready:
            await self.store.create_all()
            self._ready = True
        return self

    async def close(self) -> None:
        await self.store.dispose()

    @staticmethod
    def _view(info: Any, now: Any = None) -> AccountView:
        locked = info.locked_until is not None and (now is None or info.locked_until > now)
        return AccountView(
            username=info.username,
            display_name=info.display_name,
            email=info.email,
            roles=tuple(info.roles),
            unit=info.unit,
            clearance=str(info.clearance.value if hasattr(info.clearance, "value") else info.clearance),
            access_category=info.access_category,
            branches=tuple(info.branches),
            active=info.active,
            locked=locked,
        )

    async def list_accounts(self) -> list[AccountView]:
        await self.open()
        now = self.store.now()
        return [self._view(a, now) for a in await self.store.list_accounts()]

    async def get_account(self, username: str) -> AccountView | None:
        await self.open()
        info = await self.store.get_account(username)
        return self._view(info, self.store.now()) if info else None

    async def create_account(self, username: str, password: str, changes: AccountChanges) -> AccountView:
        await self.open()
        info = await self.store.create_account(
            username,
            password,
            display_name=changes.display_name,
            email=changes.email,
            roles=list(changes.roles),
            unit=changes.unit,
            clearance=changes.clearance,
            access_category=changes.access_category,
            branches=list(changes.branches),
        )
        return self._view(info)

    async def update_account(self, username: str, changes: AccountChanges) -> AccountView:
        await self.open()
        info = await self.store.update_account(
            username,
            display_name=changes.display_name,
            email=changes.email,
            roles=list(changes.roles),
            unit=changes.unit,
            clearance=changes.clearance,
            access_category=changes.access_category,
            branches=list(changes.branches),
        )
        return self._view(info)

    async def set_password(self, username: str, password: str) -> None:
        await self.open()
        await self.store.set_password(username, password)

    async def set_active(self, username: str, active: bool) -> AccountView:
        await self.open()
        info = await (self.store.enable_account(username) if active else self.store.disable_account(username))
        return self._view(info)

    async def list_clients(self) -> list[ClientView]:
        await self.open()
        return [
            ClientView(client_id=c.client_id, name=c.name, roles=tuple(c.roles), unit=c.unit, active=c.active)
            for c in await self.store.list_clients()
        ]

    async def ensure_client(
        self, client_id: str, secret: str, *, name: str | None, roles: Sequence[str], unit: str | None
    ) -> tuple[ClientView, bool]:
        """Register (or reset) an agency client whose secret is known in advance (demo data).

        ``AccountStore.create_client`` always generates the secret, so the known one is hashed
        with the store's own hasher and written over it.
        """
        from sqlalchemy import update

        from pusip_kit.auth.accounts import Client

        await self.open()
        existing = await self.store.get_client(client_id)
        created = existing is None
        if created:
            await self.store.create_client(client_id, name=name, roles=list(roles), unit=unit)
        info = await self.store.update_client(client_id, name=name, roles=list(roles), unit=unit, active=True)
        hashed = await asyncio.to_thread(self.store.hasher.hash, secret)
        async with self.store.sessions() as session:
            await session.execute(
                update(Client).where(Client.client_id == client_id).values(secret_hash=hashed)
            )
            await session.commit()
        view = ClientView(
            client_id=info.client_id,
            name=info.name,
            roles=tuple(info.roles),
            unit=info.unit,
            active=info.active,
        )
        return view, created


# -- distributed (Keycloak) -------------------------------------------------------------------


@dataclass(frozen=True)
class KeycloakTarget:
    server_url: str
    realm: str
    admin_username: str
    admin_password: str
    admin_realm: str = "master"


def keycloak_target(issuer: str) -> KeycloakTarget:
    server_url = os.environ.get("PUSIP_KEYCLOAK_URL", "")
    realm = os.environ.get("PUSIP_KEYCLOAK_REALM", "")
    if (not server_url or not realm) and "/realms/" in issuer:
        base, _, tail = issuer.rstrip("/").partition("/realms/")
        server_url = server_url or base
        realm = realm or tail.split("/", 1)[0]
    password = os.environ.get("PUSIP_KEYCLOAK_ADMIN_PASSWORD", "")
    if not server_url or not realm or not password:
        raise Unprocessable(
            "Keycloak belum dikonfigurasi: setel PUSIP_OIDC_ISSUER (…/realms/<realm>) atau "
            "PUSIP_KEYCLOAK_URL dan PUSIP_KEYCLOAK_REALM, serta PUSIP_KEYCLOAK_ADMIN_PASSWORD",
            "Keycloak is not configured: set PUSIP_OIDC_ISSUER (…/realms/<realm>) or "
            "PUSIP_KEYCLOAK_URL and PUSIP_KEYCLOAK_REALM, and PUSIP_KEYCLOAK_ADMIN_PASSWORD",
            code="keycloak_not_configured",
        )
    return KeycloakTarget(
        server_url=server_url,
        realm=realm,
        admin_username=os.environ.get("PUSIP_KEYCLOAK_ADMIN", "admin"),
        admin_password=password,
        admin_realm=os.environ.get("PUSIP_KEYCLOAK_ADMIN_REALM", "master"),
    )


def _attr(attributes: dict[str, Any], name: str) -> list[str]:
    value = attributes.get(name) or []
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def _attributes(changes: AccountChanges) -> dict[str, list[str]]:
    from pusip_kit.auth.keycloak import pusip_attributes

    return pusip_attributes(
        unit=changes.unit,
        clearance=changes.clearance,
        access_category=changes.access_category,
        branches=list(changes.branches),
    )


def _person_name(name: str) -> tuple[str, str]:
    """Keycloak's first and last name from one display name.

    A single name (common in Indonesia: "Sukarno") fills both, as forms that insist on a family
    name usually ask.
    """
    first, _, last = name.strip().partition(" ")
    return first, last.strip() or first


class KeycloakDirectory:
    """Accounts of the Keycloak realm that issues Pusip's tokens (admin REST API, in a thread)."""

    kind = "keycloak"

    def __init__(self, target: KeycloakTarget) -> None:
        from pusip_kit.auth.keycloak import KeycloakAccounts

        self.target = target
        self.accounts = KeycloakAccounts(
            target.server_url,
            target.realm,
            username=target.admin_username,
            password=target.admin_password,
            admin_realm=target.admin_realm,
        )

    @property
    def admin(self) -> Any:
        return self.accounts.admin

    async def close(self) -> None:
        return None

    def _view_sync(self, user: dict[str, Any]) -> AccountView:
        attributes = user.get("attributes") or {}
        roles = sorted(
            r["name"] for r in self.admin.get_realm_roles_of_user(user["id"]) if r.get("name") in KNOWN_ROLES
        )
        name = " ".join(p for p in (user.get("firstName"), user.get("lastName")) if p) or None
        branches: list[str] = []
        for value in _attr(attributes, CLAIM_BRANCHES):
            branches.extend(b.strip() for b in value.split(",") if b.strip())
        return AccountView(
            username=user["username"],
            display_name=name,
            email=user.get("email"),
            roles=tuple(roles),
            unit=next(iter(_attr(attributes, CLAIM_UNIT)), None),
            clearance=next(iter(_attr(attributes, CLAIM_CLEARANCE)), SecurityLevel.BIASA.value),
            access_category=next(iter(_attr(attributes, CLAIM_ACCESS_CATEGORY)), None),
            branches=tuple(branches),
            active=bool(user.get("enabled", True)),
        )

    async def list_accounts(self) -> list[AccountView]:
        def run() -> list[AccountView]:
            users = self.admin.get_users({"briefRepresentation": False})
            people = [u for u in users if not str(u.get("username", "")).startswith("service-account-")]
            return sorted((self._view_sync(u) for u in people), key=lambda v: v.username)

        return await asyncio.to_thread(run)

    async def get_account(self, username: str) -> AccountView | None:
        def run() -> AccountView | None:
            user_id = self.admin.get_user_id(username.lower())
            return self._view_sync(self.admin.get_user(user_id)) if user_id else None

        return await asyncio.to_thread(run)

    async def create_account(self, username: str, password: str, changes: AccountChanges) -> AccountView:
        # The realm's user profile requires email, first and last name, or the account cannot sign
        # in ("account is not fully set up").
        if not changes.email:
            raise Unprocessable(
                "Realm Keycloak mewajibkan surel: tambahkan --email",
                "The Keycloak realm requires an email address: add --email",
                code="email_required",
            )
        first, last = _person_name(changes.display_name or username)

        def run() -> None:
            self.accounts.create_user(
                username,
                password,
                email=changes.email,
                first_name=first or None,
                last_name=last or None,
                roles=list(changes.roles),
                unit=changes.unit,
                clearance=changes.clearance,
                access_category=changes.access_category,
                branches=list(changes.branches),
            )

        await asyncio.to_thread(run)
        view = await self.get_account(username)
        assert view is not None
        return view

    async def update_account(self, username: str, changes: AccountChanges) -> AccountView:
        def run() -> None:
            user_id = self.accounts.user_id(username)
            user = self.admin.get_user(user_id)
            attributes = dict(user.get("attributes") or {})
            attributes.update(_attributes(changes))
            payload: dict[str, Any] = {"attributes": attributes}
            if changes.display_name:
                first, last = _person_name(changes.display_name)
                payload.update(firstName=first, lastName=last)
            if changes.email:
                payload["email"] = changes.email
            self.admin.update_user(user_id, payload)
            current = {r["name"] for r in self.admin.get_realm_roles_of_user(user_id)} & set(KNOWN_ROLES)
            wanted = set(changes.roles)
            remove = [self.admin.get_realm_role(r) for r in sorted(current - wanted)]
            add = [self.admin.get_realm_role(r) for r in sorted(wanted - current)]
            if remove:
                self.admin.delete_realm_roles_of_user(user_id, remove)
            if add:
                self.admin.assign_realm_roles(user_id, add)

        await asyncio.to_thread(run)
        view = await self.get_account(username)
        assert view is not None
        return view

    async def set_password(self, username: str, password: str) -> None:
        await asyncio.to_thread(self.accounts.reset_password, username, password)

    async def set_active(self, username: str, active: bool) -> AccountView:
        await asyncio.to_thread(self.accounts.set_enabled, username, active)
        view = await self.get_account(username)
        assert view is not None
        return view

    async def list_clients(self) -> list[ClientView]:
        def run() -> list[ClientView]:
            out = []
            for client in self.admin.get_clients():
                if not client.get("serviceAccountsEnabled"):
                    continue
                user = self.admin.get_client_service_account_user(client["id"])
                roles = sorted(
                    r["name"]
                    for r in self.admin.get_realm_roles_of_user(user["id"])
                    if r.get("name") in KNOWN_ROLES
                )
                out.append(
                    ClientView(
                        client_id=client["clientId"],
                        name=client.get("name"),
                        roles=tuple(roles),
                        unit=next(iter(_attr(user.get("attributes") or {}, CLAIM_UNIT)), None),
                        active=bool(client.get("enabled", True)),
                    )
                )
            return sorted(out, key=lambda c: c.client_id)

        return await asyncio.to_thread(run)

    async def ensure_client(
        self, client_id: str, secret: str, *, name: str | None, roles: Sequence[str], unit: str | None
    ) -> tuple[ClientView, bool]:
        def run() -> bool:
            if self.admin.get_client_id(client_id):
                return False
            self.accounts.create_agency_client(client_id, roles=roles, unit=unit, name=name, secret=secret)
            return True

        created = await asyncio.to_thread(run)
        return ClientView(client_id=client_id, name=name, roles=tuple(roles), unit=unit), created


def open_directory(*, keycloak: bool, issuer: str) -> Directory:
    if keycloak:
        return KeycloakDirectory(keycloak_target(issuer))
    return EmbeddedDirectory.from_settings()
