"""Digital intake: files streamed to storage with SHA-256, receipts, and refusals that leave nothing."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from typing import Any

import pytest
from pypdf import PdfReader

from pusip_kit.testing.service import ServiceClient

from ..helpers import (
    OFFICER,
    OTHER_PUBLISHER,
    PUBLISHER,
    count_rows,
    create_depositor,
    metadata,
    multipart,
    seed_article_pdf,
    small_pdf,
    stored_objects,
    upload,
)


async def assert_nothing_left(client: ServiceClient) -> None:
    assert await count_rows(client) == {"deposits": 0, "files": 0}
    assert stored_objects(client) == []
    assert await client.outbox_events("deposit.deposit.received") == []


async def test_seed_article_pdf_is_stored_with_sha256_and_a_numbered_receipt(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    pdf = seed_article_pdf()
    response = await upload(
        client, metadata(depositor["id"], isbn="978-602-8519-93-9"), [("Artikel Rajut.pdf", pdf)]
    )
    assert response.status_code == 201, response.text
    deposit = response.json()
    assert deposit["status"] == "submitted"
    assert deposit["channel"] == "digital"
    assert deposit["language"] == "ind"
    assert deposit["isbn"] == "9786028519939"
    assert re.fullmatch(r"TT/DISPUSIP/\d{4}/000001", deposit["receipt_number"])
    [file] = deposit["files"]
    assert file["filename"] == "Artikel Rajut.pdf"
    assert file["content_type"] == "application/pdf"
    assert file["size"] == len(pdf)
    assert file["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert file["text_status"] == "pending"
    assert len(stored_objects(client)) == 1
    stored = await client.app.state.deposit_stores.files.read_bytes(f"files/{deposit['id']}/{file['id']}")
    assert stored == pdf

    receipt = await client.get(deposit["receipt_url"], headers=client.bearer(**PUBLISHER))
    assert receipt.status_code == 200
    assert receipt.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.content)).pages)
    assert deposit["receipt_number"] in text
    assert "TANDA TERIMA" in text
    assert file["sha256"][:20] in text.replace("\n", "")

    [event] = await client.outbox_events("deposit.deposit.received")
    assert event["payload"]["receipt_number"] == deposit["receipt_number"]

    second = await upload(client, metadata(depositor["id"]), [("kedua.pdf", small_pdf())])
    assert second.json()["receipt_number"].endswith("/000002")


async def test_raw_body_upload_with_metadata_in_the_query(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    text = b"Teks polos karya digital uji coba.\n" * 20
    response = await client.post(
        "/deposits/digital",
        params={"filename": "catatan.txt", "metadata": json.dumps(metadata(depositor["id"]))},
        content=text,
        headers={**client.bearer(**PUBLISHER), "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 201, response.text
    [file] = response.json()["files"]
    assert (file["content_type"], file["size"]) == ("text/plain", len(text))


async def test_several_files_in_one_deposit(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    response = await upload(
        client, metadata(depositor["id"]), [("isi.pdf", small_pdf()), ("sampul.png", png)]
    )
    assert response.status_code == 201, response.text
    assert [(f["filename"], f["content_type"], f["text_status"]) for f in response.json()["files"]] == [
        ("isi.pdf", "application/pdf", "pending"),
        ("sampul.png", "image/png", "not_applicable"),
    ]
    assert len(stored_objects(client)) == 2


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("kosong.pdf", b"", 422, "empty_file"),
        (
            "program.pdf",
            b"MZ\x90\x00\x03" + b"\x00" * 5000,
            415,
            "unsupported_file_type",
        ),  # an .exe named .pdf
        ("../../etc/passwd.pdf", b"%PDF-1.4 x", 400, "invalid_filename"),
        ("..\\..\\boot.pdf", b"%PDF-1.4 x", 400, "invalid_filename"),
        (".tersembunyi.pdf", b"%PDF-1.4 x", 400, "invalid_filename"),
        ("a/b.pdf", b"%PDF-1.4 x", 400, "invalid_filename"),
    ],
)
async def test_refused_files_leave_no_record_and_no_object(
    client: ServiceClient, name: str, data: bytes, status: int, code: str
) -> None:
    depositor = await create_depositor(client)
    response = await upload(client, metadata(depositor["id"]), [(name, data)])
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] and error["message_en"]
    await assert_nothing_left(client)


async def test_oversized_file_is_413_and_leaves_nothing(client: ServiceClient) -> None:
    client.settings.max_size_digital = 64 * 1024
    depositor = await create_depositor(client)
    big = b"%PDF-1.7\n" + b"0" * (200 * 1024)
    response = await upload(client, metadata(depositor["id"]), [("besar.pdf", big)])
    assert response.status_code == 413, response.text
    assert response.json()["error"]["details"]["max_size"] == 64 * 1024
    await assert_nothing_left(client)


async def test_a_bad_second_file_removes_the_first_one_too(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    response = await upload(
        client, metadata(depositor["id"]), [("baik.pdf", small_pdf()), ("buruk.exe", b"MZ" + b"\x00" * 9000)]
    )
    assert response.status_code == 415
    await assert_nothing_left(client)


async def test_declared_length_over_the_limit_is_refused_before_reading(client: ServiceClient) -> None:
    client.settings.max_size_digital = 1024
    client.settings.max_size_package = 1024
    depositor = await create_depositor(client)
    response = await client.post(
        "/deposits/digital",
        params={"filename": "x.pdf", "metadata": json.dumps(metadata(depositor["id"]))},
        content=b"%PDF-" + b"x" * 5000,
        headers={**client.bearer(**PUBLISHER), "Content-Type": "application/pdf"},
    )
    assert response.status_code == 413
    await assert_nothing_left(client)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"isbn": "978-602-8519-93-8"}, "isbn"),  # wrong check digit
        ({"issn": "1234-5678"}, "issn"),
        ({"ismn": "979-0-2306-0000-0"}, "ismn"),
        ({"year": 1700}, "year"),
        ({"language": "xx"}, "language"),
        ({"kind": "karya_lain"}, "kind"),
        ({"creators": []}, "creators"),
        ({"published_on": "2019-01-01"}, "published_on"),  # does not match the year
    ],
)
async def test_invalid_metadata_is_422_before_any_file_is_read(
    client: ServiceClient, overrides: dict[str, Any], field: str
) -> None:
    depositor = await create_depositor(client)
    response = await upload(client, metadata(depositor["id"], **overrides), [("a.pdf", small_pdf())])
    assert response.status_code == 422, response.text
    assert field in json.dumps(response.json()["error"]["details"])
    await assert_nothing_left(client)


async def test_metadata_must_come_first_and_files_must_follow(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    body, content_type = multipart(None, [("a.pdf", small_pdf())])
    response = await client.post(
        "/deposits/digital",
        content=body,
        headers={**client.bearer(**PUBLISHER), "Content-Type": content_type},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "metadata_first"
    none = await upload(client, metadata(depositor["id"]), [])
    assert none.status_code == 422
    assert none.json()["error"]["code"] == "file_missing"
    printed = await upload(client, metadata(depositor["id"], kind="karya_cetak"), [("a.pdf", small_pdf())])
    assert printed.status_code == 422
    assert printed.json()["error"]["code"] == "wrong_channel"
    await assert_nothing_left(client)


async def test_truncated_multipart_is_400_and_leaves_nothing(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    body, content_type = multipart(metadata(depositor["id"]), [("a.pdf", small_pdf())])
    response = await client.post(
        "/deposits/digital",
        content=body[: len(body) // 2 + 400],
        headers={**client.bearer(**PUBLISHER), "Content-Type": content_type},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "multipart_invalid"
    await assert_nothing_left(client)


async def test_who_may_submit(client: ServiceClient) -> None:
    pending = await create_depositor(client, approve=False)
    response = await upload(client, metadata(pending["id"]), [("a.pdf", small_pdf())])
    assert response.status_code == 409
    assert [r["code"] for r in response.json()["error"]["details"]["reasons"]] == [
        "refuse_when_depositor_not_approved"
    ]
    approved = await create_depositor(client)
    foreign = await upload(client, metadata(approved["id"]), [("a.pdf", small_pdf())], who=OTHER_PUBLISHER)
    assert foreign.status_code == 404
    patron = await upload(
        client, metadata(approved["id"]), [("a.pdf", small_pdf())], who={"roles": ["patron"]}
    )
    assert patron.status_code == 403
    on_behalf = await upload(client, metadata(approved["id"]), [("a.pdf", small_pdf())], who=OFFICER)
    assert on_behalf.status_code == 201
    assert (await count_rows(client))["deposits"] == 1


def bag_zip(
    files: dict[str, bytes], *, extra: dict[str, bytes] | None = None, corrupt: bool = False
) -> bytes:
    """A BagIt bag (sha256 manifest) zipped with a top-level folder, as bagit-python writes them."""
    manifest = "".join(f"{hashlib.sha256(data).hexdigest()}  data/{name}\n" for name, data in files.items())
    if corrupt:
        manifest = manifest.replace(manifest[:4], "0000", 1)
    entries = {
        "bag/bagit.txt": b"BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n",
        "bag/bag-info.txt": b"Source-Organization: Penerbit Uji\nPayload-Oxum: %d.%d\n"
        % (sum(len(d) for d in files.values()), len(files)),
        "bag/manifest-sha256.txt": manifest.encode(),
        **{f"bag/data/{name}": data for name, data in files.items()},
        **(extra or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


async def test_a_valid_bagit_package_is_stored_with_each_payload_file(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    pdf = small_pdf("Isi paket BagIt.")
    package = bag_zip({"artikel.pdf": pdf, "lampiran/catatan.txt": b"catatan lampiran\n"})
    response = await upload(client, metadata(depositor["id"]), [("paket.zip", package)])
    assert response.status_code == 201, response.text
    files = response.json()["files"]
    assert [(f["role"], f["filename"], f["path_in_package"], f["content_type"]) for f in files] == [
        ("package", "paket.zip", None, "application/zip"),
        ("payload", "artikel.pdf", "data/artikel.pdf", "application/pdf"),
        ("payload", "catatan.txt", "data/lampiran/catatan.txt", "text/plain"),
    ]
    assert files[1]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert [f["text_status"] for f in files] == ["not_applicable", "pending", "pending"]
    assert len(stored_objects(client)) == 3
    assert not list((client.settings.data_dir / "deposit" / "tmp").glob("*"))


@pytest.mark.parametrize(
    ("package", "status", "code"),
    [
        (bag_zip({"a.pdf": b"%PDF-1.4 abc"}, corrupt=True), 422, "bag_invalid"),
        (
            bag_zip({"a.pdf": b"%PDF-1.4 abc"}, extra={"bag/../../escape.txt": b"x"}),
            400,
            "unsafe_archive_entry",
        ),
        (bag_zip({"a.pdf": b"%PDF-1.4 abc"}, extra={"/etc/cron.d/x": b"x"}), 400, "unsafe_archive_entry"),
        (bag_zip({"a.exe": b"MZ" + b"\x00" * 100}), 415, "unsupported_file_type"),
        (b"PK\x03\x04" + b"\x00" * 100, 422, "bag_invalid"),  # not even a zip
    ],
)
async def test_bad_packages_are_refused_and_leave_nothing(
    client: ServiceClient, package: bytes, status: int, code: str
) -> None:
    depositor = await create_depositor(client)
    response = await upload(client, metadata(depositor["id"]), [("paket.zip", package)])
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    await assert_nothing_left(client)
    assert not list((client.settings.data_dir / "deposit" / "tmp").glob("*"))


async def test_a_plain_zip_is_not_a_bag(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("artikel.pdf", b"%PDF-1.4 abc")
    response = await upload(client, metadata(depositor["id"]), [("paket.zip", out.getvalue())])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "not_a_bag"
    await assert_nothing_left(client)


async def test_a_zip_bomb_is_refused(client: ServiceClient) -> None:
    client.settings.bag_max_unpacked = 4 * 1024 * 1024
    depositor = await create_depositor(client)
    bomb = bag_zip({"nol.txt": b"0" * (16 * 1024 * 1024)})
    assert len(bomb) < 64 * 1024
    response = await upload(client, metadata(depositor["id"]), [("paket.zip", bomb)])
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] in ("package_too_large_unpacked", "package_compression_ratio")
    await assert_nothing_left(client)
