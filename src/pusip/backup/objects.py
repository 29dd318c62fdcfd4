"""Object stores: what a service's buckets hold, copied into a backup and back, verified by SHA-256.

In the backup every object is one file in the local store's own format (:mod:`pusip_kit.storage.local`):
a 4 KiB header with size, SHA-256, content type, modification time and user metadata, then the bytes.
An object from the local store is copied file by file as it is on disk; one from MinIO is written in
the same format from its listing and a streamed GET. So a backup's objects restore into either kind
of store.

Every copy is verified while it streams: the content's SHA-256 and length must equal those recorded
when the object was written (the header, or MinIO's ``x-amz-meta-sha256``). A damaged object stops
the backup with its name, rather than being saved as if it were sound.

Which buckets belong to a service: on local disk every folder of ``<data_dir>/<service>/objects/``;
on MinIO every bucket named ``<minio_bucket_prefix><service>-…`` (the services name their buckets
``<service>-<purpose>``). The manifest keeps the name without the prefix, so a backup restores into
an installation with another prefix.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import os
import re
import stat as stat_mod
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from anyio import to_thread
from anyio.from_thread import BlockingPortal

from pusip_kit.config import ServiceSettings
from pusip_kit.storage import CorruptObjectError, ObjectStore, StoredObject, make_object_store
from pusip_kit.storage.base import READ_CHUNK, validate_object_key
from pusip_kit.storage.local import HEADER_SIZE, TMP_DIR, _decode_header, _encode_header

from .archive import ArchiveWriter

BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")


class ObjectProblem(Exception):
    """An object that cannot be copied faithfully (damaged header, wrong size or SHA-256)."""


@dataclass
class BucketSummary:
    component: str
    bucket: str
    backend: str
    count: int = 0
    bytes: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "bucket": self.bucket,
            "backend": self.backend,
            "count": self.count,
            "bytes": self.bytes,
        }


def archive_path(component: str, bucket: str, key: str) -> str:
    return f"objects/{component}/{bucket}/{key}"


def local_root(settings: ServiceSettings) -> Path:
    """``<data_dir>/<service>/objects`` (without creating it, unlike ``settings.service_dir``)."""
    return settings.data_dir / settings.service_name / "objects"


# ------------------------------------------------------------------------------------ which buckets


def _minio_client(settings: ServiceSettings) -> Any:
    from minio import Minio

    return Minio(
        settings.minio_endpoint,
        settings.minio_access_key,
        settings.minio_secret_key,
        secure=settings.minio_secure,
        region="us-east-1",
    )


def service_buckets(settings: ServiceSettings) -> list[str]:
    """The (prefix-less) names of this service's buckets that exist now."""
    service = settings.service_name
    if settings.storage_backend == "local":
        root = local_root(settings)
        if not root.is_dir():
            return []
        return sorted(
            entry.name
            for entry in root.iterdir()
            if entry.is_dir() and not entry.is_symlink() and BUCKET_RE.fullmatch(entry.name)
        )
    if settings.storage_backend == "minio":
        prefix = f"{settings.minio_bucket_prefix}{service}-"
        names = [b.name for b in _minio_client(settings).list_buckets()]
        return sorted(name[len(settings.minio_bucket_prefix) :] for name in names if name.startswith(prefix))
    raise ValueError(f"unknown storage backend {settings.storage_backend!r}")


def _walk_local(root: Path) -> Iterator[tuple[str, Path]]:
    """(key, file) under ``root`` in key order, skipping the store's private ``.`` names."""

    def walk(folder: Path, prefix: str) -> Iterator[tuple[str, Path]]:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name + ("/" if e.is_dir() else ""))
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from walk(Path(entry.path), f"{prefix}{entry.name}/")
            elif entry.is_file(follow_symlinks=False):
                yield f"{prefix}{entry.name}", Path(entry.path)

    yield from walk(root, "")


# ---------------------------------------------------------------------------------- into the backup


