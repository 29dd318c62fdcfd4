"""Stock-taking over HTTP: sessions, single and batch scans, the verdicts, refusals, closing, reports."""

from __future__ import annotations

import csv
import io

from pusip_kit.testing.service import ServiceClient

from ..helpers import CATALOGER, LIBRARIAN, PATRON, create_branch, create_record, marc

CIKINI, KOJA = "perpustakaan-jakarta-cikini", "perpustakaan-kecamatan-koja"
STAFF = CATALOGER


async def add_item(
    client: ServiceClient, record_id: str, barcode: str, branch: str = CIKINI, **extra: object
) -> None:
    response = await client.post(
        "/items",
        json={"barcode": barcode, "record_id": record_id, "branch": branch, **extra},
        headers=client.bearer(**STAFF),
    )
    assert response.status_code == 201, response.text


async def shelves(client: ServiceClient) -> None:
    """Cikini: SO-1..SO-4 on 'Rak Sastra', SO-5 on 'Rak Anak', SO-6 lent, SO-7 withdrawn; Koja: KJ-1."""
    await create_branch(client, CIKINI)
    await create_branch(client, KOJA)
    novel = (await create_record(client, marc("Ronggeng dukuh paruk", author="Tohari, Ahmad", year=1982)))[
        "id"
    ]
    poems = (await create_record(client, marc("Aku : kumpulan sajak", author="Anwar, Chairil", year=1950)))[
        "id"
    ]
    for barcode in ("SO-1", "SO-2", "SO-3"):
        await add_item(client, novel, barcode, location="Rak Sastra", call_number="899.221 TOH r")
    await add_item(client, poems, "SO-4", location="Rak Sastra", status="missing")
    await add_item(client, poems, "SO-5", location="Rak Anak")
    await add_item(client, poems, "SO-7", location="Rak Sastra", status="withdrawn")
    await add_item(client, novel, "KJ-1", branch=KOJA, location="Rak Umum")
    async with client.session() as session:  # a loan: only circulation sets it, mirrored by its event
        from catalog.items.service import item_service
        from pusip_kit.uow import commit

        await add_item(client, novel, "SO-6", location="Rak Sastra")
        await item_service.apply_circulation_status(session, barcode="SO-6", status="on_loan")
        await commit(session)


async def open_session(client: ServiceClient, **body: object) -> dict:
    response = await client.post(
        "/stocktakes", json={"branch": CIKINI, **body}, headers=client.bearer(**STAFF)
    )
    assert response.status_code == 201, response.text
    return response.json()


