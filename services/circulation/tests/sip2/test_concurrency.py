"""The check-out storm over SIP2: 64 kiosks connected at once, 1,000 attempts on 100 items,
exactly 100 loans — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from circulation import clock
from circulation.config import CirculationSettings
from circulation.main import create_app
from circulation.sip2.codec import Sip2Message, decode, encode, sip_datetime
from circulation.sip2.server import Sip2Server
from pusip_kit.testing.db import temporary_database
from pusip_kit.testing.service import run_service, settings_for_test, shared_test_issuer

from ..helpers import ADMIN, STORM_CLIENTS, assert_storm_outcome, storm_attempts, storm_world


async def sip2_storm(settings: CirculationSettings) -> dict[str, int]:
    async with run_service(create_app, settings, issuer=shared_test_issuer()) as client:
        adults, children, barcodes = await storm_world(client)
        response = await client.post(
            "/sip2-accounts",
            json={"login": "kios-storm", "password": "rahasia-kios-1", "branch": "cikini"},
            headers=client.bearer(**ADMIN),
        )
        assert response.status_code == 201
        queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        for attempt in storm_attempts(adults, children, barcodes):
            queue.put_nowait(attempt)
        server = Sip2Server(client.sessionmaker, settings)
        await server.start("127.0.0.1", 0)
        results: list[str] = []
        now = sip_datetime(clock.now().replace(tzinfo=None))

        async def kiosk() -> None:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            sequence = 0

            async def send(message: Sip2Message) -> Sip2Message:
                nonlocal sequence
                sequence = (sequence + 1) % 10
                message.sequence = sequence
                writer.write(encode(message))
                await writer.drain()
                answer = decode(await reader.readuntil(b"\r"), require_checksum=True)
                assert answer.sequence == sequence
                return answer

            try:
                login = await send(
                    Sip2Message(
                        "93",
                        {"uid_algorithm": "0", "pwd_algorithm": "0"},
                        [("CN", "kios-storm"), ("CO", "rahasia-kios-1")],
                    )
                )
                assert login.fixed["ok"] == "1"
                while True:
                    try:
                        card, barcode = queue.get_nowait()
                    except asyncio.QueueEmpty:
                        return
                    answer = await send(
                        Sip2Message(
                            "11",
                            {
                                "sc_renewal_policy": "N",
                                "no_block": "N",
                                "transaction_date": now,
                                "nb_due_date": " " * 18,
                            },
                            [("AO", "dispusip"), ("AA", card), ("AB", barcode), ("AC", "")],
                        )
                    )
                    assert answer.code == "12"
                    results.append(answer.fixed["ok"])
            finally:
                writer.close()

        try:
            await asyncio.gather(*(kiosk() for _ in range(STORM_CLIENTS)))
        finally:
            await server.close()
        assert len(results) == 1000
        outcome = await assert_storm_outcome(client, adults, children, results.count("1"))
        print(f"SIP2 storm on {settings.database_url.split(':')[0]}: {outcome}, {results.count('0')} refused")
        return {**outcome, "refused": results.count("0")}


async def test_sip2_checkout_storm_sqlite(tmp_path: Path) -> None:
    settings = settings_for_test(CirculationSettings, tmp_path, shared_test_issuer())
    outcome = await sip2_storm(settings)
    assert outcome["loans"] == 100 and outcome["refused"] == 900


@pytest.mark.services
async def test_sip2_checkout_storm_postgres(tmp_path: Path) -> None:
    with temporary_database("postgres", tmp_path, prefix="circ_sip2_storm") as url:
        settings = settings_for_test(CirculationSettings, tmp_path, shared_test_issuer(), database_url=url)
        outcome = await sip2_storm(settings)
    assert outcome["loans"] == 100 and outcome["refused"] == 900
