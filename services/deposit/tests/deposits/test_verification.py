"""Verification by a deposit officer: queue, accept / request fixes / reject, history, the accepted event."""

from __future__ import annotations

import json
from typing import Any

from pusip_kit.testing.service import ServiceClient

from ..helpers import (
    CATALOGER,
    OFFICER,
    OFFICER_2,
    PUBLISHER,
    create_depositor,
    metadata,
    publish_pending,
    seed_article_pdf,
    submit_pdf,
)


async def decide(client: ServiceClient, deposit_id: str, action: str, body: Any = None, **params: Any) -> Any:
    return await client.post(
        f"/deposits/{deposit_id}/{action}", json=body, params=params, headers=client.bearer(**OFFICER)
    )


async def test_accepting_a_digital_deposit_extracts_text_then_emits_the_event(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    deposit = await submit_pdf(client, depositor["id"], issn="2963-9794")

    queue = await client.get("/deposits/queue", headers=client.bearer(**OFFICER))
    assert [d["id"] for d in queue.json()["items"]] == [deposit["id"]]
    assert (await client.get("/deposits/queue", headers=client.bearer(**PUBLISHER))).status_code == 403

    check = await decide(client, deposit["id"], "accept", dry_run="true")
    assert check.json() == {"deposit_id": deposit["id"], "action": "accept", "allowed": True, "reasons": []}
    assert (await client.get(f"/deposits/{deposit['id']}", headers=client.bearer(**OFFICER))).json()[
        "status"
    ] == ("submitted")

    accepted = await decide(client, deposit["id"], "accept", {"note": "lengkap"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["decided_by"] == OFFICER["username"]
    # the event waits for the text
    assert await client.outbox_events("deposit.deposit.accepted") == []
    assert await publish_pending(client) == [deposit["id"]]
    assert await publish_pending(client) == []  # nothing left, and a rerun would publish nothing twice

    [event] = await client.outbox_events("deposit.deposit.accepted")
    payload = event["payload"]
    assert event["key"] == deposit["id"]
    assert payload["deposit_id"] == deposit["id"]
    assert payload["depositor"] == {
        "id": depositor["id"],
        "name": depositor["name"],
        "type": "penerbit",
        "city": "Jakarta Selatan",
        "province": "DKI Jakarta",
    }
    assert payload["kind"] == "karya_digital"
    assert payload["issn"] == "2963-9794"
    assert payload["language"] == "ind"
    assert payload["year"] == 2024
    assert payload["copies"] == 0
    [file] = payload["files"]
    assert file["bucket"] == "deposit-files"
    assert file["object_key"] == f"files/{deposit['id']}/{file['file_id']}"
    assert file["content_type"] == "application/pdf"
    assert file["text_status"] == "extracted"
    assert file["text_object_key"] == f"text/{deposit['id']}/{file['file_id']}.txt"
    assert file["pages"] >= 5
    text = (await client.app.state.deposit_stores.files.read_bytes(file["text_object_key"])).decode()
    assert "pengrajin rajut" in text.lower()
    assert file["text_chars"] == len(text)

    # the catalog's indexer reads the text over HTTP (and the read is logged)
    fetched = await client.get(file["text_path"], headers=client.bearer(**CATALOGER))
    assert fetched.status_code == 200
    assert fetched.text == text

    # the obligation is fulfilled (created from the deposit: the title was never declared)
    obligation = await client.get(
        f"/obligations/{payload['obligation_id']}", headers=client.bearer(**PUBLISHER)
    )
    assert obligation.json()["status"] == "fulfilled"
    assert obligation.json()["source"] == "deposit"
    assert obligation.json()["copies_accepted"] == 1

    history = await client.get(f"/deposits/{deposit['id']}/history", headers=client.bearer(**PUBLISHER))
    assert [h["action"] for h in history.json()["items"]] == ["accepted", "received"]


async def test_fixes_requested_then_corrected_and_resubmitted(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    deposit = await submit_pdf(client, depositor["id"], title="Judul Salah Ketik")
    missing = await decide(client, deposit["id"], "request-fixes", {"reasons": []})
    assert missing.status_code == 422
    fixes = await decide(
        client,
        deposit["id"],
        "request-fixes",
        {"reasons": ["Judul tidak sesuai halaman judul", "ISSN belum diisi"]},
    )
    assert fixes.status_code == 200
    assert fixes.json()["status"] == "fixes_requested"
    assert fixes.json()["decision_reasons"] == ["Judul tidak sesuai halaman judul", "ISSN belum diisi"]
    [event] = await client.outbox_events("deposit.deposit.fixes_requested")
    assert event["payload"]["reasons"][1] == "ISSN belum diisi"

    again = await decide(client, deposit["id"], "accept")
    assert again.status_code == 409
    assert [r["code"] for r in again.json()["error"]["details"]["reasons"]] == [
        "refuse_when_deposit_not_submitted"
    ]

    bad = await client.patch(
        f"/deposits/{deposit['id']}", json={"issn": "2963-9795"}, headers=client.bearer(**PUBLISHER)
    )
    assert bad.status_code == 422
    fixed = await client.patch(
        f"/deposits/{deposit['id']}",
        json={"title": "Judul yang Benar", "issn": "2963-9794"},
        headers=client.bearer(**PUBLISHER),
    )
    assert fixed.status_code == 200, fixed.text
    assert (fixed.json()["title"], fixed.json()["issn"]) == ("Judul yang Benar", "2963-9794")
    # the receipt keeps what was received
    assert deposit["receipt_number"] == fixed.json()["receipt_number"]

    resubmitted = await client.post(f"/deposits/{deposit['id']}/resubmit", headers=client.bearer(**PUBLISHER))
    assert resubmitted.json()["status"] == "submitted"
    not_now = await client.patch(
        f"/deposits/{deposit['id']}", json={"title": "X"}, headers=client.bearer(**PUBLISHER)
    )
    assert not_now.status_code == 409
    assert not_now.json()["error"]["details"]["reasons"][0]["code"] == "refuse_when_not_fixing"

    rejected = await decide(client, deposit["id"], "reject", {"reasons": ["Bukan terbitan penerbit ini"]})
    assert rejected.json()["status"] == "rejected"
    history = await client.get(f"/deposits/{deposit['id']}/history", headers=client.bearer(**OFFICER))
    assert [h["action"] for h in history.json()["items"]] == [
        "rejected",
        "resubmitted",
        "metadata_fixed",
        "fixes_requested",
        "received",
    ]
    assert await client.outbox_events("deposit.deposit.accepted") == []


async def test_an_officer_may_not_verify_their_own_submission(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    response = await client.post(
        "/deposits/digital",
        params={"filename": "a.pdf", "metadata": json.dumps(_meta(depositor["id"]))},
        content=seed_article_pdf(1),
        headers={**client.bearer(**OFFICER), "Content-Type": "application/pdf"},
    )
    assert response.status_code == 201, response.text
    deposit = response.json()
    check = await decide(client, deposit["id"], "accept", dry_run="true")
    assert check.json()["allowed"] is False
    assert [r["code"] for r in check.json()["reasons"]] == ["refuse_when_deciding_own_deposit"]
    other = await client.post(f"/deposits/{deposit['id']}/accept", headers=client.bearer(**OFFICER_2))
    assert other.status_code == 200


def _meta(depositor_id: str) -> dict[str, Any]:
    return metadata(depositor_id, title="Pengelolaan Tanocraft", year=2020, published_on="2020-12-01")


async def test_printed_copies_declared_online_received_at_the_counter_and_accepted(
    client: ServiceClient,
) -> None:
    depositor = await create_depositor(client, isbn_prefixes=["978-623-7654"])
    declared_title = await client.post(
        "/obligations",
        json={
            "depositor_id": depositor["id"],
            "kind": "karya_cetak",
            "title": "Buku Cetak Uji",
            "isbn": "978-623-7654-00-1",
            "published_on": "2026-01-10",
        },
        headers=client.bearer(**PUBLISHER),
    )
    assert declared_title.status_code == 201, declared_title.text
    body = {
        "depositor_id": depositor["id"],
        "kind": "karya_cetak",
        "title": "Buku Cetak Uji",
        "creators": ["Penulis Uji"],
        "isbn": "9786237654001",
        "year": 2026,
        "language": "ind",
        "pages": 240,
        "publisher": depositor["name"],
        "copies": 2,
    }
    declared = await client.post("/deposits/printed", json=body, headers=client.bearer(**PUBLISHER))
    assert declared.status_code == 201, declared.text
    deposit = declared.json()
    assert (deposit["status"], deposit["receipt_number"], deposit["receipt_url"]) == (
        "awaiting_copies",
        None,
        None,
    )
    assert deposit["obligation_id"] == declared_title.json()["id"]
    no_receipt = await client.get(f"/deposits/{deposit['id']}/receipt", headers=client.bearer(**PUBLISHER))
    assert no_receipt.json()["error"]["code"] == "receipt_not_issued"
    assert (await decide(client, deposit["id"], "accept")).status_code == 409

    check = await client.post(
        "/counter/intake",
        json={"deposit_id": deposit["id"], "copies_received": 2},
        params={"dry_run": "true"},
        headers=client.bearer(**OFFICER),
    )
    assert check.json()["allowed"] is True
    intake = await client.post(
        "/counter/intake",
        json={"deposit_id": deposit["id"], "copies_received": 2},
        headers=client.bearer(**OFFICER),
    )
    assert intake.status_code == 200, intake.text
    received = intake.json()
    assert received["status"] == "submitted"
    assert received["copies_received"] == 2
    assert received["received_by"] == OFFICER["username"]
    assert received["receipt_number"].endswith("/000001")
    twice = await client.post(
        "/counter/intake",
        json={"deposit_id": deposit["id"], "copies_received": 1},
        headers=client.bearer(**OFFICER),
    )
    assert twice.json()["error"]["details"]["reasons"][0]["code"] == "refuse_when_not_awaiting_copies"

    accepted = await client.post(f"/deposits/{deposit['id']}/accept", headers=client.bearer(**OFFICER_2))
    assert accepted.status_code == 200
    [event] = await client.outbox_events("deposit.deposit.accepted")  # printed: published at once
    assert event["payload"]["copies"] == 2
    assert event["payload"]["isbn"] == "9786237654001"
    assert event["payload"]["files"] == []
    obligation = await client.get(
        f"/obligations/{declared_title.json()['id']}", headers=client.bearer(**PUBLISHER)
    )
    assert obligation.json()["status"] == "fulfilled"
    assert obligation.json()["copies_accepted"] == 2


async def test_walk_in_at_the_counter(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    walk_in = {
        "depositor_id": depositor["id"],
        "kind": "karya_rekam",
        "title": "Lagu-Lagu Betawi (CD)",
        "creators": ["Orkes Uji"],
        "year": 2025,
        "language": "map",
        "duration_minutes": 48,
        "publisher": depositor["name"],
        "copies": 1,
    }
    response = await client.post(
        "/counter/intake", json={"deposit": walk_in, "copies_received": 1}, headers=client.bearer(**OFFICER)
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "submitted"
    assert response.json()["channel"] == "printed"
    publisher_cannot = await client.post(
        "/counter/intake", json={"deposit": walk_in, "copies_received": 1}, headers=client.bearer(**PUBLISHER)
    )
    assert publisher_cannot.status_code == 403