async def scan(client: ServiceClient, stocktake_id: str, barcode: str, **headers: object) -> dict:
    response = await client.post(
        f"/stocktakes/{stocktake_id}/scans", json={"barcode": barcode}, headers=client.bearer(**STAFF)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_location_is_counted_and_closed_with_its_report(client: ServiceClient) -> None:
    await shelves(client)
    session = await open_session(client, location="Rak Sastra", note="Stock opname semester 2")
    sid = session["id"]
    assert session["status"] == "open" and session["number"].startswith("SO-")
    # expected on 'Rak Sastra': SO-1..SO-4 (SO-6 is lent, SO-7 withdrawn)
    assert session["summary"] == {
        "expected": 4, "scanned": 0, "scans": 0, "found": 0, "missing": 4, "misplaced": 0, "unexpected": 0,
        "progress": 0.0,
    }  # fmt: skip

    found = await scan(client, sid, "SO-1")
    assert (found["result"], found["repeat"]) == ("found", False)
    assert found["message"] == "Ditemukan: Ronggeng dukuh paruk"
    assert found["message_en"] == "Found: Ronggeng dukuh paruk"
    assert found["summary"]["found"] == 1 and found["summary"]["missing"] == 3
    again = await scan(client, sid, "SO-1")
    assert again["repeat"] is True and again["entry"]["scan_count"] == 2
    assert "sudah dipindai (2×)" in again["message"]
    elsewhere = await scan(client, sid, "SO-5")  # same branch, another location
    assert elsewhere["result"] == "misplaced"
    assert elsewhere["entry"]["item_location"] == "Rak Anak"
    assert "Rak Anak" in elsewhere["message"]
    other_branch = await scan(client, sid, "KJ-1")
    assert other_branch["result"] == "misplaced" and other_branch["entry"]["item_branch"] == KOJA
    unknown = await scan(client, sid, "XX-404")
    assert unknown["result"] == "unexpected" and unknown["entry"]["item_id"] is None
    lost_found = await scan(client, sid, "SO-4")  # recorded missing, but here
    assert lost_found["result"] == "found" and "status tercatat: missing" in lost_found["message"]

    read = (await client.get(f"/stocktakes/{sid}", headers=client.bearer(**STAFF))).json()
    assert read["status"] == "scanning"
    assert read["summary"] == {
        "expected": 4, "scanned": 5, "scans": 6, "found": 2, "missing": 2, "misplaced": 2, "unexpected": 1,
        "progress": 50.0,
    }  # fmt: skip
    missing = await client.get(
        f"/stocktakes/{sid}/entries", params={"result": "missing"}, headers=client.bearer(**STAFF)
    )
    assert sorted(e["barcode"] for e in missing.json()["items"]) == ["SO-2", "SO-3"]

    # the dry run of closing previews the counts and changes nothing
    check = await client.post(
        f"/stocktakes/{sid}/close", params={"dry_run": "true"}, headers=client.bearer(**STAFF)
    )
    assert check.status_code == 200
    assert check.json()["allowed"] is True and check.json()["preview"]["missing"] == 2
    assert (await client.get(f"/stocktakes/{sid}", headers=client.bearer(**STAFF))).json()[
        "status"
    ] == "scanning"

    closed = await client.post(
        f"/stocktakes/{sid}/close", json={"update_statuses": True}, headers=client.bearer(**STAFF)
    )
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["status"] == "closed" and body["statuses_updated"] is True and body["closed_at"]
    assert body["summary"]["missing"] == 2 and body["summary"]["expected"] == 4

    # item statuses followed: the missing ones are missing, the one found again is available
    for barcode, status in (
        ("SO-2", "missing"),
        ("SO-3", "missing"),
        ("SO-4", "available"),
        ("SO-1", "available"),
    ):
        item = await client.get(f"/items/{barcode}", headers=client.bearer(**STAFF))
        assert item.json()["status"] == status, barcode
    updates = [e["payload"]["barcode"] for e in await client.outbox_events("catalog.item.updated")]
    assert {"SO-2", "SO-3", "SO-4"} <= set(updates)

    # the frozen result no longer moves when items change
    after = (await client.get(f"/stocktakes/{sid}", headers=client.bearer(**STAFF))).json()
    assert after["summary"]["missing"] == 2 and after["summary"]["expected"] == 4
    stored = await client.get(
        f"/stocktakes/{sid}/entries", params={"result": "missing"}, headers=client.bearer(**STAFF)
    )
    assert {e["barcode"] for e in stored.json()["items"]} == {"SO-2", "SO-3"}

    # refused now: scanning into a closed session, closing twice — every reason named, with dry runs
    refused = await client.post(
        f"/stocktakes/{sid}/scans", json={"barcode": "SO-3"}, headers=client.bearer(**STAFF)
    )
    assert refused.status_code == 409
    assert [r["code"] for r in refused.json()["error"]["details"]["reasons"]] == ["stocktake_closed"]
    assert refused.json()["error"]["message"].startswith("Sesi SO-")
    dry = await client.post(
        f"/stocktakes/{sid}/scans",
        params={"dry_run": "true"},
        json={"barcode": "SO-3"},
        headers=client.bearer(**STAFF),
    )
    assert dry.json()["allowed"] is False and dry.json()["reasons"][0]["code"] == "stocktake_closed"
    twice = await client.post(f"/stocktakes/{sid}/close", headers=client.bearer(**STAFF))
    assert (
        twice.status_code == 409
        and twice.json()["error"]["details"]["reasons"][0]["code"] == "stocktake_closed"
    )
    batch = await client.post(
        f"/stocktakes/{sid}/scans/batch", content=b"SO-2\n", headers=client.bearer(**STAFF)
    )
    assert batch.status_code == 409

    # the report: a PDF berita acara and the CSV of every barcode
    pdf = await client.get(f"/stocktakes/{sid}/report.pdf", headers=client.bearer(**STAFF))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    report = await client.get(f"/stocktakes/{sid}/report.csv", headers=client.bearer(**STAFF))
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert {r["barcode"]: r["result"] for r in rows} == {
        "SO-1": "found", "SO-4": "found", "SO-5": "misplaced", "KJ-1": "misplaced", "XX-404": "unexpected",
        "SO-2": "missing", "SO-3": "missing",
    }  # fmt: skip
    assert {r["hasil"] for r in rows} == {"ditemukan", "salah tempat", "tidak dikenal", "hilang"}


async def test_batch_files_one_per_line_or_csv(client: ServiceClient) -> None:
    await shelves(client)
    sid = (await open_session(client))["id"]  # the whole branch
    plain = await client.post(
        f"/stocktakes/{sid}/scans/batch",
        files={
            "file": (
                "pindai.txt",
                b"SO-1\r\nSO-2\n\n  SO-5  \nSO-1\nKJ-1\nbad barcode!\nZZ-9\n",
                "text/plain",
            )
        },
        headers=client.bearer(**STAFF),
    )
    assert plain.status_code == 200, plain.text
    report = plain.json()
    assert (report["lines"], report["accepted"], report["repeats"]) == (7, 6, 1)
    assert report["results"] == {"found": 3, "misplaced": 1, "unexpected": 1}
    assert [(r["line"], r["code"]) for r in report["rejected"]] == [(7, "barcode_invalid")]
    # whole branch: SO-5 is found here; expected = SO-1..SO-5 (SO-6 lent, SO-7 withdrawn)
    assert report["summary"]["expected"] == 5 and report["summary"]["missing"] == 2

    table = b"judul;barkode;catatan\nRonggeng;SO-3;rak\nAku;SO-4;\n"
    csv_report = await client.post(
        f"/stocktakes/{sid}/scans/batch",
        content=table,
        headers={**client.bearer(**STAFF), "content-type": "text/csv"},
    )
    assert csv_report.status_code == 200, csv_report.text
    assert csv_report.json()["accepted"] == 2 and csv_report.json()["results"]["found"] == 2
    assert csv_report.json()["summary"]["missing"] == 0

    empty = await client.post(
        f"/stocktakes/{sid}/scans/batch", content=b"\n\n", headers=client.bearer(**STAFF)
    )
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "file_empty"


async def test_opening_refusals_and_who_may_count(client: ServiceClient) -> None:
    await shelves(client)
    first = await open_session(client, location="Rak Sastra")
    again = await client.post(
        "/stocktakes", json={"branch": CIKINI, "location": "Rak Sastra"}, headers=client.bearer(**STAFF)
    )
    assert again.status_code == 409
    reasons = again.json()["error"]["details"]["reasons"]
    assert (
        reasons[0]["code"] == "stocktake_already_running"
        and reasons[0]["details"]["number"] == first["number"]
    )
    # another location of the same branch may be counted at the same time
    assert (
        await client.post(
            "/stocktakes", json={"branch": CIKINI, "location": "Rak Anak"}, headers=client.bearer(**STAFF)
        )
    ).status_code == 201

    # a librarian assigned to Koja may not count Cikini; every reason at once in the dry run
    koja_librarian = client.bearer(**LIBRARIAN, branches=[KOJA])
    dry = await client.post(
        "/stocktakes",
        params={"dry_run": "true"},
        json={"branch": CIKINI, "location": "Rak Sastra"},
        headers=koja_librarian,
    )
    assert dry.status_code == 200
    assert [r["code"] for r in dry.json()["reasons"]] == ["branch_not_assigned", "stocktake_already_running"]
    assert (
        await client.post("/stocktakes", json={"branch": KOJA}, headers=koja_librarian)
    ).status_code == 201
    scan_elsewhere = await client.post(
        f"/stocktakes/{first['id']}/scans", json={"barcode": "SO-1"}, headers=koja_librarian
    )
    assert scan_elsewhere.status_code == 409
    assert scan_elsewhere.json()["error"]["details"]["reasons"][0]["code"] == "branch_not_assigned"

    unknown = await client.post("/stocktakes", json={"branch": "tidak-ada"}, headers=client.bearer(**STAFF))
    assert (
        unknown.status_code == 409
        and unknown.json()["error"]["details"]["reasons"][0]["code"] == "branch_unknown"
    )
    empty_close = await client.post(f"/stocktakes/{first['id']}/close", headers=client.bearer(**STAFF))
    assert empty_close.json()["error"]["details"]["reasons"][0]["code"] == "stocktake_empty"
    bad = await client.post(
        f"/stocktakes/{first['id']}/scans", json={"barcode": "a b"}, headers=client.bearer(**STAFF)
    )
    assert bad.status_code == 422

    assert (await client.get("/stocktakes", headers=client.bearer(**PATRON))).status_code == 403
    assert (await client.get("/stocktakes")).status_code == 401
    listed = await client.get("/stocktakes", params={"branch": CIKINI}, headers=client.bearer(**STAFF))
    assert listed.json()["pagination"]["total_count"] == 2
