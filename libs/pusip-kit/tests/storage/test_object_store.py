"""The object-store behaviour suite: every test runs on the local store and on real MinIO."""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from pusip_kit.errors import PayloadTooLarge
from pusip_kit.storage import (
    InvalidByteRange,
    InvalidObjectKey,
    InvalidObjectMetadata,
    ObjectKeyConflict,
    ObjectNotFound,
    ObjectStore,
    RangeNotSatisfiable,
    StoredObject,
)

if TYPE_CHECKING:
    from conftest import Harness

MiB = 1024 * 1024
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Generated:
    """A reproducible pseudo-random body streamed in chunks, hashed as it is generated."""

    def __init__(self, size: int, *, seed: int = 1, chunk: int = 256 * 1024) -> None:
        self.size = size
        self.seed = seed
        self.chunk = chunk
        self.sent = 0
        self.digest = hashlib.sha256()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        rng = random.Random(self.seed)
        remaining = self.size
        while remaining:
            piece = rng.randbytes(min(self.chunk, remaining))
            self.digest.update(piece)
            self.sent += len(piece)
            remaining -= len(piece)
            yield piece
            await asyncio.sleep(0)

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()


class Boom(RuntimeError):
    pass


async def failing_body(good_bytes: int, chunk: int = 1 * MiB) -> AsyncIterator[bytes]:
    sent = 0
    while sent < good_bytes:
        piece = b"x" * min(chunk, good_bytes - sent)
        sent += len(piece)
        yield piece
    raise Boom("the uploader's connection broke")


async def sha_of_stream(store: ObjectStore, key: str, **kwargs: int) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    async for chunk in store.get(key, **kwargs):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


async def keys(store: ObjectStore, prefix: str = "") -> list[str]:
    return [obj.key async for obj in store.list(prefix)]


# ------------------------------------------------------------------------------------- round trips


async def test_put_bytes_round_trip(store: ObjectStore) -> None:
    data = b"Perpustakaan dan Kearsipan" * 100
    put = await store.put(
        "koleksi/2024/buku.txt",
        data,
        content_type="text/plain; charset=utf-8",
        metadata={"judul": "Sejarah Jakarta — édisi ke-2", "isbn": "978-602-0000-00-0"},
    )
    assert put.key == "koleksi/2024/buku.txt"
    assert put.size == len(data)
    assert put.sha256 == sha(data)
    assert put.content_type == "text/plain; charset=utf-8"
    assert put.metadata == {"judul": "Sejarah Jakarta — édisi ke-2", "isbn": "978-602-0000-00-0"}
    assert put.last_modified.tzinfo is not None

    stat = await store.stat("koleksi/2024/buku.txt")
    assert (stat.key, stat.size, stat.sha256, stat.content_type, stat.metadata) == (
        put.key,
        put.size,
        put.sha256,
        put.content_type,
        put.metadata,
    )
    assert abs((stat.last_modified - datetime.now(UTC)).total_seconds()) < 120
    assert await store.read_bytes("koleksi/2024/buku.txt") == data
    assert await store.exists("koleksi/2024/buku.txt")
    assert not await store.exists("koleksi/2024/lain.txt")


async def test_default_content_type_and_empty_object(store: ObjectStore) -> None:
    put = await store.put("kosong", b"")
    assert (put.size, put.sha256, put.content_type) == (0, EMPTY_SHA256, "application/octet-stream")
    assert await store.read_bytes("kosong") == b""
    assert (await store.stat("kosong")).sha256 == EMPTY_SHA256
    assert await store.verify("kosong")


async def test_forty_mib_stream_round_trip(store: ObjectStore, harness: Harness) -> None:
    body = Generated(40 * MiB + 123, seed=7)
    put = await store.put("arsip/besar.bin", body, content_type="application/octet-stream", max_size=64 * MiB)
    assert body.sent == 40 * MiB + 123
    assert put.size == body.sent
    assert put.sha256 == body.sha256
    assert (await store.stat("arsip/besar.bin")).sha256 == body.sha256
    streamed_sha, streamed_size = await sha_of_stream(store, "arsip/besar.bin")
    assert (streamed_sha, streamed_size) == (body.sha256, body.sent)
    assert await store.verify("arsip/besar.bin")
    assert await harness.leftovers() == []


