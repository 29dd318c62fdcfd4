"""Gateway settings (environment prefix ``PUSIP_GATEWAY_``).

Besides what every service has, the gateway holds the edge policy: where each service
listens, which route prefixes are public / need a token / need a role, body-size limits per
route, rate limits per route class, and the portal's login client.

Lists and dicts are read from the environment as JSON, e.g.
``PUSIP_GATEWAY_BODY_LIMITS='{"/api/deposit/": 2147483648}'``.
"""

from __future__ import annotations

import os
import re
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Literal, Self

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import SettingsConfigDict

from pusip_kit.app import KEEP_ALIVE_SECONDS
from pusip_kit.config import SERVICE_NAMES, Mode, ServiceSettings, service_url, suite_default
from pusip_kit.uploads import (
    ACCREDITATION_EVIDENCE,
    ARCHIVE_FILE,
    CATALOG_IMPORT,
    CATALOG_STOCKTAKE_BATCH,
    deposit_body_limit,
    gateway_body_limits,
)

MiB = 1024 * 1024
GiB = 1024 * MiB


class Access(StrEnum):
    PUBLIC = "public"
    AUTHENTICATED = "authenticated"
    ROLE = "role"


class AccessRule(BaseModel):
    """One row of the edge route table.

    ``prefix`` is matched against the request path segment by segment; a ``*`` segment
    matches any one segment (``/api/*/admin/`` matches ``/api/catalog/admin/users``).
    ``methods`` empty means every method; ``exact`` matches the path itself only (one route, not
    what lies below or beside it). The first matching rule wins.
    """

    prefix: str
    access: Access
    methods: list[str] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    exact: bool = False


PUBLIC_ROUTES: dict[str, tuple[str, ...]] = {
    # OAI-PMH also takes its arguments form-encoded in a POST (every GET is public by prefix).
    "catalog": ("POST oai",),
    "circulation": (
        # reference data the self-registration form and the OPAC show: categories, loan rules, calendars
        "GET patron-categories",
        "GET patron-categories/*",
        "GET validators",
        "GET rule-sets/active/resolve",
        "GET rule-sets/*",
        "GET calendars/*",
        "GET calendars/*/due-date",
        "GET closures",
        # availability of items and e-resource licences, shown with OPAC records
        "GET items",
        "GET items/*",
        "GET licences",
        "GET licences/*",
        # the time-limited link of a digital loan: the signed token in the path is the credential
        "GET digital-access/*",
        # the mailed verification token in the body is the proof
        "POST patrons/verify-email",
    ),
    # what the deposit service publishes under PP 55/2021
    "deposit": (
        "GET bibliography",
        "GET compliance/ranking",
        "GET compliance/appreciation",
        "GET compliance/chart",
        "GET rules",
        "GET rules/in-force",
    ),
    # reference lists for KIP requesters and webhook subscribers
    "archive": ("GET access-grounds", "GET webhooks/event-types"),
    # the public accreditation dashboard
    "accreditation": ("GET dashboard/libraries", "GET dashboard/grades", "GET dashboard/literacy"),
}
"""Routes each service declares without a sign-in (no ``authenticated``/``require_roles``) that no
prefix rule below opens: ``METHOD path`` under ``/api/<service>/``, a ``*`` segment standing for one
path parameter. Each becomes an ``exact`` public rule, so nothing beside or below it opens;
``tests/security/test_authz_matrix.py`` checks this table against the services' declarations."""


def public_route_rules() -> list[AccessRule]:
    read = ["GET", "HEAD", "OPTIONS"]
    rules = []
    for service, routes in PUBLIC_ROUTES.items():
        for route in routes:
            method, _, path = route.partition(" ")
            methods = read if method == "GET" else [method]
            rules.append(
                AccessRule(prefix=f"/api/{service}/{path}", access=Access.PUBLIC, methods=methods, exact=True)
            )
    return rules


