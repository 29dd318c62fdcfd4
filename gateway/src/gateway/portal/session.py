"""The portal's session cookie and CSRF tokens.

The session cookie carries the access and refresh tokens, sealed with AES-256-GCM under a
key derived from the gateway's ``secret_key`` (authenticated: a cookie altered in any bit is
rejected, and the tokens are not readable from the cookie either). It is ``HttpOnly``,
``SameSite=Lax`` and ``Secure`` behind https.

CSRF uses the double-submit pattern with a signed token: the ``pusip_csrf`` cookie holds
``<random>.<hmac>``; every portal POST form carries the same value in ``csrf_token`` (or the
``X-CSRF-Token`` header for htmx requests), and the two must match and the HMAC verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CSRF_COOKIE = "pusip_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_VERSION = 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(secret: str, purpose: bytes) -> bytes:
    return hmac.new(secret.encode(), b"pusip-portal/" + purpose, hashlib.sha256).digest()


@dataclass
class PortalSession:
    access_token: str
    refresh_token: str | None
    expires_at: float
    """When the access token expires (epoch seconds)."""
    refresh_expires_at: float | None = None

    @property
    def access_expired(self) -> bool:
        return time.time() >= self.expires_at - 10

    def as_dict(self) -> dict[str, Any]:
        return {
            "v": SESSION_VERSION,
            "at": self.access_token,
            "rt": self.refresh_token,
            "exp": self.expires_at,
            "rexp": self.refresh_expires_at,
        }

    @classmethod
    def from_token_response(cls, body: dict[str, Any]) -> PortalSession:
        now = time.time()
        refresh_in = body.get("refresh_expires_in")
        return cls(
            access_token=str(body["access_token"]),
            refresh_token=body.get("refresh_token"),
            expires_at=now + float(body.get("expires_in") or 300),
            refresh_expires_at=now + float(refresh_in) if refresh_in else None,
        )


class SessionCodec:
    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(_derive(secret, b"session"))
        self._csrf_key = _derive(secret, b"csrf")

    # -- session ------------------------------------------------------------------------------

    def seal(self, session: PortalSession) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, orjson.dumps(session.as_dict()), b"pusip-session")
        return _b64(nonce + sealed)

    def open(self, value: str | None) -> PortalSession | None:
        if not value or len(value) > 8192:
            return None
        try:
            raw = _unb64(value)
            data = orjson.loads(self._aead.decrypt(raw[:12], raw[12:], b"pusip-session"))
        except (ValueError, InvalidTag, orjson.JSONDecodeError):
            return None
        if not isinstance(data, dict) or data.get("v") != SESSION_VERSION or not data.get("at"):
            return None
        return PortalSession(
            access_token=str(data["at"]),
            refresh_token=data.get("rt"),
            expires_at=float(data.get("exp") or 0),
            refresh_expires_at=data.get("rexp"),
        )

    # -- CSRF ---------------------------------------------------------------------------------

    def _csrf_sig(self, nonce: str) -> str:
        return _b64(hmac.new(self._csrf_key, nonce.encode(), hashlib.sha256).digest()[:18])

    def new_csrf(self) -> str:
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._csrf_sig(nonce)}"

    def csrf_valid(self, cookie: str | None) -> bool:
        if not cookie or "." not in cookie:
            return False
        nonce, _, sig = cookie.partition(".")
        return hmac.compare_digest(sig, self._csrf_sig(nonce))

    def csrf_matches(self, cookie: str | None, submitted: str | None) -> bool:
        if not cookie or not submitted or not self.csrf_valid(cookie):
            return False
        return hmac.compare_digest(cookie.encode(), submitted.encode())
