"""Small raw-ASGI helpers: JSON error responses in the suite's shape, header access."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from starlette.types import Scope, Send

from pusip_kit.errors import PusipError, error_body


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def request_id(scope: Scope) -> str | None:
    state = scope.get("state") or {}
    return state.get("request_id") if isinstance(state, dict) else None


async def send_json(send: Send, status: int, body: Any, headers: Iterable[tuple[str, str]] = ()) -> None:
    payload = orjson.dumps(body)
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload, "more_body": False})


async def send_error(
    scope: Scope,
    send: Send,
    status: int,
    code: str,
    message: str,
    message_en: str,
    *,
    details: Any = None,
    headers: Iterable[tuple[str, str]] = (),
) -> None:
    await send_json(send, status, error_body(code, message, message_en, details, request_id(scope)), headers)


async def send_pusip_error(scope: Scope, send: Send, exc: PusipError) -> None:
    await send_json(send, exc.status_code, exc.body(request_id(scope)), exc.headers.items())
