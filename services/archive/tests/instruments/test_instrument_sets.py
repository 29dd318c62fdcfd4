"""Instrument sets over HTTP: the real files import with a problem report; versions; edits; activation."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from archive.config import ArchiveSettings
from pusip_kit.testing.service import ServiceClient

CORPUS = ArchiveSettings().classification_seed_csv.parent.parent
REAL_FILES = [
    CORPUS / "opensid" / "klasifikasi_surat.csv",
    CORPUS / "simpel_kemenag" / "simpel.sql",
    CORPUS / "tvri_jra" / "masterKlasifikasi_JRA_TVRI.json",
]


@pytest.mark.skipif(not all(p.is_file() for p in REAL_FILES), reason="shared corpus not checked out")
async def test_the_real_classification_and_jra_files_import_with_a_problem_report(
    client: ServiceClient, archive: Any
) -> None:
    response = await client.post(
        "/instrument-sets/import",
        data={"name": "Instrumen Nyata", "version": "2026.1"},
        files=[("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in REAL_FILES],
        headers=archive.archivist,
    )
    assert response.status_code == 201, response.text
    item = response.json()
    assert item["status"] == "draft"
    assert [(s["name"], s["role"]) for s in item["sources"]] == [
        ("klasifikasi_surat.csv", "scheme"),
        ("simpel.sql", "scheme"),
        ("masterKlasifikasi_JRA_TVRI.json", "schedule"),
    ]
    summary = item["summary"]
    assert summary["codes"] > 3000 and summary["with_schedule"] > 500 and summary["errors"] > 0
    kinds = item["problem_kinds"]
    for kind in (
        "duplicate_code",
        "missing_parent",
        "retention_unit_misspelled",
        "disposition_misspelled",
        "disposition_exception_open",
        "header_row",
    ):
        assert kinds.get(kind, 0) > 0, kind
    set_id = item["id"]

    report = (
        await client.get(f"/instrument-sets/{set_id}/problems/summary", headers=archive.archivist)
    ).json()
    assert report["total"] == sum(report["by_kind"].values()) == sum(report["by_severity"].values())
    assert report["by_severity"]["error"] == summary["errors"]
    page = (
        await client.get(
            f"/instrument-sets/{set_id}/problems",
            params={"severity": "error", "limit": 100},
            headers=archive.archivist,
        )
    ).json()
    assert page["pagination"]["total_count"] == summary["errors"]
    duplicate = next(p for p in page["items"] if p["kind"] == "duplicate_code")
    assert (
        duplicate["source_file"]
        and duplicate["source_row"]
        and duplicate["message"]
        and duplicate["message_en"]
    )
    downloaded = await client.get(
        f"/instrument-sets/{set_id}/problems", params={"format": "csv"}, headers=archive.archivist
    )
    assert downloaded.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(downloaded.text)))
    assert len(rows) == report["total"] and {"severity", "kind", "source_file", "message_en"} <= set(rows[0])

    # a code from the JRA: retention, disposition (typos read and reported), security level
    code = (await client.get(f"/instrument-sets/{set_id}/codes/PR.00.01", headers=archive.archivist)).json()
    assert (code["active_years"], code["active_event"], code["inactive_years"]) == (
        2,
        "setelah tidak berlaku",
        3,
    )
    assert (code["disposition"], code["security_level"]) == ("PERMANEN", "BIASA")
    exceptions = (
        await client.get(
            f"/instrument-sets/{set_id}/codes",
            params={"disposition": "MUSNAH", "limit": 100},
            headers=archive.archivist,
        )
    ).json()
    assert exceptions["pagination"]["total_count"] > 100
    titled = (await client.get(f"/instrument-sets/{set_id}/codes/KU.00", headers=archive.archivist)).json()
    assert titled["title"] == "RENCANA DAN PENYUSUNAN ANGGARAN"

    refused = await client.post(f"/instrument-sets/{set_id}/activate", headers=archive.archivist)
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["reasons"][0]["code"] == "refuse_when_errors_unacknowledged"
    dry = await client.post(
        f"/instrument-sets/{set_id}/activate",
        params={"dry_run": "true"},
        json={"acknowledge_problems": True},
        headers=archive.archivist,
    )
    assert dry.status_code == 200 and dry.json()["status"] == "draft"
    active = await client.post(
        f"/instrument-sets/{set_id}/activate", json={"acknowledge_problems": True}, headers=archive.archivist
    )
    assert active.json()["status"] == "active"


async def test_versions_edits_and_what_a_record_keeps(client: ServiceClient, archive: Any) -> None:
    first = await archive.instruments()
    record = await archive.record(level="TERBATAS")
    edit = await client.patch(
        f"/instrument-sets/{first['id']}/codes/000.1.8",
        json={"security_level": "RAHASIA"},
        headers=archive.archivist,
    )
    assert edit.status_code == 409
    assert edit.json()["error"]["details"]["reasons"][0]["code"] == "refuse_when_set_not_draft"
    clone = await client.post(
        f"/instrument-sets/{first['id']}/clone", json={"version": "2"}, headers=archive.archivist
    )
    assert clone.status_code == 201 and clone.json()["based_on_id"] == first["id"]
    second = clone.json()["id"]
    edited = await client.patch(
        f"/instrument-sets/{second}/codes/000.1.8",
        json={
            "security_level": "RAHASIA",
            "inactive_years": 4,
            "law_forbids_destruction": True,
            "law_reference": "Perda 4/2017 ps. 20",
        },
        headers=archive.archivist,
    )
    assert edited.status_code == 200 and edited.json()["security_level"] == "RAHASIA"
    bad = await client.patch(
        f"/instrument-sets/{second}/codes/000.1.8", json={"disposition": "DIBAKAR"}, headers=archive.archivist
    )
    assert bad.status_code == 422
    added = await client.post(
        f"/instrument-sets/{second}/codes",
        json={
            "code": "000.1.9",
            "title": "Surat undangan",
            "active_years": 1,
            "inactive_years": 0,
            "disposition": "MUSNAH",
            "security_level": "BIASA",
        },
        headers=archive.archivist,
    )
    assert added.status_code == 201 and added.json()["parent_code"] == "000.1"
    orphan = await client.post(
        f"/instrument-sets/{second}/codes", json={"code": "999.1"}, headers=archive.archivist
    )
    assert orphan.json()["error"]["details"]["reasons"][0]["code"] == "refuse_when_parent_missing"
    resolved = (
        await client.get(f"/instrument-sets/{second}/codes/000.1.8/resolved", headers=archive.archivist)
    ).json()
    assert resolved["security_level"] == "RAHASIA" and resolved["law_forbids_destruction"] is True
    assert (await client.post(f"/instrument-sets/{second}/activate", headers=archive.archivist)).json()[
        "status"
    ] == "active"
    sets = (await client.get("/instrument-sets", headers=archive.archivist)).json()["items"]
    assert {s["version"]: s["status"] for s in sets} == {"1": "retired", "2": "active"}

    # the existing record keeps the version it was classified under; a new one gets the new version
    kept = (await client.get(f"/records/{record['id']}", headers=archive.archivist)).json()
    assert (kept["instrument_set_id"], kept["security_level"], kept["inactive_years"]) == (
        first["id"],
        "TERBATAS",
        1,
    )
    new = await archive.record(level="TERBATAS")
    assert (new["instrument_set_id"], new["security_level"], new["inactive_years"]) == (second, "RAHASIA", 4)
    assert new["law_forbids_destruction"] is True
    moved = await client.post(
        f"/records/{record['id']}/classification",
        json={"classification_code": "000.1.8", "reason": "Klasifikasi ulang ke JRA versi 2"},
        headers=archive.archivist,
    )
    assert moved.json()["instrument_set_id"] == second and moved.json()["security_level"] == "RAHASIA"


async def test_bad_files_are_reported_not_guessed(client: ServiceClient, archive: Any) -> None:
    schedule = [
        {
            "kode": "000",
            "retensiAktif": "dua tahun",
            "retensiInaktif": "3 Bulan",
            "nasibAkhir": "dibakar",
            "keamanan": "Sangat Terbuka",
        }
    ]
    response = await client.post(
        "/instrument-sets/import",
        data={"name": "Rusak", "version": "1"},
        files=[
            ("files", ("jra.json", json.dumps(schedule).encode(), "application/json")),
            ("files", ("catatan.docx", b"PK\x03\x04", "application/octet-stream")),
            ("files", ("latin1.csv", "kode,nama\n000,Umum caf\xe9\n".encode("latin-1"), "text/csv")),
        ],
        headers=archive.archivist,
    )
    assert response.status_code == 201
    kinds = response.json()["problem_kinds"]
    assert {
        "retention_unparsed",
        "retention_unit_unknown",
        "disposition_unparsed",
        "security_unparsed",
        "file_unsupported",
        "file_not_utf8",
    } <= set(kinds)
    assert (
        await client.post(
            "/instrument-sets/import",
            data={"name": "Rusak", "version": "1"},
            files=[("files", ("a.csv", b"kode\n", "text/csv"))],
            headers=archive.archivist,
        )
    ).status_code == 409
    assert (
        await client.post(
            "/instrument-sets/import",
            data={"name": "X", "version": "1"},
            files=[("files", ("a.csv", b"kode\n", "text/csv"))],
            headers=archive.headers(roles=["records_creator"]),
        )
    ).status_code == 403
