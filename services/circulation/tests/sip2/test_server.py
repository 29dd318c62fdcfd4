"""The SIP2 server over a real TCP connection: login, status, patron, check-out/in, renew, item info,
end session, resend (97), sequence numbers and checksums, garbage frames answered with 96."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

from circulation import clock
from circulation.sip2.codec import Sip2Message, decode, encode, sip_datetime
from circulation.sip2.server import Sip2Server
from pusip_kit.testing.service import ServiceClient

from ..helpers import ADMIN, counter_patron, seed_item, setup_library

NOW = sip_datetime(clock.now().replace(tzinfo=None))
BLANK = " " * 18


class Kiosk:
    """A minimal SIP2 client (what a self-check machine does)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.sequence = 0

    async def raw(self, frame: bytes) -> bytes:
        self.writer.write(frame)
        await self.writer.drain()
        return await asyncio.wait_for(self.reader.readuntil(b"\r"), timeout=30)

    async def send(self, code: str, fixed: dict[str, str], fields: list[tuple[str, str]]) -> Sip2Message:
        self.sequence = (self.sequence + 1) % 10
        frame = await self.raw(encode(Sip2Message(code, fixed, fields, self.sequence)))
        message = decode(frame, require_checksum=True)
        assert message.sequence == self.sequence
        return message

    async def login(self, login: str = "kios-cikini", password: str = "rahasia-kios-1") -> Sip2Message:
        return await self.send(
            "93",
            {"uid_algorithm": "0", "pwd_algorithm": "0"},
            [("CN", login), ("CO", password), ("CP", "cikini")],
        )

    async def checkout(self, card: str, barcode: str) -> Sip2Message:
        fixed = {"sc_renewal_policy": "N", "no_block": "N", "transaction_date": NOW, "nb_due_date": BLANK}
        return await self.send("11", fixed, [("AO", "dispusip"), ("AA", card), ("AB", barcode), ("AC", "")])

    async def checkin(self, barcode: str) -> Sip2Message:
        fixed = {"no_block": "N", "transaction_date": NOW, "return_date": NOW}
        return await self.send("09", fixed, [("AP", "cikini"), ("AO", "dispusip"), ("AB", barcode)])

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


@asynccontextmanager
async def sip2_server(client: ServiceClient) -> AsyncIterator[Sip2Server]:
    server = Sip2Server(client.sessionmaker, client.settings)  # type: ignore[arg-type]
    await server.start("127.0.0.1", 0)
    try:
        yield server
    finally:
        await server.close()


@asynccontextmanager
async def kiosk(server: Sip2Server) -> AsyncIterator[Kiosk]:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    k = Kiosk(reader, writer)
    try:
        yield k
    finally:
        await k.close()


async def create_kiosk_account(
    client: ServiceClient, login: str = "kios-cikini", branch: str = "cikini"
) -> None:
    response = await client.post(
        "/sip2-accounts",
        json={"login": login, "password": "rahasia-kios-1", "branch": branch},
        headers=client.bearer(**ADMIN),
    )
    assert response.status_code == 201, response.text


async def test_a_kiosk_session(client: ServiceClient) -> None:
    await setup_library(client)
    await create_kiosk_account(client)
    await seed_item(client, "B001", title="Bumi Manusia")
    await seed_item(client, "B002", material_type="referensi")
    patron = await counter_patron(client)
    card = patron["card_number"]
    async with sip2_server(client) as server, kiosk(server) as k:
        # Before login only the status message is answered positively.
        refused = await k.checkout(card, "B001")
        assert refused.code == "12" and refused.fixed["ok"] == "0"
        assert (await k.login(password="salah-sekali")).fixed["ok"] == "0"
        assert (await k.login()).fixed["ok"] == "1"
        status = await k.send(
            "99", {"status_code": "0", "max_print_width": "040", "protocol_version": "2.00"}, []
        )
        assert status.code == "98" and status.fixed["online_status"] == "Y" and status.get("AN") == "cikini"

        patron_status = await k.send(
            "23",
            {"language": "001", "transaction_date": NOW},
            [("AO", "dispusip"), ("AA", card), ("AC", ""), ("AD", "")],
        )
        assert patron_status.code == "24" and patron_status.get("BL") == "Y"
        assert patron_status.fixed["patron_status"] == " " * 14
        unknown = await k.send(
            "23", {"language": "001", "transaction_date": NOW}, [("AO", "dispusip"), ("AA", "0000")]
        )
        assert unknown.get("BL") == "N"

        with clock.frozen(date(2026, 3, 16)):
            out = await k.checkout(card, "B001")
        assert out.code == "12" and out.fixed["ok"] == "1", out
        assert out.get("AJ") == "Bumi Manusia"
        # 14 days from 16 March is 30 March 2026.
        assert (out.get("AH") or "").startswith("20260330")
        # Every reason comes back in the screen message: not loanable, for instance.
        no = await k.checkout(card, "B002")
        assert no.fixed["ok"] == "0" and "tidak dipinjamkan" in (no.get("AF") or "")

        # 97: the kiosk did not get the last answer; the server sends the very same bytes again.
        again = await k.raw(b"97AZFEF5\r")
        assert decode(again).code == "12" and decode(again).fixed["ok"] == "0"

        info = await k.send(
            "63",
            {"language": "001", "transaction_date": NOW, "summary": "  Y       "},
            [("AO", "dispusip"), ("AA", card)],
        )
        assert info.code == "64" and info.fixed["charged_items_count"] == "0001"
        assert info.get_all("AU") == ["B001"]

        item = await k.send("17", {"transaction_date": NOW}, [("AO", "dispusip"), ("AB", "B001")])
        assert item.code == "18" and item.fixed["circulation_status"] == "04"

        renew = await k.send(
            "29",
            {"third_party_allowed": "N", "no_block": "N", "transaction_date": NOW, "nb_due_date": BLANK},
            [("AO", "dispusip"), ("AA", card), ("AB", "B001")],
        )
        assert renew.code == "30" and renew.fixed["ok"] == "1" and renew.fixed["renewal_ok"] == "Y", renew

        back = await k.checkin("B001")
        assert back.code == "10" and back.fixed["ok"] == "1" and back.fixed["alert"] == "N"
        end = await k.send("35", {"transaction_date": NOW}, [("AO", "dispusip"), ("AA", card)])
        assert end.code == "36" and end.fixed["end_session"] == "Y"


async def test_garbage_never_stops_the_server(client: ServiceClient) -> None:
    await setup_library(client)
    await create_kiosk_account(client)
    async with sip2_server(client) as server:
        async with kiosk(server) as k:
            for frame in [
                b"\x00\xff\xfe\r",
                b"XX\r",
                b"9300CNa|AY1AZFFFF\r",
                b"55hello\r",
                b"11\r",
                b"9" * 5000 + b"\r",
            ]:
                assert await k.raw(frame) == b"96\r"
            # The same connection still works, answers carry the request's sequence number.
            assert (await k.login()).fixed["ok"] == "1"
            # A kiosk that drops the connection mid-frame hurts nobody.
            k.writer.write(b"9300CNkios")
            await k.writer.drain()
        async with kiosk(server) as k2:
            assert (await k2.login()).fixed["ok"] == "1"
            # Without AY/AZ the answer has no checksum either.
            plain = await k2.raw(b"9900302.00\r")
            assert plain.startswith(b"98") and b"AZ" not in plain
