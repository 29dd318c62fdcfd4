"""Patron photos: JPEG/PNG/WebP by content, size-limited, own and staff access, gone on delete-on-request."""

from __future__ import annotations

import struct
import zlib

from pusip_kit.storage import ObjectStore
from pusip_kit.testing.service import ServiceClient

from ..helpers import LIBRARIAN, online_patron, run_tasks, setup_library


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


WEBP = b"RIFF" + struct.pack("<I", 30) + b"WEBPVP8L" + b"\x00" * 22


async def keys(store: ObjectStore) -> list[str]:
    return sorted([o.key async for o in store.list("patrons/")])


async def test_photo_lifecycle(client: ServiceClient) -> None:
    await setup_library(client)
    patron, sub = await online_patron(client)
    card = patron["card_number"]
    me = client.bearer(roles=["patron"], sub=sub)
    staff = client.bearer(**LIBRARIAN)
    store: ObjectStore = client.app.state.circulation_photos

    assert (await client.get("/patrons/me/photo", headers=me)).status_code == 404
    image = png()
    put = await client.put(
        "/patrons/me/photo", content=image, headers={**me, "content-type": "application/octet-stream"}
    )
    assert put.status_code == 204, put.text
    mine = await client.get("/patrons/me/photo", headers=me)
    assert mine.status_code == 200 and mine.content == image and mine.headers["content-type"] == "image/png"
    seen_by_staff = await client.get(f"/patrons/{card}/photo", headers=staff)
    assert seen_by_staff.content == image
    _, other_sub = await online_patron(client)
    peek = await client.get(f"/patrons/{card}/photo", headers=client.bearer(roles=["patron"], sub=other_sub))
    assert peek.status_code == 404
    [first_key] = await keys(store)

    # The type comes from the bytes, not from what the client claims.
    pdf = await client.put(
        "/patrons/me/photo", content=b"%PDF-1.7 not a photo", headers={**me, "content-type": "image/jpeg"}
    )
    assert pdf.status_code == 415
    error = pdf.json()["error"]
    assert error["code"] == "file_type_refused" and error["message"] and error["message_en"]
    big = b"\xff\xd8\xff\xe0" + b"\x00" * client.settings.photo_max_bytes  # type: ignore[attr-defined]
    too_big = await client.put("/patrons/me/photo", content=big, headers=me)
    assert too_big.status_code == 413 and too_big.json()["error"]["message_en"]
    empty = await client.put("/patrons/me/photo", content=b"", headers=me)
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "file_empty"
    assert (await client.get("/patrons/me/photo", headers=me)).content == image  # nothing changed

    # Staff replace it with a WebP sent as multipart; the old object goes after commit.
    webp = await client.put(
        f"/patrons/{card}/photo", files={"file": ("x.jpg", WEBP, "image/jpeg")}, headers=staff
    )
    assert webp.status_code == 204, webp.text
    now = await client.get("/patrons/me/photo", headers=me)
    assert now.content == WEBP and now.headers["content-type"] == "image/webp"
    await run_tasks(client)
    [second_key] = await keys(store)
    assert second_key != first_key
    forbidden = await client.put(
        f"/patrons/{card}/photo", content=image, headers=client.bearer(roles=["patron"], sub=sub)
    )
    assert forbidden.status_code == 403

    # Delete on request: the photo is forgotten at once and its object removed by the task.
    assert (await client.post("/patrons/me/delete", headers=me)).status_code == 204
    assert await keys(store) == [second_key]
    await run_tasks(client)
    assert await keys(store) == []
    assert (await client.get(f"/patrons/{card}/photo", headers=staff)).status_code == 404
