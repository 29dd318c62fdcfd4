"""X-Forwarded-* believed from trusted proxies only (address, network), ignored from anyone else."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pusip_kit.forwarded import ForwardedHeadersMiddleware, public_base_url, public_host_port

GATEWAY = {
    "x-forwarded-for": "198.51.100.7",
    "x-forwarded-proto": "https",
    "x-forwarded-host": "pusip.example:8443",
    "x-forwarded-prefix": "/api/catalog/",
}


async def _where(request: Request) -> JSONResponse:
    host, port = public_host_port(request)
    return JSONResponse(
        {
            "base": public_base_url(request, request.url.path),
            "client": request.client.host if request.client else None,
            "host": host,
            "port": port,
        }
    )


async def _ask(peer: str, trusted: list[str], headers: dict[str, str]) -> dict[str, object]:
    app = ForwardedHeadersMiddleware(Starlette(routes=[Route("/oai", _where)]), trusted=trusted)
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog:8001") as client:
        return (await client.get("/oai", headers=headers)).json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(("peer", "trusted"), [("127.0.0.1", ["127.0.0.1"]), ("10.1.2.3", ["10.0.0.0/8"])])
async def test_trusted_proxy_sets_the_public_address(peer: str, trusted: list[str]) -> None:
    assert await _ask(peer, trusted, GATEWAY) == {
        "base": "https://pusip.example:8443/api/catalog/oai",
        "client": "198.51.100.7",
        "host": "pusip.example",
        "port": 8443,
    }


async def test_untrusted_peer_is_not_believed() -> None:
    assert await _ask("203.0.113.5", ["127.0.0.1"], GATEWAY) == {
        "base": "http://catalog:8001/oai",
        "client": "203.0.113.5",
        "host": "catalog",
        "port": 8001,
    }


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("x-forwarded-host", "evil.example/path"),
        ("x-forwarded-host", 'a"><script>'),
        ("x-forwarded-prefix", "api/catalog"),
        ("x-forwarded-prefix", "/api/../x"),
        ("x-forwarded-prefix", "//evil.example"),
    ],
)
async def test_malformed_values_are_dropped(header: str, value: str) -> None:
    answer = await _ask("127.0.0.1", ["127.0.0.1"], {header: value})
    assert answer["base"] == "http://catalog:8001/oai"
