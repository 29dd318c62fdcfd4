"""64 concurrent clients, 1,000 check-out attempts on 100 items, over real HTTP (uvicorn):
exactly 100 loans, no item loaned twice, nobody over a limit, never a 5xx — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from circulation.config import CirculationSettings
from circulation.main import create_app
from pusip_kit.app import KEEP_ALIVE_SECONDS
from pusip_kit.testing.db import temporary_database
from pusip_kit.testing.service import run_service, settings_for_test, shared_test_issuer

from ..helpers import (
    LIBRARIAN,
    STORM_CLIENTS,
    assert_storm_outcome,
    storm_attempts,
    storm_world,
)


@contextmanager
def uvicorn_server(settings: CirculationSettings) -> Iterator[str]:
    """The service under a real uvicorn server in a thread, so requests are truly concurrent."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(settings)
    app.state.token_validator = shared_test_issuer().validator()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        backlog=256,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-circulation", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


async def http_storm(settings: CirculationSettings) -> dict[str, int]:
    issuer = shared_test_issuer()
    async with run_service(create_app, settings, issuer=issuer) as client:
        adults, children, barcodes = await storm_world(client)
        attempts = storm_attempts(adults, children, barcodes)
        headers = client.bearer(**LIBRARIAN)
        statuses: Counter[int] = Counter()
        codes: Counter[str] = Counter()
        with uvicorn_server(settings) as base_url:
            queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
            for attempt in attempts:
                queue.put_nowait(attempt)
            limits = httpx.Limits(max_connections=STORM_CLIENTS, max_keepalive_connections=STORM_CLIENTS)
            async with httpx.AsyncClient(
                base_url=base_url, headers=headers, limits=limits, timeout=120
            ) as http:

                async def worker() -> None:
                    while True:
                        try:
                            card, barcode = queue.get_nowait()
                        except asyncio.QueueEmpty:
                            return
                        response = await http.post(
                            "/loans", json={"patron": card, "item": barcode, "branch": "cikini"}
                        )
                        statuses[response.status_code] += 1
                        if response.status_code == 409:
                            codes.update(r["code"] for r in response.json()["error"]["details"]["reasons"])

                started = time.monotonic()
                await asyncio.gather(*(worker() for _ in range(STORM_CLIENTS)))
                elapsed = time.monotonic() - started
        assert set(statuses) <= {201, 409}, statuses
        outcome = await assert_storm_outcome(client, adults, children, statuses[201])
        assert codes["refuse_when_item_on_loan"] > 0 and codes["refuse_when_loan_limit_reached"] > 0
        print(
            f"HTTP storm on {settings.database_url.split(':')[0]}: {outcome}, {statuses[409]} refused in {elapsed:.1f}s"
        )
        return {**outcome, "refused": statuses[409]}


async def test_http_checkout_storm_sqlite(tmp_path: Path) -> None:
    settings = settings_for_test(CirculationSettings, tmp_path, shared_test_issuer())
    outcome = await http_storm(settings)
    assert outcome["loans"] == 100 and outcome["refused"] == 900


@pytest.mark.services
async def test_http_checkout_storm_postgres(tmp_path: Path) -> None:
    with temporary_database("postgres", tmp_path, prefix="circ_storm") as url:
        settings = settings_for_test(CirculationSettings, tmp_path, shared_test_issuer(), database_url=url)
        outcome = await http_storm(settings)
    assert outcome["loans"] == 100 and outcome["refused"] == 900
