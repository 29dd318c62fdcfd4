"""E-resources: streamed upload, content sniffing, text extraction into the index, access rules."""

from __future__ import annotations

from datetime import date

import pytest

from catalog.config import CatalogSettings
from catalog.main import create_app
from pusip_kit.documents.pdf import OfficialDocument, render_pdf
from pusip_kit.testing.service import ServiceClient, service_fixture

from ..helpers import CATALOGER, LIBRARIAN, PATRON, create_record, marc, run_tasks

small = service_fixture(create_app, CatalogSettings, name="small", eresource_max_bytes=1000)
onsite = service_fixture(create_app, CatalogSettings, name="onsite", on_site_networks=["127.0.0.0/8"])


def pdf_bytes() -> bytes:
    return render_pdf(
        OfficialDocument(
            agency="Dinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta",
            title="Kajian Naskah Betawi",
            number="001/2026",
            issued_on=date(2026, 1, 5),
            paragraphs=["Naskah hikayat Betawi koleksi PDS HB Jassin dialihmediakan pada tahun ini."],
        )
    )


async def upload(client: ServiceClient, record_id: str, name: str, data: bytes, **params: str) -> object:
    return await client.post(
        f"/records/{record_id}/eresources",
        params=params,
        files={"file": (name, data, "application/octet-stream")},
        headers=client.bearer(**CATALOGER),
    )


