"""Access through the API: one policy for reads, lists and search; refusals are 404 and audited."""

from __future__ import annotations

from typing import Any

from pusip_kit.testing.service import ServiceClient


def personas(archive: Any) -> dict[str, dict[str, str]]:
    return {
        "public": {},
        "patron": archive.headers(roles=["patron"], unit=None, category="publik", clearance="BIASA"),
        "peer": archive.headers(
            roles=["records_creator"], unit=archive.PEER_UNIT, category="pengolah", clearance="RAHASIA"
        ),
        "processor": archive.headers(
            roles=["records_creator"], unit=archive.UNIT, category="pengolah", clearance="RAHASIA"
        ),
        "low_clearance": archive.headers(
            roles=["records_creator"], unit=archive.UNIT, category="pengolah", clearance="TERBATAS"
        ),
        "auditor": archive.headers(
            roles=["librarian"], unit=None, category="pengawas_internal", clearance="SANGAT_RAHASIA"
        ),
        "police": archive.headers(
            roles=["patron"], unit=None, category="penegak_hukum", clearance="RAHASIA", sub="polisi-1"
        ),
    }


async def test_a_rahasia_record_is_seen_only_by_those_the_policy_allows_and_every_access_is_audited(
    client: ServiceClient, archive: Any
) -> None:
    await archive.instruments()
    secret = await archive.record(level="RAHASIA", title="Laporan pengaduan dugaan pungutan liar")
    open_record = await archive.record(level="BIASA", title="Surat edaran jam layanan")
    await archive.run_tasks()
    who = personas(archive)
    expected = {
        "public": 404,
        "patron": 404,
        "peer": 404,
        "low_clearance": 404,
        "police": 404,
        "processor": 200,
        "auditor": 200,
    }
    for name, status in expected.items():
        response = await client.get(f"/records/{secret['id']}", headers=who[name])
        if name == "public":
            assert response.status_code == 401  # the staff API needs a token; the public API is /public
            response = await client.get(f"/public/records/{secret['id']}")
        assert response.status_code == status, (name, response.text)
        if status == 404:  # indistinguishable from a record that does not exist
            assert response.json()["error"]["code"] == "record_not_found"
    assert (await client.get(f"/public/records/{open_record['id']}")).status_code == 200
    for name in ("peer", "processor", "auditor"):
        listed = await client.get("/records", headers=who[name])
        ids = {r["id"] for r in listed.json()["items"]}
        assert (secret["id"] in ids) == (name != "peer"), name
        searched = await client.get("/records/search", params={"q": "pengaduan"}, headers=who[name])
        assert ({r["id"] for r in searched.json()["items"]} == {secret["id"]}) == (name != "peer"), name
    public = await client.get("/public/records", params={"q": "pengaduan"})
    assert public.json()["total"] == 0

    log = (
        await client.get("/audit", params={"record_id": secret["id"], "limit": 100}, headers=archive.admin)
    ).json()
    entries = [(e["action"], e["outcome"]) for e in reversed(log["items"])]
    assert entries.count(("read", "refused")) == 5  # patron, peer, low clearance, police, anonymous
    assert entries.count(("read", "allowed")) == 2  # processor, auditor
    assert ("list", "allowed") in entries and ("search", "allowed") in entries
    assert all(e["level"] == "RAHASIA" for e in log["items"])
    # BIASA reads are not audited
    assert (
        await client.get("/audit", params={"record_id": open_record["id"]}, headers=archive.admin)
    ).json()["pagination"]["total_count"] == 0
    verified = await client.get("/audit/verify", headers=archive.admin)
    assert verified.json()["ok"] is True and verified.json()["entries"] >= 9
    assert (await client.get("/audit/verify", headers=who["processor"])).status_code == 403


