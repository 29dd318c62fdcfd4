"""Notices from the beat: due soon, overdue, hold ready — once per loan and due date, mailed over SMTP
and shown in the patron's account."""

from __future__ import annotations

from datetime import date
from typing import Any

from circulation import clock
from circulation.tasks import PERIODIC
from pusip_kit.testing.service import ServiceClient

from ..helpers import LIBRARIAN, checkout, online_patron, seed_item, setup_library


async def test_due_soon_and_overdue_notices_once(client: ServiceClient, mail: Any) -> None:
    await setup_library(client)
    await seed_item(client, "B001", title="Gadis Kretek")
    await seed_item(client, "B002", record_id="rec-2", title="Pulang")
    patron, sub = await online_patron(client)
    me = client.bearer(roles=["patron"], sub=sub)
    address = f"{sub}@contoh.id"
    with clock.frozen(date(2026, 11, 2)):
        assert (await checkout(client, patron["card_number"], "B001")).json()["due_on"] == "2026-11-16"
        assert (await checkout(client, patron["card_number"], "B002")).status_code == 201
    mail.clear()
    scan = PERIODIC["circulation.notices.scan"][0]
    with clock.frozen(date(2026, 11, 10)):
        assert await scan(client.sessionmaker, client.settings) == {
            "due_soon": 0,
            "overdue": 0,
            "hold_ready": 0,
            "mailed": 0,
        }
    with clock.frozen(date(2026, 11, 14)):
        assert (await scan(client.sessionmaker, client.settings))["due_soon"] == 2
        again = await scan(client.sessionmaker, client.settings)
        assert again == {"due_soon": 0, "overdue": 0, "hold_ready": 0, "mailed": 0}
        # The patron renews one loan: a new due date earns a new reminder later, the old one is not repeated.
        renewed = await client.post("/renewals", json={"item": "B002"}, headers=me)
        assert renewed.json()["due_on"] == "2026-11-28"
    with clock.frozen(date(2026, 11, 17)):
        assert (await scan(client.sessionmaker, client.settings))["overdue"] == 1
        assert (await scan(client.sessionmaker, client.settings))["overdue"] == 0
    subjects = sorted(m["Subject"].split(":")[0] for m in mail.to(address))
    assert subjects == ["Pengingat", "Pengingat", "Terlambat"]
    notices = (await client.get("/patrons/me/notices", headers=me)).json()["items"]
    assert sorted(n["kind"] for n in notices) == ["due_soon", "due_soon", "overdue"]
    assert all(n["email_status"] == "sent" for n in notices)
    overdue = next(n for n in notices if n["kind"] == "overdue")
    assert "Gadis Kretek" in overdue["body"] and "Rp500" in overdue["body"]
    read = await client.post(f"/patrons/me/notices/{overdue['id']}/read", headers=me)
    assert read.json()["read_at"] is not None
    assert (await client.get("/patrons/me/notices", headers=client.bearer(**LIBRARIAN))).status_code == 404


async def test_mail_failures_are_retried_not_lost(client: ServiceClient) -> None:
    await setup_library(client)
    await seed_item(client, "B001")
    patron, sub = await online_patron(client)
    with clock.frozen(date(2026, 11, 2)):
        await checkout(client, patron["card_number"], "B001")
    client.settings.smtp_port = 1  # nothing listens there  # type: ignore[attr-defined]
    scan = PERIODIC["circulation.notices.scan"][0]
    with clock.frozen(date(2026, 11, 15)):
        assert (await scan(client.sessionmaker, client.settings))["mailed"] == 0
    me = client.bearer(roles=["patron"], sub=sub)
    [notice] = (await client.get("/patrons/me/notices", headers=me)).json()["items"]
    assert notice["email_status"] == "pending"