async def test_reader_reports_object_and_streams_in_bounded_chunks(store: ObjectStore) -> None:
    data = random.Random(3).randbytes(3 * MiB + 5)
    await store.put("r/tiga.bin", data, content_type="application/pdf", metadata={"bagian": "1"})
    async with store.get("r/tiga.bin") as reader:
        assert reader.object.size == len(data)
        assert reader.object.sha256 == sha(data)
        assert reader.object.content_type == "application/pdf"
        assert reader.object.metadata == {"bagian": "1"}
        assert (reader.start, reader.end, reader.length) == (0, len(data), len(data))
        chunks = [chunk async for chunk in reader]
    assert b"".join(chunks) == data
    assert max(len(c) for c in chunks) <= 1 * MiB


# ------------------------------------------------------------------------------------------- ranges


async def test_range_reads(store: ObjectStore) -> None:
    data = random.Random(5).randbytes(2 * MiB + 77)
    await store.put("rentang.bin", data)
    assert await store.read_bytes("rentang.bin", start=10, end=20) == data[10:20]
    assert await store.read_bytes("rentang.bin", start=0, end=1) == data[:1]
    assert await store.read_bytes("rentang.bin", start=MiB - 3, end=MiB + 5) == data[MiB - 3 : MiB + 5]
    assert await store.read_bytes("rentang.bin", start=len(data) - 1) == data[-1:]
    assert await store.read_bytes("rentang.bin", start=100) == data[100:]
    # An end past the object is clamped, as HTTP servers do.
    assert await store.read_bytes("rentang.bin", start=len(data) - 10, end=len(data) + 1000) == data[-10:]
    async with store.get("rentang.bin", start=5, end=len(data) + 50) as reader:
        assert (reader.start, reader.end, reader.length) == (5, len(data), len(data) - 5)
        assert reader.object.size == len(data)


async def test_unsatisfiable_and_invalid_ranges(store: ObjectStore) -> None:
    await store.put("pendek.txt", b"0123456789")
    with pytest.raises(RangeNotSatisfiable) as caught:
        await store.read_bytes("pendek.txt", start=10)
    assert caught.value.status_code == 416
    with pytest.raises(RangeNotSatisfiable):
        await store.get("pendek.txt", start=50, end=60).open()
    with pytest.raises(InvalidByteRange):
        store.get("pendek.txt", start=5, end=5)
    with pytest.raises(InvalidByteRange):
        store.get("pendek.txt", start=-1)
    with pytest.raises(ObjectNotFound):
        await store.read_bytes("tidak-ada.txt", start=1, end=2)


async def test_missing_object(store: ObjectStore) -> None:
    with pytest.raises(ObjectNotFound) as caught:
        await store.stat("tidak/ada.pdf")
    assert caught.value.status_code == 404
    assert caught.value.code == "object_not_found"
    with pytest.raises(ObjectNotFound):
        await store.read_bytes("tidak/ada.pdf")
    with pytest.raises(ObjectNotFound):
        await store.get("tidak/ada.pdf").open()
    with pytest.raises(ObjectNotFound):
        await store.verify("tidak/ada.pdf")


# ---------------------------------------------------------------------------------------- atomicity


async def test_failing_body_leaves_nothing(store: ObjectStore, harness: Harness) -> None:
    # 20 MiB before the failure: more than one 16 MiB part, so MinIO had a multipart upload going.
    with pytest.raises(Boom):
        await store.put("gagal/berkas.bin", failing_body(20 * MiB))
    assert not await store.exists("gagal/berkas.bin")
    assert await keys(store) == []
    assert await harness.leftovers() == []


async def test_failing_body_keeps_previous_version(store: ObjectStore, harness: Harness) -> None:
    await store.put("tetap.txt", b"versi lama")
    with pytest.raises(Boom):
        await store.put("tetap.txt", failing_body(3 * MiB))
    assert await store.read_bytes("tetap.txt") == b"versi lama"
    assert (await store.stat("tetap.txt")).sha256 == sha(b"versi lama")
    assert await harness.leftovers() == []


async def test_max_size_exceeded_while_streaming(store: ObjectStore, harness: Harness) -> None:
    body = Generated(20 * MiB, seed=2, chunk=1 * MiB)
    with pytest.raises(PayloadTooLarge) as caught:
        await store.put("batas/besar.bin", body, max_size=18 * MiB)
    assert caught.value.status_code == 413
    assert caught.value.details == {"max_size": 18 * MiB}
    assert "melebihi" in caught.value.message and "exceeds" in caught.value.message_en
    assert body.sent <= 19 * MiB  # stopped as soon as the limit tripped, not after reading it all
    assert not await store.exists("batas/besar.bin")
    assert await harness.leftovers() == []


