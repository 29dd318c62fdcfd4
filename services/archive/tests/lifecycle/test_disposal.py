"""Destruction: the guard's named refusals, and a due destruction run end to end with its berita acara."""

from __future__ import annotations

from datetime import date
from typing import Any

from pusip_kit.testing.service import ServiceClient


def reasons_by_record(results: list[dict[str, Any]]) -> dict[str, set[str]]:
    return {r["record_id"]: {x["code"] for x in r["reasons"]} for r in results}


async def test_a_due_destruction_runs_end_to_end_with_its_berita_acara(
    client: ServiceClient, archive: Any
) -> None:
    await archive.instruments()
    records = [
        await archive.record(level="BIASA"),  # 2 + 3 years
        await archive.record(level="RAHASIA"),  # 1 + 1
        await archive.record(code="000.1.4"),  # 5 + 5: ten years needs the higher approval
    ]
    ids = [r["id"] for r in records]
    files = []
    for record in records:
        uploaded = await archive.upload(
            record["id"], f"Isi arsip {record['reference_number']}\n".encode() * 50
        )
        files.append(uploaded.json()["id"])
    transfer = await archive.transfer(ids)
    assert {d["kind"] for d in transfer["documents"]} == {"berita_acara_pemindahan", "daftar_arsip_pindah"}
    due = (await client.get("/lifecycle/due", headers=archive.archivist)).json()
    assert due["by_action"] == {"musnah": 3}
    listed = await client.get("/records", params={"due_action": "musnah"}, headers=archive.archivist)
    assert listed.json()["pagination"]["total_count"] == 3
    checked = (
        await client.post("/disposals/check", json={"record_ids": ids}, headers=archive.archivist)
    ).json()
    assert all(r["ok"] for r in checked)

    proposal = await archive.decreed_disposal(ids)
    assert proposal["requires_higher_approval"] is True
    assert [a["level"] for a in proposal["approvals"]] == ["kepala_dinas", "atasan"]
    pid = proposal["id"]
    one_witness = {**archive.EXECUTION, "witnesses": archive.WITNESSES[:1]}
    refused = await client.post(f"/disposals/{pid}/execute", json=one_witness, headers=archive.archivist)
    assert refused.status_code == 409
    assert [r["code"] for r in refused.json()["error"]["details"]["reasons"]] == [
        "refuse_when_too_few_witnesses"
    ]
    dry = await client.post(
        f"/disposals/{pid}/execute",
        params={"dry_run": "true"},
        json=archive.EXECUTION,
        headers=archive.archivist,
    )
    assert dry.status_code == 200 and dry.json()["status"] == "ditetapkan"

    done = await client.post(f"/disposals/{pid}/execute", json=archive.EXECUTION, headers=archive.archivist)
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "dimusnahkan" and len(body["witnesses"]) == 2
    assert {d["kind"] for d in body["documents"]} == {"berita_acara_pemusnahan", "daftar_arsip_musnah"}
    for document in body["documents"]:
        pdf = await client.get(f"/documents/{document['id']}", headers=archive.archivist)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    for record in records:
        after = (await client.get(f"/records/{record['id']}", headers=archive.archivist)).json()
        assert after["status"] == "musnah" and after["destroyed_at"]
    # the files go only after the commit, by the outbox task
    assert archive.runtime.files is not None
    for record, file_id in zip(records, files, strict=True):
        assert (
            await client.get(f"/records/{record['id']}/files/{file_id}", headers=archive.archivist)
        ).status_code == 200
    ran = dict(await archive.run_tasks())
    assert ran["archive.disposal.purge"] == {"purged": 3, "skipped": 0}
    for record, file_id in zip(records, files, strict=True):
        gone = await client.get(f"/records/{record['id']}/files/{file_id}", headers=archive.archivist)
        assert gone.status_code == 404 and gone.json()["error"]["code"] == "file_not_found"
    for document in body["documents"]:  # kept permanently
        assert (
            await client.get(f"/documents/{document['id']}", headers=archive.archivist)
        ).status_code == 200
    assert (await client.get("/records", headers=archive.archivist)).json()["pagination"]["total_count"] == 0
    destroyed = await client.get("/records", params={"status": "musnah"}, headers=archive.archivist)
    assert destroyed.json()["pagination"]["total_count"] == 3
    log = (await client.get("/audit", params={"action": "destroy"}, headers=archive.admin)).json()
    assert log["pagination"]["total_count"] == 3
    assert (await client.get("/audit/verify", headers=archive.admin)).json()["ok"] is True
    events = [e["name"] for e in await client.outbox_events()]
    assert events.count("archive.record.destroyed") == 3 and "archive.disposal.destroyed" in events
    purged_again = dict(await archive.run_tasks())
    assert "archive.disposal.purge" not in purged_again


