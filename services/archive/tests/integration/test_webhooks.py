"""Webhooks against a real local HTTP receiver: HMAC-SHA256 signatures, retries with backoff
(through the Celery task too), the delivery log, and unit scoping."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from archive.integration.webhooks import backoff_seconds, sign, verify_signature
from pusip_kit.testing.service import ServiceClient


class Receiver:
    """An HTTP server in a thread: answers 500 to the first ``fail_first`` requests, then 200."""

    def __init__(self, fail_first: int = 1) -> None:
        self.fail_first = fail_first
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                status = 500 if len(receiver.requests) <= receiver.fail_first else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"rusak")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def agency(archive: Any) -> dict[str, str]:
    return archive.headers(
        roles=["agency_system"],
        unit="dinkes",
        category="pengolah",
        clearance="RAHASIA",
        client_id="sim-dinkes",
        sub="service-account-sim-dinkes",
    )


def test_signatures() -> None:
    body = b'{"a":1}'
    header = sign("rahasia", 1_700_000_000, body)
    assert header.startswith("t=1700000000,v1=")
    assert verify_signature("rahasia", header, body, now=1_700_000_100)
    assert not verify_signature("rahasia", header, b'{"a":2}', now=1_700_000_100)
    assert not verify_signature("lain", header, body, now=1_700_000_100)
    assert not verify_signature("rahasia", header, body, now=1_700_001_000)  # too old: a replay
    assert not verify_signature("rahasia", "v1=abc", body)
    assert [backoff_seconds(n, 30) for n in (1, 2, 3)] == [30, 60, 120]


async def test_deliveries_are_signed_retried_and_logged(
    client: ServiceClient, archive: Any, receiver: Receiver
) -> None:
    await archive.instruments()
    created = await client.post(
        "/webhooks",
        json={"name": "SIM Dinkes", "url": receiver.url, "event_types": ["archive.record.*"]},
        headers=agency(archive),
    )
    assert created.status_code == 201, created.text
    subscription = created.json()
    secret = subscription["secret"]
    assert subscription["unit"] == "dinkes"
    assert (
        "secret" not in (await client.get(f"/webhooks/{subscription['id']}", headers=agency(archive))).json()
    )

    ours = await archive.record(unit="dinkes/puskesmas-gambir", headers=archive.admin)
    await archive.record(unit="dispusip/bidang-arsip", headers=archive.admin)  # another unit: not delivered
    ran = await archive.run_tasks()
    retries = [result for name, result in ran if name == "archive.webhooks.deliver"]
    assert retries == [30.0]  # the first attempt got a 500: retry in 30 s
    assert len(receiver.requests) == 1

    deliveries = (
        await client.get(f"/webhooks/{subscription['id']}/deliveries", headers=agency(archive))
    ).json()
    [delivery] = deliveries["items"]
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == ("pending", 1, 500)

    from archive.tasks import run_task  # the retry Celery would run after the countdown

    assert (
        await run_task(
            "archive.webhooks.deliver",
            [delivery["id"]],
            sessionmaker=client.sessionmaker,
            runtime=archive.runtime,
        )
        is None
    )
    assert len(receiver.requests) == 2
    for request in receiver.requests:
        headers = {k.lower(): v for k, v in request["headers"].items()}
        assert verify_signature(secret, headers["x-pusip-signature"], request["body"])
        assert headers["x-pusip-event"] == "archive.record.created"
        assert headers["x-pusip-delivery"] == delivery["id"]
        payload = json.loads(request["body"])
        assert payload["type"] == "archive.record.created" and payload["data"]["id"] == ours["id"]
        assert "title" not in payload["data"]  # thin events: details come from the API, under the policy
    log = (await client.get(f"/webhooks/{subscription['id']}/deliveries", headers=agency(archive))).json()[
        "items"
    ][0]
    assert log["status"] == "delivered" and [a["status_code"] for a in log["log"]] == [500, 200]
    assert (
        await run_task(
            "archive.webhooks.deliver",
            [delivery["id"]],
            sessionmaker=client.sessionmaker,
            runtime=archive.runtime,
        )
        is None
    )
    assert len(receiver.requests) == 2  # delivered once is delivered

    other = archive.headers(roles=["agency_system"], unit="dinsos", client_id="sim-dinsos", sub="sa-dinsos")
    assert (await client.get(f"/webhooks/{subscription['id']}", headers=other)).status_code == 404


async def test_the_celery_task_retries_with_backoff_until_delivered(
    client: ServiceClient, archive: Any, receiver: Receiver
) -> None:
    from archive.worker import make_worker

    receiver.fail_first = 2
    subscription = (
        await client.post(
            "/webhooks",
            json={"name": "Uji", "url": receiver.url, "event_types": ["archive.webhook.ping"]},
            headers=agency(archive),
        )
    ).json()
    ping = await client.post(f"/webhooks/{subscription['id']}/ping", headers=agency(archive))
    assert ping.status_code == 202
    app = make_worker(client.settings)  # type: ignore[arg-type]
    app.conf.task_always_eager = True  # countdowns are not waited for in eager mode
    countdowns: list[float] = []
    original = app.tasks["archive.webhooks.deliver"].apply_async

    def recording(*args: Any, **kwargs: Any) -> Any:
        countdowns.append(kwargs.get("countdown") or 0)
        return original(*args, **kwargs)

    app.tasks["archive.webhooks.deliver"].apply_async = recording  # type: ignore[method-assign]
    started = time.monotonic()
    await asyncio.to_thread(app.tasks["archive.webhooks.deliver"].apply, args=[ping.json()["id"]])
    assert time.monotonic() - started < 30
    assert countdowns == [30.0, 60.0] and len(receiver.requests) == 3
    log = (await client.get(f"/webhooks/{subscription['id']}/deliveries", headers=agency(archive))).json()[
        "items"
    ][0]
    assert log["status"] == "delivered" and [a["status_code"] for a in log["log"]] == [500, 500, 200]


async def test_webhook_urls_and_roles(client: ServiceClient, archive: Any) -> None:
    bad = await client.post(
        "/webhooks",
        json={"name": "X Y", "url": "ftp://example.test/x", "event_types": ["archive.record.*"]},
        headers=agency(archive),
    )
    assert bad.status_code in (400, 422)
    patron = await client.post(
        "/webhooks",
        json={"name": "X Y", "url": "http://127.0.0.1:9/x", "event_types": ["archive.record.*"]},
        headers=archive.headers(roles=["patron"]),
    )
    assert patron.status_code == 403
    types = (await client.get("/webhooks/event-types")).json()
    assert "archive.record.destroyed" in types
