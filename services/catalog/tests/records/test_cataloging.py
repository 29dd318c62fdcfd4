"""Cataloguing over HTTP: create, read, edit, delete records from MARC-in-JSON, with validation."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pusip_kit.testing.service import ServiceClient

from ..helpers import CATALOGER, PATRON, create_record, f008, isbn13, marc, run_tasks

ISBN = isbn13("978979419999")


def test_fixed_field_builder_is_forty_long() -> None:
    assert len(f008(1991)) == 40 and len(f008(None, "ne ", "eng")) == 40


async def test_create_read_search_and_events(client: ServiceClient) -> None:
    record = marc(
        "Laskar pelangi : sebuah novel",
        author="Hirata, Andrea",
        isbn=ISBN,
        subjects=["Novel Indonesia"],
        call_number="899.221 3",
        summary="Kisah sepuluh anak Belitung.",
    )
    created = await create_record(client, record)
    assert created["title"] == "Laskar pelangi : sebuah novel"
    assert created["authors"] == ["Hirata, Andrea"]
    assert created["isbns"] == [ISBN]
    assert created["year"] == 2005 and created["language"] == "ind" and created["material_type"] == "book"
    assert created["regional"] is True  # published in Jakarta, Indonesia
    assert created["version"] == 1 and created["source"] == "cataloging"
    tags = [next(iter(f)) for f in created["marc"]["fields"]]
    assert tags[:3] == ["001", "005", "008"]  # a control number and a transaction date were added

    public = await client.get(f"/records/{created['id']}")
    assert public.status_code == 200 and public.headers["etag"] == '"1"'
    assert public.json()["availability"] == []

    events = await client.outbox_events("catalog.record.created")
    assert [e["payload"]["id"] for e in events] == [created["id"]]
    await run_tasks(client)
    found = (await client.get("/search", params={"q": "laskar"})).json()
    assert [h["id"] for h in found["hits"]] == [created["id"]]


def _errors(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    body = response.json()["error"]
    assert body["code"] == "marc_invalid" and "tidak valid" in body["message"]
    return body["details"]["errors"]


async def test_invalid_marc_is_refused_with_field_level_errors(client: ServiceClient) -> None:
    good = marc("Judul yang baik", author="Penulis")
    broken = copy.deepcopy(good)
    broken["leader"] = "00000zzz a2200000 a 450"
    broken["fields"] = [
        {"008": "terlalu pendek"},
        {"100": {"ind1": "1", "ind2": "XX", "subfields": [{"a": "Penulis"}]}},
        {"650": {"ind1": " ", "ind2": "4", "subfields": [{"A": "Kode besar"}, {"b": ""}]}},
        {"5x": {"ind1": " ", "ind2": " ", "subfields": [{"a": "tag buruk"}]}},
        {"500": {"ind1": " ", "ind2": " ", "subfields": [{"a": "pembatas \x1e di dalam"}]}},
        {"110": {"ind1": "2", "ind2": " ", "subfields": [{"a": "Badan"}]}},
    ]
    errors = _errors(await client.post("/records", json=broken, headers=client.bearer(**CATALOGER)))
    codes = {(e["field"], e["code"]) for e in errors}
    assert ("leader", "leader_length") in codes
    assert ("008", "fixed_field_length") in codes
    assert ("100", "indicator_invalid") in codes
    assert ("650", "subfield_code_invalid") in codes and ("650", "subfield_empty") in codes
    assert ("5x", "tag_invalid") in codes
    assert ("500", "delimiter_in_value") in codes
    assert ("245", "field_required") in codes
    assert ("1XX", "field_not_repeatable") in codes
    indexed = {e["field"]: e.get("index") for e in errors}
    assert indexed["650"] == 2
    assert all(e["message"] and e["message_en"] for e in errors)

    leader = copy.deepcopy(good)
    leader["leader"] = "00000naz a2200000 a 4500"
    (error,) = _errors(await client.post("/records", json=leader, headers=client.bearer(**CATALOGER)))
    assert error == {
        "field": "leader",
        "code": "leader_code",
        "position": 7,
        "message": "Leader/07 (tingkat bibliografis) tidak sah: 'z'",
        "message_en": "Leader/07 (bibliographic level) is invalid: 'z'",
    }

    no_a = copy.deepcopy(good)
    no_a["fields"] = [
        f if "245" not in f else {"245": {"ind1": "0", "ind2": "0", "subfields": [{"b": "x"}]}}
        for f in no_a["fields"]
    ]
    assert {
        e["code"]
        for e in _errors(await client.post("/records", json=no_a, headers=client.bearer(**CATALOGER)))
    } == {"subfield_required"}

    for body in ([], {"leader": 5}, {"fields": "x", "leader": good["leader"]}, {**good, "extra": 1}):
        _errors(await client.post("/records", json=body, headers=client.bearer(**CATALOGER)))
    assert await client.outbox_events() == []


async def test_malformed_json_oversize_and_roles(client: ServiceClient) -> None:
    headers = {**client.bearer(**CATALOGER), "Content-Type": "application/json"}
    response = await client.post("/records", content=b'{"leader": ', headers=headers)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_json"
    huge = b'{"leader": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = await client.post("/records", content=huge, headers=headers)
    assert response.status_code == 413 and response.json()["error"]["message_en"]
    record = marc("Judul")
    assert (await client.post("/records", json=record)).status_code == 401
    assert (await client.post("/records", json=record, headers=client.bearer(**PATRON))).status_code == 403
    assert (
        await client.post(
            "/records", json=record, params={"source": "import"}, headers=client.bearer(**CATALOGER)
        )
    ).status_code == 422


async def test_duplicates_versions_and_deletion(client: ServiceClient) -> None:
    first = await create_record(
        client, marc("Bumi manusia", author="Toer, Pramoedya Ananta", isbn=ISBN, year=1980)
    )
    again = await client.post(
        "/records", json=marc("Bumi manusia (cetak ulang)", isbn=ISBN), headers=client.bearer(**CATALOGER)
    )
    assert again.status_code == 409
    assert again.json()["error"]["details"]["existing_id"] == first["id"]
    second = await create_record(
        client, marc("Bumi manusia (cetak ulang)", isbn=ISBN), allow_duplicate="true"
    )

    url = f"/records/{first['id']}"
    edited = marc("Bumi manusia : roman", author="Toer, Pramoedya Ananta", isbn=ISBN, year=1980)
    stale = await client.put(url, json=edited, headers={**client.bearer(**CATALOGER), "If-Match": '"7"'})
    assert stale.status_code == 412 and stale.json()["error"]["details"] == {"current_version": 1}
    ok = await client.put(url, json=edited, headers={**client.bearer(**CATALOGER), "If-Match": '"1"'})
    assert ok.status_code == 200, ok.text
    assert ok.json()["version"] == 2 and ok.json()["title"] == "Bumi manusia : roman"
    assert ok.json()["marc"]["fields"][0] == {
        "001": first["marc"]["fields"][0]["001"]
    }  # the control number stays
    assert (
        await client.put(url, json={"leader": "x"}, headers=client.bearer(**CATALOGER))
    ).status_code == 422

    item = await client.post(
        "/items",
        json={"barcode": "B0001", "record_id": first["id"], "branch": "pusat"},
        headers=client.bearer(**CATALOGER),
    )
    assert item.status_code == 422 and item.json()["error"]["code"] == "branch_unknown"

    gone = await client.delete(url, headers=client.bearer(**CATALOGER))
    assert gone.status_code == 204
    assert (await client.get(url)).status_code == 410
    assert (await client.get(url)).json()["error"]["code"] == "record_deleted"
    assert (await client.delete(url, headers=client.bearer(**CATALOGER))).status_code == 410
    assert (await client.get("/records/00000000-0000-0000-0000-000000000000")).status_code == 404
    assert (await client.get("/records/not-a-uuid")).status_code == 422
    kinds = [e["name"] for e in await client.outbox_events()]
    assert kinds.count("catalog.record.deleted") == 1 and kinds.count("catalog.record.updated") == 1
    # the deleted record no longer matches: only the live one does
    again = await client.post(
        "/records", json=marc("Bumi manusia (edisi baru)", isbn=ISBN), headers=client.bearer(**CATALOGER)
    )
    assert again.json()["error"]["details"]["existing_id"] == second["id"]


@pytest.mark.parametrize("roles", [["patron"], []])
async def test_staff_listing_needs_a_staff_role(client: ServiceClient, roles: list[str]) -> None:
    assert (await client.get("/records", headers=client.bearer(roles=roles))).status_code == 403
