"""Retention arithmetic, the daily job, transfers, hand-over and the opening of static archives."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from archive.lifecycle.due import run_daily
from archive.lifecycle.retention import add_years, due_action, schedule_dates
from pusip_kit.testing.service import ServiceClient


def scheduled(**values: Any) -> Any:
    base = {
        "record_date": date(2020, 2, 29),
        "event_date": None,
        "active_years": 2,
        "active_event": None,
        "inactive_years": 3,
        "inactive_event": None,
        "disposition": "MUSNAH",
        "status": "aktif",
    }
    return SimpleNamespace(**{**base, **values})


def test_retention_arithmetic() -> None:
    assert add_years(date(2020, 2, 29), 1) == date(2021, 2, 28)
    dates = schedule_dates(scheduled())
    assert (dates.active_until, dates.inactive_until, dates.waiting_event) == (
        date(2022, 2, 28),
        date(2025, 2, 28),
        False,
    )
    assert due_action(scheduled(), date(2022, 2, 27)) is None
    assert due_action(scheduled(), date(2022, 2, 28)) == "pindah"
    assert due_action(scheduled(status="inaktif"), date(2025, 3, 1)) == "musnah"
    assert due_action(scheduled(status="inaktif", disposition="PERMANEN"), date(2025, 3, 1)) == "serah"
    assert due_action(scheduled(status="inaktif", disposition=None), date(2025, 3, 1)) == "nilai_kembali"
    waiting = scheduled(active_event="setelah tidak berlaku")
    assert due_action(waiting, date(2030, 1, 1)) == "menunggu_peristiwa"
    counted = scheduled(active_event="setelah tidak berlaku", event_date=date(2024, 1, 1))
    assert schedule_dates(counted).inactive_until == date(2029, 1, 1)
    own_event = scheduled(
        inactive_event="setelah pegawai pensiun", event_date=date(2040, 5, 1), status="inaktif"
    )
    assert schedule_dates(own_event).inactive_until == date(2043, 5, 1)
    assert due_action(scheduled(active_years=None, inactive_years=None), date(2099, 1, 1)) is None


async def test_the_daily_job_marks_what_is_due(client: ServiceClient, archive: Any) -> None:
    await archive.instruments()
    recent = await archive.record(record_date=date(2025, 6, 1))
    assert recent["due_action"] is None and recent["active_until"] == "2027-06-01"
    counts = await run_daily(client.sessionmaker, today=date(2027, 6, 1))
    assert counts == {"checked": 1, "changed": 1, "opened": 0}
    after = (await client.get(f"/records/{recent['id']}", headers=archive.archivist)).json()
    assert after["due_action"] == "pindah" and after["due_since"] == "2027-06-01"
    assert (await run_daily(client.sessionmaker, today=date(2027, 6, 1)))["changed"] == 0
    assert (await client.post("/lifecycle/run", headers=archive.archivist)).status_code == 403
    assert (await client.post("/lifecycle/run", headers=archive.admin)).json()["checked"] == 1


async def test_transfer_then_hand_over_then_the_static_archive_opens_to_the_public(
    client: ServiceClient, archive: Any
) -> None:
    await archive.instruments()
    permanent = await archive.record(
        code="000.1.6", title="Berkas perkara tanah Kebon Sirih", record_date=date(2000, 5, 5)
    )
    young = await archive.record(record_date=date(2026, 1, 5))
    refused = await client.post("/transfers", json={"record_ids": [young["id"]]}, headers=archive.archivist)
    assert [r["code"] for r in refused.json()["error"]["details"]["reasons"]] == [
        "refuse_when_active_retention_not_expired"
    ]
    mixed = await archive.record(unit=archive.PEER_UNIT)
    refused = await client.post(
        "/transfers", json={"record_ids": [permanent["id"], mixed["id"]]}, headers=archive.archivist
    )
    assert "refuse_when_mixed_units" in [r["code"] for r in refused.json()["error"]["details"]["reasons"]]

    not_yet = await client.post(
        "/handovers", json={"record_ids": [permanent["id"]]}, headers=archive.archivist
    )
    assert [r["code"] for r in not_yet.json()["error"]["details"]["reasons"]] == ["refuse_when_not_inactive"]
    transfer = await archive.transfer([permanent["id"]])
    assert transfer["status"] == "selesai" and transfer["destination"] == "dispusip/pusat-arsip"
    pdf = await client.get(f"/documents/{transfer['documents'][0]['id']}", headers=archive.archivist)
    assert pdf.content.startswith(b"%PDF")
    again = await client.post(
        f"/transfers/{transfer['id']}/execute",
        json={
            "signatories": [{"role": "Pihak A", "name": "Nama Satu"}, {"role": "Pihak B", "name": "Nama Dua"}]
        },
        headers=archive.archivist,
    )
    assert again.status_code == 409
    destroy = await client.post(
        "/disposals/check", json={"record_ids": [permanent["id"]]}, headers=archive.archivist
    )
    assert [r["code"] for r in destroy.json()[0]["reasons"]] == ["refuse_when_disposition_not_musnah"]

    handover = await client.post(
        "/handovers", json={"record_ids": [permanent["id"]]}, headers=archive.archivist
    )
    assert handover.status_code == 201, handover.text
    done = await client.post(
        f"/handovers/{handover.json()['id']}/execute",
        json={
            "signatories": [
                {"role": "Yang menyerahkan", "name": "Kepala Pusat Arsip"},
                {"role": "Yang menerima", "name": "Kepala Depo Statis"},
            ]
        },
        headers=archive.archivist,
    )
    assert done.status_code == 200
    assert {d["kind"] for d in done.json()["documents"]} == {"berita_acara_penyerahan", "daftar_arsip_serah"}
    static = (await client.get(f"/records/{permanent['id']}", headers=archive.archivist)).json()
    assert (
        static["status"] == "statis"
        and static["opens_on"] == "2025-05-05"
        and static["security_level"] == "RAHASIA"
    )
    await archive.run_tasks()
    assert (await client.get(f"/public/records/{permanent['id']}")).status_code == 404
    counts = await run_daily(client.sessionmaker, today=date(2026, 7, 1))
    assert counts["opened"] == 1
    await archive.run_tasks()
    opened = (await client.get(f"/public/records/{permanent['id']}")).json()
    assert opened["kind"] == "statis"
    found = (await client.get("/public/records", params={"q": "tanah", "kind": "statis"})).json()
    assert [r["id"] for r in found["items"]] == [permanent["id"]]
    audit = (
        await client.get(
            "/audit", params={"record_id": permanent["id"], "action": "open_static"}, headers=archive.admin
        )
    ).json()
    assert audit["items"][0]["details"]["before"] == "RAHASIA"
