"""Object storage: one interface (:class:`ObjectStore`), a local-directory and a MinIO backend.

Services get their store from the settings::

    store = make_object_store(settings, "deposits")
    obj = await store.put("2024/abc/file.pdf", request.stream(), content_type="application/pdf",
                          max_size=512 * 1024 * 1024)
    async for chunk in store.get(obj.key): ...
    url = await store.presigned_get_url(obj.key, timedelta(minutes=15), filename="Laporan.pdf")

In embedded mode, also mount the router that serves the local store's presigned URLs::

    if isinstance(store, LocalObjectStore):
        app.include_router(make_signed_object_router(store))
"""

from __future__ import annotations

import re

from pusip_kit.config import ServiceSettings

from .base import (
    KEY_MAX_BYTES,
    CorruptObjectError,
    InvalidByteRange,
    InvalidObjectKey,
    InvalidObjectMetadata,
    ObjectKeyConflict,
    ObjectNotFound,
    ObjectReader,
    ObjectStore,
    RangeNotSatisfiable,
    StoredObject,
    validate_object_key,
    validate_prefix,
)
from .local import LocalObjectStore
from .local_router import make_signed_object_router
from .minio import MinioObjectStore

__all__ = [
    "KEY_MAX_BYTES",
    "CorruptObjectError",
    "InvalidByteRange",
    "InvalidObjectKey",
    "InvalidObjectMetadata",
    "LocalObjectStore",
    "MinioObjectStore",
    "ObjectKeyConflict",
    "ObjectNotFound",
    "ObjectReader",
    "ObjectStore",
    "RangeNotSatisfiable",
    "StoredObject",
    "make_object_store",
    "make_signed_object_router",
    "validate_object_key",
    "validate_prefix",
]

_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")


def make_object_store(settings: ServiceSettings, bucket: str) -> ObjectStore:
    """The store for ``bucket`` of this service, by ``settings.storage_backend``.

    ``local``: the folder ``<service_dir>/objects/<bucket>``; presigned URLs point at
    ``<base_url>/storage/<bucket>/objects/…``, served by :func:`make_signed_object_router`
    (which mounts itself at that path), signed with ``settings.secret_key``.
    ``minio``: the bucket ``<settings.minio_bucket_prefix><bucket>`` on ``settings.minio_endpoint``,
    created if missing.
    """
    if not _BUCKET_RE.fullmatch(bucket):
        raise ValueError(f"invalid bucket name {bucket!r}: 3-63 of a-z, 0-9 and '-'")
    backend = settings.storage_backend
    if backend == "local":
        return LocalObjectStore(
            settings.service_dir / "objects" / bucket,
            signing_key=settings.secret_key,
            public_base_url=f"{settings.base_url}/storage/{bucket}",
        )
    if backend == "minio":
        physical = f"{settings.minio_bucket_prefix}{bucket}"
        if not _BUCKET_RE.fullmatch(physical):
            raise ValueError(f"invalid bucket name {physical!r} (prefix + bucket): 3-63 of a-z, 0-9 and '-'")
        return MinioObjectStore(
            settings.minio_endpoint,
            settings.minio_access_key,
            settings.minio_secret_key,
            physical,
            secure=settings.minio_secure,
        )
    raise ValueError(f"unknown storage backend {backend!r} (expected 'local' or 'minio')")