async def test_destruction_is_refused_when_any_guard_fails(client: ServiceClient, archive: Any) -> None:
    await archive.instruments()
    ok = await archive.record()
    young = await archive.record(record_date=date(2022, 1, 1))  # inactive until 2027
    permanent = await archive.record(code="000.1.6")
    forbidden = await archive.record()
    in_case = await archive.record()
    held = await archive.record()
    exception = await archive.record(code="000.1.5")  # "musnah, kecuali … permanen"
    active = await archive.record()
    everything = [ok, young, permanent, forbidden, in_case, held, exception, active]
    await archive.transfer([r["id"] for r in everything if r is not active])
    h = archive.archivist
    await client.patch(
        f"/records/{forbidden['id']}",
        json={"law_forbids_destruction": True, "law_reference": "UU 11/2008 ps. 5: bukti elektronik"},
        headers=h,
    )
    await client.post("/legal-cases", json={"case_number": "PKR-9", "title": "Sengketa"}, headers=h)
    await client.post(f"/records/{in_case['id']}/cases", json={"case_number": "PKR-9"}, headers=h)
    hold = await client.post(
        f"/records/{held['id']}/legal-holds", json={"reason": "Permintaan Inspektorat 2026"}, headers=h
    )
    ids = [r["id"] for r in everything]
    checked = reasons_by_record(
        (await client.post("/disposals/check", json={"record_ids": ids}, headers=h)).json()
    )
    assert checked == {
        ok["id"]: set(),
        young["id"]: {"refuse_when_retention_not_expired"},
        permanent["id"]: {"refuse_when_disposition_not_musnah"},
        forbidden["id"]: {"refuse_when_law_forbids"},
        in_case["id"]: {"refuse_when_tied_to_open_case"},
        held["id"]: {"refuse_when_legal_hold"},
        exception["id"]: {"refuse_when_disposition_not_musnah"},
        active["id"]: {"refuse_when_not_inactive"},
    }
    proposal = (await client.post("/disposals", json={"title": "Usul musnah campuran"}, headers=h)).json()
    added = (
        await client.post(f"/disposals/{proposal['id']}/items", json={"record_ids": ids}, headers=h)
    ).json()
    assert added["added"] == [ok["id"]]
    assert {r["record_id"] for r in added["refused"]} == set(ids) - {ok["id"]}
    messages = [x for r in added["refused"] for x in r["reasons"]]
    assert all(x["message"] and x["message_en"] for x in messages)

    # resolving the blocks lets them through; the exception is judged not to apply
    await client.patch(f"/records/{exception['id']}", json={"exception_applies": False}, headers=h)
    await client.patch("/legal-cases/PKR-9", json={"status": "closed"}, headers=h)
    await client.post(f"/legal-holds/{hold.json()['id']}/release", headers=h)
    again = reasons_by_record(
        (
            await client.post(
                "/disposals/check",
                json={"record_ids": [exception["id"], in_case["id"], held["id"]]},
                headers=h,
            )
        ).json()
    )
    assert again == {exception["id"]: set(), in_case["id"]: set(), held["id"]: set()}
    await client.patch(f"/records/{exception['id']}", json={"exception_applies": True}, headers=h)
    still = (await client.post("/disposals/check", json={"record_ids": [exception["id"]]}, headers=h)).json()
    assert "PERMANEN" in still[0]["reasons"][0]["message_en"]


