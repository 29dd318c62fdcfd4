"""What is particular to the local directory store: its files, its signed-URL router, the factory."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from pusip_kit.config import ServiceSettings
from pusip_kit.storage import (
    LocalObjectStore,
    MinioObjectStore,
    make_object_store,
    make_signed_object_router,
)
from pusip_kit.storage.local import HEADER_MAGIC, HEADER_SIZE, TMP_DIR
from pusip_kit.storage.local_router import parse_range

MiB = 1024 * 1024
BASE_URL = "http://testserver/storage/test"


@pytest.fixture
def store(tmp_path: Path) -> LocalObjectStore:
    return LocalObjectStore(
        tmp_path / "objects", signing_key="kunci-uji-0123456789", public_base_url=BASE_URL
    )


@pytest.fixture
async def client(store: LocalObjectStore) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()  # no error handlers installed: the router answers errors itself
    app.include_router(make_signed_object_router(store))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


# ------------------------------------------------------------------------------------------ on disk


async def test_one_file_per_object_with_header(store: LocalObjectStore) -> None:
    await store.put("a/b/c.txt", b"isi berkas", content_type="text/plain", metadata={"k": "v"})
    assert files_under(store.root) == [TMP_DIR, "a", "a/b", "a/b/c.txt"]
    raw = (store.root / "a/b/c.txt").read_bytes()
    assert raw.startswith(HEADER_MAGIC)
    assert len(raw) == HEADER_SIZE + len(b"isi berkas")
    assert raw[HEADER_SIZE:] == b"isi berkas"
    assert b'"content_type":"text/plain"' in raw[:HEADER_SIZE]


async def test_body_goes_to_a_temp_file_until_complete(store: LocalObjectStore) -> None:
    halfway = asyncio.Event()
    finish = asyncio.Event()

    async def body() -> AsyncIterator[bytes]:
        yield b"a" * (3 * MiB)
        halfway.set()
        await finish.wait()
        yield b"b"

    task = asyncio.create_task(store.put("tunggu.bin", body()))
    await halfway.wait()
    await asyncio.sleep(0.05)
    temps = list((store.root / TMP_DIR).iterdir())
    assert len(temps) == 1
    assert temps[0].stat().st_size >= HEADER_SIZE + 2 * MiB  # streamed to disk, not buffered
    assert not (store.root / "tunggu.bin").exists()
    finish.set()
    await task
    assert list((store.root / TMP_DIR).iterdir()) == []
    assert (store.root / "tunggu.bin").stat().st_size == HEADER_SIZE + 3 * MiB + 1


async def test_delete_prunes_empty_folders(store: LocalObjectStore) -> None:
    await store.put("x/y/z.txt", b"1")
    await store.put("x/keep.txt", b"2")
    await store.delete("x/y/z.txt")
    assert files_under(store.root) == [TMP_DIR, "x", "x/keep.txt"]
    await store.delete("x/keep.txt")
    assert files_under(store.root) == [TMP_DIR]


async def test_puts_and_deletes_racing_in_one_folder(store: LocalObjectStore) -> None:
    """Deletes prune folders that concurrent puts are creating under; every put still lands."""

    async def cycle(worker: int) -> None:
        for n in range(150):
            key = f"jobs/{worker}-{n}/upload"
            await store.put(key, b"isi")
            assert await store.read_bytes(key) == b"isi"
            await store.delete(key)

    await asyncio.gather(*(cycle(w) for w in range(8)))
    assert files_under(store.root) == [TMP_DIR]


async def test_put_makes_a_folder_again_when_it_vanishes_between_mkdir_and_check(
    store: LocalObjectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another put made the folder (mkdir: "exists"), a delete pruned it before the check: not a conflict."""
    real_mkdir = Path.mkdir
    raced: list[Path] = []

    def mkdir_losing_one_race(self: Path, *args: object, **kwargs: object) -> None:
        if self.name == "jobs" and not raced:
            raced.append(self)
            raise FileExistsError(self)  # … and it is already gone again
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", mkdir_losing_one_race)
    stored = await store.put("jobs/1/upload", b"isi")
    assert raced and stored.size == 3
    assert await store.read_bytes("jobs/1/upload") == b"isi"


