"""The circulation desk over HTTP: check-out, check-in anywhere, renew, receive-transit, dry runs."""

from __future__ import annotations

from datetime import date, timedelta

from circulation import clock
from pusip_kit.testing.service import ServiceClient

from ..helpers import (
    LIBRARIAN,
    checkin,
    checkout,
    counter_patron,
    online_patron,
    reason_codes,
    seed_item,
    setup_library,
)


async def test_checkout_checkin_round_trip(client: ServiceClient) -> None:
    await setup_library(client)
    await seed_item(client, "B001")
    patron = await counter_patron(client)
    with clock.frozen(date(2026, 1, 5)):
        response = await checkout(client, patron["card_number"], "B001")
        assert response.status_code == 201, response.text
        loan = response.json()
        assert loan["due_on"] == "2026-01-19"
        assert loan["renewals_left"] == 2
        item = (await client.get("/items/B001")).json()
        assert item["status"] == "on_loan" and item["due_date"] == "2026-01-19"
        back = await checkin(client, "B001")
        assert back.status_code == 200, back.text
        assert back.json()["action"] == "shelve"
        assert back.json()["fine"] is None
    events = await client.outbox_events("circulation.item.status_changed")
    assert [e["payload"]["status"] for e in events] == ["on_loan", "available"]
    assert events[0]["payload"]["due_date"] == "2026-01-19"


async def test_every_reason_at_once_and_dry_run(client: ServiceClient) -> None:
    await setup_library(
        client, rules=[{"max_loans": 1}, {"material_type": "majalah", "max_loans_of_type": 0}]
    )
    await seed_item(client, "B001")
    await seed_item(client, "M001", material_type="majalah", record_id="rec-m")
    patron = await counter_patron(client)
    other = await counter_patron(client)
    card = patron["card_number"]
    assert (await checkout(client, other["card_number"], "B001")).status_code == 201
    assert (
        await client.post(
            f"/patrons/{card}/blocks",
            json={"reason": "Kartu hilang dilaporkan"},
            headers=client.bearer(**LIBRARIAN),
        )
    ).status_code == 201
    # A dry run says everything that stands in the way and writes nothing.
    dry = await client.post(
        "/loans/dry-run",
        json={"patron": card, "item": "B001", "branch": "cikini"},
        headers=client.bearer(**LIBRARIAN),
    )
    assert dry.status_code == 200
    assert dry.json()["allowed"] is False
    assert reason_codes(dry) == ["refuse_when_patron_blocked", "refuse_when_item_on_loan"]
    response = await checkout(client, card, "M001")
    assert response.status_code == 409
    assert reason_codes(response) == ["refuse_when_patron_blocked", "refuse_when_type_limit_reached"]
    reason = response.json()["error"]["details"]["reasons"][0]
    assert reason["message"].startswith("Anggota diblokir") and reason["message_en"].startswith(
        "Patron is blocked"
    )
    # Expired membership: its own named reason.
    with clock.frozen(date.fromisoformat(patron["expires_on"]) + timedelta(days=1)):
        response = await checkout(client, other["card_number"], "M001")
    assert reason_codes(response) == ["refuse_when_patron_expired", "refuse_when_type_limit_reached"]
    validators = (await client.get("/validators")).json()
    assert "refuse_when_item_in_transit" in validators["checkout"]
    assert "refuse_when_item_has_holds" in validators["renew"]


