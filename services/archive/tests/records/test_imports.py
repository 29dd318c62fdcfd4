"""SRIKANDI-style exports (JSON and CSV): every row answered on its own, nothing guessed."""

from __future__ import annotations

import json
from typing import Any

from archive.worker import make_worker
from pusip_kit.testing.service import ServiceClient

EXPORT = {
    "naskah": [
        {
            "Nomor_Naskah": "800/01/2019",
            "Tanggal_Naskah": "05-02-2019",
            "Hal": "Undangan rapat koordinasi",
            "Kode_Klasifikasi": "000.1.1",
            "Sifat": "Biasa",
            "Isi_Ringkas": "Rapat koordinasi layanan",
        },
        {
            "nomor": "800/02/2019",
            "tanggal": "2019/02/06",
            "perihal": "Pengaduan pegawai",
            "kode": "000.1.2",
            "sifat": "Rahasia",
        },
        {
            "nomor": "800/03/2019",
            "tanggal": "2019-02-07",
            "perihal": "Edaran dibuat rahasia",
            "kode": "000.1.1",
            "sifat": "Rahasia",
        },
        {
            "nomor": "800/04/2019",
            "tanggal": "2019-02-08",
            "perihal": "Edaran dibuat rahasia dengan dasar",
            "kode": "000.1.1",
            "sifat": "Rahasia",
            "dasar_hukum": "rahasia_pribadi",
            "alasan": "Memuat data pribadi penerima",
        },
        {"nomor": "800/05/2019", "tanggal": "31-31-2019", "perihal": "Tanggal rusak", "kode": "000.1.1"},
        {
            "nomor": "800/06/2019",
            "tanggal": "2019-02-09",
            "perihal": "Sifat aneh",
            "kode": "000.1.1",
            "sifat": "Super Rahasia",
        },
        {"tanggal": "2019-02-10", "perihal": "Tanpa nomor", "kode": "000.1.1"},
        "bukan objek",
        {"nomor": "800/01/2019", "tanggal": "2019-02-05", "perihal": "Ganda", "kode": "000.1.1"},
    ]
}


async def test_a_json_export_is_answered_row_by_row(client: ServiceClient, archive: Any) -> None:
    await archive.instruments()
    creator = archive.headers(
        roles=["records_creator"], unit=archive.UNIT, category="pengolah", clearance="RAHASIA"
    )
    data = json.dumps(EXPORT).encode()
    dry = await client.post(
        "/records/import",
        params={"dry_run": "true"},
        files={"file": ("srikandi.json", data, "application/json")},
        headers=creator,
    )
    assert dry.status_code == 200, dry.text
    assert [r["status"] for r in dry.json()["rows"]] == [
        "valid",
        "valid",
        "error",
        "valid",
        "error",
        "error",
        "error",
        "error",
        "valid",
    ]
    assert (await client.get("/records", headers=archive.archivist)).json()["pagination"]["total_count"] == 0

    result = (
        await client.post(
            "/records/import", files={"file": ("srikandi.json", data, "application/json")}, headers=creator
        )
    ).json()
    statuses = [r["status"] for r in result["rows"]]
    assert statuses == [
        "created",
        "created",
        "error",
        "created",
        "error",
        "error",
        "error",
        "error",
        "exists",
    ]
    assert (result["created"], result["exists"], result["errors"]) == (3, 1, 5)
    reasons = {r["row"]: [x["code"] for x in r["reasons"]] for r in result["rows"] if r["reasons"]}
    assert reasons[3] == ["refuse_when_override_without_reason", "refuse_when_override_without_legal_ground"]
    assert reasons[5] == ["date_invalid"] and reasons[6] == ["security_level_invalid"]
    assert reasons[7] == ["field_missing"] and reasons[8] == ["row_not_object"]
    first = (await client.get(f"/records/{result['rows'][0]['record_id']}", headers=creator)).json()
    assert (first["unit"], first["record_date"], first["source"], first["description"]) == (
        archive.UNIT,
        "2019-02-05",
        "srikandi",
        "Rapat koordinasi layanan",
    )
    fourth = (await client.get(f"/records/{result['rows'][3]['record_id']}", headers=creator)).json()
    assert (fourth["security_level"], fourth["security_ground"]) == ("RAHASIA", "rahasia_pribadi")


async def test_a_csv_export_with_semicolons(client: ServiceClient, archive: Any) -> None:
    await archive.instruments()
    await client.post(
        "/berkas",
        json={"number": "BK-7", "title": "Undangan 2019", "unit": archive.UNIT},
        headers=archive.archivist,
    )
    text = (
        "\ufeffnomor;tanggal;perihal;unit;kode_klasifikasi;sifat;berkas\n"
        f"900/1/2019;01/03/2019;Undangan rapat;{archive.UNIT};000.1.1;Biasa;BK-7\n"
        f"900/2/2019;02/03/2019;Berkas tidak ada;{archive.UNIT};000.1.1;Biasa;BK-404\n"
        f"900/3/2019;03/03/2019;Unit orang lain;dinkes;000.1.1;Biasa;\n"
    )
    result = (
        await client.post(
            "/records/import",
            files={"file": ("ekspor.csv", text.encode(), "text/csv")},
            headers=archive.archivist,
        )
    ).json()
    assert [(r["row"], r["status"]) for r in result["rows"]] == [(2, "created"), (3, "error"), (4, "error")]
    assert result["rows"][1]["reasons"][0]["code"] == "berkas_unknown"
    assert result["rows"][2]["reasons"][0]["code"] == "refuse_when_unit_outside_caller"
    bad = await client.post(
        "/records/import", files={"file": ("x.xml", b"<a/>", "text/xml")}, headers=archive.archivist
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "import_unreadable"


def test_the_worker_schedules_the_daily_jobs(client: ServiceClient) -> None:
    app = make_worker(client.settings)  # type: ignore[arg-type]
    schedule = app.conf.beat_schedule
    for task in (
        "archive.lifecycle.daily",
        "archive.fixity.run",
        "archive.webhooks.sweep",
        "archive.outbox.relay",
    ):
        assert task in schedule and task in app.tasks, task
    for task in ("archive.search.index", "archive.disposal.purge", "archive.webhooks.deliver"):
        assert task in app.tasks
