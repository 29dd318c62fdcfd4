"""Fines: charged at check-in, paid at a desk with a PDF receipt, waived with a reason; blocks follow."""

from __future__ import annotations

from datetime import date

from circulation import clock
from pusip_kit.testing.service import ServiceClient

from ..helpers import LIBRARIAN, checkin, checkout, counter_patron, reason_codes, seed_item, setup_library


async def test_pay_waive_and_receipt(client: ServiceClient) -> None:
    await setup_library(client, block_unpaid_fines=5000)
    for n in range(3):
        await seed_item(client, f"B00{n}", record_id=f"rec-{n}")
    patron = await counter_patron(client)
    card = patron["card_number"]
    staff = client.bearer(**LIBRARIAN)
    with clock.frozen(date(2026, 9, 1)):
        assert (await checkout(client, card, "B000")).status_code == 201
        assert (await checkout(client, card, "B001")).status_code == 201
    with clock.frozen(date(2026, 9, 29)):  # both 14 days late: 14 × Rp500 each
        await checkin(client, "B000")
        await checkin(client, "B001")
        fines = (await client.get(f"/patrons/{card}/fines", params={"open": True}, headers=staff)).json()
        assert fines["balance"] == 14_000 and len(fines["fines"]) == 2
        assert reason_codes(await checkout(client, card, "B002")) == ["refuse_when_patron_blocked"]
        too_much = await client.post(
            "/payments/dry-run", json={"patron": card, "amount": 20_000, "branch": "cikini"}, headers=staff
        )
        assert reason_codes(too_much) == ["refuse_when_amount_exceeds_balance"]
        paid = await client.post(
            "/payments",
            json={"patron": card, "amount": 8_000, "method": "qris", "branch": "cikini"},
            headers=staff,
        )
        assert paid.status_code == 201, paid.text
        payment = paid.json()
        assert payment["balance_after"] == 6_000
        assert [a["amount"] for a in payment["allocations"]] == [7_000, 1_000]  # the oldest fine first
        receipt = await client.get(payment["receipt_url"], headers=staff)
        assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
        # Still over the threshold (Rp6.000 > Rp5.000): a waiver with a reason settles part of it.
        open_fine = next(
            f
            for f in (
                await client.get(f"/patrons/{card}/fines", params={"open": True}, headers=staff)
            ).json()["fines"]
        )
        assert (
            await client.post(f"/fines/{open_fine['id']}/waive", json={"reason": "x"}, headers=staff)
        ).status_code == 422
        excessive = await client.post(
            f"/fines/{open_fine['id']}/waive/dry-run",
            json={"amount": 9_000, "reason": "Kebijakan"},
            headers=staff,
        )
        assert reason_codes(excessive) == ["refuse_when_waiver_exceeds_balance"]
        waived = await client.post(
            f"/fines/{open_fine['id']}/waive",
            json={"amount": 2_000, "reason": "Sakit, ada surat dokter"},
            headers=staff,
        )
        assert waived.status_code == 200 and waived.json()["balance"] == 4_000
        assert (await checkout(client, card, "B002")).status_code == 201  # the block ended
        rest = await client.post(
            "/payments", json={"patron": card, "amount": 4_000, "branch": "cikini"}, headers=staff
        )
        assert rest.json()["balance_after"] == 0
        closed = await client.post(
            f"/fines/{open_fine['id']}/waive", json={"reason": "terlambat"}, headers=staff
        )
        assert reason_codes(closed) == [
            "refuse_when_fine_closed",
            "refuse_when_waiver_exceeds_balance",
        ] or reason_codes(closed) == ["refuse_when_fine_closed"]
        nothing = await client.post(
            "/payments", json={"patron": card, "amount": 1, "branch": "cikini"}, headers=staff
        )
        assert reason_codes(nothing) == ["refuse_when_nothing_to_pay", "refuse_when_amount_exceeds_balance"]
    statuses = sorted(
        f["status"] for f in (await client.get(f"/patrons/{card}/fines", headers=staff)).json()["fines"]
    )
    assert statuses == ["paid", "waived"]
    events = await client.outbox_events("circulation.fine.paid")
    assert len(events) == 2
    # Patrons see their own payments, not others'.
    assert (
        await client.get(f"/payments/{payment['id']}", headers=client.bearer(roles=["patron"]))
    ).status_code == 404
    assert (
        await client.post(
            "/payments",
            json={"patron": card, "amount": 1, "branch": "cikini"},
            headers=client.bearer(roles=["patron"]),
        )
    ).status_code == 403