async def test_cleanup_incomplete_removes_only_old_temp_files(store: LocalObjectStore) -> None:
    old = store.root / TMP_DIR / "old.part"
    fresh = store.root / TMP_DIR / "fresh.part"
    old.write_bytes(b"x")
    fresh.write_bytes(b"y")
    stale = time.time() - 2 * 86400
    os.utime(old, (stale, stale))
    assert await store.cleanup_incomplete(timedelta(hours=24)) == 1
    assert sorted(p.name for p in (store.root / TMP_DIR).iterdir()) == ["fresh.part"]


async def test_foreign_and_damaged_files_are_not_objects(store: LocalObjectStore) -> None:
    await store.put("baik.txt", b"ok")
    (store.root / "asing.txt").write_bytes(b"not written by the store")
    (store.root / ".tersembunyi").write_bytes(b"hidden")
    assert [o.key async for o in store.list()] == ["baik.txt"]
    assert not await store.verify("asing.txt")


async def test_symlinks_are_not_followed(store: LocalObjectStore, tmp_path: Path) -> None:
    outside = tmp_path / "luar.txt"
    outside.write_bytes(b"rahasia")
    (store.root / "tautan").symlink_to(outside)
    assert not await store.exists("tautan")
    assert [o.key async for o in store.list()] == []


def test_paths_stay_inside_root(store: LocalObjectStore) -> None:
    path = store.path_for("a/b/c")
    assert path == store.root / "a" / "b" / "c"
    assert os.path.commonpath([store.root, path]) == str(store.root)


# -------------------------------------------------------------------------------------------- router


async def signed(store: LocalObjectStore, key: str, **kwargs: object) -> str:
    return await store.presigned_get_url(key, timedelta(minutes=5), **kwargs)  # type: ignore[arg-type]


async def test_router_headers(store: LocalObjectStore, client: httpx.AsyncClient) -> None:
    put = await store.put("dok/a.html", b"<script>alert(1)</script>", content_type="text/html")
    url = await signed(store, "dok/a.html")
    assert url.startswith(f"{BASE_URL}/objects/dok/a.html?expires=")
    response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["etag"] == f'"{put.sha256}"'
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "sandbox"
    assert "last-modified" in response.headers


@pytest.mark.parametrize(
    ("range_header", "status", "expected", "content_range"),
    [
        ("bytes=0-3", 206, b"0123", "bytes 0-3/10"),
        ("bytes=7-", 206, b"789", "bytes 7-9/10"),
        ("bytes=-4", 206, b"6789", "bytes 6-9/10"),
        ("bytes=-40", 206, b"0123456789", "bytes 0-9/10"),
        ("bytes=8-100", 206, b"89", "bytes 8-9/10"),
        ("bytes=0-1,4-5", 200, b"0123456789", None),  # several ranges: whole object
        ("bytes=5-2", 200, b"0123456789", None),  # invalid: ignored
        ("items=0-1", 200, b"0123456789", None),
        ("bytes=10-", 416, None, "bytes */10"),
        ("bytes=-0", 416, None, "bytes */10"),
    ],
)
async def test_router_ranges(
    store: LocalObjectStore,
    client: httpx.AsyncClient,
    range_header: str,
    status: int,
    expected: bytes | None,
    content_range: str | None,
) -> None:
    await store.put("angka.txt", b"0123456789")
    response = await client.get(await signed(store, "angka.txt"), headers={"Range": range_header})
    assert response.status_code == status
    if expected is not None:
        assert response.content == expected
        assert response.headers["content-length"] == str(len(expected))
    else:
        assert response.json()["error"]["code"] == "range_not_satisfiable"
    assert response.headers.get("content-range") == content_range