async def test_a_hold_placed_after_the_decree_still_stops_the_destruction(
    client: ServiceClient, archive: Any
) -> None:
    await archive.instruments()
    record = await archive.record()
    await archive.transfer([record["id"]])
    proposal = await archive.decreed_disposal([record["id"]])
    assert proposal["requires_higher_approval"] is False
    await client.post(
        f"/records/{record['id']}/legal-holds",
        json={"reason": "Pemeriksaan BPK 2026"},
        headers=archive.archivist,
    )
    refused = await client.post(
        f"/disposals/{proposal['id']}/execute", json=archive.EXECUTION, headers=archive.archivist
    )
    assert refused.status_code == 409
    assert [r["code"] for r in refused.json()["error"]["details"]["reasons"]] == ["refuse_when_legal_hold"]
    after = (await client.get(f"/records/{record['id']}", headers=archive.archivist)).json()
    assert after["status"] == "inaktif"


async def test_the_panel_can_keep_records_out_and_an_approver_can_refuse(
    client: ServiceClient, archive: Any
) -> None:
    await archive.instruments()
    first, second = await archive.record(), await archive.record()
    await archive.transfer([first["id"], second["id"]])
    c, h = client, archive.archivist
    pid = (await c.post("/disposals", json={"title": "Usul musnah surat edaran"}, headers=h)).json()["id"]
    await c.post(f"/disposals/{pid}/items", json={"record_ids": [first["id"], second["id"]]}, headers=h)
    early = await c.post(f"/disposals/{pid}/submit", headers=h)
    assert [r["code"] for r in early.json()["error"]["details"]["reasons"]] == [
        "refuse_when_panel_incomplete"
    ]
    members = [
        {
            "name": "Kepala Bidang Kearsipan",
            "position": "Kepala Bidang",
            "panel_role": "kepala_unit_kearsipan",
        },
        {"name": "Kepala Seksi Layanan", "position": "Kepala Seksi", "panel_role": "kepala_unit_pengolah"},
        {"name": "Arsiparis", "position": "Arsiparis", "panel_role": "arsiparis"},
    ]
    panel = (await c.put(f"/disposals/{pid}/panel", json={"members": members}, headers=h)).json()["panel"]
    assert (await c.post(f"/disposals/{pid}/submit", headers=h)).json()["status"] == "penilaian"
    early_approval = await c.post(
        f"/disposals/{pid}/approvals",
        json={
            "level": "kepala_dinas",
            "approver_name": "Kadis",
            "approver_position": "Kepala Dinas",
            "decision": "setuju",
        },
        headers=h,
    )
    assert early_approval.status_code == 409
    await c.post(
        f"/disposals/{pid}/panel/{panel[0]['id']}/decision",
        json={"decision": "setuju", "excluded_record_ids": [second["id"]]},
        headers=h,
    )
    await c.post(f"/disposals/{pid}/panel/{panel[1]['id']}/decision", json={"decision": "setuju"}, headers=h)
    reviewed = await c.post(
        f"/disposals/{pid}/panel/{panel[2]['id']}/decision", json={"decision": "setuju"}, headers=h
    )
    items = {i["record_id"]: i["status"] for i in reviewed.json()["items"]}
    assert reviewed.json()["status"] == "persetujuan"
    assert items == {first["id"]: "diusulkan", second["id"]: "dikeluarkan"}
    refused = await c.post(
        f"/disposals/{pid}/approvals",
        json={
            "level": "kepala_dinas",
            "approver_name": "Kadis",
            "approver_position": "Kepala Dinas",
            "decision": "tolak",
            "note": "Masih diperlukan untuk audit",
        },
        headers=h,
    )
    assert refused.json()["status"] == "ditolak" and "audit" in refused.json()["closed_reason"]
    assert (
        await c.post(
            f"/disposals/{pid}/decree",
            json={"decree_number": "K-1", "decree_date": "2026-01-01", "signed_by": "Kadis"},
            headers=h,
        )
    ).status_code == 409
