"""Special collections: curation, browsing, digitised documents with conservation status and access."""

from __future__ import annotations

from pusip_kit.testing.service import ServiceClient

from ..helpers import CATALOGER, PATRON, create_branch, create_record, marc

JASSIN = "pds-hb-jassin"
STAFF = CATALOGER


async def upload_text(client: ServiceClient, record_id: str, name: str, text: str) -> dict:
    response = await client.post(
        f"/records/{record_id}/eresources",
        files={"file": (name, text.encode(), "text/plain")},
        headers=client.bearer(**STAFF),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_collection_with_records_and_digitised_documents(client: ServiceClient) -> None:
    await create_branch(client, JASSIN, "Pusat Dokumentasi Sastra H.B. Jassin")
    created = await client.post(
        "/special-collections",
        json={
            "code": "PDS-HB-Jassin",
            "name": "Dokumentasi Sastra H.B. Jassin",
            "name_en": "H.B. Jassin Literary Documentation",
            "description": "Kliping, naskah dan surat para sastrawan Indonesia.",
            "curator_branch": JASSIN,
        },
        headers=client.bearer(**STAFF),
    )
    assert created.status_code == 201, created.text
    assert created.json()["code"] == "pds-hb-jassin"
    assert created.json()["curator"]["name"] == "Pusat Dokumentasi Sastra H.B. Jassin"
    taken = await client.post(
        "/special-collections",
        json={"code": "pds-hb-jassin", "name": "Lagi", "curator_branch": JASSIN},
        headers=client.bearer(**STAFF),
    )
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "collection_code_taken"
    no_branch = await client.post(
        "/special-collections",
        json={"code": "lain", "name": "Lain", "curator_branch": "tidak-ada"},
        headers=client.bearer(**STAFF),
    )
    assert no_branch.status_code == 422 and no_branch.json()["error"]["code"] == "branch_unknown"
    assert (
        await client.post(
            "/special-collections",
            json={"code": "x1", "name": "X", "curator_branch": JASSIN},
            headers=client.bearer(**PATRON),
        )
    ).status_code == 403

    letters = await create_record(client, marc("Surat-surat Chairil Anwar kepada H.B. Jassin", year=1944))
    clipping = await create_record(client, marc("Kliping Deru campur debu", year=1949))
    put = await client.put(
        f"/special-collections/pds-hb-jassin/records/{clipping['id']}",
        json={"note": "Map kliping 12"},
        headers=client.bearer(**STAFF),
    )
    assert put.status_code == 201 and put.json()["note"] == "Map kliping 12"
    again = await client.put(
        f"/special-collections/pds-hb-jassin/records/{clipping['id']}", headers=client.bearer(**STAFF)
    )
    assert again.status_code == 200  # idempotent

    scan = await upload_text(client, letters["id"], "surat-chairil.txt", "Surat Chairil Anwar, Jakarta 1944.")
    refused = await client.post(
        "/special-collections/pds-hb-jassin/documents",
        json={"eresource_id": scan["id"], "conservation_status": "hancur", "access_condition": "rahasia"},
        headers=client.bearer(**STAFF),
    )
    assert refused.status_code == 409
    assert [r["code"] for r in refused.json()["error"]["details"]["reasons"]] == [
        "conservation_status_unknown",
        "access_condition_unknown",
    ]
    document = await client.post(
        "/special-collections/pds-hb-jassin/documents",
        json={
            "eresource_id": scan["id"],
            "conservation_status": "rusak_berat",
            "access_condition": "by_request",
            "original_description": "Surat tulisan tangan, 2 lembar, kertas rapuh",
            "digitised_on": "2025-08-17",
        },
        headers=client.bearer(**STAFF),
    )
    assert document.status_code == 201, document.text
    body = document.json()
    assert (body["conservation_label"], body["conservation_label_en"], body["original_handling"]) == (
        "Rusak berat", "Severely damaged", "surrogate_only",
    )  # fmt: skip
    assert (body["access_condition"], body["access_label"]) == ("by_request", "Atas permintaan")
    # the access condition sets the file's access rule: by request = staff open it
    assert body["eresource"]["access"] == "restricted"
    assert body["record_title"].startswith("Surat-surat Chairil Anwar")

    # browsing: anyone sees the collection, its records (the document's record joined) and documents
    collection = (await client.get("/special-collections/pds-hb-jassin")).json()
    assert (collection["records"], collection["documents"], collection["conservation"]) == (
        2,
        1,
        {"rusak_berat": 1},
    )
    records = (await client.get("/special-collections/pds-hb-jassin/records")).json()
    assert [(r["title"], r["documents"]) for r in records["items"]] == [
        ("Kliping Deru campur debu", 0),
        ("Surat-surat Chairil Anwar kepada H.B. Jassin", 1),
    ]
    documents = (await client.get("/special-collections/pds-hb-jassin/documents")).json()["items"]
    assert len(documents) == 1 and documents[0]["eresource"]["can_download"] is False
    staff_view = (
        await client.get("/special-collections/pds-hb-jassin/documents", headers=client.bearer(**STAFF))
    ).json()["items"]
    assert staff_view[0]["eresource"]["can_download"] is True
    anonymous = await client.get(f"/eresources/{scan['id']}/download", params={"redirect": "false"})
    assert anonymous.status_code == 401
    on_record = (await client.get(f"/records/{letters['id']}/special-collections")).json()
    assert on_record == [
        {
            "code": "pds-hb-jassin",
            "name": "Dokumentasi Sastra H.B. Jassin",
            "name_en": "H.B. Jassin Literary Documentation",
        }
    ]
    on_record_docs = (await client.get(f"/records/{letters['id']}/digitised-documents")).json()
    assert [d["conservation_status"] for d in on_record_docs] == ["rusak_berat"]

    # opening it up: public access follows at once
    patched = await client.patch(
        f"/special-collections/pds-hb-jassin/documents/{scan['id']}",
        json={"access_condition": "public", "conservation_status": "dalam_perawatan"},
        headers=client.bearer(**STAFF),
    )
    assert patched.status_code == 200, patched.text
    assert (
        patched.json()["eresource"]["access"] == "public"
        and patched.json()["eresource"]["can_download"] is True
    )
    assert (
        await client.get(f"/eresources/{scan['id']}/download", params={"redirect": "false"})
    ).status_code == 200

    # a record with documents stays until they are unregistered; the file itself stays
    blocked = await client.delete(
        f"/special-collections/pds-hb-jassin/records/{letters['id']}", headers=client.bearer(**STAFF)
    )
    assert blocked.status_code == 409 and blocked.json()["error"]["code"] == "record_has_documents"
    assert (
        await client.delete(
            f"/special-collections/pds-hb-jassin/documents/{scan['id']}", headers=client.bearer(**STAFF)
        )
    ).status_code == 204
    assert (
        await client.delete(
            f"/special-collections/pds-hb-jassin/records/{letters['id']}", headers=client.bearer(**STAFF)
        )
    ).status_code == 204
    assert (await client.get(f"/eresources/{scan['id']}")).status_code == 200

    # a hidden collection is only for staff
    await client.patch(
        "/special-collections/pds-hb-jassin", json={"public": False}, headers=client.bearer(**STAFF)
    )
    assert (await client.get("/special-collections/pds-hb-jassin")).status_code == 404
    assert (await client.get("/special-collections")).json()["pagination"]["total_count"] == 0
    assert (await client.get("/special-collections", headers=client.bearer(**STAFF))).json()["pagination"][
        "total_count"
    ] == 1
    vocab = (await client.get("/special-collections/vocabulary")).json()
    assert [t["code"] for t in vocab["conservation_statuses"]][:2] == ["baik", "rusak_ringan"]
    assert {t["code"]: t["access_rule"] for t in vocab["access_conditions"]} == {
        "public": "public", "on_site": "on_site", "by_request": "restricted",
    }  # fmt: skip


async def test_a_document_belongs_to_one_collection(client: ServiceClient) -> None:
    await create_branch(client, JASSIN)
    for code in ("satu", "dua"):
        response = await client.post(
            "/special-collections", json={"code": code, "name": code.title(), "curator_branch": JASSIN},
            headers=client.bearer(**STAFF),
        )  # fmt: skip
        assert response.status_code == 201
    record = await create_record(client, marc("Naskah drama", year=1960))
    scan = await upload_text(client, record["id"], "naskah.txt", "Naskah drama.")
    body = {"eresource_id": scan["id"], "conservation_status": "baik", "access_condition": "on_site"}
    assert (
        await client.post("/special-collections/satu/documents", json=body, headers=client.bearer(**STAFF))
    ).status_code == 201
    dry = await client.post(
        "/special-collections/dua/documents",
        params={"dry_run": "true"},
        json=body,
        headers=client.bearer(**STAFF),
    )
    assert dry.status_code == 200 and dry.json()["reasons"][0]["code"] == "document_in_another_collection"
    assert (
        await client.post("/special-collections/dua/documents", json=body, headers=client.bearer(**STAFF))
    ).status_code == 409
