"""The proxy against real upstream servers: bodies, streaming, headers, request ids, failures."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from .conftest import MiB, Suite, free_port, start_gateway, start_upstream


def auth(suite: Suite, *roles: str, sub: str = "user-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {suite.mint.token(sub, roles)}"}


async def test_get_is_proxied_with_path_query_and_forwarded_headers(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        r = await client.get(
            "/api/catalog/echo/a%2Fb/c?q=buku+anak&x=1", headers={"Accept": "application/json"}
        )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["service"] == "alpha"
    assert body["raw_path"] == "/echo/a%2Fb/c"
    assert body["query"] == "q=buku+anak&x=1"
    headers = dict(body["headers"])
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-host"] == f"127.0.0.1:{suite.gateway.port}"
    assert headers["x-forwarded-prefix"] == "/api/catalog"
    assert headers["host"] == f"127.0.0.1:{suite.alpha.port}"


async def test_hop_by_hop_headers_are_stripped(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        r = await client.get(
            "/api/catalog/echo/h",
            headers={
                "Connection": "keep-alive, X-Secret-Hop",
                "X-Secret-Hop": "1",
                "TE": "trailers",
                "Proxy-Authorization": "Basic eDp5",
                "X-Kept": "yes",
            },
        )
    headers = dict(r.json()["headers"])
    assert headers.get("x-kept") == "yes"
    for name in ("x-secret-hop", "te", "proxy-authorization"):
        assert name not in headers
    assert headers.get("connection", "keep-alive") == "keep-alive"  # aiohttp's own, not the caller's


async def test_post_with_json_body_and_authorization_forwarded(suite: Suite) -> None:
    headers = auth(suite, "librarian")
    async with httpx.AsyncClient(base_url=suite.url) as client:
        r = await client.post(
            "/api/circulation/items", json={"id": 7, "title": "Laskar Pelangi"}, headers=headers
        )
        assert r.status_code == 201, r.text
        assert r.json() == {"id": 7, "title": "Laskar Pelangi", "owner": None}
        echo = await client.put("/api/circulation/echo/x", content=b"isi", headers=headers)
    forwarded = dict(echo.json()["headers"])
    assert forwarded["authorization"] == headers["Authorization"]
    assert echo.json()["body"] == "isi"


async def test_the_portal_cookies_are_not_forwarded(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        r = await client.get(
            "/api/catalog/echo/c", headers={"Cookie": "pusip_session=rahasia; theme=dark; pusip_csrf=x.y"}
        )
        assert dict(r.json()["headers"])["cookie"] == "theme=dark"
        only_own = await client.get("/api/catalog/echo/c", headers={"Cookie": "pusip_session=rahasia"})
        assert "cookie" not in dict(only_own.json()["headers"])


async def test_multiple_set_cookie_headers_survive(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        r = await client.get("/api/catalog/cookies")
    assert sorted(v.split(";")[0] for v in r.headers.get_list("set-cookie")) == ["a=1", "b=2"]


async def test_request_id_is_echoed_and_propagated(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        r = await client.get("/api/catalog/echo/rid", headers={"x-request-id": "uji-permintaan-0001"})
        assert r.headers["x-request-id"] == "uji-permintaan-0001"
        assert dict(r.json()["headers"])["x-request-id"] == "uji-permintaan-0001"
        generated = await client.get("/api/catalog/echo/rid")
    rid = generated.headers["x-request-id"]
    assert len(rid) >= 16
    assert dict(generated.json()["headers"])["x-request-id"] == rid
    # a single id header reaches the caller
    assert len(generated.headers.get_list("x-request-id")) == 1


async def test_50_mib_streamed_upload_arrives_intact_without_memory_growth(suite: Suite) -> None:
    total = 50 * MiB
    block = os.urandom(MiB)
    expected = hashlib.sha256()
    for _ in range(50):
        expected.update(block)

    async def body() -> AsyncIterator[bytes]:
        for _ in range(50):
            yield block

    headers = auth(suite, "cataloger")
    async with httpx.AsyncClient(base_url=suite.url, timeout=60) as client:
        # warm up (imports, pools) before measuring
        await client.post("/api/catalog/upload", content=b"x" * 1024, headers=headers)
        before = suite.gateway.rss_bytes()
        r = await client.post("/api/catalog/upload", content=body(), headers=headers)  # chunked
        assert r.status_code == 200, r.text
        assert r.json()["size"] == total
        assert r.json()["sha256"] == expected.hexdigest()
        r2 = await client.post(
            "/api/catalog/upload",
            content=body(),
            headers={**headers, "Content-Length": str(total)},
        )
        assert r2.json()["sha256"] == expected.hexdigest()
        after = suite.gateway.rss_bytes()
    growth = after - before
    assert growth < 64 * MiB, f"gateway RSS grew by {growth / MiB:.1f} MiB"


async def test_large_download_streams_without_memory_growth(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url, timeout=60) as client:
        before = suite.gateway.rss_bytes()
        size = 0
        async with client.stream("GET", "/api/catalog/big?mib=50") as r:
            assert r.status_code == 200
            async for chunk in r.aiter_raw():
                size += len(chunk)
        after = suite.gateway.rss_bytes()
    assert size == 50 * MiB
    assert after - before < 64 * MiB


async def test_response_is_streamed_chunk_by_chunk(suite: Suite) -> None:
    arrivals: list[float] = []
    async with httpx.AsyncClient(base_url=suite.url, timeout=30) as client:
        started = time.perf_counter()
        async with client.stream("GET", "/api/catalog/stream?n=5&size=100&delay=0.3") as r:
            assert r.status_code == 200
            async for _chunk in r.aiter_raw():
                arrivals.append(time.perf_counter() - started)
    assert len(arrivals) >= 3
    # the first chunk comes long before the upstream has finished (5 × 0.3 s): not buffered
    assert arrivals[-1] - arrivals[0] > 0.8


async def test_unknown_service_is_404(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        r = await client.get("/api/tidakada/x")
    # not in the route table as public, so the token check comes first
    assert r.status_code == 401
    async with httpx.AsyncClient(base_url=suite.url) as client:
        r = await client.get("/api/tidakada/x", headers=auth(suite))
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "unknown_service"


async def test_upstream_timeout_is_503_with_retry_after(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url, timeout=30) as client:
        r = await client.get("/api/catalog/slow?seconds=5")
    assert r.status_code == 503
    assert r.headers["retry-after"] == "5"
    assert r.json()["error"]["code"] == "service_timeout"
    assert r.json()["error"]["details"] == {"service": "catalog", "request_sent": True}


@pytest.fixture
def victim_setup(tmp_path):
    victim = start_upstream("victim", tmp_path)
    other = start_upstream("alpha", tmp_path)
    urls = {
        "catalog": other.url,
        "circulation": victim.url,
        "deposit": other.url,
        "archive": other.url,
        "accreditation": other.url,
    }
    gateway = start_gateway(tmp_path, urls)
    try:
        yield victim, other, gateway
    finally:
        gateway.stop()
        victim.stop()
        other.stop()


async def test_killed_upstream_is_503_for_that_service_only(victim_setup) -> None:
    victim, _other, gateway = victim_setup
    async with httpx.AsyncClient(base_url=gateway.url) as client:
        assert (await client.get("/api/circulation/healthz")).status_code == 200
        victim.kill()  # kill -9
        r = await client.get("/api/circulation/healthz")
        assert r.status_code == 503
        err = r.json()["error"]
        assert err["code"] == "service_unavailable"
        assert "Sirkulasi" in err["message"] and "Circulation" in err["message_en"]
        assert err["details"] == {"service": "circulation"}
        assert r.headers["x-request-id"]
        ok = await client.get("/api/catalog/healthz")
        assert ok.status_code == 200
        # health aggregation: one down → 503 overall, detail per service
        health = await client.get("/api/health")
        assert health.status_code == 503
        body = health.json()
        assert body["status"] == "degraded"
        assert body["services"]["circulation"]["status"] == "down"
        assert body["services"]["catalog"]["status"] == "ready"
        assert body["services"]["catalog"]["latency_ms"] >= 0
        ready = await client.get("/readyz")
        assert ready.status_code == 503


async def test_health_all_ready_is_200_and_not_ready_is_reported(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        r = await client.get("/api/health")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "ok"
        assert set(body["services"]) == {"catalog", "circulation", "deposit", "archive", "accreditation"}
        assert body["services"]["circulation"]["label"] == "Sirkulasi"
        assert (await client.get("/healthz")).json() == {"service": "gateway", "status": "ok"}
        async with httpx.AsyncClient() as direct:
            await direct.post(f"{suite.beta.url}/_ready/0")
        try:
            r = await client.get("/api/health")
            assert r.status_code == 503
            assert r.json()["services"]["circulation"]["status"] == "not_ready"
            assert r.json()["services"]["circulation"]["http_status"] == 503
        finally:
            async with httpx.AsyncClient() as direct:
                await direct.post(f"{suite.beta.url}/_ready/1")


async def test_health_answers_quickly_when_a_service_hangs(tmp_path) -> None:
    hang = free_port()
    import socket

    # a listener that accepts but never answers
    sock = socket.socket()
    sock.bind(("127.0.0.1", hang))
    sock.listen(16)
    alpha = start_upstream("alpha", tmp_path)
    urls = {
        "catalog": alpha.url,
        "circulation": f"http://127.0.0.1:{hang}",
        "deposit": alpha.url,
        "archive": alpha.url,
        "accreditation": alpha.url,
    }
    gateway = start_gateway(tmp_path, urls)
    try:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
            started = time.perf_counter()
            r = await client.get("/api/health")
            elapsed = time.perf_counter() - started
        assert r.status_code == 503
        assert r.json()["services"]["circulation"]["status"] == "timeout"
        assert elapsed < 3.0  # health_timeout is 1 s
    finally:
        gateway.stop()
        alpha.stop()
        sock.close()


async def test_metrics_are_exposed(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        await client.get("/api/catalog/ping")
        r = await client.get("/metrics")
    assert r.status_code == 200
    assert "pusip_gateway_upstream_responses_total" in r.text
    assert "pusip_http_requests_total" in r.text
