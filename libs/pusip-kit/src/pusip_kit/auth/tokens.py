"""Access-token validation: one code path for Keycloak (distributed) and the embedded issuer.

:class:`TokenValidator` checks a bearer JWT against the issuer's published JWKS and maps its
claims to an :class:`~pusip_kit.auth.subject.AuthSubject`. Every refusal raises
:class:`~pusip_kit.errors.Unauthorized` with its own ``code`` and an Indonesian message with
the English beside it.

What is refused
    * algorithms outside :data:`ALLOWED_ALGORITHMS` (``none`` and every HMAC algorithm
      included, so a public key can never be used as an HMAC secret);
    * a ``kid`` the JWKS does not hold, after one rate-limited refetch (key rotation);
    * a wrong signature, an expired or not-yet-valid token, a wrong issuer or audience;
    * tokens without ``exp``, ``iat``, ``iss`` or ``sub``;
    * tokens whose ``typ`` claim says they are not access tokens (``Refresh``, ``ID`` …).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from jwt.exceptions import PyJWKError

from pusip_kit.auth.subject import (
    CLAIM_ACCESS_CATEGORY,
    CLAIM_BRANCHES,
    CLAIM_CLEARANCE,
    CLAIM_UNIT,
    AuthSubject,
    SecurityLevel,
)
from pusip_kit.errors import ServiceUnavailable, Unauthorized

log = logging.getLogger(__name__)

ALLOWED_ALGORITHMS: tuple[str, ...] = ("RS256", "ES256", "PS256")
"""Asymmetric algorithms only. ``none`` and HS* are never accepted."""

KEY_TYPES_FOR_ALGORITHM: dict[str, str] = {"RS256": "RSA", "PS256": "RSA", "ES256": "EC"}

REQUIRED_CLAIMS: tuple[str, ...] = ("exp", "iat", "iss", "sub")

ACCESS_TOKEN_TYPES: frozenset[str] = frozenset({"bearer", "access", "at+jwt"})
"""Accepted values of the ``typ`` claim when present (Keycloak puts ``Bearer`` on access tokens)."""

MAX_TOKEN_LENGTH = 16 * 1024
SERVICE_ACCOUNT_PREFIX = "service-account-"
JWKS_MIN_REFRESH_SECONDS = 10.0
TOKEN_CACHE_SECONDS = 30.0
TOKEN_CACHE_SIZE = 1024

JwksLoader = Callable[[], Awaitable[Mapping[str, Any]]]


@dataclass(frozen=True)
class _Jwk:
    kid: str
    kty: str
    alg: str | None
    key: Any


@dataclass(frozen=True)
class _Refusal:
    code: str
    message: str
    message_en: str


REFUSALS: dict[str, _Refusal] = {
    r.code: r
    for r in (
        _Refusal("token_malformed", "Token tidak dapat dibaca", "Token is malformed"),
        _Refusal(
            "token_algorithm_refused",
            "Algoritma tanda tangan token tidak diizinkan",
            "Token signing algorithm is not allowed",
        ),
        _Refusal(
            "token_unknown_key",
            "Kunci penanda tangan token tidak dikenal",
            "Token signing key is unknown",
        ),
        _Refusal(
            "token_invalid_signature",
            "Tanda tangan token tidak sah",
            "Token signature is invalid",
        ),
        _Refusal("token_expired", "Token sudah kedaluwarsa", "Token has expired"),
        _Refusal("token_not_yet_valid", "Token belum berlaku", "Token is not yet valid"),
        _Refusal(
            "token_wrong_issuer",
            "Token diterbitkan oleh penerbit yang tidak dikenal",
            "Token was issued by an unexpected issuer",
        ),
        _Refusal(
            "token_wrong_audience",
            "Token tidak ditujukan untuk layanan ini",
            "Token is not intended for this audience",
        ),
        _Refusal(
            "token_missing_claim",
            "Token tidak memuat klaim wajib",
            "Token lacks a required claim",
        ),
        _Refusal(
            "token_wrong_type",
            "Token ini bukan token akses",
            "This token is not an access token",
        ),
    )
}


def _jwks_unavailable(exc: Exception | None) -> ServiceUnavailable:
    return ServiceUnavailable(
        "Penyedia identitas tidak dapat dihubungi untuk mengambil kunci publik",
        "Identity provider unreachable while fetching signing keys" + (f": {exc}" if exc else ""),
        code="identity_provider_unavailable",
    )


def refuse(code: str, detail: str | None = None, **details: Any) -> Unauthorized:
    """An :class:`Unauthorized` for one named token refusal."""
    r = REFUSALS[code]
    message, message_en = r.message, r.message_en
    if detail:
        message_en = f"{message_en}: {detail}"
    return Unauthorized(
        message,
        message_en,
        code=code,
        details=details or None,
        headers={
            "WWW-Authenticate": f'Bearer realm="pusip", error="invalid_token", error_description="{code}"'
        },
    )


class TokenValidator:
    """Validates bearer access tokens against an OIDC issuer's JWKS.

    ``jwks_url`` is fetched with ``http`` (an :class:`httpx.AsyncClient`; one is created when
    not given) and cached for ``jwks_cache_seconds``. A token naming a ``kid`` not in the cache
    triggers one refetch, at most every :data:`JWKS_MIN_REFRESH_SECONDS`, so a rotated issuer
    key is picked up without waiting for the cache to expire.

    ``jwks_loader`` replaces the HTTP fetch with a coroutine returning the JWKS document
    (the embedded issuer uses it to check its own tokens in-process).

    :meth:`validate` remembers up to ``token_cache_size`` accepted tokens (by their SHA-256) for
    ``token_cache_seconds``, never past the token's ``exp``: a desk sending the same token with every
    request is verified once per interval, not once per request (an RS256 check is ~0.3 ms of CPU).
    Refusals are never cached. A key withdrawn from the JWKS stops admitting its tokens within that
    interval; ``token_cache_seconds=0`` turns the cache off.
    """

    def __init__(
        self,
        issuer: str,
        jwks_url: str,
        audience: str,
        *,
        leeway: int = 30,
        jwks_cache_seconds: float = 300,
        http: httpx.AsyncClient | None = None,
        algorithms: Iterable[str] = ALLOWED_ALGORITHMS,
        jwks_min_refresh_seconds: float = JWKS_MIN_REFRESH_SECONDS,
        jwks_loader: JwksLoader | None = None,
        clock: Callable[[], float] = time.time,
        token_cache_seconds: float = TOKEN_CACHE_SECONDS,
        token_cache_size: int = TOKEN_CACHE_SIZE,
    ) -> None:
        algs = tuple(algorithms)
        bad = [a for a in algs if a not in ALLOWED_ALGORITHMS]
        if bad:
            raise ValueError(f"algorithms not allowed: {bad}; allowed: {ALLOWED_ALGORITHMS}")
        self.issuer = issuer
        self.jwks_url = jwks_url
        self.audience = audience
        self.leeway = leeway
        self.algorithms = algs
        self.jwks_cache_seconds = jwks_cache_seconds
        self.jwks_min_refresh_seconds = jwks_min_refresh_seconds
        self._http = http
        self._owns_http = http is None
        self._loader = jwks_loader
        self._clock = clock
        self._keys: list[_Jwk] = []
        self._fetched_at: float | None = None
        self._last_attempt: float | None = None
        self._lock = asyncio.Lock()
        self.jwks_fetch_count = 0
        self.token_cache_seconds = token_cache_seconds
        self.token_cache_size = token_cache_size
        # sha256(token) -> (cached until, on self._clock; the token's exp, wall clock; the subject)
        self._validated: OrderedDict[bytes, tuple[float, float, AuthSubject]] = OrderedDict()

    # -- JWKS ---------------------------------------------------------------------------------

    async def aclose(self) -> None:
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None

    async def _load_jwks(self) -> Mapping[str, Any]:
        if self._loader is not None:
            return await self._loader()
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=10.0)
        response = await self._http.get(self.jwks_url, headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
        if not isinstance(data, dict):
            raise ValueError("JWKS document is not a JSON object")
        return data

    @staticmethod
    def _parse_jwks(doc: Mapping[str, Any]) -> list[_Jwk]:
        keys: list[_Jwk] = []
        for raw in doc.get("keys", []) or []:
            if not isinstance(raw, dict) or raw.get("use", "sig") != "sig":
                continue
            kty, crv = raw.get("kty"), raw.get("crv")
            if kty == "RSA":
                construct_alg = "RS256"
            elif kty == "EC" and crv == "P-256":
                construct_alg = "ES256"
            else:
                continue
            try:
                key = jwt.PyJWK(raw, algorithm=construct_alg)
            except (PyJWKError, ValueError, TypeError, KeyError):
                continue
            alg = raw.get("alg")
            keys.append(
                _Jwk(
                    kid=str(raw.get("kid") or ""),
                    kty=kty,
                    alg=alg if isinstance(alg, str) else None,
                    key=key.key,
                )
            )
        return keys

    async def refresh_jwks(self, *, force: bool = False) -> bool:
        """Refetch the JWKS; without ``force`` at most once per minimum refresh interval.

        Returns whether new keys were loaded. When the issuer cannot be reached the cached
        keys stay in use; with no keys cached at all :class:`ServiceUnavailable` is raised.
        """
        async with self._lock:
            now = self._clock()
            if (
                not force
                and self._last_attempt is not None
                and now - self._last_attempt < self.jwks_min_refresh_seconds
            ):
                return False
            self._last_attempt = now
            try:
                doc = await self._load_jwks()
                keys = self._parse_jwks(doc)
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("JWKS fetch from %s failed: %s", self.jwks_url, exc)
                if self._keys:
                    return False
                raise _jwks_unavailable(exc) from exc
            self.jwks_fetch_count += 1
            self._keys = keys
            self._fetched_at = now
            return True

    async def _key_for(self, kid: str | None, alg: str) -> _Jwk:
        if self._fetched_at is None or self._clock() - self._fetched_at >= self.jwks_cache_seconds:
            await self.refresh_jwks()
            if self._fetched_at is None:
                raise _jwks_unavailable(None)
        key = self._pick(kid, alg)
        if key is None:
            # Perhaps the issuer rotated its key: refetch once (rate-limited).
            await self.refresh_jwks()
            key = self._pick(kid, alg)
        if key is None:
            raise refuse("token_unknown_key", f"kid={kid!r}", kid=kid)
        return key

    def _pick(self, kid: str | None, alg: str) -> _Jwk | None:
        want_kty = KEY_TYPES_FOR_ALGORITHM[alg]
        candidates = [k for k in self._keys if k.kid == kid] if kid else list(self._keys)
        if kid and not candidates:
            return None
        fitting = [k for k in candidates if k.kty == want_kty and k.alg in (None, alg)]
        if kid:
            if not fitting:
                raise refuse(
                    "token_algorithm_refused",
                    f"alg {alg} does not match key {kid!r}",
                    alg=alg,
                    kid=kid,
                )
            return fitting[0]
        # No kid: only unambiguous when the issuer publishes exactly one fitting key.
        return fitting[0] if len(fitting) == 1 else None

    # -- validation ---------------------------------------------------------------------------

    async def decode(self, token: str) -> dict[str, Any]:
        """Verify ``token`` and return its claims, or raise :class:`Unauthorized`."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            raise refuse("token_malformed", "empty or oversized token")
        token = token.strip()
        if token.count(".") != 2:
            raise refuse("token_malformed", "not a compact JWS")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise refuse("token_malformed", str(exc)) from exc
        if "alg" not in header:
            raise refuse("token_malformed", "header has no alg")
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self.algorithms:
            raise refuse("token_algorithm_refused", f"alg={alg!r}", alg=alg)
        if "crit" in header:
            raise refuse("token_malformed", "critical header extensions are not supported")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise refuse("token_malformed", "kid is not a string")
        key = await self._key_for(kid, alg)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": list(REQUIRED_CLAIMS), "verify_signature": True},
            )
        except jwt.InvalidSignatureError as exc:
            raise refuse("token_invalid_signature") from exc
        except jwt.ExpiredSignatureError as exc:
            raise refuse("token_expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise refuse("token_not_yet_valid") from exc
        except jwt.InvalidIssuedAtError as exc:
            raise refuse("token_malformed", str(exc)) from exc
        except jwt.InvalidIssuerError as exc:
            raise refuse("token_wrong_issuer", expected=self.issuer) from exc
        except jwt.InvalidAudienceError as exc:
            raise refuse("token_wrong_audience", expected=self.audience) from exc
        except jwt.MissingRequiredClaimError as exc:
            raise refuse("token_missing_claim", exc.claim, claim=exc.claim) from exc
        except jwt.InvalidAlgorithmError as exc:
            raise refuse("token_algorithm_refused", str(exc)) from exc
        except jwt.InvalidTokenError as exc:  # DecodeError and the rest
            raise refuse("token_malformed", str(exc)) from exc
        typ = claims.get("typ")
        if typ is not None and str(typ).lower() not in ACCESS_TOKEN_TYPES:
            raise refuse("token_wrong_type", f"typ={typ!r}", typ=typ)
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise refuse("token_missing_claim", "sub", claim="sub")
        return claims

    async def validate(self, token: str) -> AuthSubject:
        """Verify ``token`` and return who it speaks for (remembered briefly once accepted)."""
        use_cache = (
            self.token_cache_seconds > 0
            and self.token_cache_size > 0
            and isinstance(token, str)
            and 0 < len(token) <= MAX_TOKEN_LENGTH
        )
        if not use_cache:
            return subject_from_claims(await self.decode(token), audience=self.audience)
        key = hashlib.sha256(token.strip().encode("utf-8", "surrogatepass")).digest()
        hit = self._validated.get(key)
        if hit is not None:
            until, expires, subject = hit
            if self._clock() < until and time.time() < expires:
                self._validated.move_to_end(key)
                return subject
            self._validated.pop(key, None)
        claims = await self.decode(token)
        subject = subject_from_claims(claims, audience=self.audience)
        exp = claims.get("exp")
        if isinstance(exp, int | float) and not isinstance(exp, bool):
            self._validated[key] = (self._clock() + self.token_cache_seconds, float(exp), subject)
            while len(self._validated) > self.token_cache_size:
                self._validated.popitem(last=False)
        return subject


# -- claims → subject -------------------------------------------------------------------------


def _strings(value: Any, *, split_commas: bool = False) -> list[str]:
    if value is None:
        return []
    items: list[Any] = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
    out: list[str] = []
    for item in items:
        if not isinstance(item, str | int):
            continue
        text = str(item)
        parts = text.split(",") if split_commas else [text]
        out.extend(p.strip() for p in parts if p.strip())
    return out


def _first(value: Any) -> str | None:
    items = _strings(value)
    return items[0] if items else None


def parse_clearance(value: Any) -> SecurityLevel:
    """A SKKAAD level from a claim; anything unknown or ambiguous is the lowest (``BIASA``)."""
    levels: list[SecurityLevel] = []
    for item in _strings(value):
        normalised = item.strip().upper().replace(" ", "_").replace("-", "_")
        try:
            levels.append(SecurityLevel(normalised))
        except ValueError:
            return SecurityLevel.BIASA
    if not levels:
        return SecurityLevel.BIASA
    # Several values (a multivalued attribute): take the lowest, never guess upward.
    return min(levels, key=lambda level: level.rank)


def roles_from_claims(claims: Mapping[str, Any], audience: str | None = None) -> frozenset[str]:
    roles: set[str] = set()
    realm_access = claims.get("realm_access")
    if isinstance(realm_access, dict):
        roles.update(_strings(realm_access.get("roles")))
    roles.update(_strings(claims.get("roles")))
    resource_access = claims.get("resource_access")
    if audience and isinstance(resource_access, dict):
        mine = resource_access.get(audience)
        if isinstance(mine, dict):
            roles.update(_strings(mine.get("roles")))
    return frozenset(roles)


def scopes_from_claims(claims: Mapping[str, Any]) -> frozenset[str]:
    scopes: set[str] = set()
    scope = claims.get("scope")
    if isinstance(scope, str):
        scopes.update(scope.split())
    else:
        scopes.update(_strings(scope))
    scopes.update(_strings(claims.get("scp")))
    return frozenset(scopes)


def subject_from_claims(claims: Mapping[str, Any], *, audience: str | None = None) -> AuthSubject:
    """Map verified token claims (Keycloak or embedded issuer) to an :class:`AuthSubject`."""
    username = _first(claims.get("preferred_username"))
    azp = _first(claims.get("azp"))
    client_claim = _first(claims.get("client_id")) or _first(claims.get("clientId"))
    is_service_account = bool((username and username.startswith(SERVICE_ACCOUNT_PREFIX)) or client_claim)
    name = _first(claims.get("name"))
    if name is None:
        given, family = _first(claims.get("given_name")), _first(claims.get("family_name"))
        name = " ".join(p for p in (given, family) if p) or None
    return AuthSubject(
        subject=str(claims["sub"]),
        username=username,
        name=name,
        email=_first(claims.get("email")),
        roles=roles_from_claims(claims, audience),
        unit=_first(claims.get(CLAIM_UNIT)),
        clearance=parse_clearance(claims.get(CLAIM_CLEARANCE)),
        access_category=_first(claims.get(CLAIM_ACCESS_CATEGORY)),
        branches=frozenset(_strings(claims.get(CLAIM_BRANCHES), split_commas=True)),
        client_id=client_claim or azp,
        scopes=scopes_from_claims(claims),
        is_service_account=is_service_account,
        claims=dict(claims),
    )