def default_access_rules() -> list[AccessRule]:
    read = ["GET", "HEAD", "OPTIONS"]
    return [
        # Administration anywhere behind the gateway needs the admin role.
        AccessRule(prefix="/api/*/admin/", access=Access.ROLE, roles=["admin"]),
        # Each service's Prometheus counters: scraped on the service's own port, admins only here.
        AccessRule(prefix="/api/*/metrics", access=Access.ROLE, roles=["admin"]),
        # Aggregated health and each service's operational endpoints.
        AccessRule(prefix="/api/health", access=Access.PUBLIC),
        AccessRule(prefix="/api/*/healthz", access=Access.PUBLIC, methods=read),
        AccessRule(prefix="/api/*/readyz", access=Access.PUBLIC, methods=read),
        AccessRule(prefix="/api/*/openapi.json", access=Access.PUBLIC, methods=read),
        # The public catalogue (OPAC search, records, OAI-PMH, SRU) is readable by anyone.
        AccessRule(prefix="/api/catalog/", access=Access.PUBLIC, methods=read),
        # Open archives and the public side of each service.
        AccessRule(prefix="/api/*/public/", access=Access.PUBLIC, methods=read),
        # Every other route a service declares public: exactly those routes.
        *public_route_rules(),
        # Everything else behind /api needs a valid token; services check roles.
        AccessRule(prefix="/api/", access=Access.AUTHENTICATED),
    ]


class ProxyClientKind(StrEnum):
    AIOHTTP = "aiohttp"
    HTTPX = "httpx"


