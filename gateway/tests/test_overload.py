"""A busy, slow or shedding service: the gateway answers 503 in the bilingual shape with Retry-After.

The upstream is a real service app of the kit (``create_service_app``) served by uvicorn, its database
pool cut to one connection through its settings (``database_pool_size`` …), so ``/busy`` exhausts it
for real and the kit answers its 503 ``database_busy``. The gateway in front (a subprocess) waits 0.5 s
for a connection (one to the upstream) and 3 s for an answer; every service name points at the
upstream, and the public catalogue's GET routes need no token.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from pusip_kit.app import create_service_app
from pusip_kit.config import ServiceSettings

from .conftest import Server, start_gateway
from .inproc import ThreadedServer

router = APIRouter()
HITS: list[str] = []
SLOW_STARTED = threading.Event()


class BusySettings(ServiceSettings):
    service_name = "sibuk"


@router.get("/busy")
async def busy(request: Request) -> dict[str, int]:
    HITS.append("busy")
    engine = request.app.state.database.engine
    async with engine.connect() as first:  # the pool's only connection ...
        await first.exec_driver_sql("SELECT 1")
        async with engine.connect() as second:  # ... so this one waits out the pool timeout
            await second.exec_driver_sql("SELECT 1")
    return {"connections": 2}


@router.get("/slow")
async def slow(seconds: float) -> dict[str, float]:
    HITS.append("slow")
    SLOW_STARTED.set()
    await asyncio.sleep(seconds)
    return {"slept": seconds}


@router.get("/ping")
async def ping() -> dict[str, bool]:
    HITS.append("ping")
    return {"ok": True}


@router.get("/shed")
async def shed() -> PlainTextResponse:
    """What a server in front of the app says when it sheds load: plain text."""
    return PlainTextResponse("Service Unavailable", status_code=503, headers={"Retry-After": "7"})


@router.get("/starting")
async def starting() -> JSONResponse:
    return JSONResponse({"status": "starting"}, status_code=503)


@dataclass
class Stack:
    upstream: ThreadedServer
    gateway: Server


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("overload")
    settings = BusySettings(
        data_dir=tmp / "svc",
        log_json=False,
        database_pool_size=1,
        database_max_overflow=0,
        database_pool_timeout=0.3,
    )
    app = create_service_app(
        settings,
        title="Sibuk",
        description="busy",
        routers=[router],
        migrations_dir=None,
        configure_logs=False,
    )
    with ThreadedServer(app) as upstream:
        urls = dict.fromkeys(("catalog", "circulation", "deposit", "archive", "accreditation"), upstream.url)
        env = {
            "PUSIP_GATEWAY_UPSTREAM_READ_TIMEOUT": "3",
            "PUSIP_GATEWAY_UPSTREAM_CONNECT_TIMEOUT": "0.5",
            "PUSIP_GATEWAY_POOL_LIMIT_PER_HOST": "1",
        }
        gateway = start_gateway(tmp, urls, extra_env=env)
        try:
            yield Stack(upstream, gateway)
        finally:
            gateway.stop()


def _bilingual(r: httpx.Response, code: str) -> dict[str, object]:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    error = body["error"]
    assert error["code"] == code
    assert error["message"] and error["message_en"] and error["message"] != error["message_en"]
    assert body["request_id"] == r.headers["x-request-id"]
    return dict(error)


async def test_database_busy_passes_through_with_retry_after(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        direct = await client.get(f"{stack.upstream.url}/busy")
        r = await client.get(f"{stack.gateway.url}/api/catalog/busy")
    error = _bilingual(r, "database_busy")
    assert r.headers["retry-after"] == direct.headers["retry-after"] == "1"
    assert "sibuk" in str(error["message"]) and "busy" in str(error["message_en"])
    # the service's own answer, unchanged but for the request id the gateway gave it
    assert {**direct.json(), "request_id": None} == {**r.json(), "request_id": None}


async def test_a_service_that_does_not_answer_in_time_is_503_not_504(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        started = time.perf_counter()
        r = await client.get(f"{stack.gateway.url}/api/catalog/slow", params={"seconds": 6})
        elapsed = time.perf_counter() - started
    error = _bilingual(r, "service_timeout")
    assert r.headers["retry-after"] == "5"
    assert error["details"] == {"service": "catalog", "request_sent": True}
    assert "Katalog" in str(error["message"]) and "Catalog" in str(error["message_en"])
    assert 2.9 < elapsed < 6


async def test_no_free_connection_in_time_is_503_and_the_request_never_sent(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=30) as client:
        # the gateway's one connection to the service is held by a slow request ...
        SLOW_STARTED.clear()
        holder = asyncio.create_task(client.get("/api/catalog/slow", params={"seconds": 2.5}))
        # it holds the connection once the service sees it
        assert await asyncio.to_thread(SLOW_STARTED.wait, 20)
        pings = HITS.count("ping")
        # ... so this one waits for it past the connect timeout
        r = await client.get("/api/catalog/ping")
        held = await holder
    error = _bilingual(r, "service_busy")
    assert r.headers["retry-after"] == "1"
    assert error["details"] == {"service": "catalog", "request_sent": False}
    assert HITS.count("ping") == pings  # it never reached the service
    assert held.status_code == 200
    async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=30) as client:
        assert (await client.get("/api/catalog/ping")).status_code == 200  # the slot is free again


async def test_a_503_not_in_the_kit_shape_gets_it(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=30) as client:
        shed = await client.get("/api/catalog/shed")
        starting = await client.get("/api/catalog/starting")
    error = _bilingual(shed, "service_unavailable")
    assert shed.headers["retry-after"] == "7"  # the service's own hint is kept
    assert error["details"] == {"service": "catalog"}
    # JSON (a readiness report, say) passes as it is, with a Retry-After added
    assert starting.status_code == 503 and starting.json() == {"status": "starting"}
    assert starting.headers["retry-after"] == "5"


def test_the_pool_of_the_upstream_is_the_one_its_settings_ask_for(stack: Stack) -> None:
    app = stack.upstream.server.config.app
    pool = app.state.database.engine.pool
    assert (pool.size(), pool._max_overflow, pool._timeout) == (1, 0, 0.3)
