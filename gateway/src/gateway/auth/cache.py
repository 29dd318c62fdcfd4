"""A short-lived cache of validated access tokens.

Checking an RS256 signature costs the gateway more CPU than proxying the request itself, and a
client sends the same token with every request for minutes. A validated token's subject is kept
for at most ``ttl`` seconds (never past the token's ``exp``); refusals are never cached, so a
bad token is always re-examined and answered with its specific code.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict

from pusip_kit.auth.subject import AuthSubject
from pusip_kit.auth.tokens import TokenValidator


class TokenCache:
    def __init__(self, *, ttl: float = 30.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, tuple[AuthSubject, float]] = OrderedDict()
        self.hits = 0

    @staticmethod
    def _key(token: str) -> bytes:
        return hashlib.blake2b(token.encode(), digest_size=20).digest()

    async def validate(self, validator: TokenValidator, token: str) -> AuthSubject:
        if self.ttl <= 0:
            return await validator.validate(token)
        key = self._key(token)
        now = time.time()
        entry = self._entries.get(key)
        if entry is not None:
            subject, until = entry
            if now < until:
                self.hits += 1
                return subject
            del self._entries[key]
        subject = await validator.validate(token)
        exp = subject.claims.get("exp")
        until = now + self.ttl
        if isinstance(exp, int | float):
            until = min(until, float(exp))
        self._entries[key] = (subject, until)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return subject

    def clear(self) -> None:
        self._entries.clear()
