"""Request ids, JSON logs that carry them, Prometheus metrics, health and readiness."""

from __future__ import annotations

import contextvars
import logging
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


class _RequestIdFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get()
        record.service = self.service
        return True


def configure_logging(service: str, *, level: str = "INFO", json_logs: bool = True) -> None:
    """Root logging for one process: JSON lines carrying service and request id."""
    handler = logging.StreamHandler(sys.stderr)
    if json_logs:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(levelname)-7s %(name)s [%(request_id)s] %(message)s"))
    handler.addFilter(_RequestIdFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access", "httpx", "httpcore", "elastic_transport", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _valid_request_id(value: str | None) -> str | None:
    if value and 8 <= len(value) <= 128 and all(c.isalnum() or c in "-_." for c in value):
        return value
    return None


class RequestContextMiddleware:
    """Pure ASGI: request id (reused from the caller when sane), access metrics."""

    def __init__(self, app: ASGIApp, *, service: str, registry: CollectorRegistry) -> None:
        self.app = app
        self.requests = Counter(
            "pusip_http_requests",
            "HTTP requests",
            ["service", "method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "pusip_http_request_duration_seconds",
            "HTTP request latency",
            ["service", "method", "route"],
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _valid_request_id(_header(scope, REQUEST_ID_HEADER.encode())) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            self.requests.labels(self.service, scope["method"], path, str(status)).inc()
            self.latency.labels(self.service, scope["method"], path).observe(time.perf_counter() - started)
            request_id_var.reset(token)


ReadinessCheck = Callable[[], Awaitable[Any]]


class Health:
    """Named readiness checks; liveness is just "the process answers"."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.checks: dict[str, ReadinessCheck] = {}

    def add(self, name: str, check: ReadinessCheck) -> None:
        self.checks[name] = check

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        results: dict[str, Any] = {}
        ok = True
        for name, check in self.checks.items():
            started = time.perf_counter()
            try:
                await check()
                results[name] = {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 2)}
            except Exception as exc:
                ok = False
                results[name] = {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
        return ok, {"service": self.service, "status": "ok" if ok else "error", "checks": results}


def metrics_payload(registry: CollectorRegistry) -> tuple[bytes, str]:
    return generate_latest(registry), CONTENT_TYPE_LATEST
