"""The edge: every request passes here before routing (pure ASGI, bodies never buffered).

In order:

1. a present ``Authorization: Bearer`` token is validated (a bad token is 401 with its own
   code, on public routes too); the subject lands in ``request.state.auth_subject``;
2. the caller is counted against its rate limit (subject/client id, else IP) → 429;
3. the route table decides: public, authenticated (401) or role-restricted (403 ``missing_role``);
4. the body size: a ``Content-Length`` over the route's limit is 413 at once; a chunked body
   is counted as it streams and :class:`~pusip_kit.errors.PayloadTooLarge` raised from
   ``receive`` when it passes the limit;
5. ``/api/<known service>/…`` goes straight to the proxy, everything else to the router;

and security headers are added to every response (HSTS when the request came over TLS: directly,
through a trusted proxy's ``X-Forwarded-Proto: https``, or the public URL is https).

Cookie-authenticated traffic (the portal: everything outside ``/api/`` and ``/auth/``) gets a
second CSRF defence in front of the portal's signed double-submit token: an unsafe request whose
``Origin`` (or ``Sec-Fetch-Site``) says it comes from another site is refused with 403
``csrf_failed`` before any handler runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry, Counter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.asgi import header, send_error, send_pusip_error
from gateway.auth.cache import TokenCache
from gateway.auth.rules import RouteTable, bearer_token
from gateway.config import Access, GatewaySettings
from gateway.proxy.app import client_address
from gateway.ratelimit import ClientRateLimiter
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.auth.tokens import TokenValidator
from pusip_kit.errors import PayloadTooLarge, PusipError

STATE_SUBJECT = "auth_subject"

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI sets inline styles on its elements.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


HSTS = b"max-age=31536000; includeSubDomains"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BEARER_PREFIXES = ("/api/", "/auth/")
"""Paths authenticated by a bearer token, never by a cookie: no CSRF exposure."""


def cross_site(scope: Scope, public_host: str) -> bool:
    """The browser says this request was sent by a page of another site."""
    if (header(scope, b"sec-fetch-site") or "").lower() == "cross-site":
        return True
    origin = header(scope, b"origin")
    if origin is None:
        return False  # not a browser, or a browser that sends none: the CSRF token decides
    netloc = urlsplit(origin.strip()).netloc.lower() if origin.strip() != "null" else ""
    host = (header(scope, b"host") or "").lower()
    return not netloc or netloc not in {host, public_host}


class EdgeMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: GatewaySettings,
        validator: Callable[[], TokenValidator | None],
        limiter: Callable[[], ClientRateLimiter | None],
        registry: CollectorRegistry,
        proxy: ASGIApp | None = None,
        proxy_route: Any = None,
    ) -> None:
        self.app = app
        self.proxy = proxy
        self.proxy_route = proxy_route
        self.settings = settings
        self.table = RouteTable(settings.access_rules)
        self._validator = validator
        self._limiter = limiter
        self.trusted = frozenset(settings.trusted_proxies)
        self.public_host = urlsplit(settings.gateway_url).netloc.lower()
        self.public_https = settings.gateway_url.startswith("https://")
        self.tokens = TokenCache(ttl=settings.token_cache_seconds)
        self.refused = Counter(
            "pusip_gateway_refused",
            "Requests refused at the edge, by reason",
            ["reason"],
            registry=registry,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]
        csp = (DOCS_CSP if path.startswith("/docs") else CSP).encode()
        hsts = self.public_https or scope.get("scheme") == "https" or self._forwarded_https(scope)

        async def send_secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for key, value in SECURITY_HEADERS:
                    if key not in present:
                        headers.append((key, value))
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", csp))
                if hsts and b"strict-transport-security" not in present:
                    headers.append((b"strict-transport-security", HSTS))
                message["headers"] = headers
            await send(message)

        # 0. cross-site form posts to the cookie-authenticated portal
        if (
            method in UNSAFE_METHODS
            and not path.startswith(BEARER_PREFIXES)
            and cross_site(scope, self.public_host)
        ):
            self.refused.labels("csrf_failed").inc()
            await send_error(
                scope,
                send_secure,
                403,
                "csrf_failed",
                "Permintaan lintas situs ditolak; buka formulir dari Pusip lalu kirim lagi",
                "Cross-site request refused; open the form from Pusip and send it again",
            )
            return

        # 1. token
        subject: AuthSubject | None = None
        token_error: PusipError | None = None
        authorization = header(scope, b"authorization")
        if authorization is not None and not path.startswith("/auth/"):
            is_bearer = authorization.strip().lower().startswith("bearer")
            if is_bearer or path.startswith("/api/"):
                try:
                    token = bearer_token(authorization)
                    validator = self._validator()
                    if token is not None and validator is not None:
                        subject = await self.tokens.validate(validator, token)
                except PusipError as exc:
                    token_error = exc
        if subject is not None:
            scope.setdefault("state", {})[STATE_SUBJECT] = subject

        # 2. rate limit (bad tokens count against the caller's address)
        limiter = self._limiter()
        rate_headers: list[tuple[bytes, bytes]] = []
        if limiter is not None:
            key = (
                f"client:{subject.client_id}"
                if subject is not None and subject.is_service_account and subject.client_id
                else f"sub:{subject.subject}"
                if subject is not None
                else f"ip:{client_address(scope, self.trusted)}"
            )
            decision = await limiter.check(key, path)
            if decision is not None:
                if not decision.allowed:
                    self.refused.labels("rate_limited").inc()
                    await send_error(
                        scope,
                        send_secure,
                        429,
                        "rate_limited",
                        f"Terlalu banyak permintaan; coba lagi dalam {max(decision.reset_after, 1)} detik",
                        f"Too many requests; retry in {max(decision.reset_after, 1)} seconds",
                        details={"limit": decision.policy},
                        headers=decision.headers(),
                    )
                    return
                rate_headers = [(k.encode(), v.encode()) for k, v in decision.headers()]

        if token_error is not None:
            self.refused.labels(token_error.code).inc()
            await send_pusip_error(scope, send_secure, token_error)
            return

        # 3. route table
        rule = self.table.match(path, method)
        if rule is not None and rule.access is not Access.PUBLIC:
            if subject is None:
                self.refused.labels("authentication_required").inc()
                await send_error(
                    scope,
                    send_secure,
                    401,
                    "authentication_required",
                    "Autentikasi diperlukan: sertakan token akses (Authorization: Bearer …)",
                    "Authentication required: send an access token (Authorization: Bearer ...)",
                    headers=[("www-authenticate", 'Bearer realm="pusip"')],
                )
                return
            if rule.access is Access.ROLE and not subject.has_role(*rule.roles):
                self.refused.labels("missing_role").inc()
                listed = ", ".join(rule.roles)
                await send_error(
                    scope,
                    send_secure,
                    403,
                    "missing_role",
                    f"Alamat ini memerlukan salah satu peran: {listed}",
                    f"This route requires one of the roles: {listed}",
                    details={"required_roles": list(rule.roles)},
                )
                return

        # 4. body size
        limit = self.settings.body_limit_for(path)
        length = header(scope, b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared < 0:
                await send_error(
                    scope,
                    send_secure,
                    400,
                    "bad_request",
                    "Content-Length tidak sah",
                    "Invalid Content-Length",
                )
                return
            if declared > limit:
                self.refused.labels("payload_too_large").inc()
                await send_error(
                    scope,
                    send_secure,
                    413,
                    "payload_too_large",
                    f"Ukuran data melebihi batas {limit} bita untuk alamat ini",
                    f"Payload exceeds the {limit}-byte limit for this route",
                    details={"limit_bytes": limit, "content_length": declared},
                    headers=[("connection", "close")],
                )
                return

        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    self.refused.labels("payload_too_large").inc()
                    raise PayloadTooLarge(
                        f"Ukuran data melebihi batas {limit} bita untuk alamat ini",
                        f"Payload exceeds the {limit}-byte limit for this route",
                        details={"limit_bytes": limit},
                    )
            return message

        async def send_with_rate(message: Message) -> None:
            if rate_headers and message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *rate_headers]
            await send_secure(message)

        # 5. proxied traffic goes straight to the proxy: Starlette's router and exception layers
        # add nothing but CPU time to a request the proxy answers itself.
        if self.proxy is not None and path.startswith("/api/"):
            parts = path.split("/", 3)  # "", "api", service, rest
            if len(parts) >= 3 and parts[2] in self.settings.service_urls:
                scope["path_params"] = {"service": parts[2], "path": parts[3] if len(parts) > 3 else ""}
                scope["route"] = self.proxy_route
                await self.proxy(scope, counted_receive, send_with_rate)
                return
        await self.app(scope, counted_receive, send_with_rate)

    def _forwarded_https(self, scope: Scope) -> bool:
        client = scope.get("client")
        if not client or client[0] not in self.trusted:
            return False
        proto = header(scope, b"x-forwarded-proto") or ""
        return proto.split(",")[0].strip().lower() == "https"
