"""Aggregated readiness: every service's ``/readyz``, asked concurrently with a short timeout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from gateway.config import GatewaySettings
from gateway.proxy.app import SERVICE_LABELS
from gateway.proxy.client import UpstreamClient, UpstreamError, UpstreamTimeout, UpstreamUnavailable

READY = "ready"
NOT_READY = "not_ready"
DOWN = "down"
TIMEOUT = "timeout"


class HealthAggregator:
    def __init__(self, settings: GatewaySettings, client: Callable[[], UpstreamClient]) -> None:
        self.settings = settings
        self._client = client
        self._cached: tuple[float, bool, dict[str, Any]] | None = None
        self._inflight: asyncio.Task[tuple[bool, dict[str, Any]]] | None = None

    async def _one(self, name: str, base: str) -> dict[str, Any]:
        label_id, label_en = SERVICE_LABELS.get(name, (name, name))
        entry: dict[str, Any] = {"service": name, "label": label_id, "label_en": label_en, "url": base}
        started = time.perf_counter()
        try:
            result = await self._client().get_json(f"{base}/readyz", wait=self.settings.health_timeout)
        except UpstreamTimeout:
            entry.update(status=TIMEOUT, error=f"no answer within {self.settings.health_timeout}s")
        except UpstreamUnavailable as exc:
            entry.update(status=DOWN, error=str(exc)[:200])
        except UpstreamError as exc:
            entry.update(status=DOWN, error=str(exc)[:200])
        else:
            entry.update(
                status=READY if result.status == 200 else NOT_READY,
                http_status=result.status,
            )
            if isinstance(result.body, dict) and "checks" in result.body:
                entry["checks"] = result.body["checks"]
        entry["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return entry

    async def _check(self) -> tuple[bool, dict[str, Any]]:
        names = list(self.settings.service_urls)
        results = await asyncio.gather(*(self._one(n, self.settings.service_urls[n]) for n in names))
        services = {r["service"]: r for r in results}
        ok = all(r["status"] == READY for r in results)
        body = {
            "status": "ok" if ok else "degraded",
            "gateway": "ok",
            "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "services": services,
        }
        self._cached = (time.monotonic(), ok, body)
        return ok, body

    async def check(self) -> tuple[bool, dict[str, Any]]:
        """Overall readiness and per-service detail (shared by concurrent callers, cached briefly)."""
        cached = self._cached
        if cached and time.monotonic() - cached[0] < self.settings.health_cache_seconds:
            return cached[1], cached[2]
        if self._inflight is None or self._inflight.done():
            self._inflight = asyncio.ensure_future(self._check())
        return await asyncio.shield(self._inflight)