async def test_max_size_for_bytes_and_exact_limit(store: ObjectStore, harness: Harness) -> None:
    with pytest.raises(PayloadTooLarge):
        await store.put("batas/kecil.bin", b"x" * 11, max_size=10)
    put = await store.put("batas/pas.bin", Generated(10, chunk=3), max_size=10)
    assert put.size == 10
    assert not await store.exists("batas/kecil.bin")
    assert await harness.leftovers() == []


async def test_cancelled_put_leaves_nothing(store: ObjectStore, harness: Harness) -> None:
    """A client that disconnects mid-upload cancels the put: nothing may remain."""
    started = asyncio.Event()

    async def stalls_after_some_data() -> AsyncIterator[bytes]:
        for _ in range(18):
            yield b"y" * MiB
        started.set()
        await asyncio.Event().wait()  # the client went quiet
        yield b"never"

    task = asyncio.create_task(store.put("putus/unggah.bin", stalls_after_some_data()))
    await asyncio.wait_for(started.wait(), 60)
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not await store.exists("putus/unggah.bin")
    assert await keys(store) == []
    assert await harness.leftovers() == []


async def test_replace_is_atomic_for_readers(store: ObjectStore, harness: Harness) -> None:
    old = random.Random(11).randbytes(3 * MiB)
    new = random.Random(12).randbytes(5 * MiB)
    await store.put("ganti/dokumen.pdf", old, content_type="application/pdf", metadata={"versi": "1"})

    halfway = asyncio.Event()
    finish = asyncio.Event()

    async def slow_new_version() -> AsyncIterator[bytes]:
        yield new[: 2 * MiB]
        halfway.set()
        await finish.wait()
        yield new[2 * MiB :]

    task = asyncio.create_task(
        store.put(
            "ganti/dokumen.pdf", slow_new_version(), content_type="application/pdf", metadata={"versi": "2"}
        )
    )
    await asyncio.wait_for(halfway.wait(), 30)
    # Mid-upload, everyone still sees the complete old version.
    during = await store.stat("ganti/dokumen.pdf")
    assert (during.sha256, during.size, during.metadata) == (sha(old), len(old), {"versi": "1"})
    assert await store.read_bytes("ganti/dokumen.pdf") == old
    assert [o.key for o in [o async for o in store.list("ganti/")]] == ["ganti/dokumen.pdf"]

    # A reader that started on the old version reads the old version to the end, while the new
    # version is completed. (MinIO makes the replacement wait for such a reader; the local store
    # lets it go ahead, the open file keeps the old bytes: test_local_store checks that case.)
    reader = await store.get("ganti/dokumen.pdf").open()
    first = await reader.__anext__()
    finish.set()
    rest, done = await asyncio.gather(reader.read_all(), task)
    assert first + rest == old

    after = await store.stat("ganti/dokumen.pdf")
    assert (after.sha256, after.size, after.metadata) == (sha(new), len(new), {"versi": "2"})
    assert done.sha256 == sha(new)
    assert await store.read_bytes("ganti/dokumen.pdf") == new
    assert await harness.leftovers() == []


async def test_concurrent_replacements_leave_one_whole_version(store: ObjectStore, harness: Harness) -> None:
    versions = [random.Random(100 + i).randbytes(2 * MiB + i) for i in range(4)]
    results = await asyncio.gather(*(store.put("balapan.bin", v) for v in versions))
    assert {r.sha256 for r in results} == {sha(v) for v in versions}
    stat = await store.stat("balapan.bin")
    assert stat.sha256 in {sha(v) for v in versions}
    assert sha(await store.read_bytes("balapan.bin")) == stat.sha256
    assert await store.verify("balapan.bin")
    assert await harness.leftovers() == []


# ------------------------------------------------------------------------------------- delete, list


async def test_delete_is_idempotent(store: ObjectStore) -> None:
    await store.put("hapus/satu.txt", b"1")
    await store.put("hapus/dua.txt", b"2")
    await store.delete("hapus/satu.txt")
    await store.delete("hapus/satu.txt")
    await store.delete("tidak/pernah/ada.txt")
    assert not await store.exists("hapus/satu.txt")
    assert await keys(store) == ["hapus/dua.txt"]
    await store.delete("hapus/dua.txt")
    assert await keys(store) == []
    # The key can be written again after the delete.
    await store.put("hapus/satu.txt", b"lagi")
    assert await store.read_bytes("hapus/satu.txt") == b"lagi"


