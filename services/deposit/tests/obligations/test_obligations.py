"""Obligations: declared or imported titles, due dates from the rules, status, the daily job, history."""

from __future__ import annotations

from datetime import date, timedelta

from deposit.common import today_local
from deposit.obligations.service import obligation_service
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work

from ..helpers import OFFICER, OTHER_PUBLISHER, PUBLISHER, create_depositor

CSV = (
    "isbn,title,published_on,kind\n"
    "978-623-7654-00-1,Buku Pertama,2025-01-31,karya_cetak\n"
    "978-623-7654-01-8,Album Kedua,15/02/2025,karya_rekam\n"
    "978-602-1234-00-6,Buku Penerbit Lain,2025-03-01,cetak\n"
    "978-623-7654-01-9,Cek Digit Salah,2025-03-01,karya_cetak\n"
    "978-979-0000-00-1,Tanpa Pemilik,2025-03-01,karya_cetak\n"
    "978-623-7654-02-5,Tanggal Salah,31-31-2025,karya_cetak\n"
    "978-623-7654-02-5,Jenis Salah,2025-03-01,patung\n"
)


async def test_declared_title_gets_due_date_and_copies_from_the_rules(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    published = today_local() - timedelta(days=10)
    response = await client.post(
        "/obligations",
        json={
            "depositor_id": depositor["id"],
            "kind": "karya_cetak",
            "title": "Buku Baru",
            "isbn": "9786028519939",
            "published_on": published.isoformat(),
        },
        headers=client.bearer(**PUBLISHER),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    month = published.month + 2
    assert body["due_on"][:7] == date(published.year + month // 12, month % 12 + 1, 1).isoformat()[:7]
    assert (body["copies_required"], body["status"], body["source"]) == (1, "due", "declared")
    assert body["isbn"] == "9786028519939"
    dup = await client.post(
        "/obligations",
        json={
            "depositor_id": depositor["id"],
            "kind": "karya_cetak",
            "title": "Lagi",
            "isbn": "978-602-8519-93-9",
            "published_on": "2025-01-01",
        },
        headers=client.bearer(**PUBLISHER),
    )
    assert dup.status_code == 409
    recorded = await client.post(
        "/obligations",
        json={
            "depositor_id": depositor["id"],
            "kind": "karya_rekam",
            "title": "Album",
            "published_on": "2024-02-29",
        },
        headers=client.bearer(**PUBLISHER),
    )
    assert recorded.json()["due_on"] == "2025-02-28"  # 12 months, clamped to the month's end
    assert recorded.json()["status"] == "overdue"
    foreign = await client.post(
        "/obligations",
        json={
            "depositor_id": depositor["id"],
            "kind": "karya_cetak",
            "title": "X",
            "published_on": "2025-01-01",
        },
        headers=client.bearer(**OTHER_PUBLISHER),
    )
    assert foreign.status_code == 404


async def test_csv_import_matches_prefixes_reports_rows_and_is_idempotent(client: ServiceClient) -> None:
    mine = await create_depositor(client, isbn_prefixes=["978-623-7654"])
    other = await create_depositor(client, who=OTHER_PUBLISHER, isbn_prefixes=["978-602-1234"])
    headers = {**client.bearer(**OFFICER), "Content-Type": "text/csv"}
    dry = await client.post("/obligations/import", params={"dry_run": "true"}, content=CSV, headers=headers)
    assert dry.status_code == 200, dry.text
    assert (dry.json()["created"], dry.json()["created_ids"]) == (3, [])
    result = await client.post("/obligations/import", content=CSV, headers=headers)
    body = result.json()
    assert (body["rows"], body["created"], body["already_known"]) == (7, 3, 0)
    assert [(e["line"], e["code"]) for e in body["errors"]] == [
        (5, "invalid_isbn"),
        (6, "no_depositor_for_prefix"),
        (7, "invalid_date"),
        (8, "invalid_kind"),
    ]
    assert all(e["message"] and e["message_en"] for e in body["errors"])
    listed = await client.get(
        "/obligations", params={"depositor_id": mine["id"]}, headers=client.bearer(**OFFICER)
    )
    assert sorted(o["title"] for o in listed.json()["items"]) == ["Album Kedua", "Buku Pertama"]
    album = next(o for o in listed.json()["items"] if o["title"] == "Album Kedua")
    assert (album["kind"], album["due_on"], album["source"]) == ("karya_rekam", "2026-02-15", "imported")
    theirs = await client.get("/obligations", headers=client.bearer(**OTHER_PUBLISHER))
    assert [o["depositor_id"] for o in theirs.json()["items"]] == [other["id"]]

    again = await client.post("/obligations/import", content=CSV, headers=headers)
    assert (again.json()["created"], again.json()["already_known"]) == (0, 3)

    # a publisher imports its own list; officers only may import by prefix
    assert (await client.post("/obligations/import", content=CSV, headers={
        **client.bearer(**PUBLISHER), "Content-Type": "text/csv"})).status_code == 403  # fmt: skip
    own = await client.post(
        "/obligations/import",
        params={"depositor_id": mine["id"]},
        content="isbn,title,published_on\n9786237654025,Buku Ketiga,2025-05-05\n",
        headers={**client.bearer(**PUBLISHER), "Content-Type": "text/csv"},
    )
    assert own.json()["created"] == 1
    bad = await client.post("/obligations/import", content="judul;tanggal\nx;y\n", headers=headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "csv_invalid"


async def test_exemption_with_named_refusals_and_dry_run(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    created = await client.post(
        "/obligations",
        json={
            "depositor_id": depositor["id"],
            "kind": "karya_cetak",
            "title": "Brosur",
            "published_on": "2025-01-01",
        },
        headers=client.bearer(**PUBLISHER),
    )
    url = f"/obligations/{created.json()['id']}/exempt"
    assert (
        await client.post(url, json={"reason": "brosur promosi"}, headers=client.bearer(**PUBLISHER))
    ).status_code == 403
    assert (await client.post(url, headers=client.bearer(**OFFICER))).status_code == 422
    check = await client.post(url, params={"dry_run": "true"}, headers=client.bearer(**OFFICER))
    assert check.json()["allowed"] is True
    done = await client.post(
        url, json={"reason": "Brosur promosi, bukan karya bernilai"}, headers=client.bearer(**OFFICER)
    )
    assert (done.json()["status"], done.json()["exempt_reason"]) == (
        "exempt",
        "Brosur promosi, bukan karya bernilai",
    )
    again = await client.post(url, json={"reason": "sekali lagi"}, headers=client.bearer(**OFFICER))
    assert again.status_code == 409
    assert again.json()["error"]["details"]["reasons"][0]["code"] == "refuse_when_obligation_exempt"


async def test_daily_job_marks_overdue_once_and_history_shows_it(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    published = today_local() - timedelta(days=80)
    created = await client.post(
        "/obligations",
        json={
            "depositor_id": depositor["id"],
            "kind": "karya_cetak",
            "title": "Hampir",
            "published_on": published.isoformat(),
        },
        headers=client.bearer(**PUBLISHER),
    )
    obligation = created.json()
    assert obligation["status"] == "due"
    later = date.fromisoformat(obligation["due_on"]) + timedelta(days=1)
    async with unit_of_work(client.sessionmaker) as session:
        assert (
            await obligation_service.update_overdue(session, today=date.fromisoformat(obligation["due_on"]))
            == 0
        )
    async with unit_of_work(client.sessionmaker) as session:
        assert await obligation_service.update_overdue(session, today=later) == 1
    async with unit_of_work(client.sessionmaker) as session:
        assert await obligation_service.update_overdue(session, today=later) == 0
    status = await client.get(f"/obligations/{obligation['id']}", headers=client.bearer(**PUBLISHER))
    assert status.json()["status"] == "overdue"
    filtered = await client.get(
        "/obligations", params={"status": "overdue"}, headers=client.bearer(**PUBLISHER)
    )
    assert [o["id"] for o in filtered.json()["items"]] == [obligation["id"]]
    history = await client.get(f"/depositors/{depositor['id']}/history", headers=client.bearer(**PUBLISHER))
    actions = [(h["entity"], h["action"]) for h in history.json()["items"]]
    assert actions[:2] == [("obligation", "overdue"), ("obligation", "declared")]