class _ContentCheck:
    """Hashes the bytes after the header as they stream into the archive."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()
        self.size = 0

    def __call__(self, chunk: bytes, offset: int) -> None:
        end = offset + len(chunk)
        if end <= HEADER_SIZE:
            return
        start = max(0, HEADER_SIZE - offset)
        part = chunk[start:]
        self.hash.update(part)
        self.size += len(part)

    def matches(self, obj: StoredObject) -> bool:
        return self.size == obj.size and hmac.compare_digest(self.hash.hexdigest(), obj.sha256)


def backup_local_bucket(
    writer: ArchiveWriter, summary: BucketSummary, root: Path, problems: list[str]
) -> list[dict[str, Any]]:
    """Copy every object file of one local bucket into the backup; returns the manifest entries."""
    entries: list[dict[str, Any]] = []
    for key, file in _walk_local(root):
        where = f"{summary.component}/{summary.bucket}/{key}"
        try:
            validate_object_key(key)
        except Exception:
            problems.append(f"{where}: not a valid object key (a stray file?)")
            continue
        try:
            fd = os.open(file, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            continue  # deleted since the listing: not part of this backup
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat_mod.S_ISREG(st.st_mode):
                continue
            try:
                obj = _decode_header(key, fh.read(HEADER_SIZE))
            except CorruptObjectError as exc:
                problems.append(f"{where}: {exc}")
                continue
            if st.st_size != HEADER_SIZE + obj.size:
                problems.append(
                    f"{where}: file holds {st.st_size - HEADER_SIZE} bytes, the header records {obj.size}"
                )
                continue
            fh.seek(0)
            check = _ContentCheck()
            size, sha = writer.add_stream(
                archive_path(summary.component, summary.bucket, key),
                fh,
                st.st_size,
                mtime=st.st_mtime,
                mode=0o600,
                observer=check,
            )
        if not check.matches(obj):
            problems.append(
                f"{where}: content SHA-256 {check.hash.hexdigest()} differs from the recorded {obj.sha256}"
            )
            continue
        summary.count += 1
        summary.bytes += obj.size
        entries.append(_entry(summary, key, size, sha, obj))
    return entries


def _entry(summary: BucketSummary, key: str, size: int, sha: str, obj: StoredObject) -> dict[str, Any]:
    return {
        "path": archive_path(summary.component, summary.bucket, key),
        "kind": "object",
        "size": size,
        "sha256": sha,
        "object_size": obj.size,
        "object_sha256": obj.sha256,
    }


class _PortalObjectStream(io.RawIOBase):
    """A blocking, file-like view of header + object content read through an async store."""

    def __init__(self, portal: BlockingPortal, store: ObjectStore, obj: StoredObject) -> None:
        super().__init__()
        self._portal = portal
        self._header = _encode_header(obj)
        self._reader = store.get(obj.key)
        self._pending = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bytes:
        if self._header:
            chunk, self._header = self._header, b""
            return chunk
        if self._done:
            return b""
        try:
            return self._portal.call(self._reader.__anext__)
        except StopAsyncIteration:
            self._done = True
            return b""

    def read(self, size: int = -1) -> bytes:
        if not self._pending:
            self._pending = self._next_chunk()
        if size is None or size < 0 or size >= len(self._pending):
            chunk, self._pending = self._pending, b""
            return chunk
        chunk, self._pending = self._pending[:size], self._pending[size:]
        return chunk

    def close(self) -> None:
        if not self.closed:
            with contextlib.suppress(Exception):
                self._portal.call(self._reader.aclose)
        super().close()


async def _next_or_none(iterator: AsyncIterator[StoredObject]) -> StoredObject | None:
    try:
        return await iterator.__anext__()
    except StopAsyncIteration:
        return None


def backup_store_bucket(
    writer: ArchiveWriter,
    summary: BucketSummary,
    store: ObjectStore,
    portal: BlockingPortal,
    problems: list[str],
) -> list[dict[str, Any]]:
    """Copy every object of one bucket of an async store (MinIO) into the backup, streaming."""
    entries: list[dict[str, Any]] = []
    listing = store.list()
    while (obj := portal.call(_next_or_none, listing)) is not None:
        where = f"{summary.component}/{summary.bucket}/{obj.key}"
        check = _ContentCheck()
        stream = _PortalObjectStream(portal, store, obj)
        try:
            size, sha = writer.add_stream(
                archive_path(summary.component, summary.bucket, obj.key),
                stream,
                HEADER_SIZE + obj.size,
                mtime=obj.last_modified.timestamp(),
                mode=0o600,
                observer=check,
            )
        except OSError as exc:
            raise ObjectProblem(f"{where}: {exc}") from exc
        finally:
            stream.close()
        if not check.matches(obj):
            problems.append(
                f"{where}: content SHA-256 {check.hash.hexdigest()} differs from the recorded {obj.sha256}"
            )
            continue
        summary.count += 1
        summary.bytes += obj.size
        entries.append(_entry(summary, obj.key, size, sha, obj))
    return entries


# --------------------------------------------------------------------------------- out of the backup


def read_header(stream: IO[bytes], key: str) -> StoredObject:
    raw = stream.read(HEADER_SIZE)
    try:
        return _decode_header(key, raw)
    except CorruptObjectError as exc:
        raise ObjectProblem(str(exc)) from exc


class BucketTarget:
    """Where one bucket is restored to: local files (byte for byte) or a store's ``put``."""

    def __init__(self, settings: ServiceSettings, bucket: str, portal: BlockingPortal) -> None:
        self.settings = settings
        self.bucket = bucket
        self.portal = portal
        self.local = settings.storage_backend == "local"
        self.root = local_root(settings) / bucket
        self._store: ObjectStore | None = None

    @property
    def store(self) -> ObjectStore:
        if self._store is None:
            self._store = make_object_store(self.settings, self.bucket)
        return self._store

    def list_keys(self) -> Iterator[str]:
        if self.local:
            for key, _ in _walk_local(self.root):
                yield key
            return
        listing = self.store.list()
        while (obj := self.portal.call(_next_or_none, listing)) is not None:
            yield obj.key

    def delete(self, key: str) -> None:
        self.portal.call(self.store.delete, key)

    def write(self, key: str, stream: IO[bytes], entry: dict[str, Any]) -> None:
        """Restore one object from ``stream`` (header + content), checking both hashes on the way."""
        file_hash = hashlib.sha256()
        header_bytes = stream.read(HEADER_SIZE)
        file_hash.update(header_bytes)
        obj = read_header(io.BytesIO(header_bytes), key)
        if obj.sha256 != entry.get("object_sha256") or obj.size != entry.get("object_size"):
            raise ObjectProblem(f"{key}: header disagrees with the manifest")
        if self.local:
            self._write_local(key, header_bytes, stream, obj, file_hash, entry)
        else:
            self._write_store(key, stream, obj, file_hash, entry)

    def _write_local(
        self,
        key: str,
        header: bytes,
        stream: IO[bytes],
        obj: StoredObject,
        file_hash: Any,
        entry: dict[str, Any],
    ) -> None:
        tmp_dir = self.root / TMP_DIR
        tmp_dir.mkdir(parents=True, exist_ok=True)
        tmp = tmp_dir / f"{uuid.uuid4().hex}.restore"
        content = hashlib.sha256()
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o640)
            with os.fdopen(fd, "wb") as out:
                out.write(header)
                while chunk := stream.read(READ_CHUNK):
                    file_hash.update(chunk)
                    content.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if file_hash.hexdigest() != entry["sha256"] or content.hexdigest() != obj.sha256:
                raise ObjectProblem(f"{key}: SHA-256 mismatch while restoring")
            path = self.root.joinpath(*validate_object_key(key).split("/"))
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def _write_store(
        self, key: str, stream: IO[bytes], obj: StoredObject, file_hash: Any, entry: dict[str, Any]
    ) -> None:
        async def body() -> AsyncIterator[bytes]:
            while chunk := await to_thread.run_sync(stream.read, READ_CHUNK):
                file_hash.update(chunk)
                yield chunk

        stored = self.portal.call(_put, self.store, key, body(), obj.content_type, dict(obj.metadata))
        if file_hash.hexdigest() != entry["sha256"] or stored.sha256 != obj.sha256 or stored.size != obj.size:
            self.portal.call(self.store.delete, key)
            raise ObjectProblem(f"{key}: SHA-256 mismatch while restoring (object removed again)")

    def close(self) -> None:
        if self._store is not None:
            self.portal.call(self._store.close)


async def _put(
    store: ObjectStore, key: str, body: AsyncIterator[bytes], content_type: str, metadata: dict[str, str]
) -> StoredObject:
    return await store.put(key, body, content_type=content_type, metadata=metadata)


def target_is_empty(settings: ServiceSettings, portal: BlockingPortal) -> bool:
    for bucket in service_buckets(settings):
        target = BucketTarget(settings, bucket, portal)
        try:
            for _ in target.list_keys():
                return False
        finally:
            target.close()
    return True
