"""Rate limiting per client with the ``limits`` library.

The key is the token's subject (or client id for agency systems) when the caller is
authenticated, otherwise the client's IP address. Limits are chosen per route class (the
longest configured path prefix). Storage is in memory in embedded mode and Redis in
distributed mode, so every gateway replica shares one count.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter, RateLimiter
from limits.storage import storage_from_string

from gateway.config import GatewaySettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_after: int
    window: int
    policy: str

    def headers(self) -> list[tuple[str, str]]:
        out = [
            ("ratelimit-limit", str(self.limit)),
            ("ratelimit-remaining", str(max(self.remaining, 0))),
            ("ratelimit-reset", str(self.reset_after)),
            ("ratelimit-policy", f"{self.limit};w={self.window}"),
        ]
        if not self.allowed:
            out.append(("retry-after", str(max(self.reset_after, 1))))
        return out


def storage_for(url: str) -> Storage:
    if url.startswith("memory://"):
        storage = storage_from_string("async+memory://")
    elif url.startswith(("redis://", "rediss://")):
        storage = storage_from_string(f"async+{url}", implementation="redispy")
    else:
        storage = storage_from_string(url)
    if not isinstance(storage, Storage):
        raise ValueError(f"not an async rate-limit storage: {url}")
    return storage


class ClientRateLimiter:
    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.storage = storage_for(settings.rate_limit_storage_url)
        self.strategy: RateLimiter = (
            MovingWindowRateLimiter(self.storage)
            if settings.rate_limit_strategy == "moving-window"
            else FixedWindowRateLimiter(self.storage)
        )
        self._parsed: dict[str, list[RateLimitItem]] = {}
        self._exempt = tuple(settings.rate_limit_exempt)
        self._last_storage_error = 0.0

    def exempt(self, path: str) -> bool:
        return path.startswith(self._exempt)

    def items_for(self, path: str) -> tuple[str, list[RateLimitItem]]:
        spec = self.settings.rate_limit_for(path)
        items = self._parsed.get(spec)
        if items is None:
            items = self._parsed[spec] = parse_many(spec)
        return spec, items

    async def check(self, key: str, path: str) -> Decision | None:
        """Count one request by ``key`` on ``path``; ``None`` when limiting is off or failing open."""
        if not self.settings.rate_limit_enabled or self.exempt(path):
            return None
        spec, items = self.items_for(path)
        route_class = self._route_class(path)
        try:
            worst: Decision | None = None
            for item in items:
                allowed = await self.strategy.hit(item, route_class, key)
                stats = await self.strategy.get_window_stats(item, route_class, key)
                reset_after = max(math.ceil(stats.reset_time - time.time()), 0)
                decision = Decision(
                    allowed=allowed,
                    limit=item.amount,
                    remaining=stats.remaining,
                    reset_after=reset_after,
                    window=item.get_expiry(),
                    policy=spec,
                )
                if not allowed:
                    return decision
                if worst is None or decision.remaining < worst.remaining:
                    worst = decision
            return worst
        except Exception as exc:  # a broken Redis must not take the whole edge down
            now = time.monotonic()
            if now - self._last_storage_error > 30:
                log.warning("rate-limit storage failing, letting requests through: %s", exc)
                self._last_storage_error = now
            return None

    def _route_class(self, path: str) -> str:
        best = ""
        for prefix in self.settings.rate_limits:
            if path.startswith(prefix) and len(prefix) > len(best):
                best = prefix
        return best or "default"

    async def reset(self) -> None:
        await self.storage.reset()

    async def aclose(self) -> None:
        close = getattr(self.storage, "close", None)
        if close is not None:
            result = close()
            if hasattr(result, "__await__"):
                await result
