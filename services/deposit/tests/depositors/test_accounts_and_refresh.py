"""Accounts acting for a depositor, the yearly data refresh and its reminders (real SMTP sink)."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from deposit.common import today_local
from deposit.depositors.reminders import send_refresh_reminders
from pusip_kit.testing.service import ServiceClient

from ..helpers import OFFICER, OTHER_PUBLISHER, PUBLISHER, create_depositor

STAFF = {"roles": ["publisher"], "sub": "staf-9", "username": "staf.redaksi", "name": "Staf Redaksi"}


async def test_owner_links_staff_accounts_which_then_act_for_the_depositor(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    url = f"/depositors/{depositor['id']}/accounts"
    [owner] = (await client.get(url, headers=client.bearer(**PUBLISHER))).json()
    assert (owner["subject"], owner["role"]) == ("penerbit-1", "owner")
    assert (
        await client.get(f"/depositors/{depositor['id']}", headers=client.bearer(**STAFF))
    ).status_code == 404

    linked = await client.post(url, json={"username": "staf.redaksi"}, headers=client.bearer(**PUBLISHER))
    assert linked.status_code == 201, linked.text
    assert (linked.json()["subject"], linked.json()["role"]) == (None, "member")
    assert (
        await client.post(url, json={"username": "staf.redaksi"}, headers=client.bearer(**PUBLISHER))
    ).status_code == 409
    assert (await client.post(url, json={}, headers=client.bearer(**PUBLISHER))).status_code == 422

    # the link binds to the user's subject on first use
    mine = await client.get("/me/depositors", headers=client.bearer(**STAFF))
    assert [(m["depositor"]["id"], m["role"]) for m in mine.json()] == [(depositor["id"], "member")]
    assert mine.json()[0]["refresh_due_on"] == (today_local() + timedelta(days=365)).isoformat()
    accounts = (await client.get(url, headers=client.bearer(**STAFF))).json()
    assert [a["subject"] for a in accounts] == ["penerbit-1", "staf-9"]

    # a member may not manage accounts; the owner and officers may
    member_link = await client.post(url, json={"subject": "x"}, headers=client.bearer(**STAFF))
    assert member_link.json()["error"]["code"] == "not_depositor_owner"
    staff_id = accounts[1]["id"]
    assert (await client.delete(f"{url}/{staff_id}", headers=client.bearer(**OFFICER))).status_code == 204
    assert (
        await client.get(f"/depositors/{depositor['id']}", headers=client.bearer(**STAFF))
    ).status_code == 404
    last = await client.delete(f"{url}/{owner['id']}", headers=client.bearer(**PUBLISHER))
    assert last.json()["error"]["details"]["reasons"][0]["code"] == "refuse_when_removing_last_owner"
    assert (await client.get(url, headers=client.bearer(**OTHER_PUBLISHER))).status_code == 404


async def test_refresh_updates_contacts_even_when_approved(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    refreshed = await client.post(
        f"/depositors/{depositor['id']}/refresh",
        json={"phone": "+62 21 5550199", "contacts": [{"name": "Dewi", "email": "dewi@uji.example"}]},
        headers=client.bearer(**PUBLISHER),
    )
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["phone"] == "+62 21 5550199"
    assert refreshed.json()["contacts"][0]["email"] == "dewi@uji.example"
    assert refreshed.json()["data_confirmed_at"] > depositor["data_confirmed_at"]
    [event] = [
        e for e in await client.outbox_events("deposit.depositor.updated") if e["payload"].get("refreshed")
    ]
    assert event["payload"]["changed"] == ["contacts", "phone"]
    assert (
        await client.post(
            f"/depositors/{depositor['id']}/refresh", json={"name": "X"}, headers=client.bearer(**PUBLISHER)
        )
    ).status_code == 422  # the name is not part of the refresh


class Sink:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


async def test_yearly_reminders_are_sent_once_per_due_date(
    client: ServiceClient, smtp_sink: tuple[Sink, int]
) -> None:
    sink, port = smtp_sink
    client.settings.smtp_port = port
    due = await create_depositor(client, email="redaksi@lama.example",
                                 contacts=[{"name": "Sari", "email": "sari@lama.example"}])  # fmt: skip
    await create_depositor(client, who=OTHER_PUBLISHER, approve=False)  # pending: not reminded
    today = today_local() + timedelta(days=366)

    first = await send_refresh_reminders(client.sessionmaker, client.settings, today=today)
    assert first.as_dict() == {"due": 1, "sent": 1, "failed": 0, "no_address": 0, "skipped": 0}
    [message] = sink.messages
    assert message["To"] == "redaksi@lama.example, sari@lama.example"
    assert "Pemutakhiran data" in message["Subject"]
    assert f"/penyerah/{due['id']}/pemutakhiran" in message.get_payload(decode=True).decode()

    again = await send_refresh_reminders(client.sessionmaker, client.settings, today=today)
    assert again.as_dict()["skipped"] == 1
    assert len(sink.messages) == 1

    await client.post(f"/depositors/{due['id']}/refresh", json={}, headers=client.bearer(**PUBLISHER))
    soon = await send_refresh_reminders(
        client.sessionmaker, client.settings, today=today_local() + timedelta(days=300)
    )
    assert soon.as_dict()["due"] == 0  # confirmed today: due again only in a year


async def test_a_failed_send_is_retried_by_the_next_run(
    client: ServiceClient, smtp_sink: tuple[Sink, int]
) -> None:
    sink, port = smtp_sink
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client.settings.smtp_port = closed_port  # nothing listens there
    await create_depositor(client)
    today = today_local() + timedelta(days=400)
    failed = await send_refresh_reminders(client.sessionmaker, client.settings, today=today)
    assert failed.as_dict()["failed"] == 1
    client.settings.smtp_port = port
    retried = await send_refresh_reminders(client.sessionmaker, client.settings, today=today)
    assert retried.as_dict()["sent"] == 1
    assert len(sink.messages) == 1
