"""Reading digital deposits: authenticated, logged, PDFs watermarked on every page."""

from __future__ import annotations

import io

from pypdf import PdfReader

from pusip_kit.testing.service import ServiceClient

from ..helpers import (
    OFFICER,
    OTHER_PUBLISHER,
    PATRON,
    PUBLISHER,
    create_depositor,
    seed_article_pdf,
    submit_pdf,
)


async def test_watermarked_download_is_logged_and_limited_to_readers(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    pdf = seed_article_pdf()
    deposit = await submit_pdf(client, depositor["id"], pdf=pdf)
    file = deposit["files"][0]
    url = f"/deposits/{deposit['id']}/files/{file['id']}/download"

    assert (await client.get(url)).status_code == 401
    # before acceptance: the depositor and officers only
    assert (await client.get(url, headers=client.bearer(**PATRON))).status_code == 404
    assert (await client.get(url, headers=client.bearer(**OTHER_PUBLISHER))).status_code == 404
    own = await client.get(url, headers=client.bearer(**PUBLISHER))
    assert own.status_code == 200

    await client.post(f"/deposits/{deposit['id']}/accept", headers=client.bearer(**OFFICER))
    response = await client.get(url, headers=client.bearer(**PATRON))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "private, no-store"
    assert response.content != pdf
    original = PdfReader(io.BytesIO(pdf))
    stamped = PdfReader(io.BytesIO(response.content))
    assert len(stamped.pages) == len(original.pages)
    for page in stamped.pages:
        text = page.extract_text()
        assert "Budi Pembaca (pemustaka-1)" in text
        assert "UTC" in text
    assert "pengrajin rajut" in stamped.pages[0].extract_text().lower()  # the content is still there

    part = await client.get(url, params={"pages": "2-3"}, headers=client.bearer(**PATRON))
    assert len(PdfReader(io.BytesIO(part.content)).pages) == 2
    bad = await client.get(url, params={"pages": "9-2"}, headers=client.bearer(**PATRON))
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_page_range"

    log = await client.get(f"/deposits/{deposit['id']}/access-log", headers=client.bearer(**PUBLISHER))
    entries = log.json()["items"]
    assert [(e["subject"], e["watermarked"], e["pages"]) for e in entries] == [
        ("pemustaka-1", True, "2-3"),
        ("pemustaka-1", True, None),
        ("penerbit-1", True, None),
    ]
    assert not list((client.settings.data_dir / "deposit" / "tmp").glob("*"))
    # patrons may read, not fetch the raw extracted text
    assert (
        await client.get(
            f"/deposits/{deposit['id']}/files/{file['id']}/text", headers=client.bearer(**PATRON)
        )
    ).status_code == 404


async def test_large_pdfs_are_served_by_page_range_only(client: ServiceClient) -> None:
    client.settings.watermark_max_bytes = 1024
    client.settings.watermark_max_pages = 2
    depositor = await create_depositor(client)
    deposit = await submit_pdf(client, depositor["id"])
    url = f"/deposits/{deposit['id']}/files/{deposit['files'][0]['id']}/download"
    whole = await client.get(url, headers=client.bearer(**OFFICER))
    assert whole.status_code == 413
    assert whole.json()["error"]["code"] == "watermark_range_required"
    too_many = await client.get(url, params={"pages": "1-3"}, headers=client.bearer(**OFFICER))
    assert too_many.status_code == 400
    ranged = await client.get(url, params={"pages": "1-2"}, headers=client.bearer(**OFFICER))
    assert ranged.status_code == 200
    assert len(PdfReader(io.BytesIO(ranged.content)).pages) == 2


async def test_non_pdf_files_stream_as_stored_and_are_logged(client: ServiceClient) -> None:
    depositor = await create_depositor(client)
    audio = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 40
    import json

    from ..helpers import metadata

    response = await client.post(
        "/deposits/digital",
        params={
            "filename": "lagu.mp3",
            "metadata": json.dumps(
                metadata(depositor["id"], kind="karya_rekam", pages=None, duration_minutes=4)
            ),
        },
        content=audio,
        headers={**client.bearer(**PUBLISHER), "Content-Type": "audio/mpeg"},
    )
    assert response.status_code == 201, response.text
    deposit = response.json()
    file = deposit["files"][0]
    assert file["content_type"] == "audio/mpeg"
    got = await client.get(
        f"/deposits/{deposit['id']}/files/{file['id']}/download", headers=client.bearer(**OFFICER)
    )
    assert got.status_code == 200
    assert got.content == audio
    assert "lagu.mp3" in got.headers["content-disposition"]
    log = await client.get(f"/deposits/{deposit['id']}/access-log", headers=client.bearer(**OFFICER))
    assert [e["watermarked"] for e in log.json()["items"]] == [False]
