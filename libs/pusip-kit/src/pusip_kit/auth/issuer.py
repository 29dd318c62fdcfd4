"""The embedded-mode OpenID Connect issuer.

In embedded mode the gateway signs its own access tokens so every service validates them
with exactly the code that validates Keycloak tokens in distributed mode
(:class:`~pusip_kit.auth.tokens.TokenValidator` reading a JWKS).

* An RSA-2048 key, kept as PEM (mode 0600) in ``key_dir``; its ``kid`` is the RFC 7638
  thumbprint. :meth:`EmbeddedIssuer.rotate_key` retires it (still published for verification)
  and starts signing with a new one.
* Grants: ``password`` (portal, tests), ``client_credentials`` (agency systems) and
  ``refresh_token`` (opaque, rotated on every use, reuse revokes the session).
* Access tokens have the Keycloak shape (``realm_access.roles``, ``preferred_username``,
  ``azp``, ``scope``, ``typ: Bearer``) plus the ``pusip_*`` claims.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from pusip_kit.auth.accounts import AccountInfo, AccountStore, ClientInfo, LoginRefused
from pusip_kit.auth.subject import (
    CLAIM_ACCESS_CATEGORY,
    CLAIM_BRANCHES,
    CLAIM_CLEARANCE,
    CLAIM_UNIT,
)
from pusip_kit.auth.tokens import SERVICE_ACCOUNT_PREFIX, TokenValidator
from pusip_kit.errors import Unauthorized

log = logging.getLogger(__name__)

ACCESS_TOKEN_SECONDS = 300
REFRESH_TOKEN_SECONDS = 8 * 3600
SESSION_MAX_SECONDS = 24 * 3600
RETIRED_KEY_KEEP_SECONDS = 24 * 3600
RSA_KEY_BITS = 2048
SIGNING_ALGORITHM = "RS256"
SIGNING_KEY_FILE = "signing-key.pem"
RETIRED_KEY_DIR = "retired"

DEFAULT_AUDIENCE = "pusip"
DEFAULT_PUBLIC_CLIENT = "pusip-portal"
USER_SCOPES: tuple[str, ...] = ("openid", "profile", "email")
DEFAULT_USER_SCOPE = "openid profile email"

GRANT_PASSWORD = "password"  # noqa: S105 - an OAuth2 grant type name, not a secret
GRANT_CLIENT_CREDENTIALS = "client_credentials"
GRANT_REFRESH_TOKEN = "refresh_token"  # noqa: S105 - an OAuth2 grant type name, not a secret


# -- OAuth2 errors ----------------------------------------------------------------------------


class OAuthError(Exception):
    """An RFC 6749 §5.2 error, carrying our Indonesian message beside the English one."""

    def __init__(
        self,
        error: str,
        message: str,
        message_en: str,
        *,
        status_code: int = 400,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{error}: {message_en}")
        self.error = error
        self.message = message
        self.message_en = message_en
        self.status_code = status_code
        self.code = code or error
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {
            "error": self.error,
            "error_description": self.message_en,
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en,
        }

    @classmethod
    def from_refusal(cls, refusal: LoginRefused, *, basic_auth: bool = False) -> OAuthError:
        headers = {k: v for k, v in refusal.headers.items() if k.lower() == "retry-after"}
        if refusal.oauth_error == "invalid_client" and basic_auth:
            headers["WWW-Authenticate"] = 'Basic realm="pusip"'
        return cls(
            refusal.oauth_error,
            refusal.message,
            refusal.message_en,
            status_code=401,
            code=refusal.code,
            headers=headers,
        )


def invalid_request(message: str, message_en: str) -> OAuthError:
    return OAuthError("invalid_request", message, message_en)


# -- signing keys -----------------------------------------------------------------------------


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def rfc7638_thumbprint(jwk: Mapping[str, Any]) -> str:
    """The RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA or EC public key."""
    if jwk["kty"] == "RSA":
        members = {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}
    elif jwk["kty"] == "EC":
        members = {"crv": jwk["crv"], "kty": "EC", "x": jwk["x"], "y": jwk["y"]}
    else:
        raise ValueError(f"unsupported kty {jwk['kty']!r}")
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class SigningKey:
    private_key: rsa.RSAPrivateKey
    kid: str
    public_jwk: dict[str, str]

    @classmethod
    def of(cls, private_key: rsa.RSAPrivateKey) -> SigningKey:
        numbers = private_key.public_key().public_numbers()
        base = {"kty": "RSA", "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e)}
        kid = rfc7638_thumbprint(base)
        jwk = {**base, "kid": kid, "use": "sig", "alg": SIGNING_ALGORITHM}
        return cls(private_key=private_key, kid=kid, public_jwk=jwk)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls.of(rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS))

    @classmethod
    def load(cls, path: Path) -> SigningKey:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{path} does not hold an RSA private key")
        return cls.of(key)

    def pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _write_private(path: Path, data: bytes) -> bool:
    """Write ``data`` to a new file readable by its owner only. False if ``path`` exists."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # atomic and refuses to overwrite: concurrent starts agree
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _ensure_private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)