async def test_router_refusals(store: LocalObjectStore, client: httpx.AsyncClient) -> None:
    await store.put("a.txt", b"A")
    url = await signed(store, "a.txt")

    unsigned = await client.get(f"{BASE_URL}/objects/a.txt")
    assert unsigned.status_code == 403
    assert unsigned.json()["error"]["code"] == "invalid_signature"
    assert unsigned.json()["error"]["message"] == "Tanda tangan tautan tidak sah"
    assert unsigned.json()["error"]["message_en"] == "Invalid link signature"

    # The download name is signed too.
    renamed = await client.get(url + "&filename=lain.txt")
    assert renamed.status_code == 403

    traversal = await client.get(url.replace("/objects/a.txt", "/objects/../a.txt"))
    assert traversal.status_code in (403, 404)

    missing = await client.get(await signed(store, "tidak-ada.txt"))
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "object_not_found"

    # A URL signed for another store (another bucket) does not open this one.
    other = LocalObjectStore(
        store.root.parent / "lain",
        signing_key="kunci-uji-0123456789",
        public_base_url="http://testserver/storage/lain",
    )
    foreign = (await signed(other, "a.txt")).replace("/storage/lain/", "/storage/test/")
    assert (await client.get(foreign)).status_code == 403


async def test_check_signature_expiry(store: LocalObjectStore) -> None:
    url = await signed(store, "a.txt")
    query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))
    store.check_signature("a.txt", query["expires"], query["signature"], None)
    with pytest.raises(Exception) as caught:
        store.check_signature(
            "a.txt", query["expires"], query["signature"], None, now=int(query["expires"]) + 1
        )
    assert getattr(caught.value, "code", None) == "url_expired"
    assert getattr(caught.value, "status_code", None) == 403


def test_parse_range() -> None:
    assert parse_range(None) is None
    assert parse_range("bytes=1-2") == (1, 2)
    assert parse_range("bytes=1-") == (1, None)
    assert parse_range("bytes=-5") == (None, 5)
    assert parse_range("bytes=-") is None
    assert parse_range("bytes=a-b") is None


# ------------------------------------------------------------------------------------------- factory


def test_make_object_store_local(tmp_path: Path) -> None:
    settings = ServiceSettings(data_dir=tmp_path, storage_backend="local", port=8003, secret_key="s" * 32)
    store = make_object_store(settings, "deposits")
    assert isinstance(store, LocalObjectStore)
    assert store.root == (tmp_path / "service" / "objects" / "deposits").resolve()
    assert store.public_base_url == "http://127.0.0.1:8003/storage/deposits"
    assert store.url_path_prefix == "/storage/deposits"


def test_make_object_store_minio(tmp_path: Path) -> None:
    settings = ServiceSettings(
        data_dir=tmp_path, storage_backend="minio", minio_endpoint="127.0.0.1:59999", minio_secure=False
    )
    store = make_object_store(settings, "archive-masters")
    assert isinstance(store, MinioObjectStore)
    assert (store.bucket, store.endpoint) == ("archive-masters", "127.0.0.1:59999")


def test_make_object_store_refuses_unknown(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        make_object_store(ServiceSettings(data_dir=tmp_path, storage_backend="ftp"), "x-bucket")
    with pytest.raises(ValueError):
        make_object_store(ServiceSettings(data_dir=tmp_path, storage_backend="local"), "../etc")


async def test_open_reader_keeps_its_version_after_replace_and_delete(store: LocalObjectStore) -> None:
    old = bytes(range(256)) * (12 * 1024)  # 3 MiB
    await store.put("versi.bin", old)
    reader = await store.get("versi.bin").open()
    first = await reader.__anext__()
    await store.put("versi.bin", b"baru")
    assert await store.read_bytes("versi.bin") == b"baru"
    await store.delete("versi.bin")
    assert first + await reader.read_all() == old
