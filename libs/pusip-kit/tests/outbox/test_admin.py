"""The admin router: list the outbox and dead letters, retry them (admin role only)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from pusip_kit.auth.fastapi import configure_auth
from pusip_kit.config import ServiceSettings
from pusip_kit.db.engine import Database
from pusip_kit.errors import install_error_handlers
from pusip_kit.events import Event, record_dead_letters
from pusip_kit.outbox import DEAD, emit_event, make_outbox_admin_router, outbox, relay_outbox
from pusip_kit.testing.outbox import FailingPublisher, RecordingPublisher, recording_kicks
from pusip_kit.testing.service import shared_test_issuer
from pusip_kit.uow import unit_of_work


class CatalogSettings(ServiceSettings):
    service_name: ClassVar[str] = "catalog"


@pytest.fixture
async def client(database: Database, tmp_path: Any) -> AsyncIterator[httpx.AsyncClient]:
    issuer = shared_test_issuer()
    app = FastAPI()
    install_error_handlers(app)
    app.state.settings = CatalogSettings(data_dir=tmp_path, database_url=database.url)
    app.state.sessionmaker = database.sessionmaker
    configure_auth(app, issuer.validator())
    app.include_router(make_outbox_admin_router())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://catalog.test") as c:
        c.headers.update(issuer.headers_for(roles=["admin"]))
        yield c


async def _seed(database: Database) -> dict[str, uuid.UUID]:
    async with unit_of_work(database.sessionmaker) as session:
        sent = await emit_event(session, "catalog.item.created", {"n": 1})
    await relay_outbox(database.sessionmaker, RecordingPublisher(), subscribers=lambda _t: ["circulation"])
    async with unit_of_work(database.sessionmaker) as session:
        dead = await emit_event(session, "catalog.item.updated", {"n": 2})
        pending = await emit_event(session, "catalog.item.deleted", {"n": 3})
    async with database.sessionmaker() as session:
        await session.execute(
            update(outbox).where(outbox.c.id == dead).values(status=DEAD, attempts=10, last_error="boom")
        )
        await session.commit()
    return {"sent": sent, "dead": dead, "pending": pending}


async def test_only_admins(client: httpx.AsyncClient) -> None:
    issuer = shared_test_issuer()
    response = await client.get("/admin/outbox", headers=issuer.headers_for(roles=["librarian"]))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "missing_role"
    response = await client.get("/admin/dead-letters", headers={"Authorization": ""})
    assert response.status_code == 401


async def test_list_outbox_by_status_with_pagination(client: httpx.AsyncClient, database: Database) -> None:
    ids = await _seed(database)
    body = (await client.get("/admin/outbox")).json()
    assert body["pagination"]["total_count"] == 3
    assert [i["id"] for i in body["items"]] == [str(ids["pending"]), str(ids["dead"]), str(ids["sent"])]

    for status in ("pending", "sent", "dead"):
        body = (await client.get("/admin/outbox", params={"status": status})).json()
        assert [i["id"] for i in body["items"]] == [str(ids[status])]
        assert body["items"][0]["status"] == status
    dead = (await client.get("/admin/outbox", params={"status": "dead"})).json()["items"][0]
    assert dead["last_error"] == "boom" and dead["attempts"] == 10

    page = (await client.get("/admin/outbox", params={"limit": 2, "page": 2})).json()
    assert page["pagination"] == {"total_count": 3, "page": 2, "limit": 2, "max_page": 2}
    assert [i["id"] for i in page["items"]] == [str(ids["sent"])]
    assert (await client.get("/admin/outbox", params={"status": "bogus"})).status_code == 422


async def test_retry_outbox_entry(client: httpx.AsyncClient, database: Database) -> None:
    ids = await _seed(database)
    with recording_kicks("catalog") as kicks:
        response = await client.post(f"/admin/outbox/{ids['dead']}/retry")
        assert response.status_code == 200, response.text
        assert kicks.count("catalog") == 1
    entry = response.json()
    assert (entry["status"], entry["attempts"]) == ("pending", 0)

    publisher = RecordingPublisher()
    await relay_outbox(database.sessionmaker, publisher, subscribers=lambda _t: ["circulation"])
    assert {m.task_id for m in publisher.messages} == {
        f"{ids['dead']}:circulation",
        f"{ids['pending']}:circulation",
    }

    response = await client.post(f"/admin/outbox/{ids['sent']}/retry")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "outbox_already_sent"
    assert (await client.post(f"/admin/outbox/{uuid.uuid4()}/retry")).status_code == 404


async def test_dead_letters_list_and_retry_is_durable(client: httpx.AsyncClient, database: Database) -> None:
    event = Event(
        uuid.uuid4(), "circulation.item.checked_out", datetime.now(UTC), "circulation", "B001", {"x": 1}
    )
    await record_dead_letters(
        database.sessionmaker, event, {"catalog.availability": "Traceback: boom"}, attempts=7
    )

    body = (await client.get("/admin/dead-letters")).json()
    assert body["pagination"]["total_count"] == 1
    [item] = body["items"]
    assert (item["event_id"], item["handler"], item["attempts"], item["status"]) == (
        str(event.id),
        "catalog.availability",
        7,
        "dead",
    )
    assert item["payload"] == {"x": 1}

    with recording_kicks("catalog") as kicks:
        response = await client.post(f"/admin/dead-letters/{item['id']}/retry")
        assert response.status_code == 200, response.text
        assert kicks.count("catalog") == 1
    assert response.json()["status"] == "retrying"
    assert (await client.get("/admin/dead-letters")).json()["items"] == []
    assert len((await client.get("/admin/dead-letters", params={"status": "retrying"})).json()["items"]) == 1
    assert (await client.post(f"/admin/dead-letters/{item['id']}/retry")).status_code == 409

    # The re-delivery is an outbox task row, sent by the relay to this service's own queue.
    async with database.sessionmaker() as session:
        row = (await session.execute(select(outbox).where(outbox.c.kind == "task"))).mappings().one()
    assert (row["name"], row["payload"]) == ("catalog.events.redeliver", {"args": [item["id"]]})
    publisher = RecordingPublisher()
    await relay_outbox(database.sessionmaker, publisher)
    [message] = publisher.messages
    assert (message.task_name, message.queue, message.args) == (
        "catalog.events.redeliver",
        "catalog",
        [item["id"]],
    )


async def test_relay_failure_shows_up_as_dead_entry(client: httpx.AsyncClient, database: Database) -> None:
    from pusip_kit.outbox import RelayConfig

    async with unit_of_work(database.sessionmaker) as session:
        await emit_event(session, "catalog.item.created", {"n": 1})
    await relay_outbox(
        database.sessionmaker,
        FailingPublisher(error="no route to broker"),
        config=RelayConfig(max_attempts=1),
        subscribers=lambda _t: ["circulation"],
    )
    [item] = (await client.get("/admin/outbox", params={"status": "dead"})).json()["items"]
    assert "no route to broker" in item["last_error"]
