"""Patrons: online registration with email verification, counter registration, blocks, membership
renewal, privacy (reading-history opt-in, export, delete on request), roles."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from circulation import clock
from circulation.patrons.service import verification_token
from pusip_kit.testing.service import ServiceClient

from ..helpers import (
    LIBRARIAN,
    body_of,
    checkin,
    checkout,
    counter_patron,
    make_nik,
    reason_codes,
    run_tasks,
    seed_item,
    setup_library,
)


async def test_online_registration_with_email_verification(client: ServiceClient, mail: Any) -> None:
    await setup_library(client)
    me = client.bearer(roles=["patron"], sub="warga-1")
    body = {"name": "Budi Santoso", "nik": "3174011505900011", "email": "budi@contoh.id", "category": "umum",
            "birth_date": "1990-05-15", "home_branch": "cikini"}  # fmt: skip
    assert (await client.post("/patrons/register", json=body)).status_code == 401
    dry = await client.post("/patrons/register/dry-run", json=body, headers=me)
    assert dry.json() == {"allowed": True, "reasons": []}
    created = await client.post("/patrons/register", json=body, headers=me)
    assert created.status_code == 201, created.text
    patron = created.json()
    assert patron["status"] == "pending" and patron["nik_masked"] == "3174********0011"
    assert patron["gender"] == "L" and len(patron["card_number"]) == 13
    # The verification mail goes out through SMTP (the worker's task) and carries the code.
    assert [name for name, _ in await run_tasks(client)] == ["circulation.patrons.send_verification"]
    [message] = mail.to("budi@contoh.id")
    text = body_of(message)
    assert patron["card_number"] in text and "http://portal.test/akun/verifikasi-email?token=" in text
    token = text.split("kode verifikasi ini: ")[1].split()[0]
    # Not verified yet: cannot borrow.
    await seed_item(client, "B001")
    assert reason_codes(await checkout(client, patron["card_number"], "B001")) == [
        "refuse_when_patron_not_verified"
    ]
    assert (await client.post("/patrons/verify-email", json={"token": token[:-2] + "00"})).status_code == 400
    verified = await client.post("/patrons/verify-email", json={"token": token})
    assert verified.status_code == 200 and verified.json()["status"] == "active"
    assert (await client.post("/patrons/verify-email", json={"token": token})).status_code == 400  # used
    account = (await client.get("/patrons/me", headers=me)).json()
    assert account["email_verified"] is True and account["blocks"] == [] and account["open_loans"] == 0
    # Registering twice, or somebody else with the same NIK or email, is refused with every reason.
    again = await client.post("/patrons/register", json=body, headers=me)
    assert reason_codes(again) == [
        "refuse_when_nik_registered",
        "refuse_when_email_registered",
        "refuse_when_account_already_member",
    ]
    events = await client.outbox_events("circulation.patron.registered")
    assert len(events) == 1 and "nik" not in events[0]["payload"] and "name" not in events[0]["payload"]


async def test_registration_payload_checks(client: ServiceClient) -> None:
    await setup_library(client)
    me = client.bearer(roles=["patron"])
    base = {"name": "Ani", "nik": "3174015505900012", "email": "ani@contoh.id", "category": "umum"}
    for change in (
        {"nik": "3174011505900"},
        {"nik": "9974015505900012"},
        {"nik": "3174017305900012"},
        {"email": "bukan-email"},
        {"birth_date": "1991-05-15"},  # does not match the NIK
        {"gender": "L"},  # the NIK says a woman (day + 40)
        {"name": ""},
        {"unexpected": 1},
    ):
        response = await client.post("/patrons/register", json={**base, **change}, headers=me)
        assert response.status_code == 422, (change, response.text)
    child = await client.post("/patrons/register", json={**base, "category": "lansia"}, headers=me)
    assert reason_codes(child) == ["refuse_when_age_outside_category"]
    unknown = await client.post("/patrons/register", json={**base, "category": "vip"}, headers=me)
    assert reason_codes(unknown) == ["refuse_when_category_unknown"]


async def test_counter_registration_blocks_and_renewal(client: ServiceClient) -> None:
    await setup_library(client)
    staff = client.bearer(**LIBRARIAN)
    body = {"name": "Nenek Ijah", "nik": make_nik(born="010150", female=True), "category": "lansia"}
    assert (
        await client.post("/patrons", json=body, headers=client.bearer(roles=["patron"]))
    ).status_code == 403
    created = await client.post("/patrons", json=body, headers=staff)
    assert created.status_code == 201, created.text
    patron = created.json()
    card = patron["card_number"]
    assert patron["status"] == "active" and patron["channel"] == "counter"
    found = await client.get("/patrons", params={"q": "ijah"}, headers=staff)
    assert [p["card_number"] for p in found.json()["items"]] == [card]
    # A manual block with a reason, then lifted.
    block = await client.post(
        f"/patrons/{card}/blocks",
        json={"reason": "Merusak buku", "reason_en": "Damaged a book"},
        headers=staff,
    )
    assert block.status_code == 201
    account = (await client.get(f"/patrons/{card}", headers=staff)).json()
    assert [(b["kind"], b["reason"]) for b in account["blocks"]] == [("manual", "Merusak buku")]
    lifted = await client.post(
        f"/patrons/{card}/blocks/{block.json()['id']}/lift", json={"note": "diganti"}, headers=staff
    )
    assert lifted.json()["lifted_at"] is not None
    assert (await client.get(f"/patrons/{card}", headers=staff)).json()["blocks"] == []
    # Expiry blocks borrowing, and is recorded; renewing the membership lifts it.
    expires = date.fromisoformat(patron["expires_on"])
    with clock.frozen(expires + timedelta(days=1)):
        blocks = (await client.get(f"/patrons/{card}/blocks", params={"history": True}, headers=staff)).json()
        assert [b["kind"] for b in blocks if b["lifted_at"] is None] == ["expired"]
        renewed = await client.post(f"/patrons/{card}/renew-membership", headers=staff)
        assert renewed.status_code == 200
        assert date.fromisoformat(renewed.json()["expires_on"]) > expires + timedelta(days=5 * 365)
        assert renewed.json()["blocks"] == []
    history = (await client.get(f"/patrons/{card}/blocks", params={"history": True}, headers=staff)).json()
    assert sorted((b["kind"], b["lifted_at"] is not None) for b in history) == [
        ("expired", True),
        ("manual", True),
    ]


async def test_overdue_and_fine_blocks(client: ServiceClient) -> None:
    await setup_library(client, block_overdue_items=1, block_unpaid_fines=1000)
    for n in range(3):
        await seed_item(client, f"B00{n}", record_id=f"rec-{n}")
    patron = await counter_patron(client)
    card = patron["card_number"]
    with clock.frozen(date(2026, 1, 5)):
        assert (await checkout(client, card, "B000")).status_code == 201
        assert (await checkout(client, card, "B001")).status_code == 201
    with clock.frozen(date(2026, 2, 2)):
        refused = await checkout(client, card, "B002")
        assert reason_codes(refused) == ["refuse_when_patron_blocked"]
        assert "terlambat" in refused.json()["error"]["details"]["reasons"][0]["message"]
        await checkin(client, "B000")
        await checkin(client, "B001")
        account = (await client.get(f"/patrons/{card}", headers=client.bearer(**LIBRARIAN))).json()
    assert account["fines_balance"] == 2 * 14 * 500
    assert [b["kind"] for b in account["blocks"]] == ["fines"]


async def test_privacy_history_export_and_delete(client: ServiceClient) -> None:
    await setup_library(client)
    await seed_item(client, "B001", title="Ronggeng Dukuh Paruk")
    await seed_item(client, "B002", record_id="rec-2", title="Saman")
    from ..helpers import online_patron

    reader, sub = await online_patron(client, reading_history=True)
    quiet, quiet_sub = await online_patron(client)
    me = client.bearer(roles=["patron"], sub=sub)
    assert (await checkout(client, reader["card_number"], "B001")).status_code == 201
    assert (await checkout(client, quiet["card_number"], "B002")).status_code == 201
    await checkin(client, "B001")
    await checkin(client, "B002")
    history = (await client.get("/patrons/me/history", headers=me)).json()
    assert [loan["title"] for loan in history["items"]] == ["Ronggeng Dukuh Paruk"]
    # Without the opt-in, a returned loan forgets who borrowed it.
    assert (
        await client.get("/patrons/me/history", headers=client.bearer(roles=["patron"], sub=quiet_sub))
    ).json()["items"] == []
    export = (await client.get("/patrons/me/export", headers=me)).json()
    assert export["patron"]["nik"] == reader["nik_masked"][:4] + export["patron"]["nik"][4:]
    assert [loan["title"] for loan in export["loans"]] == ["Ronggeng Dukuh Paruk"]
    assert "pin_hash" not in export["patron"]
    # Delete on request: refused while a loan is open, then done.
    assert (await checkout(client, reader["card_number"], "B002")).status_code == 201
    dry = await client.post("/patrons/me/delete/dry-run", headers=me)
    assert reason_codes(dry) == ["refuse_when_patron_has_open_loans"]
    await checkin(client, "B002")
    assert (await client.post("/patrons/me/delete", headers=me)).status_code == 204
    assert (await client.get("/patrons/me", headers=me)).status_code == 404
    loans = (await client.get("/loans", params={"item": "B001"}, headers=client.bearer(**LIBRARIAN))).json()[
        "items"
    ]
    assert loans[0]["patron_card"] is None  # the statistics keep the loan, not the person
    assert (
        await client.get(f"/patrons/{reader['card_number']}", headers=client.bearer(**LIBRARIAN))
    ).status_code == 404


async def test_self_service_updates(client: ServiceClient, mail: Any) -> None:
    await setup_library(client)
    from ..helpers import online_patron

    patron, sub = await online_patron(client)
    me = client.bearer(roles=["patron"], sub=sub)
    updated = await client.patch(
        "/patrons/me", json={"phone": "+62 812-1234-5678", "reading_history": True}, headers=me
    )
    assert updated.status_code == 200 and updated.json()["reading_history"] is True
    assert (await client.put("/patrons/me/pin", json={"pin": "12ab"}, headers=me)).status_code == 422
    assert (await client.put("/patrons/me/pin", json={"pin": "1234"}, headers=me)).status_code == 204
    assert (await client.get("/patrons/me", headers=me)).json()["has_pin"] is True
    # A new email address must be verified again.
    changed = await client.patch("/patrons/me", json={"email": "baru@contoh.id"}, headers=me)
    assert changed.json()["email_verified"] is False
    mail.clear()
    await run_tasks(client)
    assert len(mail.to("baru@contoh.id")) == 1
    # Other patrons' records are not visible to a patron.
    other = await counter_patron(client)
    assert (await client.get(f"/patrons/{other['card_number']}", headers=me)).status_code == 404
    assert (await client.get(f"/patrons/{patron['card_number']}", headers=me)).status_code == 200
    token = verification_token(client.settings.secret_key, __import__("uuid").uuid4())
    assert (await client.post("/patrons/verify-email", json={"token": token})).status_code == 400


async def test_link_an_online_account_to_a_counter_card(client: ServiceClient, mail: Any) -> None:
    await setup_library(client)
    patron = await counter_patron(client, email="warga.loket@contoh.id")
    await run_tasks(client)  # the address given at the counter is verified by mail too
    me = client.bearer(roles=["patron"], sub="akun-baru")
    assert (await client.get("/patrons/me", headers=me)).status_code == 404
    # Unknown cards get the same answer (nothing to probe), and no mail.
    assert (
        await client.post("/patrons/me/link", json={"card_number": "3100000000001"}, headers=me)
    ).status_code == 202
    assert (await client.post("/patrons/me/link", json={"card_number": "abc"}, headers=me)).status_code == 422
    mail.clear()
    linked = await client.post("/patrons/me/link", json={"card_number": patron["card_number"]}, headers=me)
    assert linked.status_code == 202
    await run_tasks(client)
    [message] = mail.to("warga.loket@contoh.id")
    token = body_of(message).split("kode verifikasi ini: ")[1].split()[0]
    assert (await client.post("/patrons/verify-email", json={"token": token})).status_code == 200
    account = await client.get("/patrons/me", headers=me)
    assert account.status_code == 200 and account.json()["card_number"] == patron["card_number"]
    again = await client.post("/patrons/me/link", json={"card_number": patron["card_number"]}, headers=me)
    assert reason_codes(again) == ["refuse_when_account_already_member"]
