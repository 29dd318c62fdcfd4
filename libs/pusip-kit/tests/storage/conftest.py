"""One object-store behaviour suite, two backends.

The ``store`` fixture yields a :class:`Harness` for the local directory store and, marked
``services``, for the real MinIO server (``make services-up``). The harness carries what the
suite cannot do through the public interface alone: fetch a presigned URL, look for leftovers of
failed writes, corrupt a stored object behind the store's back.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from minio import Minio

from pusip_kit.errors import install_error_handlers
from pusip_kit.storage import LocalObjectStore, MinioObjectStore, ObjectStore, make_signed_object_router
from pusip_kit.storage.local import HEADER_SIZE, TMP_DIR
from pusip_kit.storage.minio import INCOMING_PREFIX
from pusip_kit.testing.servers import require

LOCAL_BASE_URL = "http://testserver/storage/test"
SIGNING_KEY = "storage-tests-signing-key-0123456789"


@dataclass
class Harness:
    backend: str
    store: ObjectStore
    fetch: Callable[..., Awaitable[httpx.Response]]
    """GET a (presigned) URL: ``await fetch(url, headers={...})``."""
    leftovers: Callable[[], Awaitable[list[str]]]
    """Temporary files / uploads / incomplete multipart uploads left behind (must be empty)."""
    corrupt: Callable[[str], Awaitable[None]]
    """Change the stored bytes of an object, keeping its recorded SHA-256."""
    signature_param: str
    extra: dict[str, object] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------- local


@pytest.fixture
async def local_harness(tmp_path: Path) -> AsyncIterator[Harness]:
    store = LocalObjectStore(tmp_path / "objects", signing_key=SIGNING_KEY, public_base_url=LOCAL_BASE_URL)
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(make_signed_object_router(store))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")

    async def fetch(url: str, **kwargs: object) -> httpx.Response:
        return await client.get(url, **kwargs)  # type: ignore[arg-type]

    async def leftovers() -> list[str]:
        return sorted(str(p.relative_to(store.root)) for p in (store.root / TMP_DIR).iterdir())

    async def corrupt(key: str) -> None:
        path = store.path_for(key)
        with path.open("r+b") as handle:
            handle.seek(HEADER_SIZE + 7)
            byte = handle.read(1)
            handle.seek(HEADER_SIZE + 7)
            handle.write(bytes([byte[0] ^ 0xFF]))

    yield Harness("local", store, fetch, leftovers, corrupt, signature_param="signature", extra={"app": app})
    await client.aclose()
    await store.close()


# ---------------------------------------------------------------------------------------- minio


@pytest.fixture(scope="session")
def minio_bucket() -> Iterator[str]:
    """A bucket of its own for this test session, removed with everything in it afterwards."""
    servers = require("minio")
    bucket = f"pusip-test-{uuid.uuid4().hex[:12]}"
    yield bucket
    client = Minio(servers.minio_endpoint, servers.minio_access_key, servers.minio_secret_key, secure=False)
    if client.bucket_exists(bucket):
        _empty_bucket(client, bucket)
        client.remove_bucket(bucket)


def _incomplete_uploads(client: Minio, bucket: str, keys: list[str]) -> list[str]:
    found = []
    prefixes = ["", INCOMING_PREFIX, *keys]
    for prefix in prefixes:
        result = client._list_multipart_uploads(bucket, prefix=prefix)
        found += [f"upload:{u.object_name}:{u.upload_id}" for u in result.uploads]
    return sorted(set(found))


def _empty_bucket(client: Minio, bucket: str) -> None:
    for obj in client.list_objects(bucket, recursive=True):
        if obj.object_name:
            client.remove_object(bucket, obj.object_name)
    for upload in client._list_multipart_uploads(bucket).uploads:
        if upload.upload_id:
            client._abort_multipart_upload(bucket, upload.object_name, upload.upload_id)


@pytest.fixture
async def minio_harness(minio_bucket: str) -> AsyncIterator[Harness]:
    servers = require("minio")
    store = MinioObjectStore(
        servers.minio_endpoint, servers.minio_access_key, servers.minio_secret_key, minio_bucket
    )
    await store.ensure_bucket()
    _empty_bucket(store.client, minio_bucket)
    incoming_keys: list[str] = []
    new_incoming_key = store._new_incoming_key

    def recording_incoming_key() -> str:
        key = new_incoming_key()
        incoming_keys.append(key)
        return key

    store._new_incoming_key = recording_incoming_key  # type: ignore[method-assign]
    client = httpx.AsyncClient(timeout=60)

    async def fetch(url: str, **kwargs: object) -> httpx.Response:
        return await client.get(url, **kwargs)  # type: ignore[arg-type]

    async def leftovers() -> list[str]:
        found = [
            f"object:{o.object_name}"
            for o in store.client.list_objects(minio_bucket, prefix=INCOMING_PREFIX, recursive=True)
        ]
        return found + _incomplete_uploads(store.client, minio_bucket, incoming_keys)

    async def corrupt(key: str) -> None:
        info = store.client.stat_object(minio_bucket, key)
        data = store.client.get_object(minio_bucket, key)
        try:
            raw = bytearray(data.read())
        finally:
            data.close()
            data.release_conn()
        raw[7] ^= 0xFF
        sha256 = (info.metadata or {})["x-amz-meta-sha256"]
        store.client.put_object(
            minio_bucket,
            key,
            io.BytesIO(bytes(raw)),
            len(raw),
            content_type=info.content_type or "application/octet-stream",
            metadata={"sha256": sha256},
        )

    harness = Harness(
        "minio",
        store,
        fetch,
        leftovers,
        corrupt,
        signature_param="X-Amz-Signature",
        extra={"incoming_keys": incoming_keys},
    )
    yield harness
    await client.aclose()
    _empty_bucket(store.client, minio_bucket)
    await store.close()


# ---------------------------------------------------------------------------------------- both


@pytest.fixture(params=["local", pytest.param("minio", marks=pytest.mark.services)])
def store(request: pytest.FixtureRequest) -> ObjectStore:
    """The store under test: every behaviour test runs against each backend."""
    harness: Harness = request.getfixturevalue(f"{request.param}_harness")
    return harness.store


@pytest.fixture
def harness(store: ObjectStore, request: pytest.FixtureRequest) -> Harness:
    """Backend-specific helpers for the ``store`` of this test."""
    backend = "local" if isinstance(store, LocalObjectStore) else "minio"
    found: Harness = request.getfixturevalue(f"{backend}_harness")
    return found
