"""Digital lending: N concurrent copies, signed time-limited access links, automatic return at expiry,
and a waitlist served in order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from circulation import clock
from circulation.tasks import PERIODIC
from pusip_kit.testing.service import ServiceClient

from ..helpers import LIBRARIAN, online_patron, reason_codes, run_tasks, setup_library


async def test_licences_links_expiry_and_waitlist(client: ServiceClient) -> None:
    await setup_library(client)
    staff = client.bearer(**LIBRARIAN)
    licence = await client.post(
        "/licences",
        json={"eresource_id": "er-42", "title": "Filosofi Teras", "copies": 2, "loan_days": 7},
        headers=staff,
    )
    assert licence.status_code == 201, licence.text
    assert (
        await client.post(
            "/licences", json={"eresource_id": "er-42", "title": "x", "copies": 1}, headers=staff
        )
    ).status_code == 409
    readers = [await online_patron(client) for _ in range(4)]
    heads = [client.bearer(roles=["patron"], sub=sub) for _, sub in readers]
    start = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)
    with clock.frozen(start):
        # Four readers ask at once for two copies: exactly two get one.
        answers = await asyncio.gather(
            *(client.post("/digital-loans", json={"eresource_id": "er-42"}, headers=h) for h in heads)
        )
        assert sorted(a.status_code for a in answers) == [201, 201, 409, 409]
        refused = next(a for a in answers if a.status_code == 409)
        assert reason_codes(refused) == ["refuse_when_no_copy_available"]
        winners = [i for i, a in enumerate(answers) if a.status_code == 201]
        losers = [i for i, a in enumerate(answers) if a.status_code == 409]
        loan = answers[winners[0]].json()
        assert loan["expires_at"].startswith("2026-10-08")
        # the link opens through the gateway (portal_url in the tests), where the route is public
        assert loan["access_url"].startswith("http://portal.test/api/circulation/digital-access/")
        token = loan["access_url"].rsplit("/", 1)[1]
        grant = await client.get(f"/digital-access/{token}")
        assert grant.status_code == 200 and grant.json()["eresource_id"] == "er-42"
        assert (await client.get(f"/digital-access/{token[:-3]}xyz")).status_code == 403
        again = await client.post(
            "/digital-loans/dry-run", json={"eresource_id": "er-42"}, headers=heads[winners[0]]
        )
        assert reason_codes(again) == ["refuse_when_already_borrowed", "refuse_when_no_copy_available"]
        # The two others queue.
    for n, i in enumerate(losers):
        with clock.frozen(start + timedelta(minutes=n + 1)):
            wait = await client.post("/licences/er-42/waitlist", headers=heads[i])
            assert wait.status_code == 201 and wait.json()["status"] == "waiting"
            assert wait.json()["position"] == n + 1
    with clock.frozen(start + timedelta(minutes=5)):
        assert (await client.post("/licences/er-42/waitlist", headers=heads[losers[0]])).status_code == 409
        shown = (await client.get("/licences/er-42")).json()
        assert (shown["on_loan"], shown["waiting"]) == (2, 2)
    # An hour later the link has expired, a fresh one works.
    with clock.frozen(start + timedelta(hours=2)):
        assert (await client.get(f"/digital-access/{token}")).status_code == 403
        fresh = await client.post(f"/digital-loans/{loan['id']}/access", headers=heads[winners[0]])
        assert (
            await client.get(f"/digital-access/{fresh.json()['access_url'].rsplit('/', 1)[1]}")
        ).status_code == 200
        # Returning early hands the copy to the first in line at once.
        back = await client.post(f"/digital-loans/{loan['id']}/return", headers=heads[winners[0]])
        assert back.json()["return_reason"] == "returned"
        first_waiting = (await client.get("/patrons/me/digital-loans", headers=heads[losers[0]])).json()
        assert [d["eresource_id"] for d in first_waiting] == ["er-42"]
    # Seven days on, the beat returns the loans that ran out, and the last reader gets a copy.
    with clock.frozen(start + timedelta(days=7, hours=1)):
        expire = PERIODIC["circulation.digital.expire"][0]
        assert await expire(client.sessionmaker, client.settings) == 1
        assert await expire(client.sessionmaker, client.settings) == 0
        assert len((await client.get("/patrons/me/digital-loans", headers=heads[losers[1]])).json()) == 1
        assert (
            await client.get(f"/digital-access/{fresh.json()['access_url'].rsplit('/', 1)[1]}")
        ).status_code == 403
    await run_tasks(client)
    kinds = [
        n["kind"] for n in (await client.get("/patrons/me/notices", headers=heads[losers[1]])).json()["items"]
    ]
    assert kinds == ["digital_ready"]
    assert (
        await client.post(
            "/licences", json={"eresource_id": "er-1", "title": "x", "copies": 1}, headers=heads[0]
        )
    ).status_code == 403
