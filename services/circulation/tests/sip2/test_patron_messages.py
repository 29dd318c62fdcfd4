"""SIP2 15 Hold, 37 Fee Paid, 65 Renew All and 01 Block Patron over a real TCP connection: the same
validators and services as the API, sequence numbers and checksums on every answer."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from circulation import clock
from circulation.models import Hold, Loan, PatronBlock, Payment
from circulation.sip2.codec import Sip2Message, encode
from circulation.sip2.server import SUPPORTED
from pusip_kit.testing.service import ServiceClient

from ..helpers import checkin, checkout, counter_patron, seed_item, setup_library
from .test_server import NOW, create_kiosk_account, kiosk, sip2_server


def hold_request(mode: str, card: str, **fields: str) -> tuple[str, dict[str, str], list[tuple[str, str]]]:
    extra = list(fields.items())
    return "15", {"hold_mode": mode, "transaction_date": NOW}, [("AO", "dispusip"), ("AA", card), *extra]


async def test_hold_place_and_cancel(client: ServiceClient) -> None:
    await setup_library(client)
    await create_kiosk_account(client)
    await seed_item(client, "H001", record_id="rec-h", title="Cantik Itu Luka")
    await seed_item(client, "R001", record_id="rec-ref", material_type="referensi")
    reader, other = await counter_patron(client), await counter_patron(client)
    card = reader["card_number"]
    assert (await checkout(client, other["card_number"], "H001")).status_code == 201
    async with sip2_server(client) as server, kiosk(server) as k:
        assert (await k.login()).fixed["ok"] == "1"
        placed = await k.send(*hold_request("+", card, AB="H001", BS="tebet"))
        assert placed.code == "16" and placed.fixed["ok"] == "1", placed
        assert placed.fixed["available"] == "N" and placed.get("BR") == "1" and placed.get("BS") == "tebet"
        # The same named validators as POST /holds: a second hold on the title is refused.
        again = await k.send(*hold_request("+", card, AB="H001"))
        assert again.fixed["ok"] == "0" and "sudah" in (again.get("AF") or "").lower()
        not_holdable = await k.send(*hold_request("+", card, AB="R001"))
        assert not_holdable.fixed["ok"] == "0"
        unknown = await k.send(*hold_request("+", "0000000", AB="H001"))
        assert unknown.fixed["ok"] == "0" and unknown.get("AA") == "0000000"
        async with client.session() as session:
            [hold] = (await session.execute(select(Hold).where(Hold.record_id == "rec-h"))).scalars().all()
            assert hold.status == "waiting" and hold.pickup_branch == "tebet"
        cancelled = await k.send(*hold_request("-", card, AB="H001"))
        assert cancelled.fixed["ok"] == "1", cancelled
        none_left = await k.send(*hold_request("-", card, AB="H001"))
        assert none_left.fixed["ok"] == "0"
    async with client.session() as session:
        assert (await session.get(Hold, hold.id)).status == "cancelled"  # type: ignore[union-attr]


async def test_fee_paid_renew_all_and_block(client: ServiceClient) -> None:
    await setup_library(client)
    await create_kiosk_account(client)
    for n in range(4):
        await seed_item(client, f"F00{n}", record_id=f"rec-{n}", title=f"Judul {n}")
    await seed_item(client, "M001", record_id="rec-m", material_type="majalah")
    patron = await counter_patron(client)
    card = patron["card_number"]
    with clock.frozen(date(2026, 9, 1)):
        assert (await checkout(client, card, "F000")).status_code == 201
    with clock.frozen(date(2026, 9, 29)):  # 14 days late: Rp7.000
        assert (await checkin(client, "F000")).status_code == 200
    with clock.frozen(date(2026, 10, 1)):
        for barcode in ("F001", "F002", "M001"):  # magazines may not be renewed (renewals: 0)
            assert (await checkout(client, card, barcode)).status_code == 201
    fee = {"transaction_date": NOW, "fee_type": "01", "payment_type": "00", "currency_type": "IDR"}
    async with sip2_server(client) as server, kiosk(server) as k:
        assert (await k.login()).fixed["ok"] == "1"
        with clock.frozen(date(2026, 10, 2)):
            too_much = await k.send("37", fee, [("AO", "dispusip"), ("AA", card), ("BV", "9000")])
            assert too_much.code == "38" and too_much.fixed["payment_accepted"] == "N"
            wrong_currency = await k.send(
                "37", {**fee, "currency_type": "USD"}, [("AO", "dispusip"), ("AA", card), ("BV", "10")]
            )
            assert wrong_currency.fixed["payment_accepted"] == "N"
            paid = await k.send("37", fee, [("AO", "dispusip"), ("AA", card), ("BV", "5000")])
            assert paid.fixed["payment_accepted"] == "Y", paid
            assert (paid.get("BK") or "").startswith("KW-20261002-") and "2000" in (paid.get("AF") or "")

            renewed = await k.send("65", {"transaction_date": NOW}, [("AO", "dispusip"), ("AA", card)])
            assert renewed.code == "66" and renewed.fixed["ok"] == "1", renewed
            assert renewed.fixed["renewed_count"] == "0002" and renewed.fixed["unrenewed_count"] == "0001"
            assert sorted(renewed.get_all("BM")) == ["F001", "F002"] and renewed.get_all("BN") == ["M001"]

            blocked = await k.send(
                "01",
                {"card_retained": "Y", "transaction_date": NOW},
                [("AO", "dispusip"), ("AL", "Kartu tertinggal"), ("AA", card)],
            )
            assert blocked.code == "24" and blocked.fixed["patron_status"][0] == "Y", blocked
            # The block refuses a check-out through the same validators as the desk.
            out = await k.checkout(card, "F003")
            assert out.fixed["ok"] == "0"
            status = await k.send(
                "99", {"status_code": "0", "max_print_width": "040", "protocol_version": "2.00"}, []
            )
            assert status.get("BX") == SUPPORTED and SUPPORTED[3] == SUPPORTED[9] == SUPPORTED[13] == "Y"
        # A checksum-less kiosk gets checksum-less answers; a garbled checksum is answered with 96.
        plain = await k.raw(b"6520261002    100000AOdispusip|AA" + card.encode() + b"|\r")
        assert plain.startswith(b"66") and b"AZ" not in plain
        frame = encode(Sip2Message("65", {"transaction_date": NOW}, [("AA", card)], 3))
        assert await k.raw(frame[:-5] + b"0000\r") == b"96\r"
    async with client.session() as session:
        [payment] = (await session.execute(select(Payment))).scalars().all()
        assert payment.amount == 5000 and payment.method == "tunai" and payment.branch == "cikini"
        blocks = (await session.execute(select(PatronBlock))).scalars().all()
        assert [b.kind for b in blocks] == ["manual"] and "ditahan" in blocks[0].reason
        assert "Kartu tertinggal" in blocks[0].reason_en
        renewals = dict(
            (
                await session.execute(
                    select(Loan.item_barcode, Loan.renewals).where(Loan.returned_at.is_(None))
                )
            ).all()
        )
        assert renewals == {"F001": 1, "F002": 1, "M001": 0}