async def test_desk_errors_are_precise(client: ServiceClient) -> None:
    await setup_library(client)
    await seed_item(client, "B001")
    patron = await counter_patron(client)
    card = patron["card_number"]
    assert (await checkout(client, "0000000000000", "B001")).json()["error"]["code"] == "patron_not_found"
    assert (await checkout(client, card, "TIDAK-ADA")).status_code == 404
    assert (
        await client.post("/loans", json={"patron": card, "item": "B001"}, headers=client.bearer(**LIBRARIAN))
    ).status_code == 422
    assert (
        await client.post("/loans", json={"patron": card, "item": "B001", "branch": "cikini"})
    ).status_code == 401
    as_patron = client.bearer(roles=["patron"])
    assert (
        await client.post(
            "/loans", json={"patron": card, "item": "B001", "branch": "cikini"}, headers=as_patron
        )
    ).status_code == 403
    # A librarian works at the branches of their claim.
    elsewhere = client.bearer(roles=["librarian"], branches=["tebet"])
    response = await client.post(
        "/loans", json={"patron": card, "item": "B001", "branch": "cikini"}, headers=elsewhere
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "branch_not_assigned"
    assert (await checkin(client, "TIDAK-ADA")).status_code == 404
    assert (
        await client.post("/renewals", json={"item": "B001"}, headers=client.bearer(**LIBRARIAN))
    ).status_code == 404


async def test_return_at_another_branch_travels_home_with_a_slip(client: ServiceClient) -> None:
    await setup_library(client)
    await seed_item(client, "B001", branch="cikini")
    patron = await counter_patron(client)
    assert (await checkout(client, patron["card_number"], "B001")).status_code == 201
    preview = await client.post(
        "/returns/dry-run", json={"item": "B001", "branch": "tebet"}, headers=client.bearer(**LIBRARIAN)
    )
    assert preview.json()["action"] == "transit" and preview.json()["destination"] == "cikini"
    back = (await checkin(client, "B001", branch="tebet")).json()
    assert back["action"] == "transit" and back["item_status"] == "in_transit"
    transit = back["transit"]
    assert (transit["from_branch"], transit["to_branch"], transit["reason"]) == ("tebet", "cikini", "home")
    slip = await client.get(transit["slip_url"], headers=client.bearer(**LIBRARIAN))
    assert slip.status_code == 200 and slip.headers["content-type"] == "application/pdf"
    assert slip.content.startswith(b"%PDF")
    # While travelling nobody can borrow it, and it can only be received where it is going.
    other = await counter_patron(client)
    assert reason_codes(await checkout(client, other["card_number"], "B001")) == [
        "refuse_when_item_in_transit"
    ]
    wrong = await client.post(
        "/transits/receive/dry-run",
        json={"item": "B001", "branch": "kuningan"},
        headers=client.bearer(**LIBRARIAN),
    )
    assert reason_codes(wrong) == ["refuse_when_wrong_destination"]
    listed = await client.get("/transits", params={"to_branch": "cikini"}, headers=client.bearer(**LIBRARIAN))
    assert [t["id"] for t in listed.json()["items"]] == [transit["id"]]
    received = await client.post(
        "/transits/receive", json={"item": "B001", "branch": "cikini"}, headers=client.bearer(**LIBRARIAN)
    )
    assert received.status_code == 200, received.text
    assert received.json()["action"] == "shelve" and received.json()["item_status"] == "available"
    again = await client.post(
        "/transits/receive", json={"item": "B001", "branch": "cikini"}, headers=client.bearer(**LIBRARIAN)
    )
    assert reason_codes(again) == ["refuse_when_item_not_in_transit"]


async def test_late_return_across_a_holiday(client: ServiceClient) -> None:
    """Holidays push due dates and never cost a reader: the 2026 calendar around Nyepi and Idul Fitri
    (19, 20 and 21 March are national holidays) at a branch closed on Sundays."""
    await setup_library(client)
    await client.put("/calendars/cikini", json={"closed_weekdays": [6]}, headers=client.bearer(**LIBRARIAN))
    await seed_item(client, "B001")
    await seed_item(client, "B002", record_id="rec-2")
    patron = await counter_patron(client)
    card = patron["card_number"]
    with clock.frozen(date(2026, 3, 5)):
        # 5 March + 14 days = Thursday 19 March (Nyepi), then Idul Fitri, then Sunday: due Monday 23 March.
        assert (await checkout(client, card, "B001")).json()["due_on"] == "2026-03-23"
    with clock.frozen(date(2026, 3, 2)):
        assert (await checkout(client, card, "B002")).json()["due_on"] == "2026-03-16"
    with clock.frozen(date(2026, 3, 23)):
        back = (await checkin(client, "B002")).json()
        on_time = (await checkin(client, "B001")).json()
        fines = (await client.get(f"/patrons/{card}/fines", headers=client.bearer(**LIBRARIAN))).json()
    # Due Monday 16 March, back Monday 23 March: seven days late, but the 19th, 20th, 21st (holidays) and
    # the 22nd (Sunday) were closed, so three opening days (17, 18, 23 March) at Rp500 are charged.
    assert back["fine"]["overdue_days"] == 7 and back["fine"]["chargeable_days"] == 3
    assert back["fine"]["amount"] == 1500
    assert on_time["fine"] is None
    assert fines["balance"] == 1500 and len(fines["fines"]) == 1


async def test_renewals(client: ServiceClient) -> None:
    await setup_library(client, rules=[{"loan_days": 14, "renewals": 1}])
    await seed_item(client, "B001")
    await seed_item(client, "B002", record_id="rec-2")
    patron, sub = await online_patron(client)
    card = patron["card_number"]
    me = client.bearer(roles=["patron"], sub=sub)
    with clock.frozen(date(2026, 4, 6)):
        assert (await checkout(client, card, "B001")).status_code == 201
        assert (await checkout(client, card, "B002")).status_code == 201
        # Renewing on the day of the loan would not move the due date.
        assert reason_codes(await client.post("/renewals", json={"item": "B001"}, headers=me)) == [
            "refuse_when_renewal_too_early"
        ]
    with clock.frozen(date(2026, 4, 15)):
        dry = await client.post("/renewals/dry-run", json={"item": "B001"}, headers=me)
        assert dry.json()["allowed"] is True and dry.json()["due_date"] == "2026-04-29"
        renewed = await client.post("/renewals", json={"item": "B001"}, headers=me)
        assert renewed.status_code == 200, renewed.text
        assert renewed.json()["due_on"] == "2026-04-29" and renewed.json()["renewals_left"] == 0
        again = await client.post(
            "/renewals", json={"item": "B001", "patron": card}, headers=client.bearer(**LIBRARIAN)
        )
        assert reason_codes(again) == ["refuse_when_renewals_exhausted", "refuse_when_renewal_too_early"]
        # Another patron's hold on the title stops a renewal.
        _, other_sub = await online_patron(client)
        hold = await client.post(
            "/holds",
            json={"record_id": "rec-2", "pickup_branch": "cikini"},
            headers=client.bearer(roles=["patron"], sub=other_sub),
        )
        assert hold.status_code == 201, hold.text
        assert reason_codes(await client.post("/renewals", json={"item": "B002"}, headers=me)) == [
            "refuse_when_item_has_holds"
        ]
        # A patron cannot renew someone else's loan (it does not exist for them).
        assert (
            await client.post(
                "/renewals", json={"item": "B001"}, headers=client.bearer(roles=["patron"], sub=other_sub)
            )
        ).status_code == 404
    mine = (await client.get("/patrons/me/loans", headers=me)).json()
    assert sorted(loan["item_barcode"] for loan in mine["items"]) == ["B001", "B002"]


async def test_checkin_writes_back_loan_and_item_as_stored(client: ServiceClient) -> None:
    """Check-out and check-in write their rows directly (no ORM flush): what a later read sees is what
    was decided — the loan closed where and by whom, forgetting the borrower without the opt-in, the
    copy travelling home from where it was returned, a withdrawn copy kept withdrawn where it turned up."""
    from sqlalchemy import text

    from circulation.tasks import handlers
    from pusip_kit.events import deliver_event

    from ..helpers import T0, catalog_event

    await setup_library(client)
    await seed_item(client, "B001", branch="cikini")
    await seed_item(client, "B002", branch="cikini")
    patron = await counter_patron(client)
    out = await checkout(client, patron["card_number"], "B001")
    assert out.status_code == 201, out.text
    item = (await client.get("/items/B001")).json()
    assert (item["status"], item["current_branch"]) == ("on_loan", "cikini")
    back = await checkin(client, "B001", branch="tebet")
    assert back.status_code == 200, back.text
    item = (await client.get("/items/B001")).json()
    assert (item["status"], item["current_branch"]) == ("in_transit", "tebet")
    loans = (await client.get("/loans", params={"item": "B001"}, headers=client.bearer(**LIBRARIAN))).json()[
        "items"
    ]
    assert len(loans) == 1 and loans[0]["id"] == out.json()["id"]
    assert loans[0]["return_branch"] == "tebet" and loans[0]["returned_at"] is not None
    assert loans[0]["patron_card"] is None  # no reading-history opt-in: the loan forgot the borrower
    open_loans = await client.get("/loans", params={"open": True}, headers=client.bearer(**LIBRARIAN))
    assert open_loans.json()["items"] == []
    async with client.session() as session:
        row = (await session.execute(text("SELECT returned_by, patron_id, patron_ref FROM loans"))).one()
    assert row.returned_by and row.patron_id is None and row.patron_ref
    # A copy withdrawn in the catalog that turns up at another branch stays withdrawn, but there.
    gone = {"barcode": "B002", "deleted_at": T0.isoformat()}
    await deliver_event(client.sessionmaker, handlers, catalog_event("catalog.item.deleted", gone))
    found = await checkin(client, "B002", branch="kuningan")
    assert (found.json()["action"], found.json()["current_branch"]) == ("withdrawn", "kuningan")
    item = (await client.get("/items/B002")).json()
    assert (item["status"], item["current_branch"]) == ("withdrawn", "kuningan")
