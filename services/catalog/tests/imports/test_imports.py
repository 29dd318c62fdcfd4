"""Importing MARC files: the job resource, its counts and problem report, de-duplication, holdings."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from catalog.imports.runner import IndexMode, run_job
from catalog.models import BibRecord, ImportJob
from catalog.records.marcdata import record_from_text
from pusip_kit.testing.service import ServiceClient

from ..helpers import (
    CATALOGER,
    CORPUS,
    PATRON,
    create_branch,
    import_bytes,
    isbn13,
    json_file,
    marc,
    run_tasks,
    upload_import,
)

PRIDE = CORPUS / "marc4j" / "pride-and-prejudice-with-many-errors.mrc"
MARC_FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix not in {".tsv", ".txt", ".mrk"})


def balanced(job: dict[str, Any]) -> bool:
    c = job["counts"]
    return c["read"] == c["stored"] + c["skipped_duplicates"] + c["reported"] and c["balanced"]


async def problems(client: ServiceClient, job_id: str, **params: str) -> list[dict[str, str]]:
    response = await client.get(
        f"/imports/{job_id}/problems", params=params, headers=client.bearer(**CATALOGER)
    )
    assert response.status_code == 200, response.text
    if params.get("format") == "json":
        return response.json()
    assert response.headers["content-disposition"].startswith("attachment")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


async def test_pride_and_prejudice_imports_the_good_and_reports_the_bad(client: ServiceClient) -> None:
    response = await upload_import(client, PRIDE.read_bytes(), filename=PRIDE.name)
    assert response.status_code == 202, response.text
    queued = response.json()
    assert queued["status"] == "queued" and response.headers["location"] == f"/imports/{queued['id']}"
    assert queued["progress"] == {"bytes_read": 0, "total_bytes": PRIDE.stat().st_size, "percent": 0.0}
    await run_tasks(client)
    job = (await client.get(f"/imports/{queued['id']}", headers=client.bearer(**CATALOGER))).json()
    assert job["status"] == "completed" and job["format"] == "marc21" and job["filename"] == PRIDE.name
    assert job["progress"]["percent"] == 100.0
    counts = job["counts"]
    # 17 records the reader refuses, 17 UNIMARC records, 26 later copies of a record (same 001/035/ISBN)
    assert (counts["read"], counts["stored"], counts["reported"], counts["skipped_duplicates"]) == (
        383,
        323,
        34,
        26,
    )
    assert balanced(job)
    rows = await problems(client, queued["id"], severity="error")
    assert len(rows) == 34
    codes = [r["code"] for r in rows]
    assert (codes.count("directory_invalid"), codes.count("encoding_invalid"), codes.count("not_marc21")) == (
        16,
        1,
        17,
    )
    assert all(r["position"] and r["message"] and r["message_en"] for r in rows)
    assert all(r["offset"] for r in rows if r["code"] != "not_marc21")
    as_json = await problems(client, queued["id"], format="json", severity="error")
    assert [p["position"] for p in as_json] == [int(r["position"]) for r in rows]

    async with client.session() as session:
        assert await session.scalar(select(func.count()).select_from(BibRecord)) == 323
        for text in (await session.execute(select(BibRecord.marc).limit(50))).scalars():
            assert record_from_text(text)["245"] is not None
    found = (await client.get("/search", params={"q": "pride prejudice", "limit": 5})).json()
    assert found["total"] >= 1

    # the same file again: every good record is now a duplicate, nothing is stored twice
    again = await import_bytes(client, PRIDE.read_bytes())
    assert (again["counts"]["skipped_duplicates"], again["counts"]["stored"]) == (349, 0) and balanced(again)
    duplicates = await problems(client, again["id"], severity="duplicate")
    assert len(duplicates) == 349 and duplicates[0]["code"] == "duplicate_skipped"


async def test_every_corpus_file_imports_or_is_refused_cleanly(client: ServiceClient) -> None:
    assert len(MARC_FILES) > 100
    jobs: dict[str, Path] = {}
    for path in MARC_FILES:
        response = await upload_import(client, path.read_bytes(), filename=path.name)
        assert response.status_code in (202, 422), (path, response.text)
        if response.status_code == 422:  # an empty file
            assert response.json()["error"]["code"] == "file_empty", path
            continue
        jobs[response.json()["id"]] = path
    await run_tasks(client)  # the worker runs the jobs one after another
    stored = 0
    for job_id, path in jobs.items():
        response = await client.get(f"/imports/{job_id}", headers=client.bearer(**CATALOGER))
        assert response.status_code == 200, response.text
        job = response.json()
        assert job["status"] in ("completed", "failed"), (path, job)
        if job["status"] == "failed":
            assert job["error"]["code"] in ("format_unrecognised", "file_empty"), (path, job["error"])
            assert job["error"]["message"] and job["error"]["message_en"]
        assert balanced(job), (path, job["counts"])
        stored += job["counts"]["created"]
        report = await problems(client, job_id, severity="error")
        assert len(report) == job["counts"]["reported"], path
        assert all(r["code"] != "store_failed" for r in report), (path, report)
    async with client.session() as session:
        assert await session.scalar(select(func.count()).select_from(BibRecord)) == stored
        for text in (await session.execute(select(BibRecord.marc))).scalars():
            assert record_from_text(text)["245"] is not None  # every stored record is whole
    assert stored > 400
    assert len(await client.app.state.catalog_runtime.index.all_ids()) == stored


def holdings_file(branch: str) -> bytes:
    records = [
        marc(
            "Sejarah Jakarta : dari Batavia ke metropolitan",
            control="J-001",
            isbn=isbn13("978602000001"),
            holdings=[
                {
                    "b": branch,
                    "c": "Rak Sejarah",
                    "h": "959.8",
                    "i": "SEJ",
                    "p": "JKT-0001",
                    "9": "Rp 125.000",
                },
                {"b": branch, "p": "JKT-0002", "9": "murah"},
                {"b": "cabang-entah", "p": "JKT-0003"},
                {"c": "Gudang", "p": "JKT-0004"},
                {"b": branch},
            ],
        ),
        marc(
            "Batavia : kisah kota tua",
            control="J-002",
            extra=[
                {
                    "949": {
                        "ind1": " ",
                        "ind2": " ",
                        "subfields": [{"b": branch}, {"i": "JKT-0001"}, {"l": "Rak 2"}],
                    }
                }
            ],
        ),
        marc(
            "Kamus Betawi",
            control="J-003",
            extra=[
                {
                    "949": {
                        "ind1": " ",
                        "ind2": " ",
                        "subfields": [{"b": branch}, {"i": "JKT-0005"}, {"t": "reference"}, {"g": "85.000"}],
                    }
                }
            ],
        ),
        {
            "leader": "00000nz  a2200000n  4500",
            "fields": [{"001": "AUT-1"}, {"100": {"ind1": "1", "ind2": " ", "subfields": [{"a": "Nama"}]}}],
        },
        {"leader": "00000nam a2200000 a 4500", "fields": [{"001": "NO-TITLE"}]},
    ]
    return json_file(records)


async def test_holdings_become_items_with_warnings_for_the_rest(client: ServiceClient) -> None:
    await create_branch(client, "perpustakaan-kecamatan-menteng")
    await create_branch(client, "pds-hb-jassin")
    job = await import_bytes(
        client,
        holdings_file("perpustakaan-kecamatan-menteng"),
        filename="h.json",
        branch="pds-hb-jassin",
        acquisition_source="gift",
    )
    counts = job["counts"]
    assert (counts["read"], counts["created"], counts["reported"]) == (5, 3, 2) and balanced(job)
    assert counts["items_created"] == 4
    warnings = await problems(client, job["id"], severity="warning")
    codes = sorted(w["code"] for w in warnings)
    assert codes == [
        "item_barcode_missing",
        "item_barcode_taken",
        "item_branch_unknown",
        "item_price_invalid",
    ]
    errors = {r["control_number"]: r["code"] for r in await problems(client, job["id"], severity="error")}
    assert errors == {"AUT-1": "not_bibliographic", "NO-TITLE": "title_missing"}
    items = (await client.get("/items", params={"limit": 100}, headers=client.bearer(**CATALOGER))).json()[
        "items"
    ]
    by_barcode = {i["barcode"]: i for i in items}
    assert sorted(by_barcode) == ["JKT-0001", "JKT-0002", "JKT-0004", "JKT-0005"]
    first = by_barcode["JKT-0001"]
    assert (first["branch"], first["location"], first["call_number"], first["price"]) == (
        "perpustakaan-kecamatan-menteng", "Rak Sejarah", "959.8 SEJ", "125000.00",
    )  # fmt: skip
    assert by_barcode["JKT-0002"]["price"] is None
    assert by_barcode["JKT-0004"]["branch"] == "pds-hb-jassin"  # the job's target branch
    assert (
        by_barcode["JKT-0005"]["material_type"] == "reference"
        and by_barcode["JKT-0005"]["price"] == "85000.00"
    )
    assert {i["acquisition_source"] for i in items} == {"gift"}
    events = await client.outbox_events("catalog.item.created")
    payload = next(e["payload"] for e in events if e["key"] == "JKT-0001")
    assert payload["title"] == "Sejarah Jakarta : dari Batavia ke metropolitan"
    assert {"barcode", "record_id", "branch", "location", "material_type", "title"} <= set(payload)
    hits = (await client.get("/search", params={"q": "sejarah jakarta"})).json()["hits"]
    assert hits[0]["availability"] == [
        {"branch": "pds-hb-jassin", "available": 1, "total": 1},
        {"branch": "perpustakaan-kecamatan-menteng", "available": 2, "total": 2},
    ]


async def test_dedupe_policies(client: ServiceClient) -> None:
    await create_branch(client, "perpustakaan-kecamatan-koja")
    first = [
        marc("Kamus Besar", control="K-1", holdings=[{"b": "perpustakaan-kecamatan-koja", "p": "K-0001"}])
    ]
    await import_bytes(client, json_file(first))
    newer = [
        marc(
            "Kamus Besar Bahasa Indonesia",
            control="K-1",
            holdings=[{"b": "perpustakaan-kecamatan-koja", "p": "K-0002"}],
        )
    ]

    skipped = await import_bytes(client, json_file(newer), dedupe="skip")
    assert (skipped["counts"]["skipped_duplicates"], skipped["counts"]["items_created"]) == (1, 0)

    merged = await import_bytes(client, json_file(newer), dedupe="merge_items")
    assert (merged["counts"]["merged"], merged["counts"]["stored"], merged["counts"]["items_created"]) == (
        1,
        1,
        1,
    )
    hits = (await client.get("/search", params={"q": "kamus"})).json()["hits"]
    assert len(hits) == 1 and hits[0]["title"] == "Kamus Besar" and hits[0]["availability"][0]["total"] == 2

    newer[0]["fields"][-1]["852"]["subfields"][-1] = {"p": "K-0003"}
    replaced = await import_bytes(client, json_file(newer), dedupe="replace")
    assert (replaced["counts"]["replaced"], replaced["counts"]["items_created"]) == (1, 1) and balanced(
        replaced
    )
    hits = (await client.get("/search", params={"q": "kamus"})).json()["hits"]
    assert len(hits) == 1 and hits[0]["title"] == "Kamus Besar Bahasa Indonesia"
    assert hits[0]["availability"][0]["total"] == 3
    record = (await client.get(f"/records/{hits[0]['id']}")).json()
    assert record["version"] == 2
    assert len(await client.outbox_events("catalog.record.updated")) == 1

    # duplicates inside one file follow the policy too
    twice = [marc("Atlas", control="A-1"), marc("Atlas (edisi 2)", control="A-1")]
    result = await import_bytes(client, json_file(twice), dedupe="replace")
    assert (result["counts"]["created"], result["counts"]["replaced"]) == (1, 1)
    assert [h["title"] for h in (await client.get("/search", params={"q": "atlas"})).json()["hits"]] == [
        "Atlas (edisi 2)"
    ]


HOSTILE = {
    "billion-laughs.xml": b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>&lol2;</leader></record></collection>""",
    "xxe.xml": b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>&x;</leader></record></collection>""",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_xml_is_refused_and_reported(client: ServiceClient, name: str) -> None:
    job = await import_bytes(client, HOSTILE[name], filename=name)
    assert job["status"] == "completed" and job["counts"]["stored"] == 0 and balanced(job)
    (problem,) = await problems(client, job["id"])
    assert problem["code"] == "xml_refused" and "passwd" not in problem["message_en"]


async def test_refusals_before_and_after_upload(client: ServiceClient) -> None:
    assert (await upload_import(client, b"x", headers={})).status_code == 401
    assert (await upload_import(client, b"x", headers=client.bearer(**PATRON))).status_code == 403
    response = await upload_import(client, b"", filename="kosong.mrc")
    assert response.status_code == 422 and response.json()["error"]["code"] == "file_empty"
    response = await upload_import(client, b"x", branch="tidak-ada")
    assert response.status_code == 422 and response.json()["error"]["code"] == "branch_unknown"
    response = await upload_import(client, b"x", dedupe="sometimes")
    assert response.status_code == 422
    response = await client.post(
        "/imports",
        files={"file": ("a.mrc", b"x")},
        data={"dedupe": "never"},
        headers=client.bearer(**CATALOGER),
    )
    assert response.status_code == 422
    response = await client.post(
        "/imports",
        files={"file": ("a.mrc", b"x")},
        data={"colour": "red"},
        headers=client.bearer(**CATALOGER),
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "unknown_field"
    response = await client.post(
        "/imports", data={"dedupe": "skip"}, files={"other": ("", b"")}, headers=client.bearer(**CATALOGER)
    )
    assert response.status_code in (400, 422)

    garbage = await import_bytes(client, b"%PDF-1.7 bukan marc", filename="laporan.pdf")
    assert garbage["status"] == "failed" and garbage["error"]["code"] == "format_unrecognised"
    mismatch = await import_bytes(client, PRIDE.read_bytes()[:5000], format="marcxml")
    assert mismatch["status"] == "failed" and mismatch["error"]["code"] == "format_mismatch"
    # a raw (non-multipart) body works too, and so do form fields for the options
    raw = await client.post(
        "/imports",
        params={"filename": "satu.json"},
        content=json_file([marc("Satu")]),
        headers=client.bearer(**CATALOGER),
    )
    assert raw.status_code == 202 and raw.json()["filename"] == "satu.json"
    form = await client.post(
        "/imports",
        files={"file": ("dua.json", json_file([marc("Dua")]))},
        data={"dedupe": "replace", "format": "marc-json"},
        headers=client.bearer(**CATALOGER),
    )
    assert form.status_code == 202 and (form.json()["dedupe"], form.json()["requested_format"]) == (
        "replace",
        "marc-json",
    )
    await run_tasks(client)
    listed = (
        await client.get("/imports", params={"status": "completed"}, headers=client.bearer(**CATALOGER))
    ).json()
    assert {"satu.json", "dua.json"} <= {j["filename"] for j in listed["items"]}
    assert (
        await client.get(f"/imports/{uuid.uuid4()}", headers=client.bearer(**CATALOGER))
    ).status_code == 404


async def test_an_interrupted_job_resumes_without_storing_twice(
    client: ServiceClient, tmp_path: Path
) -> None:
    response = await upload_import(client, PRIDE.read_bytes(), filename=PRIDE.name)
    job_id = uuid.UUID(response.json()["id"])
    path = tmp_path / "pride.mrc"
    path.write_bytes(PRIDE.read_bytes())
    runtime = client.app.state.catalog_runtime

    class Crash(BaseException):
        pass

    def crash(progress: Any) -> None:
        raise Crash

    with pytest.raises(Crash):
        await run_job(
            runtime.index,
            client.sessionmaker,
            job_id,
            path,
            index_mode=IndexMode.DIRECT,
            batch_size=100,
            progress=crash,
        )
    async with client.session() as session:
        job = await session.get(ImportJob, job_id)
        assert job is not None and job.status == "running" and job.position_done == 100
    finished = await run_job(
        runtime.index, client.sessionmaker, job_id, path, index_mode=IndexMode.DIRECT, batch_size=100
    )
    assert (finished.status, finished.records_read, finished.records_stored, finished.records_reported) == (
        "completed",
        383,
        323,
        34,
    )
    async with client.session() as session:
        assert await session.scalar(select(func.count()).select_from(BibRecord)) == 323
    assert len(await client.app.state.catalog_runtime.index.all_ids()) == 323
    # running a finished job again does nothing
    again = await run_job(runtime.index, client.sessionmaker, job_id, path, index_mode=IndexMode.DIRECT)
    assert again.records_read == 383
