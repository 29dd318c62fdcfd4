"""Oversized uploads stop at the gateway: 413 in the bilingual shape, before the body reaches the service.

The gateway (a uvicorn subprocess, default settings) sends every service to one real upstream that
records what it receives. For each upload route of :data:`pusip_kit.uploads.UPLOAD_LIMITS` a request
declaring one byte over the service's limit (plus the form allowance) must be refused at once and never
arrive; a small one must arrive whole. ``tests/security/test_upload_limits.py`` proves the list complete
and the limits the services' own.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from pusip_kit.uploads import (
    CATALOG_STOCKTAKE_BATCH,
    CIRCULATION_PHOTO,
    FORM_OVERHEAD,
    UPLOAD_LIMITS,
)

from .conftest import Server, TokenMint, free_port, prepare_identity, start_gateway
from .inproc import ThreadedServer


@dataclass
class Recorder:
    """An upstream answering 200 to everything, noting each request's path and how much body came."""

    seen: list[tuple[str, int, bool]] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        size, complete = 0, False
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            size += len(message.get("body", b""))
            if not message.get("more_body", False):
                complete = True
                break
        self.seen.append((scope["path"], size, complete))
        body = json.dumps({"path": scope["path"], "size": size}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def paths(self) -> set[str]:
        return {path for path, _, _ in self.seen}


@dataclass
class Edge:
    gateway: Server
    recorder: Recorder
    token: str


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Edge]:
    tmp = tmp_path_factory.mktemp("upload-limits")
    keys = prepare_identity(tmp / "data")
    recorder = Recorder()
    with ThreadedServer(recorder, lifespan="off") as upstream:
        port = free_port()
        mint = TokenMint(keys, f"http://127.0.0.1:{port}/auth")
        urls = dict.fromkeys(("catalog", "circulation", "deposit", "archive", "accreditation"), upstream.url)
        # the upstream has no /healthz: wait for the gateway's own
        gateway = start_gateway(tmp, urls, port=port, extra_env={"PUSIP_GATEWAY_RATE_LIMITS": "{}"})
        try:
            yield Edge(gateway, recorder, mint.token("uploader", ("admin",)))
        finally:
            gateway.stop()


def _routes() -> dict[str, int]:
    """``METHOD /api/<service>/path`` (parameters filled) → the gateway limit the service implies."""
    out: dict[str, int] = {}
    for limit in UPLOAD_LIMITS:
        for route in limit.routes:
            method, _, path = route.partition(" ")
            key = f"{method} /api/{limit.service}{re.sub(r'{[^}]+}', 'x' + uuid.uuid4().hex[:8], path)}"
            out[key] = max(out.get(key, 0), limit.default + FORM_OVERHEAD)  # the subprocess has no overrides
    return out


async def _declared(port: int, method: str, path: str, length: int, token: str) -> tuple[int, dict[str, Any]]:
    """Send only the head of a request declaring ``length`` bytes; the answer that comes back."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            (
                f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/octet-stream\r\nContent-Length: {length}\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout=20)  # the gateway closes after a 413
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body)


async def test_oversized_upload_is_refused_at_the_gateway_on_every_upload_route(edge: Edge) -> None:
    routes = _routes()
    assert any(path.startswith("POST /api/archive/records/") for path in routes)
    async with httpx.AsyncClient(base_url=edge.gateway.url, timeout=30) as client:
        for route, limit in routes.items():
            method, _, path = route.partition(" ")
            status, body = await _declared(edge.gateway.port, method, path, limit + 1, edge.token)
            assert status == 413, (route, body)
            error = body["error"]
            assert error["code"] == "payload_too_large"
            assert error["details"] == {"limit_bytes": limit, "content_length": limit + 1}
            assert error["message"] != error["message_en"] and "batas" in error["message"]
            assert _upstream(path) not in edge.recorder.paths(), (
                f"{route}: the oversized body reached the service"
            )
            # the route itself is open: a small body goes through whole
            small = await client.request(method, path, content=b"%PDF-1.7 kecil", headers=_auth(edge))
            assert small.status_code == 200, (route, small.text)
            assert (_upstream(path), 14, True) in edge.recorder.seen


async def test_at_the_limit_passes_and_a_streamed_byte_more_is_413(edge: Edge) -> None:
    async with httpx.AsyncClient(base_url=edge.gateway.url, timeout=60) as client:
        for limit, path in (
            (CIRCULATION_PHOTO, "/api/circulation/patrons/me/photo"),
            (CATALOG_STOCKTAKE_BATCH, f"/api/catalog/stocktakes/{uuid.uuid4()}/scans/batch"),
        ):
            method = limit.routes[0].partition(" ")[0]
            allowed = limit.default + FORM_OVERHEAD
            exact = await client.request(method, path, content=b"\0" * allowed, headers=_auth(edge))
            assert exact.status_code == 200 and exact.json()["size"] == allowed
            # no Content-Length: the gateway counts the stream and stops it one byte past the limit
            over = await client.request(method, path, content=_chunks(allowed + 1), headers=_auth(edge))
            assert over.status_code == 413, over.text
            assert over.json()["error"]["code"] == "payload_too_large"
            assert over.json()["error"]["message_en"].startswith("Payload exceeds")
            assert (_upstream(path), allowed, True) in edge.recorder.seen
            assert not any(
                p == _upstream(path) and complete and size > allowed
                for p, size, complete in edge.recorder.seen
            )


async def _chunks(total: int, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        sent += n
        yield b"\1" * n


def _upstream(path: str) -> str:
    """Where the gateway sends ``/api/<service>/rest``: ``/rest`` on the service."""
    return "/" + path.split("/", 3)[3]


def _auth(edge: Edge) -> dict[str, str]:
    return {"Authorization": f"Bearer {edge.token}"}


def test_the_gateway_subprocess_reads_no_upload_override(edge: Edge) -> None:
    """The expected limits above are the defaults: nothing in the gateway's environment raises them."""
    env = edge.gateway.env
    assert not [name for name in env if name.startswith("PUSIP_") and name.endswith(("_BYTES", "_SIZE"))]
