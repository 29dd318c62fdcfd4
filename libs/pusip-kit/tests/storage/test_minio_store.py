"""What is particular to the MinIO store, against the real server (``make services-up``)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from pusip_kit.storage import MinioObjectStore
from pusip_kit.storage.minio import INCOMING_PREFIX
from pusip_kit.testing.servers import require

pytestmark = pytest.mark.services

MiB = 1024 * 1024


@pytest.fixture
async def fresh_store() -> AsyncIterator[MinioObjectStore]:
    """A store on a bucket that does not exist yet (removed afterwards)."""
    servers = require("minio")
    store = MinioObjectStore(
        servers.minio_endpoint,
        servers.minio_access_key,
        servers.minio_secret_key,
        f"pusip-test-{uuid.uuid4().hex[:12]}",
        part_size=5 * MiB,
    )
    yield store
    client = store.client
    if client.bucket_exists(store.bucket):
        for obj in client.list_objects(store.bucket, recursive=True):
            if obj.object_name:
                client.remove_object(store.bucket, obj.object_name)
        for upload in client._list_multipart_uploads(store.bucket).uploads:
            if upload.upload_id:
                client._abort_multipart_upload(store.bucket, upload.object_name, upload.upload_id)
        client.remove_bucket(store.bucket)
    await store.close()


async def test_bucket_is_created_on_first_use(fresh_store: MinioObjectStore) -> None:
    assert not fresh_store.client.bucket_exists(fresh_store.bucket)
    await fresh_store.put("pertama.txt", b"1")
    assert fresh_store.client.bucket_exists(fresh_store.bucket)


async def test_multipart_object_records_sha256_as_metadata(fresh_store: MinioObjectStore) -> None:
    digest = hashlib.sha256()

    async def body() -> AsyncIterator[bytes]:
        for i in range(12):
            piece = bytes([i]) * MiB
            digest.update(piece)
            yield piece

    put = await fresh_store.put(
        "besar/dua-belas.bin", body(), content_type="image/tiff", metadata={"judul": "Peta Batavia"}
    )
    assert put.sha256 == digest.hexdigest()
    raw = fresh_store.client.stat_object(fresh_store.bucket, "besar/dua-belas.bin")
    assert raw.size == 12 * MiB
    assert raw.content_type == "image/tiff"
    assert (raw.metadata or {})["x-amz-meta-sha256"] == digest.hexdigest()
    assert (raw.metadata or {})["x-amz-meta-judul"] == "Peta%20Batavia"
    assert await fresh_store.verify("besar/dua-belas.bin")


async def test_crash_leftovers_are_hidden_and_cleaned(fresh_store: MinioObjectStore) -> None:
    await fresh_store.put("ada.txt", b"ada")
    client = fresh_store.client
    client.put_object(fresh_store.bucket, f"{INCOMING_PREFIX}sisa-crash", io.BytesIO(b"x"), 1)
    assert [o.key async for o in fresh_store.list()] == ["ada.txt"]
    assert await fresh_store.cleanup_incomplete(timedelta(hours=1)) == 0  # too recent
    assert await fresh_store.cleanup_incomplete(timedelta(0)) == 1
    assert [o.object_name for o in client.list_objects(fresh_store.bucket, recursive=True)] == ["ada.txt"]


def _uploads(store: MinioObjectStore) -> list[str]:
    # MinIO lists multipart uploads only for an empty prefix or an exact object name.
    return [u.object_name for u in store.client._list_multipart_uploads(store.bucket).uploads]


async def test_interrupted_multipart_upload_is_aborted(fresh_store: MinioObjectStore) -> None:
    """While a body streams, a multipart upload to a temporary key exists; cancelling aborts it."""
    stalled = asyncio.Event()

    async def body() -> AsyncIterator[bytes]:
        for _ in range(7):  # more than one 5 MiB part
            yield b"p" * MiB
        stalled.set()
        await asyncio.Event().wait()
        yield b""

    task = asyncio.create_task(fresh_store.put("putus.bin", body()))
    await asyncio.wait_for(stalled.wait(), 30)
    for _ in range(100):  # the first part is on its way
        if _uploads(fresh_store):
            break
        await asyncio.sleep(0.05)
    in_flight = _uploads(fresh_store)
    assert len(in_flight) == 1 and in_flight[0].startswith(INCOMING_PREFIX)
    assert [o.key async for o in fresh_store.list()] == []
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _uploads(fresh_store) == []
    assert list(fresh_store.client.list_objects(fresh_store.bucket, recursive=True)) == []


async def test_cleanup_aborts_stale_multipart_uploads(fresh_store: MinioObjectStore) -> None:
    await fresh_store.ensure_bucket()
    client = fresh_store.client
    client._create_multipart_upload(fresh_store.bucket, f"{INCOMING_PREFIX}terbengkalai", {})
    assert _uploads(fresh_store) == [f"{INCOMING_PREFIX}terbengkalai"]
    assert await fresh_store.cleanup_incomplete(timedelta(hours=1)) == 0
    assert await fresh_store.cleanup_incomplete(timedelta(0)) == 1
    assert _uploads(fresh_store) == []
