"""``X-Forwarded-*`` from trusted proxies only: the public address of a service behind the gateway.

The gateway forwards ``/api/<service>/…`` with ``X-Forwarded-For``, ``-Proto``, ``-Host`` and
``-Prefix`` (``/api/catalog``). A service believes them only when the connecting peer is one of its
``trusted_proxies`` (``PUSIP_<SERVICE>_TRUSTED_PROXIES``: addresses or networks, loopback by
default); from anyone else they are ignored, so a caller cannot make the service advertise a host
of its choosing. Client address and scheme are rewritten by uvicorn's proxy-headers middleware
(the same trust list); host and prefix are kept for :func:`public_base_url`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

SCOPE_KEY = "pusip.forwarded"
DEFAULT_TRUSTED_PROXIES = ("127.0.0.1", "::1")

_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")
_PREFIX = re.compile(r"^(?:/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+$")  # no empty, "." or ".." segments


@dataclass(frozen=True)
class Forwarded:
    host: str | None
    """``host[:port]`` the caller used at the proxy."""
    prefix: str | None
    """Path under which the proxy publishes this service (``/api/catalog``)."""


def _first(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            text = value.decode("latin-1").split(",")[0].strip()
            return text or None
    return None


class ForwardedHeadersMiddleware:
    def __init__(self, app: ASGIApp, trusted: Sequence[str] = DEFAULT_TRUSTED_PROXIES) -> None:
        self.app = app
        self.proxy = ProxyHeadersMiddleware(app, trusted_hosts=list(trusted))  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            client = scope.get("client")
            if client and client[0] in self.proxy.trusted_hosts:
                host = _first(scope, b"x-forwarded-host")
                prefix = (_first(scope, b"x-forwarded-prefix") or "").rstrip("/")
                scope[SCOPE_KEY] = Forwarded(
                    host=host if host and _HOST.match(host) else None,
                    prefix=prefix if _PREFIX.match(prefix) else None,
                )
        await self.proxy(scope, receive, send)  # type: ignore[arg-type]


def public_base_url(request: Request, path: str = "") -> str:
    """``scheme://host/prefix`` + ``path`` as the caller addressed it (through a trusted proxy or not)."""
    forwarded: Forwarded | None = request.scope.get(SCOPE_KEY)
    host = (forwarded.host if forwarded else None) or request.url.netloc
    prefix = (
        forwarded.prefix if forwarded and forwarded.prefix else request.scope.get("root_path", "").rstrip("/")
    )
    return f"{request.url.scheme}://{host}{prefix}{path}"


def public_host_port(request: Request) -> tuple[str, int]:
    """Host name and port of :func:`public_base_url` (the scheme's default port when none is given)."""
    parts = urlsplit(public_base_url(request))
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
