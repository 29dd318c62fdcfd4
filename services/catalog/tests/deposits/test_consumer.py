"""The consumer of ``deposit.deposit.accepted``: record, items, e-resources, idempotence, full text."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from catalog.config import CatalogSettings
from catalog.deposits.events import HANDLER_NAME, catalogue_accepted_deposit
from catalog.deposits.marc import system_number
from catalog.deposits.service import TASK_FETCH_TEXT, legal_deposit_service
from catalog.records.marcdata import record_from_text
from catalog.tasks import handlers
from pusip_kit.events import Event, deliver_event
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work

from ..helpers import CATALOGER, PATRON, create_branch, create_record, marc, run_tasks

CIKINI = "perpustakaan-jakarta-cikini"
SETTINGS = CatalogSettings(gateway_url="http://gateway.test")


def payload(**changes: Any) -> dict[str, Any]:
    deposit_id = changes.pop("deposit_id", str(uuid.uuid4()))
    body: dict[str, Any] = {
        "deposit_id": deposit_id,
        "receipt_number": "TT/DISPUSIP/2026/000123",
        "accepted_at": "2026-03-02T08:15:00+00:00",
        "obligation_id": str(uuid.uuid4()),
        "depositor": {
            "id": str(uuid.uuid4()),
            "name": "Penerbit Contoh",
            "type": "penerbit",
            "city": "Jakarta Selatan",
            "province": "DKI Jakarta",
        },
        "channel": "printed",
        "kind": "karya_cetak",
        "title": "Sejarah Kampung Betawi",
        "subtitle": "Dari Condet sampai Marunda",
        "creators": ["Siti Rahmawati", "Budi Santoso"],
        "isbn": "9786239990107",
        "issn": None,
        "ismn": None,
        "edition": "Cetakan ke-2",
        "year": 2025,
        "published_on": "2025-11-01",
        "language": "ind",
        "pages": 214,
        "duration_minutes": None,
        "publisher": "Penerbit Contoh",
        "place": "Jakarta",
        "description": "Riwayat kampung-kampung Betawi.",
        "copies": 2,
        "files": [],
        "an_unknown_field": {"tolerated": True},
    }
    body.update(changes)
    return body


def event(body: dict[str, Any]) -> Event:
    return Event(
        uuid.uuid4(), "deposit.deposit.accepted", datetime.now(UTC), "deposit", body["deposit_id"], body
    )


def digital(deposit_id: str) -> dict[str, Any]:
    file_id, package_id = str(uuid.uuid4()), str(uuid.uuid4())
    return payload(
        deposit_id=deposit_id,
        channel="digital",
        kind="karya_digital",
        isbn=None,
        pages=None,
        copies=0,
        files=[
            {
                "file_id": file_id,
                "role": "file",
                "filename": "Artikel Pemberdayaan.pdf",
                "content_type": "application/pdf",
                "size": 17190,
                "sha256": "ab" * 32,
                "pages": 6,
                "text_status": "extracted",
                "text_chars": 200,
                "text_path": f"/deposits/{deposit_id}/files/{file_id}/text",
                "download_path": f"/deposits/{deposit_id}/files/{file_id}/download",
            },
            {
                "file_id": package_id,
                "role": "package",
                "filename": "paket.zip",
                "content_type": "application/zip",
                "size": 100,
                "sha256": "cd" * 32,
                "text_status": "not_applicable",
                "download_path": f"/deposits/{deposit_id}/files/{package_id}/download",
            },
        ],
    )


async def test_a_printed_deposit_becomes_a_regional_record_with_its_copies(client: ServiceClient) -> None:
    await create_branch(client, CIKINI)
    body = payload()
    async with unit_of_work(client.sessionmaker) as session:
        result = await catalogue_accepted_deposit(session, event(body), settings=SETTINGS)
    assert result is not None and result.created and len(result.items) == 2
    record = (await client.get(f"/records/{result.record_id}", headers=client.bearer(**CATALOGER))).json()
    assert record["source"] == "legal_deposit" and record["regional"] is True
    assert record["title"].startswith("Sejarah Kampung Betawi")

    async with client.session() as session:
        from catalog.models import BibRecord

        row = await session.get(BibRecord, result.record_id)
        assert row is not None
        marc = record_from_text(row.marc)
    assert str(marc.leader)[5:8] == "nam" and str(marc.leader)[17] == "7"
    f008 = marc["008"].data or ""
    assert len(f008) == 40 and f008[:6] == "260302" and f008[7:11] == "2025" and f008[15:18] == "io "
    assert f008[35:38] == "ind" and f008[23] == " "
    assert marc["020"]["a"] == "9786239990107"
    assert marc["035"]["a"] == system_number(body["deposit_id"])
    assert marc["041"]["a"] == "ind"
    assert marc["100"]["a"] == "Siti Rahmawati" and [f["a"] for f in marc.get_fields("700")] == [
        "Budi Santoso"
    ]
    assert (
        marc["245"]["a"] == "Sejarah Kampung Betawi :" and marc["245"]["c"] == "Siti Rahmawati, Budi Santoso"
    )
    assert marc["250"]["a"] == "Cetakan ke-2"
    f264 = marc["264"]
    assert f264.indicator2 == "1" and (f264["a"], f264["b"], f264["c"]) == (
        "Jakarta :",
        "Penerbit Contoh,",
        "2025",
    )
    assert marc["300"]["a"] == "214 halaman"
    assert marc["520"]["a"] == "Riwayat kampung-kampung Betawi."
    assert "TT/DISPUSIP/2026/000123" in marc["590"]["a"] and "TT/DISPUSIP/2026/000123" in marc["500"]["a"]
    assert marc["910"]["a"] == "serah-simpan" and marc["910"]["b"] == "TT/DISPUSIP/2026/000123"
    assert marc.get_fields("856") == []

    items = (await client.get("/items", params={"record_id": str(result.record_id)},
                              headers=client.bearer(**CATALOGER))).json()["items"]  # fmt: skip
    assert sorted(i["barcode"] for i in items) == ["DEP-2026-000123-1", "DEP-2026-000123-2"]
    assert {(i["branch"], i["acquisition_source"]) for i in items} == {(CIKINI, "legal_deposit")}
    assert len(await client.outbox_events("catalog.item.created")) == 2

    # The same deposit again (a redelivery under another event id) changes nothing.
    async with unit_of_work(client.sessionmaker) as session:
        again = await catalogue_accepted_deposit(session, event(body), settings=SETTINGS)
    assert again is not None and again.already_catalogued and again.record_id == result.record_id
    assert len(await client.outbox_events("catalog.record.created")) == 1

    # It is in the OAI-PMH regional bibliography set.
    await run_tasks(client)
    oai = await client.get("/oai", params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc",
                                           "set": "regional-bibliography"})  # fmt: skip
    assert str(result.record_id) in oai.text


async def test_the_kit_dedupes_the_event_id(client: ServiceClient) -> None:
    await create_branch(client, CIKINI)
    one = event(payload(copies=1))
    assert HANDLER_NAME in handlers.names
    first = await deliver_event(client.sessionmaker, handlers, one, only=[HANDLER_NAME])
    second = await deliver_event(client.sessionmaker, handlers, one, only=[HANDLER_NAME])
    assert first.processed == [HANDLER_NAME] and second.duplicates == [HANDLER_NAME]


async def test_a_missing_provincial_branch_fails_the_whole_event(client: ServiceClient) -> None:
    result = await deliver_event(client.sessionmaker, handlers, event(payload()), only=[HANDLER_NAME])
    assert HANDLER_NAME in result.failed and "branch_unknown" in result.failed[HANDLER_NAME]
    assert await client.outbox_events("catalog.record.created") == []  # rolled back with it


async def test_an_isbn_already_catalogued_gets_the_copies(client: ServiceClient) -> None:
    await create_branch(client, CIKINI)
    first = payload(copies=1)
    async with unit_of_work(client.sessionmaker) as session:
        one = await catalogue_accepted_deposit(session, event(first), settings=SETTINGS)
    # a revised printing of the same ISBN, deposited again
    second = payload(copies=1, receipt_number="TT/DISPUSIP/2026/000124")
    async with unit_of_work(client.sessionmaker) as session:
        two = await catalogue_accepted_deposit(session, event(second), settings=SETTINGS)
    assert one is not None and two is not None
    assert two.attached_to_existing and two.record_id == one.record_id and two.items == ["DEP-2026-000124-1"]


async def test_a_digital_deposit_links_its_files_and_fetches_the_text(client: ServiceClient) -> None:
    deposit_id = str(uuid.uuid4())
    body = digital(deposit_id)
    async with unit_of_work(client.sessionmaker) as session:
        result = await catalogue_accepted_deposit(session, event(body), settings=SETTINGS)
    assert result is not None and result.items == [] and len(result.eresources) == 1  # not the package

    files = (
        await client.get(f"/records/{result.record_id}/eresources", headers=client.bearer(**PATRON))
    ).json()
    (file,) = files
    assert (file["access"], file["format"], file["text_status"]) == ("members", "pdf", "pending")
    anonymous = await client.get(f"/eresources/{file['id']}/download", follow_redirects=False)
    assert anonymous.status_code == 401
    link = await client.get(
        f"/eresources/{file['id']}/download", params={"redirect": "false"}, headers=client.bearer(**PATRON)
    )
    assert link.status_code == 200, link.text
    file_id = body["files"][0]["file_id"]
    path = f"/api/deposit/deposits/{deposit_id}/files/{file_id}/download"
    assert link.json()["url"].endswith(path)

    from catalog.models import BibRecord

    async with client.session() as session:
        row = await session.get(BibRecord, result.record_id)
        assert row is not None
        marc = record_from_text(row.marc)
    assert marc["856"]["u"] == f"http://gateway.test{path}" and (marc["007"].data or "").startswith("cr")
    assert (marc["008"].data or "")[23] == "o" and marc["300"]["a"] == "1 sumber daring (6 halaman)"
    assert marc["338"]["b"] == "cr"

    # The worker's task reads the text from the deposit service with the catalogue's service token.
    seen: list[tuple[str, str | None]] = []

    def deposit_service(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.headers.get("authorization")))
        if request.url.path == "/auth/token":
            return httpx.Response(200, json={"access_token": "service-token", "expires_in": 300})
        assert request.url.path == f"/deposits/{deposit_id}/files/{file_id}/text"
        return httpx.Response(200, text="Program pemberdayaan perempuan pengrajin di Jember.")

    runtime = client.app.state.catalog_runtime
    settings = CatalogSettings(deposit_url="http://deposit.test", token_url="http://gateway.test/auth/token")
    runtime_settings, runtime.settings = (
        runtime.settings,
        settings.model_copy(update={"data_dir": runtime.settings.data_dir, "index_fulltext_max_chars": 1000}),
    )
    try:
        async with httpx.AsyncClient(transport=httpx.MockTransport(deposit_service)) as http:
            outcome = await legal_deposit_service.fetch_text(
                runtime, client.sessionmaker, file["id"], http=http
            )
            again = await legal_deposit_service.fetch_text(
                runtime, client.sessionmaker, file["id"], http=http
            )
    finally:
        runtime.settings = runtime_settings
    assert outcome["status"] == "extracted" and again["status"] == "skipped"
    assert seen[0][0] == "/auth/token" and seen[1][1] == "Bearer service-token"
    done = [name for name, _ in await run_tasks(client) if name != TASK_FETCH_TEXT]
    assert done  # the index task ran
    assert (await client.get("/search", params={"q": "berdaya"})).json()["total"] == 0  # members' text
    hits = (await client.get("/search", params={"q": "berdaya"}, headers=client.bearer(**PATRON))).json()
    assert hits["total"] == 1, json.dumps(hits)[:2000]
    assert "pemberdayaan" in json.dumps(hits["hits"][0]["snippets"]).lower()


async def test_a_members_deposit_file_is_offered_to_the_deposit_services_readers_only(
    client: ServiceClient,
) -> None:
    """``can_download`` and the download answer follow the deposit service's reader roles."""
    deposit_id = str(uuid.uuid4())
    async with unit_of_work(client.sessionmaker) as session:
        result = await catalogue_accepted_deposit(session, event(digital(deposit_id)), settings=SETTINGS)
    assert result is not None
    (eresource_id,) = result.eresources
    answers: dict[str, tuple[bool, int]] = {}
    for role in (
        "patron",
        "librarian",
        "cataloger",
        "agency_system",
        "deposit_officer",
        "publisher",
        "archivist",
    ):
        headers = client.bearer(roles=[role])
        read = (await client.get(f"/eresources/{eresource_id}", headers=headers)).json()
        download = await client.get(
            f"/eresources/{eresource_id}/download", params={"redirect": "false"}, headers=headers
        )
        answers[role] = (read["can_download"], download.status_code)
    readers = {"patron", "librarian", "cataloger", "agency_system", "deposit_officer"}
    assert answers == {role: (True, 200) if role in readers else (False, 403) for role in answers}
    refused = await client.get(
        f"/eresources/{eresource_id}/download",
        params={"redirect": "false"},
        headers=client.bearer(roles=["archivist"]),
    )
    error = refused.json()["error"]
    assert error["code"] == "deposit_readers_only" and error["message"] != error["message_en"]


