"""Registering records: inheritance from the code, overrides with a legal ground, files, links, berkas."""

from __future__ import annotations

import hashlib
from typing import Any

from pusip_kit.testing.service import ServiceClient


async def test_a_record_inherits_retention_and_security_from_its_code(
    client: ServiceClient, archive: Any
) -> None:
    instruments = await archive.instruments()
    record = await archive.record(level="RAHASIA")
    assert record["instrument_set_id"] == instruments["id"]
    assert (record["classification_code"], record["security_level"], record["security_inherited"]) == (
        "000.1.2",
        "RAHASIA",
        True,
    )
    assert (record["active_years"], record["inactive_years"], record["disposition"]) == (1, 1, "MUSNAH")
    assert (record["active_until"], record["inactive_until"]) == ("2016-03-02", "2017-03-02")
    assert record["status"] == "aktif" and record["due_action"] == "pindah"
    event_based = await archive.record(code="000.1.3")
    assert event_based["active_event"] == "setelah tidak berlaku"
    assert event_based["active_until"] is None and event_based["due_action"] == "menunggu_peristiwa"
    updated = await client.patch(
        f"/records/{event_based['id']}", json={"event_date": "2020-01-31"}, headers=archive.archivist
    )
    assert updated.json()["active_until"] == "2022-01-31"
    assert updated.json()["inactive_until"] == "2025-01-31"


async def test_without_active_instruments_registration_is_refused(
    client: ServiceClient, archive: Any
) -> None:
    response = await client.post(
        "/records",
        json={
            "reference_number": "1",
            "title": "Surat",
            "record_date": "2020-01-01",
            "unit": archive.UNIT,
            "classification_code": "000.1.1",
        },
        headers=archive.archivist,
    )
    assert response.status_code == 409
    assert response.json()["error"]["details"]["reasons"][0]["code"] == "refuse_when_no_instruments"


async def test_a_security_override_needs_a_legal_ground_and_a_reason(
    client: ServiceClient, archive: Any
) -> None:
    await archive.instruments()
    body = {
        "reference_number": "X-1",
        "title": "Surat edaran khusus",
        "record_date": "2020-01-01",
        "unit": archive.UNIT,
        "classification_code": "000.1.1",
        "security_level": "RAHASIA",
    }
    refused = await client.post("/records", json=body, headers=archive.archivist)
    assert refused.status_code == 409
    codes = {r["code"] for r in refused.json()["error"]["details"]["reasons"]}
    assert codes == {"refuse_when_override_without_reason", "refuse_when_override_without_legal_ground"}
    unknown = await client.post(
        "/records",
        json={**body, "security_ground": "karena_saya_mau", "security_reason": "Memuat data pribadi pelapor"},
        headers=archive.archivist,
    )
    assert [r["code"] for r in unknown.json()["error"]["details"]["reasons"]] == [
        "refuse_when_override_without_legal_ground"
    ]
    dry = await client.post(
        "/records/check",
        json={**body, "security_ground": "rahasia_pribadi", "security_reason": "Memuat data pribadi pelapor"},
        headers=archive.archivist,
    )
    assert dry.json()["ok"] is True and dry.json()["inherits"]["security_level"] == "BIASA"
    created = await client.post(
        "/records",
        json={**body, "security_ground": "rahasia_pribadi", "security_reason": "Memuat data pribadi pelapor"},
        headers=archive.archivist,
    )
    assert created.status_code == 201
    item = created.json()
    assert (item["security_level"], item["security_inherited"], item["security_ground"]) == (
        "RAHASIA",
        False,
        "rahasia_pribadi",
    )
    # opening it again needs a reason only
    opened = await client.post(
        f"/records/{item['id']}/security",
        json={"security_level": "BIASA", "reason": "Data pribadi telah dihapus dari naskah"},
        headers=archive.archivist,
    )
    assert opened.status_code == 200 and opened.json()["security_inherited"] is True
    grounds = (await client.get("/access-grounds")).json()
    assert len(grounds) == 9 and grounds[7]["code"] == "rahasia_pribadi"


