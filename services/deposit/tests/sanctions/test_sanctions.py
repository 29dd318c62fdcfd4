"""Graded warnings: written warning → suspension → revocation, letters as PDF, resolution."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader

from deposit.common import today_local
from deposit.sanctions.service import sanction_service
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work

from ..helpers import OFFICER, OTHER_PUBLISHER, PUBLISHER, create_depositor


async def run(client: ServiceClient, days: int) -> list[str]:
    async with unit_of_work(client.sessionmaker) as session:
        result = await sanction_service.run(
            session,
            actor_name="system:test",
            agency_code="DISPUSIP",
            today=today_local() + timedelta(days=days),
        )
        return [w.code for w in result.issued]


async def test_warnings_escalate_by_the_steps_in_force_and_resolve(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    published = today_local() - timedelta(days=130)  # printed: due after 3 months, ~38 days late now
    obligation = (
        await client.post(
            "/obligations",
            json={
                "depositor_id": depositor["id"],
                "kind": "karya_cetak",
                "title": "Buku Terlambat",
                "isbn": "9786028519939",
                "published_on": published.isoformat(),
            },
            headers=client.bearer(**PUBLISHER),
        )
    ).json()
    assert obligation["status"] == "overdue"
    dry = await client.post("/warnings/run", params={"dry_run": "true"}, headers=client.bearer(**OFFICER))
    assert [(p["level"], p["code"]) for p in dry.json()["planned"]] == [(1, "teguran_tertulis")]
    assert dry.json()["issued"] == []

    assert await run(client, 0) == ["teguran_tertulis"]
    assert await run(client, 0) == []  # once a day is enough
    assert await run(client, 29) == []  # the suspension waits 30 days after the warning
    assert await run(client, 30) == ["pembekuan_sementara"]
    assert await run(client, 89) == []
    assert await run(client, 90) == ["pencabutan_izin"]
    assert await run(client, 400) == []  # the last step is final

    listed = await client.get("/warnings", headers=client.bearer(**PUBLISHER))
    warnings = listed.json()["items"]
    assert [(w["level"], w["status"]) for w in warnings] == [
        (3, "active"),
        (2, "superseded"),
        (1, "superseded"),
    ]
    assert warnings[2]["number"].startswith("ST-1/DISPUSIP/")
    assert (await client.get("/warnings", headers=client.bearer(**OTHER_PUBLISHER))).json()["items"] == []

    letter = await client.get(f"/warnings/{warnings[2]['id']}/letter", headers=client.bearer(**PUBLISHER))
    assert letter.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.content)).pages)
    assert "TEGURAN TERTULIS" in text.upper()
    assert "Buku Terlambat" in text
    assert depositor["name"] in text

    # the render task stores the letter once
    async with unit_of_work(client.sessionmaker) as session:
        import uuid

        key = await sanction_service.store_letter(
            session, client.settings, client.app.state.deposit_stores, warning_id=uuid.UUID(warnings[0]["id"])
        )
    assert key and await client.app.state.deposit_stores.documents.exists(key)
    assert (await client.get(f"/warnings/{warnings[0]['id']}", headers=client.bearer(**OFFICER))).json()[
        "letter_ready"
    ]
    tasks = [row["name"] for row in await _tasks(client)]
    assert tasks.count("deposit.sanctions.render_letter") == 3

    await client.post(
        f"/obligations/{obligation['id']}/exempt", json={"reason": "Terbitan ditarik dari peredaran"},
        headers=client.bearer(**OFFICER),
    )  # fmt: skip
    async with unit_of_work(client.sessionmaker) as session:
        result = await sanction_service.run(session, actor_name="system:test", agency_code="DISPUSIP")
    assert len(result.resolved) == 1
    history = await client.get(f"/depositors/{depositor['id']}/history", headers=client.bearer(**PUBLISHER))
    assert [h["action"] for h in history.json()["items"] if h["entity"] == "warning"] == [
        "resolved", "issued", "issued", "issued",
    ]  # fmt: skip


async def _tasks(client: ServiceClient) -> list[dict[str, object]]:
    from sqlalchemy import select

    from pusip_kit.outbox.tables import KIND_TASK, outbox

    async with client.session() as session:
        rows = (await session.execute(select(outbox).where(outbox.c.kind == KIND_TASK))).mappings().all()
    return [dict(r) for r in rows]