async def test_law_enforcement_reads_only_records_of_cases_granted_to_them(
    client: ServiceClient, archive: Any
) -> None:
    await archive.instruments()
    tied = await archive.record(level="RAHASIA", code="000.1.6", title="Berkas perkara korupsi")
    other = await archive.record(level="RAHASIA")
    police = personas(archive)["police"]
    assert (
        await client.post(
            "/legal-cases",
            json={"case_number": "PKR-7/2026", "title": "Perkara 7"},
            headers=archive.archivist,
        )
    ).status_code == 201
    assert (
        await client.post(
            f"/records/{tied['id']}/cases", json={"case_number": "PKR-7/2026"}, headers=archive.archivist
        )
    ).json() == ["PKR-7/2026"]
    assert (await client.get(f"/records/{tied['id']}", headers=police)).status_code == 404
    grant = await client.post(
        "/case-grants",
        json={
            "case_number": "PKR-7/2026",
            "subject": "polisi-1",
            "reason": "Surat permintaan penyidik nomor 12",
        },
        headers=archive.archivist,
    )
    assert grant.status_code == 201
    assert (await client.get(f"/records/{tied['id']}", headers=police)).status_code == 200
    assert (await client.get(f"/records/{other['id']}", headers=police)).status_code == 404
    listed = (await client.get("/records", headers=police)).json()
    assert [r["id"] for r in listed["items"]] == [tied["id"]]
    await archive.run_tasks()
    found = (await client.get("/records/search", headers=police)).json()
    assert [r["id"] for r in found["items"]] == [tied["id"]]
    mine = (await client.get("/case-grants", headers=police)).json()
    assert mine["pagination"]["total_count"] == 1
    # closing the case ends the access; so does revoking the grant
    closed = await client.patch(
        "/legal-cases/PKR-7/2026", json={"status": "closed"}, headers=archive.archivist
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert (await client.get(f"/records/{tied['id']}", headers=police)).status_code == 404
    await client.patch("/legal-cases/PKR-7/2026", json={"status": "open"}, headers=archive.archivist)
    assert (await client.get(f"/records/{tied['id']}", headers=police)).status_code == 200
    await client.post(f"/case-grants/{grant.json()['id']}/revoke", headers=archive.archivist)
    assert (await client.get(f"/records/{tied['id']}", headers=police)).status_code == 404


async def test_kip_request_decision_and_grant(client: ServiceClient, archive: Any) -> None:
    await archive.instruments()
    secret = await archive.record(level="TERBATAS", title="Laporan keuangan triwulan")
    citizen = archive.headers(
        roles=["patron"], unit=None, category="publik", clearance="BIASA", sub="warga-1"
    )
    assert (await client.get(f"/records/{secret['id']}", headers=citizen)).status_code == 404
    asked = await client.post(
        "/access-requests",
        json={
            "record_id": secret["id"],
            "purpose": "Penelitian skripsi tentang tata kelola keuangan daerah",
            "requester_name": "Warga Satu",
        },
        headers=citizen,
    )
    assert asked.status_code == 201 and asked.json()["status"] == "diajukan"
    # asking for a record that does not exist looks exactly the same
    ghost = await client.post(
        "/access-requests",
        json={
            "record_id": "00000000-0000-0000-0000-000000000001",
            "purpose": "Penelitian skripsi tata kelola",
            "requester_name": "Warga Satu",
        },
        headers=citizen,
    )
    assert ghost.status_code == 201
    assert ghost.json()["record_id"] == "00000000-0000-0000-0000-000000000001"
    assert asked.json()["record_id"] == secret["id"]
    mine = (await client.get("/access-requests", headers=citizen)).json()
    assert mine["pagination"]["total_count"] == 2
    rejected = await client.post(
        f"/access-requests/{ghost.json()['id']}/decision",
        json={"decision": "tolak", "reason": "Arsip yang diminta tidak dapat diidentifikasi"},
        headers=archive.archivist,
    )
    assert rejected.json()["status"] == "ditolak"
    decided = await client.post(
        f"/access-requests/{asked.json()['id']}/decision",
        json={
            "decision": "setuju",
            "reason": "Informasi publik setelah uji konsekuensi",
            "expires_on": "2099-12-31",
        },
        headers=archive.archivist,
    )
    assert decided.status_code == 200 and decided.json()["status"] == "disetujui"
    assert (await client.get(f"/records/{secret['id']}", headers=citizen)).status_code == 200
    again = await client.post(
        f"/access-requests/{asked.json()['id']}/decision",
        json={"decision": "tolak", "reason": "Berubah pikiran"},
        headers=archive.archivist,
    )
    assert again.status_code == 409
    grants = (await client.get("/record-grants", headers=citizen)).json()["items"]
    assert [g["access_request_id"] for g in grants] == [asked.json()["id"]]
    await client.post(f"/record-grants/{grants[0]['id']}/revoke", headers=archive.archivist)
    assert (await client.get(f"/records/{secret['id']}", headers=citizen)).status_code == 404