async def test_records_creators_register_only_for_their_unit(client: ServiceClient, archive: Any) -> None:
    await archive.instruments()
    creator = archive.headers(
        roles=["records_creator"], unit=archive.UNIT, category="pengolah", clearance="RAHASIA"
    )
    await archive.record(headers=creator)
    body = {
        "reference_number": "P-1",
        "title": "Surat unit lain",
        "record_date": "2020-01-01",
        "unit": archive.PEER_UNIT,
        "classification_code": "000.1.1",
    }
    response = await client.post("/records", json=body, headers=creator)
    assert response.status_code == 409
    assert response.json()["error"]["details"]["reasons"][0]["code"] == "refuse_when_unit_outside_caller"
    patron = await client.post("/records", json=body, headers=archive.headers(roles=["patron"]))
    assert patron.status_code == 403


async def test_files_are_streamed_hashed_and_typed_by_their_content(
    client: ServiceClient, archive: Any
) -> None:
    await archive.instruments()
    record = await archive.record()
    text = b"Surat edaran tentang jam layanan perpustakaan keliling.\n" * 2000
    response = await archive.upload(record["id"], text, filename="../../etc/surat.pdf")
    assert response.status_code == 201, response.text
    item = response.json()
    assert item["content_type"] == "text/plain"  # sniffed, not taken from the name
    assert item["sha256"] == hashlib.sha256(text).hexdigest() and item["size"] == len(text)
    assert item["filename"] == "surat.pdf" and item["has_text"] is True
    download = await client.get(f"/records/{record['id']}/files/{item['id']}", headers=archive.archivist)
    assert download.status_code == 200 and download.content == text
    assert download.headers["etag"] == f'"{item["sha256"]}"'
    pdf = b"%PDF-1.4\n" + b"0" * 100
    assert (await archive.upload(record["id"], pdf, filename="a.txt")).json()[
        "content_type"
    ] == "application/pdf"
    refused = await archive.upload(record["id"], b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 4)
    assert refused.status_code == 415 and refused.json()["error"]["code"] == "file_type_refused"
    assert (await archive.upload(record["id"], b"")).status_code == 400
    listed = await client.get(f"/records/{record['id']}/files", headers=archive.archivist)
    assert len(listed.json()) == 2


async def test_links_berkas_and_updates(client: ServiceClient, archive: Any) -> None:
    await archive.instruments()
    berkas = await client.post(
        "/berkas",
        json={"number": "B-01", "title": "Surat edaran 2015", "kind": "file", "unit": archive.UNIT},
        headers=archive.archivist,
    )
    assert berkas.status_code == 201
    first = await archive.record(berkas_id=berkas.json()["id"])
    second = await archive.record()
    secret = await archive.record(level="SANGAT_RAHASIA", unit=archive.PEER_UNIT)
    link = await client.post(
        f"/records/{second['id']}/links",
        json={"to_record_id": first["id"], "relation": "membalas"},
        headers=archive.archivist,
    )
    assert link.status_code == 201
    await client.post(
        f"/records/{secret['id']}/links",
        json={"to_record_id": first["id"], "relation": "terkait"},
        headers=archive.archivist,
    )
    processor = archive.headers(
        roles=["records_creator"], unit=archive.UNIT, category="pengolah", clearance="BIASA"
    )
    links = (await client.get(f"/records/{first['id']}/links", headers=processor)).json()
    # the link from the secret record is not shown to someone who may not read it
    assert [(x["relation"], x["direction"], x["other_reference_number"]) for x in links] == [
        ("membalas", "masuk", second["reference_number"])
    ]
    in_berkas = await client.get(f"/berkas/{berkas.json()['id']}/records", headers=archive.archivist)
    assert [r["id"] for r in in_berkas.json()] == [first["id"]]
    moved = await client.patch(
        f"/records/{second['id']}", json={"berkas_id": berkas.json()["id"]}, headers=archive.archivist
    )
    assert moved.status_code == 200
    listed = await client.get(
        "/records", params={"berkas_id": berkas.json()["id"]}, headers=archive.archivist
    )
    assert listed.json()["pagination"]["total_count"] == 2
    events = [e["name"] for e in await client.outbox_events()]
    assert events.count("archive.record.created") == 3 and "archive.record.updated" in events
