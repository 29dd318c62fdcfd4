"""Bulk submission by agency systems: unit from the token, per-item results, idempotency keys."""

from __future__ import annotations

import asyncio
from typing import Any

from pusip_kit.testing.service import ServiceClient


def agency(archive: Any, client_id: str = "sim-dinkes", unit: str = "dinkes") -> dict[str, str]:
    return archive.headers(
        roles=["agency_system"],
        unit=unit,
        category="pengolah",
        clearance="RAHASIA",
        client_id=client_id,
        sub=f"service-account-{client_id}",
    )


ITEMS = [
    {
        "nomor": "445/001/2015",
        "tanggal": "02-03-2015",
        "perihal": "Laporan kunjungan puskesmas",
        "kode_klasifikasi": "000.1.1",
        "sifat": "Biasa",
    },
    {
        "nomor": "445/002/2015",
        "tanggal": "2015-03-03",
        "perihal": "Pengaduan layanan",
        "kode_klasifikasi": "000.1.2",
        "unit": "dinkes/puskesmas-gambir",
        "sifat": "Rahasia",
    },
    {"nomor": "445/003/2015", "tanggal": "2015-03-04", "perihal": "Salah kode", "kode_klasifikasi": "999.9"},
    {
        "nomor": "445/004/2015",
        "tanggal": "2015-03-05",
        "perihal": "Unit lain",
        "kode_klasifikasi": "000.1.1",
        "unit": "dispusip",
    },
]


async def count(client: ServiceClient, archive: Any) -> int:
    listed = await client.get("/records", params={"unit": "dinkes"}, headers=archive.admin)
    return int(listed.json()["pagination"]["total_count"])


async def test_a_retried_submission_returns_the_stored_response_and_never_duplicates(
    client: ServiceClient, archive: Any
) -> None:
    await archive.instruments()
    headers = {**agency(archive), "Idempotency-Key": "kirim-2015-03"}
    first = await client.post("/agency/submissions", json={"items": ITEMS}, headers=headers)
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["unit"], body["client"]) == ("dinkes", "client:sim-dinkes")
    assert [r["status"] for r in body["rows"]] == ["created", "created", "error", "error"]
    assert body["rows"][2]["reasons"][0]["code"] == "refuse_when_code_unknown"
    assert body["rows"][3]["reasons"][0]["code"] == "refuse_when_unit_outside_caller"
    assert await count(client, archive) == 2
    created = (await client.get(f"/records/{body['rows'][1]['record_id']}", headers=archive.admin)).json()
    assert (created["unit"], created["source"], created["security_level"]) == (
        "dinkes/puskesmas-gambir",
        "agency",
        "RAHASIA",
    )

    again = await client.post("/agency/submissions", json={"items": ITEMS}, headers=headers)
    assert again.status_code == 201 and again.json() == body
    assert again.headers["idempotent-replayed"] == "true"
    assert await count(client, archive) == 2

    changed = await client.post("/agency/submissions", json={"items": ITEMS[:1]}, headers=headers)
    assert changed.status_code == 422 and changed.json()["error"]["code"] == "idempotency_key_reused"

    # a new key for the same records: nothing is created twice, each row says it exists
    fresh = await client.post(
        "/agency/submissions",
        json={"items": ITEMS[:2]},
        headers={**agency(archive), "Idempotency-Key": "kirim-ulang"},
    )
    assert fresh.status_code == 200 and [r["status"] for r in fresh.json()["rows"]] == ["exists", "exists"]
    # keys belong to their client
    other = await client.post(
        "/agency/submissions",
        json={"items": ITEMS[:1]},
        headers={**agency(archive, "sim-dinsos", "dinsos"), "Idempotency-Key": "kirim-2015-03"},
    )
    assert other.status_code == 201 and other.json()["rows"][0]["status"] == "created"
    assert other.json()["unit"] == "dinsos"
    assert await count(client, archive) == 2


async def test_concurrent_retries_with_one_key_create_once(client: ServiceClient, archive: Any) -> None:
    await archive.instruments()
    headers = {**agency(archive), "Idempotency-Key": "serentak-1"}
    items = [{**ITEMS[0], "nomor": f"445/1{i:02d}/2015"} for i in range(5)]
    responses = await asyncio.gather(
        *(client.post("/agency/submissions", json={"items": items}, headers=headers) for _ in range(4))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}, [r.text for r in responses]
    assert await count(client, archive) == 5
    replay = await client.post("/agency/submissions", json={"items": items}, headers=headers)
    assert replay.headers.get("idempotent-replayed") == "true"


async def test_submissions_need_a_key_the_role_and_a_unit(client: ServiceClient, archive: Any) -> None:
    await archive.instruments()
    body = {"items": ITEMS[:1]}
    assert (await client.post("/agency/submissions", json=body, headers=agency(archive))).status_code == 422
    patron = {**archive.headers(roles=["patron"]), "Idempotency-Key": "x"}
    assert (await client.post("/agency/submissions", json=body, headers=patron)).status_code == 403
    no_unit = {**agency(archive, unit=None), "Idempotency-Key": "x"}  # type: ignore[arg-type]
    assert (await client.post("/agency/submissions", json=body, headers=no_unit)).status_code == 403
