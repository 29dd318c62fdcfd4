"""``/api/<service>/<path>`` → ``<service_url>/<path>``, streamed both ways.

A raw ASGI app (Starlette never parses the body): the request body goes from the ASGI
receive channel straight into the upstream client, and the upstream response goes back to the
caller chunk by chunk. Hop-by-hop headers are dropped, ``X-Forwarded-*`` and ``x-request-id``
are set, ``Authorization`` is forwarded (services validate tokens too).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from urllib.parse import quote

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import Receive, Scope, Send

from gateway.asgi import header, request_id, send_error
from gateway.config import GatewaySettings
from gateway.proxy.client import (
    UpstreamBroken,
    UpstreamBusy,
    UpstreamClient,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from pusip_kit.errors import PayloadTooLarge
from pusip_kit.observability import REQUEST_ID_HEADER

log = logging.getLogger(__name__)

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# Not hop-by-hop, but the proxy sets them itself.
_REQUEST_DROP = HOP_BY_HOP | {"host", "expect", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-prefix"}
_RESPONSE_DROP = HOP_BY_HOP | {"server", "date"}
_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "TRACE"})

RETRY_SOON = "1"
"""Retry-After when the service is busy (as the kit's ``database_busy``)."""
RETRY_LATER = "5"
"""Retry-After when the service is down or did not answer in time."""

SERVICE_LABELS: dict[str, tuple[str, str]] = {
    "catalog": ("Katalog", "Catalog"),
    "circulation": ("Sirkulasi", "Circulation"),
    "deposit": ("Serah Simpan", "Legal deposit"),
    "archive": ("Kearsipan", "Archives"),
    "accreditation": ("Akreditasi", "Accreditation"),
}


def retry_after(headers: list[tuple[bytes, bytes]]) -> str | None:
    for key, value in headers:
        if key == b"retry-after":
            return value.decode("latin-1")
    return None


def is_json(headers: list[tuple[bytes, bytes]]) -> bool:
    """A service's 503 in JSON (the kit's bilingual error, a readiness report) passes through as it is."""
    return any(key == b"content-type" and b"json" in value.lower() for key, value in headers)


class ClientGone(Exception):
    """The caller disconnected while its body was being streamed."""


def connection_tokens(value: str | None) -> set[str]:
    return {t.strip().lower() for t in (value or "").split(",") if t.strip()}


def client_address(scope: Scope, trusted_proxies: frozenset[str]) -> str:
    client = scope.get("client")
    peer = client[0] if client else "unknown"
    if peer in trusted_proxies:
        forwarded = header(scope, b"x-forwarded-for")
        if forwarded:
            hops = [h.strip() for h in forwarded.split(",") if h.strip()]
            for hop in reversed(hops):
                if hop not in trusted_proxies:
                    return hop
    return str(peer)


class ProxyMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.responses = Counter(
            "pusip_gateway_upstream_responses",
            "Proxied requests by service and outcome",
            ["service", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "pusip_gateway_upstream_seconds",
            "Time until the upstream's response headers",
            ["service"],
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )


class ProxyApp:
    def __init__(
        self,
        settings: GatewaySettings,
        client: Callable[[], UpstreamClient],
        metrics: ProxyMetrics,
    ) -> None:
        self.settings = settings
        self._client = client
        self.metrics = metrics
        self.trusted = frozenset(settings.trusted_proxies)
        self.own_cookies = frozenset({settings.session_cookie, "pusip_csrf"})

    def upstream_url(self, scope: Scope, service: str, base: str) -> str:
        prefix = f"/api/{service}".encode()
        raw = scope.get("raw_path")
        if raw and raw.startswith(prefix):
            rest = raw[len(prefix) :].decode("latin-1")
        else:
            rest = quote(scope["path"][len(prefix) :], safe="/:@!$&'()*+,;=-._~")
        if not rest.startswith("/"):
            rest = "/" + rest
        query = scope.get("query_string", b"")
        return f"{base}{rest}" + (f"?{query.decode('latin-1')}" if query else "")

    def strip_own_cookies(self, header_value: str) -> str:
        """The portal's session and CSRF cookies are the gateway's: services never see them."""
        if not any(name in header_value for name in self.own_cookies):
            return header_value
        kept = [
            part
            for part in header_value.split(";")
            if part.strip().split("=", 1)[0].strip() not in self.own_cookies
        ]
        return ";".join(kept).strip()

    def upstream_headers(self, scope: Scope, service: str) -> list[tuple[str, str]]:
        headers = scope["headers"]
        drop = set(_REQUEST_DROP)
        forwarded_for: str | None = None
        host: str | None = None
        for key, value in headers:
            if key == b"connection":
                drop |= connection_tokens(value.decode("latin-1"))
            elif key == b"x-forwarded-for":
                forwarded_for = value.decode("latin-1")
            elif key == b"host":
                host = value.decode("latin-1")
        out: list[tuple[str, str]] = []
        for key, value in headers:
            name = key.decode("latin-1")
            if name in drop or name in ("x-forwarded-for", REQUEST_ID_HEADER):
                continue
            text = value.decode("latin-1")
            if name == "cookie":
                text = self.strip_own_cookies(text)
                if not text:
                    continue
            out.append((name, text))
        client = scope.get("client")
        peer = client[0] if client else "unknown"
        if forwarded_for and peer in self.trusted:
            out.append(("x-forwarded-for", f"{forwarded_for}, {peer}"))
        else:
            out.append(("x-forwarded-for", str(peer)))
        out.append(("x-forwarded-proto", scope.get("scheme", "http")))
        if host:
            out.append(("x-forwarded-host", host))
        out.append(("x-forwarded-prefix", f"/api/{service}"))
        rid = request_id(scope)
        if rid:
            out.append((REQUEST_ID_HEADER, rid))
        return out

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        service = scope.get("path_params", {}).get("service", "")
        base = self.settings.service_urls.get(service)
        if base is None:
            await send_error(
                scope,
                send,
                404,
                "unknown_service",
                f"Layanan '{service}' tidak dikenal",
                f"Unknown service '{service}'",
                details={"services": sorted(self.settings.service_urls)},
            )
            return
        method = scope["method"]
        url = self.upstream_url(scope, service, base)
        headers = self.upstream_headers(scope, service)
        length = header(scope, b"content-length")
        chunked = "chunked" in (header(scope, b"transfer-encoding") or "").lower()
        has_body = chunked or (length is not None and length.strip() not in ("", "0"))
        if method not in _BODYLESS and not has_body and length is None:
            headers.append(("content-length", "0"))
        limit = self.settings.body_limit_for(scope["path"])
        state = {"too_large": False, "gone": False}

        async def body() -> AsyncIterator[bytes]:
            received = 0
            while True:
                try:
                    message = await receive()
                except PayloadTooLarge:
                    state["too_large"] = True
                    raise
                if message["type"] == "http.disconnect":
                    state["gone"] = True
                    raise ClientGone()
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    state["too_large"] = True
                    raise PayloadTooLarge()
                if chunk:
                    yield chunk
                if not message.get("more_body", False):
                    return

        label_id, label_en = SERVICE_LABELS.get(service, (service, service))
        started = time.perf_counter()
        status = 0
        response_started = False
        try:
            async with self._client().stream(method, url, headers, body() if has_body else None) as upstream:
                status = upstream.status
                self.metrics.latency.labels(service).observe(time.perf_counter() - started)
                out_headers = self.response_headers(upstream.raw_headers)
                if status == 503 and not is_json(out_headers):
                    # not the kit's bilingual 503 (a server in front of the app shedding load, say)
                    await send_error(
                        scope,
                        send,
                        503,
                        "service_unavailable",
                        f"Layanan {label_id} sedang tidak tersedia; silakan ulangi sebentar lagi",
                        f"The {label_en} service is unavailable; please retry shortly",
                        details={"service": service},
                        headers=[("retry-after", retry_after(out_headers) or RETRY_LATER)],
                    )
                    return
                if status == 503 and retry_after(out_headers) is None:
                    out_headers.append((b"retry-after", RETRY_LATER.encode()))
                await send({"type": "http.response.start", "status": status, "headers": out_headers})
                response_started = True
                if method == "HEAD":
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                    return
                async for chunk in upstream.iter_chunks():
                    if chunk:
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        except Exception as exc:
            if response_started:
                # Headers are out: nothing to do but drop the connection so the caller sees a
                # truncated response rather than a silently short one.
                log.warning("upstream %s broke mid-response: %s", service, exc)
                status = 502
                raise
            if state["gone"]:
                status = 499
                return
            if state["too_large"]:
                status = 413
                await send_error(
                    scope,
                    send,
                    413,
                    "payload_too_large",
                    f"Ukuran data melebihi batas {limit} bita untuk alamat ini",
                    f"Payload exceeds the {limit}-byte limit for this route",
                    details={"limit_bytes": limit},
                    headers=[("connection", "close")],
                )
                return
            # Down, busy or slow: all are "not now" (503 + Retry-After), each with its own code.
            if isinstance(exc, UpstreamUnavailable):
                status = 503
                await send_error(
                    scope,
                    send,
                    503,
                    "service_unavailable",
                    f"Layanan {label_id} sedang tidak tersedia",
                    f"The {label_en} service is unavailable",
                    details={"service": service},
                    headers=[("retry-after", RETRY_LATER)],
                )
                return
            if isinstance(exc, UpstreamBusy):
                status = 503
                await send_error(
                    scope,
                    send,
                    503,
                    "service_busy",
                    f"Layanan {label_id} sedang sibuk; permintaan belum dikirim, silakan ulangi sebentar lagi",
                    f"The {label_en} service is busy; the request was not sent, please retry shortly",
                    details={"service": service, "request_sent": False},
                    headers=[("retry-after", RETRY_SOON)],
                )
                return
            if isinstance(exc, UpstreamTimeout):
                status = 503
                await send_error(
                    scope,
                    send,
                    503,
                    "service_timeout",
                    f"Layanan {label_id} tidak menjawab tepat waktu; silakan ulangi nanti",
                    f"The {label_en} service did not answer in time; please retry later",
                    details={"service": service, "request_sent": True},
                    headers=[("retry-after", RETRY_LATER)],
                )
                return
            if isinstance(exc, UpstreamBroken):
                status = 502
                await send_error(
                    scope,
                    send,
                    502,
                    "bad_gateway",
                    f"Jawaban tidak sah dari layanan {label_id}",
                    f"Invalid response from the {label_en} service",
                    details={"service": service},
                )
                return
            raise
        finally:
            self.metrics.responses.labels(service, str(status or 500)).inc()

    @staticmethod
    def response_headers(raw: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        drop = set(_RESPONSE_DROP)
        for key, value in raw:
            if key.lower() == b"connection":
                drop |= connection_tokens(value.decode("latin-1"))
        out: list[tuple[bytes, bytes]] = []
        for key, value in raw:
            lower = key.lower()
            if lower.decode("latin-1") in drop or lower == REQUEST_ID_HEADER.encode():
                continue
            out.append((lower, value))
        return out