async def test_a_deposit_of_a_file_already_in_the_collection_joins_its_record(client: ServiceClient) -> None:
    """Same SHA-256 as an e-resource of a record: no second record, no second file; it becomes legal deposit."""
    created = await create_record(client, marc("Artikel Pemberdayaan", place="Bandung"))
    record_id = uuid.UUID(created["id"])
    assert created["source"] != "legal_deposit" and created["regional"] is False
    pdf = b"%PDF-1.4\n% artikel pemberdayaan\n" + b"0" * 2000 + b"\n%%EOF\n"
    uploaded = await client.post(
        f"/records/{record_id}/eresources",
        files={"file": ("artikel.pdf", pdf, "application/pdf")},
        headers=client.bearer(**CATALOGER),
    )
    assert uploaded.status_code == 201, uploaded.text
    body = digital(str(uuid.uuid4()))
    body["files"][0]["sha256"] = uploaded.json()["sha256"]
    for _ in range(2):  # a second delivery (another event id) changes nothing
        async with unit_of_work(client.sessionmaker) as session:
            result = await catalogue_accepted_deposit(session, event(body), settings=SETTINGS)
        assert result is not None
        assert (result.record_id, result.created, result.attached_to_existing) == (record_id, False, True)
        assert result.eresources == []
    record = (await client.get(f"/records/{record_id}")).json()
    assert (record["source"], record["regional"]) == ("legal_deposit", True)
    files = (await client.get(f"/records/{record_id}/eresources", headers=client.bearer(**PATRON))).json()
    assert [f["id"] for f in files] == [uploaded.json()["id"]]
    listed = (
        await client.get("/records", params={"source": "legal_deposit"}, headers=client.bearer(**CATALOGER))
    ).json()
    assert [r["id"] for r in listed["items"]] == [str(record_id)]


async def test_a_deposit_of_an_isbn_already_catalogued_marks_the_record_legal_deposit(
    client: ServiceClient,
) -> None:
    await create_branch(client, CIKINI)
    created = await create_record(
        client, marc("Sejarah Kampung Betawi", place="Bandung", isbn="9786239990107")
    )
    assert created["regional"] is False
    async with unit_of_work(client.sessionmaker) as session:
        result = await catalogue_accepted_deposit(session, event(payload(copies=1)), settings=SETTINGS)
    assert result is not None and result.attached_to_existing and not result.created
    assert str(result.record_id) == created["id"]
    record = (await client.get(f"/records/{created['id']}")).json()
    assert (record["source"], record["regional"], record["version"]) == ("legal_deposit", True, 2)
    assert len(await client.outbox_events("catalog.record.updated")) == 1