async def test_list_by_prefix_in_key_order(store: ObjectStore) -> None:
    for key in ["b/1", "a/2", "ab/c", "a-b", "a/1", "a/sub/x.txt", "c"]:
        await store.put(key, key.encode(), content_type="text/plain", metadata={"asal": key})
    assert await keys(store) == ["a-b", "a/1", "a/2", "a/sub/x.txt", "ab/c", "b/1", "c"]
    assert await keys(store, "a/") == ["a/1", "a/2", "a/sub/x.txt"]
    assert await keys(store, "a") == ["a-b", "a/1", "a/2", "a/sub/x.txt", "ab/c"]
    assert await keys(store, "a/s") == ["a/sub/x.txt"]
    assert await keys(store, "zzz") == []
    assert await keys(store, "c/") == []

    listed = {obj.key: obj async for obj in store.list("a/")}
    one: StoredObject = listed["a/1"]
    assert (one.size, one.sha256, one.content_type, one.metadata) == (
        3,
        sha(b"a/1"),
        "text/plain",
        {"asal": "a/1"},
    )


async def test_list_hides_uploads_in_progress(store: ObjectStore) -> None:
    await store.put("ada.txt", b"ada")
    halfway = asyncio.Event()
    finish = asyncio.Event()

    async def slow() -> AsyncIterator[bytes]:
        yield b"z" * (6 * MiB)
        halfway.set()
        await finish.wait()

    task = asyncio.create_task(store.put("baru.txt", slow()))
    await asyncio.wait_for(halfway.wait(), 30)
    assert await keys(store) == ["ada.txt"]
    finish.set()
    await task
    assert await keys(store) == ["ada.txt", "baru.txt"]


async def test_key_that_is_a_folder_conflicts(store: ObjectStore, harness: Harness) -> None:
    await store.put("map/berkas", b"objek")
    with pytest.raises(ObjectKeyConflict) as caught:
        await store.put("map/berkas/anak", b"x")
    assert caught.value.status_code == 409
    await store.put("induk/anak", b"anak")
    with pytest.raises(ObjectKeyConflict):
        await store.put("induk", b"x")
    # The folder "induk" is not an object: stat, delete and list treat it so.
    assert not await store.exists("induk")
    await store.delete("induk")
    assert await keys(store) == ["induk/anak", "map/berkas"]
    assert await harness.leftovers() == []


# ------------------------------------------------------------------------------------------- verify


async def test_verify_detects_corruption(store: ObjectStore, harness: Harness) -> None:
    data = random.Random(9).randbytes(2 * MiB)
    put = await store.put("fiksitas/arsip.tif", data, content_type="image/tiff")
    assert await store.verify("fiksitas/arsip.tif")
    await harness.corrupt("fiksitas/arsip.tif")
    assert (await store.stat("fiksitas/arsip.tif")).sha256 == put.sha256  # recorded hash unchanged
    assert not await store.verify("fiksitas/arsip.tif")


# ---------------------------------------------------------------------------------------- presigned


async def test_presigned_url_downloads(store: ObjectStore, harness: Harness) -> None:
    data = random.Random(21).randbytes(MiB + 10)
    await store.put("unduh/laporan.pdf", data, content_type="application/pdf")
    url = await store.presigned_get_url(
        "unduh/laporan.pdf", timedelta(minutes=5), filename="Laporan Tahunan – Dispusip.pdf"
    )
    response = await harness.fetch(url)
    assert response.status_code == 200, response.text
    assert response.content == data
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-length"] == str(len(data))
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Laporan%20Tahunan%20%E2%80%93%20Dispusip.pdf" in disposition

    plain = await store.presigned_get_url("unduh/laporan.pdf", timedelta(seconds=30))
    response = await harness.fetch(plain)
    assert response.status_code == 200
    assert response.content == data
    assert "content-disposition" not in response.headers

    ranged = await harness.fetch(plain, headers={"Range": "bytes=100-199"})
    assert ranged.status_code == 206
    assert ranged.content == data[100:200]
    assert ranged.headers["content-range"] == f"bytes 100-199/{len(data)}"


