"""How the portal signs people in: the password grant against the issuer.

Embedded mode calls the gateway's own :class:`~pusip_kit.auth.issuer.EmbeddedIssuer`
in-process; distributed mode posts to Keycloak's token endpoint as the confidential client
``pusip-portal``. Both answer with the RFC 6749 token response or raise :class:`LoginFailed`.
"""

from __future__ import annotations

import contextlib
from typing import Any, Protocol

import httpx

from gateway.config import GatewaySettings
from pusip_kit.auth.issuer import EmbeddedIssuer, OAuthError


class LoginFailed(Exception):
    def __init__(self, code: str, message: str, message_en: str, retry_after: str | None = None) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message = message
        self.message_en = message_en
        self.retry_after = retry_after


class LoginClient(Protocol):
    async def password(self, username: str, password: str) -> dict[str, Any]: ...

    async def refresh(self, refresh_token: str) -> dict[str, Any]: ...

    async def revoke(self, refresh_token: str) -> None: ...

    async def aclose(self) -> None: ...


def _from_oauth(err: OAuthError) -> LoginFailed:
    return LoginFailed(err.code, err.message, err.message_en, err.headers.get("Retry-After"))


class EmbeddedLogin:
    def __init__(self, issuer: EmbeddedIssuer, client_id: str) -> None:
        self.issuer = issuer
        self.client_id = client_id

    async def password(self, username: str, password: str) -> dict[str, Any]:
        try:
            return await self.issuer.password_grant(username, password, client_id=self.client_id)
        except OAuthError as err:
            raise _from_oauth(err) from err

    async def refresh(self, refresh_token: str) -> dict[str, Any]:
        try:
            return await self.issuer.refresh_grant(refresh_token, client_id=self.client_id)
        except OAuthError as err:
            raise _from_oauth(err) from err

    async def revoke(self, refresh_token: str) -> None:
        await self.issuer.revoke(refresh_token)

    async def aclose(self) -> None:
        return None


class OidcLogin:
    """A confidential OIDC client at a remote token endpoint (Keycloak)."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.token_endpoint = settings.token_endpoint
        issuer = settings.oidc_issuer.rstrip("/")
        self.logout_endpoint = f"{issuer}/protocol/openid-connect/logout"
        self.client_id = settings.portal_client_id
        self.client_secret = settings.portal_client_secret
        self.http = httpx.AsyncClient(timeout=10.0, trust_env=False)

    async def _post(self, url: str, form: dict[str, str]) -> dict[str, Any]:
        form = {"client_id": self.client_id, "client_secret": self.client_secret, **form}
        try:
            response = await self.http.post(url, data=form, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise LoginFailed(
                "identity_provider_unavailable",
                "Penyedia identitas tidak dapat dihubungi",
                f"Identity provider unreachable: {exc}",
            ) from exc
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {}
        if response.status_code >= 400:
            error = body.get("error") if isinstance(body, dict) else None
            if error == "invalid_grant":
                raise LoginFailed(
                    "invalid_credentials",
                    "Nama pengguna atau kata sandi salah",
                    "Invalid username or password",
                )
            raise LoginFailed(
                error or "login_failed",
                "Masuk gagal",
                f"Sign-in failed ({response.status_code} {error or ''})".strip(),
            )
        return body if isinstance(body, dict) else {}

    async def password(self, username: str, password: str) -> dict[str, Any]:
        return await self._post(
            self.token_endpoint,
            {"grant_type": "password", "username": username, "password": password, "scope": "openid"},
        )

    async def refresh(self, refresh_token: str) -> dict[str, Any]:
        return await self._post(
            self.token_endpoint, {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )

    async def revoke(self, refresh_token: str) -> None:
        with contextlib.suppress(LoginFailed):
            await self._post(self.logout_endpoint, {"refresh_token": refresh_token})

    async def aclose(self) -> None:
        await self.http.aclose()