async def test_pdf_upload_extracts_text_that_search_finds(client: ServiceClient) -> None:
    record = await create_record(client, marc("Kajian naskah Betawi", year=2026))
    response = await upload(client, record["id"], "kajian.pdf", pdf_bytes(), access="members")
    assert response.status_code == 201, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert (body["format"], body["content_type"], body["access"], body["text_status"]) == (
        "pdf", "application/pdf", "members", "pending",
    )  # fmt: skip
    assert len(body["sha256"]) == 64 and body["size"] == len(pdf_bytes()) and body["can_download"] is True
    await run_tasks(client)
    (listed,) = (await client.get(f"/records/{record['id']}/eresources")).json()
    assert (
        listed["text_status"] == "extracted" and listed["text_chars"] > 50 and listed["can_download"] is False
    )
    assert (await client.get("/search", params={"q": "hikayat"})).json()["total"] == 0  # members' text
    patron = client.bearer(**PATRON)
    hits = (await client.get("/search", params={"q": "hikayat"}, headers=patron)).json()["hits"]
    assert [h["id"] for h in hits] == [record["id"]]
    assert any("<mark>hikayat</mark>" in s for s in hits[0]["snippets"]["fulltext"])

    # a name never decides the type: an executable called .pdf is refused, and nothing is kept
    refused = await upload(client, record["id"], "laporan.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100)
    assert refused.status_code == 415 and refused.json()["error"]["code"] == "unsupported_media_type"  # type: ignore[attr-defined]
    assert len((await client.get(f"/records/{record['id']}/eresources")).json()) == 1
    empty = await upload(client, record["id"], "kosong.txt", b"")
    assert empty.status_code == 422  # type: ignore[attr-defined]
    assert (await upload(client, "00000000-0000-0000-0000-000000000000", "a.txt", b"teks")).status_code == 404  # type: ignore[attr-defined]
    assert (
        await client.post(
            f"/records/{record['id']}/eresources",
            files={"file": ("a.txt", b"x")},
            headers=client.bearer(**PATRON),
        )
    ).status_code == 403
    bad_rule = await client.post(
        f"/records/{record['id']}/eresources",
        files={"file": ("a.txt", b"teks biasa")},
        data={"access": "everyone"},
        headers=client.bearer(**CATALOGER),
    )
    assert bad_rule.status_code == 422 and bad_rule.json()["error"]["code"] == "access_rule_invalid"


async def test_access_rules_decide_who_gets_a_download_link(client: ServiceClient) -> None:
    record = await create_record(client, marc("Arsip foto Jakarta", year=1950))
    ids = {}
    for rule in ("public", "members", "on_site", "restricted"):
        response = await upload(client, record["id"], f"{rule}.txt", f"berkas {rule}".encode(), access=rule)
        ids[rule] = response.json()["id"]  # type: ignore[attr-defined]
    anonymous: dict[str, str] = {}
    patron = client.bearer(**PATRON)
    staff = client.bearer(**LIBRARIAN)
    expected = {
        "public": (307, 307, 307),
        "members": (401, 307, 307),
        "on_site": (403, 403, 307),
        "restricted": (401, 403, 307),
    }
    for rule, codes in expected.items():
        got = tuple(
            [
                (await client.get(f"/eresources/{ids[rule]}/download", headers=h)).status_code
                for h in (anonymous, patron, staff)
            ]
        )
        assert got == codes, rule
    link = await client.get(f"/eresources/{ids['public']}/download")
    fetched = await client.get(link.headers["location"])
    assert fetched.status_code == 200 and fetched.content == b"berkas public"
    assert "public.txt" in fetched.headers["content-disposition"]
    as_json = (
        await client.get(
            f"/eresources/{ids['members']}/download", params={"redirect": "false"}, headers=patron
        )
    ).json()
    assert as_json["filename"] == "members.txt" and as_json["url"].startswith("http")

    changed = await client.patch(f"/eresources/{ids['restricted']}", json={"access": "public"}, headers=staff)
    assert changed.status_code == 200 and changed.json()["access"] == "public"
    assert (await client.get(f"/eresources/{ids['restricted']}/download")).status_code == 307
    assert (
        await client.patch(f"/eresources/{ids['members']}", json={"access": "x"}, headers=staff)
    ).status_code == 422
    assert (await client.delete(f"/eresources/{ids['members']}", headers=patron)).status_code == 403
    assert (await client.delete(f"/eresources/{ids['members']}", headers=staff)).status_code == 204
    assert (await client.get(f"/eresources/{ids['members']}")).status_code == 404
    assert (
        await client.get(link.headers["location"].replace(ids["public"], ids["members"]))
    ).status_code in (403, 404)
    blocked = await client.delete(f"/records/{record['id']}", headers=staff)
    assert blocked.status_code == 409 and blocked.json()["error"]["details"]["eresources"] == 3


async def test_on_site_rule_uses_the_library_networks(onsite: ServiceClient) -> None:
    record = await create_record(onsite, marc("Koran lama", year=1930))
    response = await upload(onsite, record["id"], "koran.txt", b"koran", access="on_site")
    file_id = response.json()["id"]  # type: ignore[attr-defined]
    assert (await onsite.get(f"/eresources/{file_id}/download")).status_code == 307


async def test_oversized_upload_is_413(small: ServiceClient) -> None:
    record = await create_record(small, marc("Buku besar", year=2000))
    response = await upload(small, record["id"], "besar.txt", b"a" * 5000)
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert response.json()["error"]["code"] == "payload_too_large"  # type: ignore[attr-defined]

    async def chunks():  # no Content-Length: the limit trips while streaming
        yield b"a" * 600
        yield b"b" * 600

    raw = await small.post(
        f"/records/{record['id']}/eresources",
        params={"filename": "besar.txt"},
        content=chunks(),
        headers=small.bearer(**CATALOGER),
    )
    assert raw.status_code == 413
    assert len((await small.get(f"/records/{record['id']}/eresources")).json()) == 0


@pytest.mark.parametrize("name", ["../../etc/passwd", "C:\\Users\\a\\laporan.txt", "\x00\x01"])
def test_file_names_are_cleaned(name: str) -> None:
    from catalog.eresources.service import clean_filename

    cleaned = clean_filename(name)
    assert "/" not in cleaned and "\\" not in cleaned and "\x00" not in cleaned and cleaned