async def test_presigned_url_refused_when_expired_or_tampered(store: ObjectStore, harness: Harness) -> None:
    await store.put("rahasia/a.txt", b"A")
    await store.put("rahasia/b.txt", b"B")

    expired = await store.presigned_get_url(
        "rahasia/a.txt", timedelta(hours=1), issued_at=datetime.now(UTC) - timedelta(hours=2)
    )
    response = await harness.fetch(expired)
    assert response.status_code == 403
    if harness.backend == "local":
        assert response.json()["error"]["code"] == "url_expired"

    good = await store.presigned_get_url("rahasia/a.txt", timedelta(minutes=5))
    assert (await harness.fetch(good)).content == b"A"

    other_key = good.replace("rahasia/a.txt", "rahasia/b.txt")
    response = await harness.fetch(other_key)
    assert response.status_code == 403
    if harness.backend == "local":
        assert response.json()["error"]["code"] == "invalid_signature"

    parts = urlsplit(good)
    query = dict(parse_qsl(parts.query))
    signature = query[harness.signature_param]
    query[harness.signature_param] = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    tampered = urlunsplit(parts._replace(query=urlencode(query)))
    assert (await harness.fetch(tampered)).status_code == 403

    longer = dict(parse_qsl(parts.query))
    expiry_param = "expires" if harness.backend == "local" else "X-Amz-Expires"
    longer[expiry_param] = str(int(longer[expiry_param]) + 3600)
    assert (await harness.fetch(urlunsplit(parts._replace(query=urlencode(longer))))).status_code == 403


async def test_presigned_url_limits(store: ObjectStore) -> None:
    await store.put("x.txt", b"x")
    for bad in (timedelta(0), timedelta(days=8)):
        with pytest.raises(Exception) as caught:
            await store.presigned_get_url("x.txt", bad)
        assert getattr(caught.value, "code", None) == "invalid_expiry"
    with pytest.raises(Exception) as caught:
        await store.presigned_get_url("x.txt", timedelta(minutes=1), filename="a\nb")
    assert getattr(caught.value, "code", None) == "invalid_filename"


# ----------------------------------------------------------------------------------------- bad keys

BAD_KEYS = [
    "../x",
    "a/../../etc/passwd",
    "/abs",
    "/etc/passwd",
    "a//b",
    "a\\b",
    "..\\x",
    "a\x00b",
    "",
    "a/",
    "./a",
    ".hidden",
    ".incoming/x",
    ".tmp/x",
    "a/./b",
    "spasi di nama",
    "k" * 1025,
    "a/" + "s" * 256,
]


@pytest.mark.parametrize("bad", BAD_KEYS, ids=lambda k: repr(k)[:30])
async def test_bad_keys_are_refused_everywhere(store: ObjectStore, harness: Harness, bad: str) -> None:
    with pytest.raises(InvalidObjectKey) as caught:
        await store.put(bad, b"jahat")
    err = caught.value
    assert (err.status_code, err.code) == (400, "invalid_object_key")
    assert err.message.startswith("Kunci objek tidak sah") and err.message_en.startswith("Invalid object key")
    with pytest.raises(InvalidObjectKey):
        await store.stat(bad)
    with pytest.raises(InvalidObjectKey):
        store.get(bad)
    with pytest.raises(InvalidObjectKey):
        await store.exists(bad)
    with pytest.raises(InvalidObjectKey):
        await store.delete(bad)
    with pytest.raises(InvalidObjectKey):
        await store.verify(bad)
    with pytest.raises(InvalidObjectKey):
        await store.presigned_get_url(bad, timedelta(minutes=1))
    assert await keys(store) == []
    assert await harness.leftovers() == []


@pytest.mark.parametrize("bad", ["/", "../", "a//", "a\\", ".incoming/", "x/../"])
async def test_bad_prefixes_are_refused(store: ObjectStore, bad: str) -> None:
    with pytest.raises(InvalidObjectKey):
        await keys(store, bad)


async def test_bad_metadata_and_content_type(store: ObjectStore) -> None:
    for metadata in ({"Judul": "x"}, {"sha256": "x"}, {"a b": "x"}, {"baris": "a\nb"}, {"besar": "x" * 2000}):
        with pytest.raises(InvalidObjectMetadata):
            await store.put("m.txt", b"x", metadata=metadata)
    with pytest.raises(InvalidObjectMetadata):
        await store.put("m.txt", b"x", content_type="text/html\r\nX-Evil: 1")
    assert not await store.exists("m.txt")


async def test_metadata_values_round_trip_exactly(store: ObjectStore) -> None:
    metadata = {
        "kosong": "",
        "spasi": "  di tepi  ",
        "persen": "100% = 100%25",
        "unicode": "Pustaka Café — 書 ✓",
        "tanda": "a\"b'c;d,e=f&g?h#i",
    }
    await store.put("meta.txt", b"m", metadata=metadata)
    assert (await store.stat("meta.txt")).metadata == metadata
    assert [o.metadata async for o in store.list("meta")] == [metadata]
    async with store.get("meta.txt") as reader:
        assert reader.object.metadata == metadata
