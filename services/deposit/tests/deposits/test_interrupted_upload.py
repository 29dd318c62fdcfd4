"""An upload interrupted mid-stream (the client closes its socket) leaves no row and no object.

This runs the service under a real uvicorn server on a loopback port, so the disconnect travels
the real path: the socket closes, uvicorn reports ``http.disconnect``, the request stream raises.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest_asyncio
import uvicorn

from deposit.config import DepositSettings
from deposit.main import create_app
from pusip_kit.testing.service import settings_for_test, shared_test_issuer

from ..conftest import copy_database
from ..helpers import OFFICER_2, PUBLISHER, metadata


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveService:
    def __init__(self, base_url: str, port: int, settings: DepositSettings) -> None:
        self.base_url, self.port, self.settings = base_url, port, settings
        self.issuer = shared_test_issuer()

    def bearer(self, **claims: object) -> dict[str, str]:
        return self.issuer.headers_for(**claims)

    def leftovers(self) -> list[str]:
        root = self.settings.data_dir / "deposit" / "objects" / "deposit-files"
        return (
            sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []
        )

    def rows(self) -> int:
        import sqlite3

        with sqlite3.connect(self.settings.data_dir / "deposit" / "deposit.db") as db:
            return int(db.execute("select count(*) from deposits").fetchone()[0]) + int(
                db.execute("select count(*) from deposit_files").fetchone()[0]
            )


@pytest_asyncio.fixture
async def live(tmp_path: Path, migrated_template: Path) -> AsyncIterator[LiveService]:
    copy_database(migrated_template, tmp_path / "deposit" / "deposit.db")
    issuer = shared_test_issuer()
    port = free_port()
    settings = settings_for_test(DepositSettings, tmp_path, issuer, port=port)
    app = create_app(settings)
    app.state.token_validator = issuer.validator()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    assert server.started
    try:
        yield LiveService(f"http://127.0.0.1:{port}", port, settings)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 20)


async def test_client_disconnect_mid_stream_leaves_nothing(live: LiveService) -> None:
    async with httpx.AsyncClient(base_url=live.base_url) as http:
        created = await http.post(
            "/depositors",
            json={
                "type": "penerbit",
                "name": "Penerbit Terputus",
                "legal_identity_kind": "nib",
                "legal_identity_number": "5550000000001",
                "domicile_province": "DKI Jakarta",
                "domicile_city": "Jakarta Barat",
            },
            headers=live.bearer(**PUBLISHER),
        )
        assert created.status_code == 201, created.text
        depositor_id = created.json()["id"]
        approved = await http.post(f"/depositors/{depositor_id}/approve", headers=live.bearer(**OFFICER_2))
        assert approved.status_code == 200

    boundary = "interruptedBOUNDARY"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n'
        f"{json.dumps(metadata(depositor_id))}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="besar.pdf"\r\n\r\n'
    ).encode() + b"%PDF-1.7\n"
    token = live.bearer(**PUBLISHER)["Authorization"]
    reader, writer = await asyncio.open_connection("127.0.0.1", live.port)
    writer.write(
        (
            "POST /deposits/digital HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{live.port}\r\n"
            f"Authorization: {token}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        ).encode()
    )

    def chunk(data: bytes) -> bytes:
        return f"{len(data):x}\r\n".encode() + data + b"\r\n"

    writer.write(chunk(head))
    piece = b"\x25" * (256 * 1024)
    sent = 0
    # Send about 6 MiB, until the server has a partial object on disk, then vanish mid-chunk.
    while sent < 6 * 1024 * 1024:
        writer.write(chunk(piece))
        await writer.drain()
        sent += len(piece)
    for _ in range(100):
        if any(name.startswith(".tmp/") for name in live.leftovers()):
            break
        await asyncio.sleep(0.05)
    assert any(name.startswith(".tmp/") for name in live.leftovers()), "the upload never reached the store"
    writer.write(f"{len(piece):x}\r\n".encode() + piece[:1000])  # a chunk cut short
    await writer.drain()
    writer.transport.abort()  # close the socket without finishing the request
    del reader

    for _ in range(200):
        if not live.leftovers():
            break
        await asyncio.sleep(0.05)
    assert live.leftovers() == []
    assert live.rows() == 0
    # the service is still serving
    async with httpx.AsyncClient(base_url=live.base_url) as http:
        assert (await http.get("/healthz")).status_code == 200