def load_or_create_signing_key(key_dir: Path) -> SigningKey:
    """The current signing key from ``key_dir``, generated (mode 0600) on first start."""
    _ensure_private_dir(key_dir)
    path = key_dir / SIGNING_KEY_FILE
    if not path.exists():
        key = SigningKey.generate()
        if _write_private(path, key.pem()):
            log.info("generated embedded issuer signing key %s in %s", key.kid, key_dir)
            return key
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    return SigningKey.load(path)


# -- the issuer -------------------------------------------------------------------------------


def _space_list(value: str | None) -> list[str]:
    return [s for s in (value or "").split() if s]


def _ts(value: datetime) -> int:
    return int(value.timestamp())


class EmbeddedIssuer:
    """A small OIDC provider over an :class:`AccountStore` (mounted by the gateway at ``/auth``)."""

    def __init__(
        self,
        issuer_url: str,
        store: AccountStore,
        key_dir: Path | str,
        *,
        audience: str = DEFAULT_AUDIENCE,
        access_token_seconds: int = ACCESS_TOKEN_SECONDS,
        refresh_token_seconds: int = REFRESH_TOKEN_SECONDS,
        session_max_seconds: int = SESSION_MAX_SECONDS,
        public_clients: Iterable[str] = (DEFAULT_PUBLIC_CLIENT,),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer_url = issuer_url.rstrip("/")
        self.store = store
        self.key_dir = Path(key_dir)
        self.audience = audience
        self.access_token_seconds = access_token_seconds
        self.refresh_token_seconds = refresh_token_seconds
        self.session_max_seconds = session_max_seconds
        self.public_clients = frozenset(public_clients)
        self._clock = clock
        self._key = load_or_create_signing_key(self.key_dir)
        self._key_stamp = self._stamp()
        self._retired: list[SigningKey] = self._load_retired()
        self._validator: TokenValidator | None = None

    @classmethod
    async def open(
        cls,
        issuer_url: str,
        data_dir: Path | str,
        *,
        database_url: str | None = None,
        **kwargs: Any,
    ) -> EmbeddedIssuer:
        """An issuer whose keys live in ``data_dir/keys`` and accounts in ``data_dir/identity.db``."""
        data_dir = Path(data_dir)
        _ensure_private_dir(data_dir)
        store = AccountStore(database_url or f"sqlite+aiosqlite:///{data_dir / 'identity.db'}")
        await store.create_all()
        return cls(issuer_url, store, data_dir / "keys", **kwargs)

    # -- keys -------------------------------------------------------------------------------

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = (self.key_dir / SIGNING_KEY_FILE).stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def _load_retired(self) -> list[SigningKey]:
        folder = self.key_dir / RETIRED_KEY_DIR
        if not folder.is_dir():
            return []
        keys: list[SigningKey] = []
        cutoff = time.time() - RETIRED_KEY_KEEP_SECONDS
        for path in sorted(folder.glob("*.pem")):
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)  # older than any token it could have signed
                continue
            try:
                keys.append(SigningKey.load(path))
            except (ValueError, OSError) as exc:
                log.warning("ignoring unreadable retired key %s: %s", path, exc)
        return [k for k in keys if k.kid != self._key.kid]

    def _current_key(self) -> SigningKey:
        """The signing key, reloaded if another process rotated it on disk."""
        stamp = self._stamp()
        if stamp != self._key_stamp:
            self._key = load_or_create_signing_key(self.key_dir)
            self._key_stamp = self._stamp()
            self._retired = self._load_retired()
        return self._key

    @property
    def kid(self) -> str:
        return self._current_key().kid

    def rotate_key(self) -> str:
        """Start signing with a new key; the old one stays in the JWKS for verification."""
        old = self._current_key()
        retired_dir = self.key_dir / RETIRED_KEY_DIR
        _ensure_private_dir(retired_dir)
        _write_private(retired_dir / f"{old.kid}.pem", old.pem())
        new = SigningKey.generate()
        tmp = self.key_dir / f".{SIGNING_KEY_FILE}.{uuid.uuid4().hex}.new"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(new.pem())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.key_dir / SIGNING_KEY_FILE)
        self._key = new
        self._key_stamp = self._stamp()
        self._retired = self._load_retired()
        log.info("rotated embedded issuer signing key %s -> %s", old.kid, new.kid)
        return new.kid

    def jwks(self) -> dict[str, Any]:
        current = self._current_key()
        return {"keys": [current.public_jwk, *(k.public_jwk for k in self._retired)]}

    def openid_configuration(self) -> dict[str, Any]:
        base = self.issuer_url
        return {
            "issuer": base,
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "userinfo_endpoint": f"{base}/userinfo",
            "revocation_endpoint": f"{base}/revoke",
            "grant_types_supported": [GRANT_PASSWORD, GRANT_CLIENT_CREDENTIALS, GRANT_REFRESH_TOKEN],
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [SIGNING_ALGORITHM],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "revocation_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            "scopes_supported": list(USER_SCOPES),
            "claims_supported": [
                "iss",
                "sub",
                "aud",
                "exp",
                "iat",
                "nbf",
                "jti",
                "azp",
                "scope",
                "preferred_username",
                "name",
                "email",
                "realm_access",
                "client_id",
                CLAIM_UNIT,
                CLAIM_CLEARANCE,
                CLAIM_ACCESS_CATEGORY,
                CLAIM_BRANCHES,
            ],
        }

    async def _jwks_loader(self) -> Mapping[str, Any]:
        return self.jwks()

    def validator(self) -> TokenValidator:
        """A :class:`TokenValidator` for this issuer that reads the JWKS in-process.

        The gateway can use it in embedded mode instead of fetching its own ``/auth/jwks``.
        """
        if self._validator is None:
            self._validator = TokenValidator(
                self.issuer_url,
                f"{self.issuer_url}/jwks",
                self.audience,
                jwks_loader=self._jwks_loader,
                jwks_min_refresh_seconds=0,
                clock=self._clock,
            )
        return self._validator

    # -- signing ----------------------------------------------------------------------------

    def sign(self, claims: Mapping[str, Any]) -> str:
        key = self._current_key()
        return jwt.encode(
            dict(claims),
            key.private_key,
            algorithm=SIGNING_ALGORITHM,
            headers={"kid": key.kid, "typ": "JWT"},
        )

    def _base_claims(self, now: int, sub: str, azp: str) -> dict[str, Any]:
        return {
            "iss": self.issuer_url,
            "sub": sub,
            "aud": self.audience,
            "exp": now + self.access_token_seconds,
            "iat": now,
            "nbf": now,
            "jti": str(uuid.uuid4()),
            "typ": "Bearer",
            "azp": azp,
        }

    def account_claims(self, account: AccountInfo, *, client_id: str, scope: str, sid: str | None) -> dict:
        now = int(self._clock())
        claims = self._base_claims(now, account.id, client_id)
        if sid:
            claims["sid"] = sid
        claims.update(
            {
                "scope": scope,
                "preferred_username": account.username,
                "realm_access": {"roles": list(account.roles)},
                CLAIM_CLEARANCE: account.clearance.value,
                CLAIM_BRANCHES: list(account.branches),
            }
        )
        optional = {
            "name": account.display_name,
            "email": account.email,
            CLAIM_UNIT: account.unit,
            CLAIM_ACCESS_CATEGORY: account.access_category,
        }
        claims.update({k: v for k, v in optional.items() if v})
        return claims

    def client_claims(self, client: ClientInfo, *, scope: str) -> dict[str, Any]:
        now = int(self._clock())
        claims = self._base_claims(now, client.id, client.client_id)
        claims.update(
            {
                "scope": scope,
                "client_id": client.client_id,
                "preferred_username": f"{SERVICE_ACCOUNT_PREFIX}{client.client_id}",
                "realm_access": {"roles": list(client.roles)},
                CLAIM_BRANCHES: [],
            }
        )
        if client.name:
            claims["name"] = client.name
        if client.unit:
            claims[CLAIM_UNIT] = client.unit
        return claims

    def _id_token(self, account: AccountInfo, *, client_id: str, auth_time: datetime, sid: str) -> str:
        now = int(self._clock())
        claims: dict[str, Any] = {
            "iss": self.issuer_url,
            "sub": account.id,
            "aud": client_id,
            "azp": client_id,
            "exp": now + self.access_token_seconds,
            "iat": now,
            "auth_time": _ts(auth_time),
            "jti": str(uuid.uuid4()),
            "typ": "ID",
            "sid": sid,
            "preferred_username": account.username,
        }
        if account.display_name:
            claims["name"] = account.display_name
        if account.email:
            claims["email"] = account.email
        return self.sign(claims)

    # -- grants -----------------------------------------------------------------------------

    def _user_scope(self, requested: str | None) -> str:
        if not requested:
            return DEFAULT_USER_SCOPE
        wanted = _space_list(requested)
        unknown = [s for s in wanted if s not in USER_SCOPES]
        if unknown:
            raise OAuthError(
                "invalid_scope",
                f"Cakupan tidak dikenal: {' '.join(unknown)}",
                f"Unknown scope: {' '.join(unknown)}",
            )
        return " ".join(dict.fromkeys(wanted))

    async def _portal_client(self, client_id: str | None, client_secret: str | None, basic: bool) -> str:
        """The client a user signs in through: a public client, or a registered one with its secret."""
        cid = client_id or DEFAULT_PUBLIC_CLIENT
        if client_secret is None and cid in self.public_clients:
            return cid
        if client_secret is None:
            raise OAuthError.from_refusal(
                LoginRefused(
                    "invalid_client",
                    "Klien ini harus menyertakan rahasianya",
                    "This client must authenticate with its secret",
                    oauth_error="invalid_client",
                ),
                basic_auth=basic,
            )
        try:
            client = await self.store.verify_client(cid, client_secret)
        except LoginRefused as refusal:
            raise OAuthError.from_refusal(refusal, basic_auth=basic) from refusal
        return client.client_id

    def _token_response(
        self,
        access_token: str,
        scope: str,
        *,
        refresh_token: str | None = None,
        refresh_expires_in: int | None = None,
        id_token: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": self.access_token_seconds,
            "scope": scope,
        }
        if refresh_token:
            body["refresh_token"] = refresh_token
            body["refresh_expires_in"] = refresh_expires_in
        if id_token:
            body["id_token"] = id_token
        return body

    async def password_grant(
        self,
        username: str | None,
        password: str | None,
        *,
        scope: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        basic_auth: bool = False,
    ) -> dict[str, Any]:
        if not username or password is None:
            raise invalid_request(
                "Nama pengguna dan kata sandi wajib diisi", "username and password are required"
            )
        azp = await self._portal_client(client_id, client_secret, basic_auth)
        granted = self._user_scope(scope)
        try:
            account = await self.store.verify_password(username, password)
        except LoginRefused as refusal:
            raise OAuthError.from_refusal(refusal) from refusal
        return await self._issue_for_account(account, azp, granted, auth_time=self.store.now(), family=None)

    async def _issue_for_account(
        self,
        account: AccountInfo,
        azp: str,
        scope: str,
        *,
        auth_time: datetime,
        family: str | None,
        session_expires_at: datetime | None = None,
    ) -> dict[str, Any]:
        family_id = family or str(uuid.uuid4())
        refresh, refresh_in = await self.store.issue_refresh_token(
            account.id,
            azp,
            scope,
            lifetime_seconds=self.refresh_token_seconds,
            session_max_seconds=self.session_max_seconds,
            family_id=family_id,
            auth_time=auth_time,
            session_expires_at=session_expires_at,
        )
        access = self.sign(self.account_claims(account, client_id=azp, scope=scope, sid=family_id))
        id_token = (
            self._id_token(account, client_id=azp, auth_time=auth_time, sid=family_id)
            if "openid" in _space_list(scope)
            else None
        )
        return self._token_response(
            access, scope, refresh_token=refresh, refresh_expires_in=refresh_in, id_token=id_token
        )

    async def client_credentials_grant(
        self,
        client_id: str | None,
        client_secret: str | None,
        *,
        scope: str | None = None,
        basic_auth: bool = False,
    ) -> dict[str, Any]:
        if not client_id or not client_secret:
            raise OAuthError(
                "invalid_client",
                "ID klien dan rahasia klien wajib disertakan",
                "client_id and client_secret are required",
                status_code=401,
                headers={"WWW-Authenticate": 'Basic realm="pusip"'},
            )
        try:
            client = await self.store.verify_client(client_id, client_secret)
        except LoginRefused as refusal:
            raise OAuthError.from_refusal(refusal, basic_auth=basic_auth) from refusal
        if scope:
            wanted = list(dict.fromkeys(_space_list(scope)))
            extra = [s for s in wanted if s not in client.scopes and s not in USER_SCOPES]
            if extra:
                raise OAuthError(
                    "invalid_scope",
                    f"Klien tidak terdaftar untuk cakupan: {' '.join(extra)}",
                    f"Client is not registered for scope: {' '.join(extra)}",
                )
            granted = " ".join(wanted)
        else:
            granted = " ".join(client.scopes)
        return self._token_response(self.sign(self.client_claims(client, scope=granted)), granted)

    async def refresh_grant(
        self,
        refresh_token: str | None,
        *,
        scope: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        basic_auth: bool = False,
    ) -> dict[str, Any]:
        if not refresh_token:
            raise invalid_request("refresh_token wajib diisi", "refresh_token is required")
        if client_id is not None or client_secret is not None:
            await self._portal_client(client_id, client_secret, basic_auth)
        try:
            grant, session_end = await self.store.consume_refresh_token(refresh_token)
        except LoginRefused as refusal:
            raise OAuthError.from_refusal(refusal) from refusal
        if client_id is not None and client_id != grant.client_id:
            await self.store.revoke_refresh_token(refresh_token)
            raise OAuthError(
                "invalid_grant",
                "Token penyegaran diterbitkan untuk klien lain",
                "Refresh token was issued to another client",
                status_code=401,
                code="invalid_refresh_token",
            )
        granted = grant.scope
        if scope:
            wanted = _space_list(scope)
            if any(s not in _space_list(grant.scope) for s in wanted):
                raise OAuthError(
                    "invalid_scope",
                    "Cakupan tidak boleh melebihi cakupan semula",
                    "Scope may not exceed the originally granted scope",
                )
            granted = " ".join(dict.fromkeys(wanted))
        account = await self.store.get_account_by_id(grant.account_id)
        now = self.store.now()
        if account is None or not account.active or (account.locked_until and account.locked_until > now):
            raise OAuthError(
                "invalid_grant",
                "Akun tidak lagi aktif",
                "Account is no longer active",
                status_code=401,
                code="account_disabled",
            )
        return await self._issue_for_account(
            account,
            grant.client_id,
            granted,
            auth_time=grant.auth_time,
            family=grant.family_id,
            session_expires_at=session_end,
        )

    async def revoke(self, token: str) -> None:
        """RFC 7009: revoke a refresh token (and its session). Unknown tokens are ignored."""
        await self.store.revoke_refresh_token(token)

    async def token(self, form: Mapping[str, str | None], *, basic: tuple[str, str] | None = None) -> dict:
        """Dispatch one token-endpoint request (form fields already parsed)."""
        client_id = form.get("client_id")
        client_secret = form.get("client_secret")
        if basic is not None:
            if client_id is not None and client_id != basic[0]:
                raise invalid_request(
                    "client_id pada formulir berbeda dengan autentikasi HTTP Basic",
                    "client_id in the form differs from HTTP Basic authentication",
                )
            if client_secret is not None:
                raise invalid_request(
                    "Gunakan hanya satu cara autentikasi klien", "Use only one client authentication method"
                )
            client_id, client_secret = basic
        grant_type = form.get("grant_type")
        if grant_type == GRANT_PASSWORD:
            return await self.password_grant(
                form.get("username"),
                form.get("password"),
                scope=form.get("scope"),
                client_id=client_id,
                client_secret=client_secret,
                basic_auth=basic is not None,
            )
        if grant_type == GRANT_CLIENT_CREDENTIALS:
            return await self.client_credentials_grant(
                client_id, client_secret, scope=form.get("scope"), basic_auth=basic is not None
            )
        if grant_type == GRANT_REFRESH_TOKEN:
            return await self.refresh_grant(
                form.get("refresh_token"),
                scope=form.get("scope"),
                client_id=client_id,
                client_secret=client_secret,
                basic_auth=basic is not None,
            )
        if not grant_type:
            raise invalid_request("grant_type wajib diisi", "grant_type is required")
        raise OAuthError(
            "unsupported_grant_type",
            f"Jenis grant tidak didukung: {grant_type}",
            f"Unsupported grant type: {grant_type}",
        )

    async def userinfo(self, access_token: str) -> dict[str, Any]:
        """OIDC UserInfo for a valid access token (fresh from the store for people)."""
        subject = await self.validator().validate(access_token)
        claims = subject.claims
        if subject.is_service_account:
            keys = ("sub", "preferred_username", "name", "client_id", CLAIM_UNIT)
            info = {k: claims[k] for k in keys if claims.get(k)}
            info["roles"] = sorted(subject.roles)
            return info
        account = await self.store.get_account_by_id(subject.subject)
        if account is None or not account.active:
            raise Unauthorized(
                "Akun tidak lagi aktif", "Account is no longer active", code="account_disabled"
            )
        info = {
            "sub": account.id,
            "preferred_username": account.username,
            "name": account.display_name,
            "email": account.email,
            "roles": list(account.roles),
            CLAIM_UNIT: account.unit,
            CLAIM_CLEARANCE: account.clearance.value,
            CLAIM_ACCESS_CATEGORY: account.access_category,
            CLAIM_BRANCHES: list(account.branches),
        }
        return {k: v for k, v in info.items() if v is not None}

    async def aclose(self) -> None:
        if self._validator is not None:
            await self._validator.aclose()
        await self.store.dispose()