class GatewaySettings(ServiceSettings):
    service_name: ClassVar[str] = "gateway"
    model_config = SettingsConfigDict(env_prefix="PUSIP_GATEWAY_", extra="ignore")

    # -- upstream services ---------------------------------------------------------------------
    service_urls: dict[str, str] = Field(
        default_factory=lambda: {name: service_url(name) for name in SERVICE_NAMES}
    )
    proxy_client: ProxyClientKind = ProxyClientKind.AIOHTTP
    upstream_connect_timeout: float = 2.0
    upstream_read_timeout: float = 60.0
    """Longest silence between two reads of an upstream response before a 503 ``service_timeout``
    (``upstream_connect_timeout`` also bounds the wait for a pooled connection: 503 ``service_busy``)."""
    pool_limit: int = 256
    pool_limit_per_host: int = 64
    keepalive_timeout: float = Field(30.0, gt=0, lt=KEEP_ALIVE_SECONDS)
    """Seconds an idle upstream connection is kept: below the services' own keep-alive, so the
    gateway closes it first."""
    trusted_proxies: list[str] = Field(default_factory=list)
    """Peers whose X-Forwarded-For is believed (a load balancer in front of the gateway)."""

    # -- edge policy ---------------------------------------------------------------------------
    access_rules: list[AccessRule] = Field(default_factory=default_access_rules)
    max_body_bytes: int = 10 * MiB
    body_limits: dict[str, int] = Field(
        default_factory=lambda: {
            "/api/deposit/": deposit_body_limit(),
            # every service route that takes a file: the service's own limit (pusip_kit.uploads,
            # read from the same environment variables) plus room for the form around the file
            **gateway_body_limits(),
            # accreditation evidence uploaded through the portal
            "/portal/akreditasi/": ACCREDITATION_EVIDENCE.body_limit(),
            # MARC files imported and scan files uploaded through the catalogue's staff pages
            "/portal/katalog/impor": CATALOG_IMPORT.body_limit(),
            "/portal/katalog/opname/": CATALOG_STOCKTAKE_BATCH.body_limit(),
            # digital legal deposits uploaded through the portal (streamed on to the deposit service)
            "/portal/serah-simpan/": deposit_body_limit(),
            # record files uploaded through the archive pages (streamed on to the archive service)
            "/portal/kearsipan/unggah/": ARCHIVE_FILE.body_limit(),
        }
    )
    """Per path prefix (longest match wins; a ``*`` segment matches any one segment); everything
    else gets ``max_body_bytes``."""

    rate_limit_enabled: bool = True
    rate_limit_strategy: Literal["moving-window", "fixed-window"] = "moving-window"
    rate_limit_storage_url: str = ""
    """``memory://`` (embedded default) or ``redis://…`` (distributed default: the broker)."""
    rate_limit_default: str = "1200/minute"
    """Anonymous callers share their address: a library branch behind one NAT is one key."""
    rate_limits: dict[str, str] = Field(
        default_factory=lambda: {
            "/auth/token": "60/minute",
            "/portal/login": "60/minute",
            "/api/deposit/": "120/minute",
        }
    )
    """Per path prefix (longest match wins), in ``limits`` notation (``10/second;500/hour``)."""
    rate_limit_exempt: list[str] = Field(
        default_factory=lambda: [
            "/healthz",
            "/readyz",
            "/metrics",
            "/portal/static/",
            "/portal/status",  # polled by every open portal page; answered from a 1 s cache
            "/favicon.ico",
        ]
    )

    token_cache_seconds: float = 30.0
    """How long a validated token's subject is reused (never past its ``exp``; 0 turns it off)."""

    # -- health & OpenAPI ----------------------------------------------------------------------
    health_timeout: float = 1.5
    health_cache_seconds: float = 1.0
    openapi_cache_seconds: float = 60.0

    # -- identity ------------------------------------------------------------------------------
    embedded_issuer: bool | None = None
    """Host the built-in OIDC issuer at ``/auth``; default: in embedded mode."""
    token_endpoint: str = ""
    """Where the portal sends its password grant; derived from the issuer when empty."""
    portal_client_id: str = "pusip-portal"
    portal_client_secret: str = Field(
        default_factory=lambda: os.environ.get("PUSIP_PORTAL_CLIENT_SECRET", "pusip-portal-secret")
    )
    session_cookie: str = "pusip_session"
    cookie_secure: bool | None = None
    """Mark cookies ``Secure``; default: when the gateway's public URL is https."""

    @model_validator(mode="before")
    @classmethod
    def _keycloak_jwks(cls, data: Any) -> Any:
        """Without the embedded issuer the keys are Keycloak's, at ``<realm>/protocol/openid-connect/certs``."""
        if not isinstance(data, dict) or data.get("oidc_jwks_url") or os.environ.get("PUSIP_OIDC_JWKS_URL"):
            return data
        mode = str(data.get("mode") or suite_default("mode", "embedded"))
        embedded = data.get("embedded_issuer")
        if embedded is None or embedded == "":
            embedded = mode != Mode.DISTRIBUTED.value
        elif isinstance(embedded, str):
            embedded = embedded.strip().lower() in ("1", "true", "yes", "on")
        if embedded:
            return data
        issuer = data.get("oidc_issuer") or cls.model_fields["oidc_issuer"].get_default(
            call_default_factory=True
        )
        return {**data, "oidc_jwks_url": f"{str(issuer).rstrip('/')}/protocol/openid-connect/certs"}

    @model_validator(mode="after")
    def _gateway_defaults(self) -> Self:
        issuer = self.oidc_issuer.rstrip("/")
        distributed = self.mode is Mode.DISTRIBUTED
        if self.embedded_issuer is None:
            self.embedded_issuer = not distributed
        if not self.token_endpoint:
            self.token_endpoint = (
                f"{issuer}/token" if self.embedded_issuer else f"{issuer}/protocol/openid-connect/token"
            )
        if not self.rate_limit_storage_url:
            self.rate_limit_storage_url = (
                self.broker_url
                if distributed and self.broker_url.startswith(("redis://", "rediss://"))
                else "memory://"
            )
        for name in SERVICE_NAMES:
            self.service_urls.setdefault(name, service_url(name))
        self.service_urls = {k: v.rstrip("/") for k, v in self.service_urls.items()}
        return self

    @property
    def identity_dir(self) -> Path:
        return self.data_dir / "gateway"

    @property
    def identity_db_path(self) -> Path:
        return self.identity_dir / "identity.db"

    @property
    def keys_dir(self) -> Path:
        return self.identity_dir / "keys"

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.gateway_url.startswith("https://")

    def body_limit_for(self, path: str) -> int:
        return longest_prefix(self.body_limits, path, self.max_body_bytes)

    def rate_limit_for(self, path: str) -> str:
        return longest_prefix(self.rate_limits, path, self.rate_limit_default)


def _prefix_matches(prefix: str, path: str) -> bool:
    if "*" not in prefix:
        return path.startswith(prefix)
    pattern = "[^/]+".join(re.escape(part) for part in prefix.split("*"))
    return re.match(pattern, path) is not None


def longest_prefix(table: dict[str, Any], path: str, default: Any) -> Any:
    best: str | None = None
    for prefix in table:
        if _prefix_matches(prefix, path) and (best is None or len(prefix) > len(best)):
            best = prefix
    return table[best] if best is not None else default
