"""Object storage on MinIO / S3 through the ``minio`` SDK, with the semantics of :mod:`.base`.

How a ``put`` stays streaming, bounded and atomic
-------------------------------------------------

The SDK is synchronous, so every call runs in a worker thread. ``put`` hands the SDK's
a multipart upload fed by a file-like *pipe* whose ``read()`` (on the upload thread) pulls the
next chunks of the caller's async iterator from the event loop (``run_coroutine_threadsafe``).
While up to two parts are being sent (on part threads, through the SDK's part calls), the next
one is read from the body, so receiving and uploading overlap; reading waits while both slots are
busy, so memory stays at about three parts (8 MiB each by default) plus one network chunk. (The
SDK's own ``put_object`` of an unknown length copies each part twice more and, in parallel mode,
leaves its worker threads blocked when the body fails; hence the small driver here.)
The pipe hashes (SHA-256) and counts what it hands over; the size limit is checked on the loop
side before a chunk is handed over.

The SHA-256 is only known at the end, but S3 takes metadata when an upload *starts*. So the body
is first uploaded to a private temporary key ``.incoming/<uuid>`` (keys cannot start with ``.``,
so it never collides with an object and is hidden from :meth:`list`). When it is complete the
object is published with one server-side ``copy_object`` to the real key with the final metadata
(``x-amz-meta-sha256``, content type, user metadata; ``metadata_directive=REPLACE``). That copy is
atomic in S3: readers see the previous object or the new one with its metadata, never a part.
Objects over 5 GiB go through the SDK's multipart server-side copy (``compose``), also published
atomically on completion. The temporary key is deleted afterwards, whatever happened.

On failure — the body raises, the size limit trips, the caller is cancelled (client disconnect)
— the pipe's next ``read()`` raises, the SDK aborts its multipart upload, we additionally abort
any upload left on the temporary key, and delete it: no object, no incomplete multipart upload.
A crash (power loss) can leave a temporary key behind; :meth:`cleanup_incomplete` removes those.

User metadata values are percent-encoded (S3 headers are ASCII) and decoded on the way back.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import hmac
import io
import re
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Final, TypeVar
from urllib.parse import unquote

import anyio.to_thread
import certifi
import urllib3
from minio import Minio
from minio.commonconfig import REPLACE, CopySource
from minio.datatypes import Object as MinioObject
from minio.datatypes import Part, Upload
from minio.error import S3Error

from .base import (
    CorruptObjectError,
    MiB,
    ObjectKeyConflict,
    ObjectNotFound,
    ObjectReader,
    ObjectStore,
    RangeNotSatisfiable,
    StoredObject,
    check_sha256,
    content_disposition,
    encode_metadata_value,
    object_too_large,
)

DEFAULT_PART_SIZE: Final = 8 * MiB
PARALLEL_PARTS: Final = 2
"""Parts uploaded at once while the next one is read from the body (memory: about 3 × part size)."""
MIN_PART_SIZE: Final = 5 * MiB
MAX_PART_SIZE: Final = 5 * 1024 * MiB
INCOMING_PREFIX: Final = ".incoming/"
SHA256_HEADER: Final = "x-amz-meta-sha256"
_META_PREFIX: Final = "x-amz-meta-"
_LIST_BATCH: Final = 256
_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_CONFLICT_CODES: Final = frozenset(
    {"XMinioParentIsObject", "XMinioObjectExistsAsDirectory", "ParentIsObject", "ObjectExistsAsDirectory"}
)
_NOT_FOUND_CODES: Final = frozenset({"NoSuchKey", "NoSuchObject"})

T = TypeVar("T")


async def _run(func: Callable[..., T], *args: Any) -> T:
    return await anyio.to_thread.run_sync(func, *args)


class _UploadAborted(Exception):
    """Raised inside the SDK's read() so that it aborts the multipart upload."""


class _BodyPipe:
    """A file-like object the SDK reads on its thread, fed on demand from an async iterator."""

    def __init__(
        self,
        chunks: AsyncIterator[bytes | memoryview],
        loop: asyncio.AbstractEventLoop,
        max_size: int | None,
    ) -> None:
        self._chunks = chunks
        self._loop = loop
        self._max_size = max_size
        self._received = 0  # counted on the loop, before a chunk is handed over
        self.size = 0  # counted on the upload thread, as the SDK reads
        self.hash = hashlib.sha256()
        self._current = memoryview(b"")
        self._eof = False
        self._aborted = False
        self._pending: concurrent.futures.Future[bytes | memoryview | None] | None = None
        self._lock = threading.Lock()

    async def _next_chunk(self) -> bytes | memoryview | None:
        try:
            chunk = await anext(self._chunks)
        except StopAsyncIteration:
            return None
        self._received += len(chunk)
        if self._max_size is not None and self._received > self._max_size:
            raise object_too_large(self._max_size)
        return chunk

    def _pull(self) -> bytes | memoryview | None:
        with self._lock:
            if self._aborted:
                raise _UploadAborted("upload cancelled")
            future = asyncio.run_coroutine_threadsafe(self._next_chunk(), self._loop)
            self._pending = future
        try:
            return future.result()
        except concurrent.futures.CancelledError:
            raise _UploadAborted("upload cancelled") from None
        finally:
            with self._lock:
                self._pending = None

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes, blocking until they arrive or the body ends (called by the SDK).

        The pieces are gathered by reference and joined once: one copy of each byte.
        """
        pieces: list[memoryview] = []
        got = 0
        while size < 0 or got < size:
            if not self._current:
                if self._eof:
                    break
                chunk = self._pull()
                if chunk is None:
                    self._eof = True
                    break
                self.hash.update(chunk)
                self.size += len(chunk)
                self._current = memoryview(chunk).cast("B")
            take = self._current if size < 0 else self._current[: size - got]
            pieces.append(take)
            got += len(take)
            self._current = self._current[len(take) :]
        return b"".join(pieces)

    def abort(self) -> None:
        """Make the next (or the pending) read fail; called from the event loop."""
        with self._lock:
            self._aborted = True
            if self._pending is not None:
                self._pending.cancel()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        for key, item in headers.items():
            if key.lower() == lowered:
                return item
    return value


def _user_metadata(headers: Mapping[str, str]) -> tuple[str | None, dict[str, str]]:
    sha256: str | None = None
    metadata: dict[str, str] = {}
    for name, value in headers.items():
        lowered = name.lower()
        if not lowered.startswith(_META_PREFIX):
            continue
        if lowered == SHA256_HEADER:
            sha256 = value
        else:
            metadata[lowered[len(_META_PREFIX) :]] = unquote(value)
    return sha256, metadata


def _stored(
    key: str,
    size: int,
    sha256: str | None,
    content_type: str | None,
    last_modified: datetime | None,
    metadata: dict[str, str],
) -> StoredObject:
    try:
        digest = check_sha256(sha256)
    except ValueError:
        raise CorruptObjectError(f"object {key!r} has no recorded SHA-256 (not written by Pusip?)") from None
    return StoredObject(
        key=key,
        size=size,
        sha256=digest,
        content_type=content_type or "application/octet-stream",
        last_modified=(last_modified or datetime.now(UTC)).astimezone(UTC),
        metadata=dict(sorted(metadata.items())),
    )


def _from_headers(key: str, headers: Mapping[str, str], size: int) -> StoredObject:
    sha256, metadata = _user_metadata(headers)
    modified = _header(headers, "last-modified")
    return _stored(
        key,
        size,
        sha256,
        _header(headers, "content-type"),
        parsedate_to_datetime(modified) if modified else None,
        metadata,
    )


def _total_size(headers: Mapping[str, str]) -> int:
    content_range = _header(headers, "content-range")
    if content_range and "/" in content_range:
        return int(content_range.rsplit("/", 1)[1])
    return int(_header(headers, "content-length") or 0)


class MinioObjectReader(ObjectReader):
    def __init__(self, store: MinioObjectStore, key: str, start: int, end: int | None) -> None:
        super().__init__(key, start, end)
        self._store = store
        self._response: urllib3.BaseHTTPResponse | None = None

    async def _open(self) -> None:
        length = 0 if self._requested_end is None else self._requested_end - self.start
        self._response = await _run(self._store._get_object, self.key, self.start, length)
        self._resolve(_from_headers(self.key, self._response.headers, _total_size(self._response.headers)))

    async def _read(self, size: int) -> bytes:
        assert self._response is not None
        return await _run(self._response.read, size)

    async def _close(self) -> None:
        response, self._response = self._response, None
        if response is not None:
            response.close()
            response.release_conn()


class MinioObjectStore(ObjectStore):
    """Objects in one MinIO (S3) bucket, created on first use if missing.

    ``part_size`` is the multipart part size of uploads (5 MiB … 5 GiB); memory per upload is a
    small multiple of it. ``max_concurrent_puts`` bounds the upload threads.
    """

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        *,
        secure: bool = False,
        part_size: int = DEFAULT_PART_SIZE,
        region: str = "us-east-1",
        max_concurrent_puts: int = 16,
        parallel_parts: int = PARALLEL_PARTS,
        cert_check: bool = True,
    ) -> None:
        if not _BUCKET_RE.fullmatch(bucket) or ".." in bucket:
            raise ValueError(f"invalid bucket name: {bucket!r}")
        if not MIN_PART_SIZE <= part_size <= MAX_PART_SIZE:
            raise ValueError("part_size must be between 5 MiB and 5 GiB")
        self.bucket = bucket
        self.endpoint = endpoint
        self.part_size = part_size
        self.parallel_parts = max(1, parallel_parts)
        self._http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=10, read=300),
            maxsize=32,
            cert_reqs="CERT_REQUIRED" if cert_check else "CERT_NONE",
            ca_certs=certifi.where(),
            retries=urllib3.Retry(total=5, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
        )
        # The region is given so presigning never needs a network round trip.
        self.client = Minio(
            endpoint, access_key, secret_key, secure=secure, region=region, http_client=self._http
        )
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=max_concurrent_puts, thread_name_prefix="pusip-minio-put"
        )
        self._part_executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=max_concurrent_puts * self.parallel_parts, thread_name_prefix="pusip-minio-part"
        )
        self._bucket_ready = False
        self._bucket_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MinioObjectStore({self.endpoint!r}, bucket={self.bucket!r})"

    # ---------------------------------------------------------------------- bucket

    def _ensure_bucket_blocking(self) -> None:
        with self._bucket_lock:
            if self._bucket_ready:
                return
            if not self.client.bucket_exists(self.bucket):
                try:
                    self.client.make_bucket(self.bucket)
                except S3Error as exc:
                    if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                        raise
            self._bucket_ready = True

    async def ensure_bucket(self) -> None:
        """Create the bucket unless it exists (done automatically before the first operation)."""
        if not self._bucket_ready:
            await _run(self._ensure_bucket_blocking)

    def _new_incoming_key(self) -> str:
        return f"{INCOMING_PREFIX}{uuid.uuid4().hex}"

    # ------------------------------------------------------------------------- put

    def _check_free(self, key: str) -> None:
        """Refuse early (before streaming) a key whose parent is an object or that is a folder."""
        parts = key.split("/")
        for depth in range(1, len(parts)):
            with contextlib.suppress(ObjectNotFound, CorruptObjectError):
                self._stat_blocking("/".join(parts[:depth]))
                raise ObjectKeyConflict(details={"key": key})
        for _ in self.client.list_objects(self.bucket, prefix=f"{key}/", recursive=True):
            raise ObjectKeyConflict(details={"key": key})

    def _abort_uploads(self, object_name: str) -> None:
        with contextlib.suppress(Exception):
            result = self.client._list_multipart_uploads(self.bucket, prefix=object_name)
            for upload in result.uploads:
                if upload.object_name == object_name and upload.upload_id:
                    with contextlib.suppress(Exception):
                        self.client._abort_multipart_upload(self.bucket, object_name, upload.upload_id)

    def _upload(self, name: str, pipe: _BodyPipe, content_type: str) -> None:
        """Send the pipe's bytes to ``name``: one PUT if they fit in a part, else a multipart upload.

        Up to ``parallel_parts`` parts are in flight (on the part threads) while the next part is
        read from the pipe here. On any error the parts in flight are waited for and the upload
        is aborted, so no thread and no part outlives the call.
        """
        data = pipe.read(self.part_size)
        if len(data) < self.part_size:
            self.client.put_object(self.bucket, name, io.BytesIO(data), len(data), content_type=content_type)
            return
        upload_id = self.client._create_multipart_upload(self.bucket, name, {"Content-Type": content_type})
        sent: list[concurrent.futures.Future[str]] = []
        in_flight: set[concurrent.futures.Future[str]] = set()
        try:
            while data:
                while len(in_flight) >= self.parallel_parts:
                    done, in_flight = concurrent.futures.wait(
                        in_flight, return_when=concurrent.futures.FIRST_COMPLETED
                    )
                    for future in done:
                        future.result()  # a failed part fails the upload now
                future = self._part_executor.submit(
                    self.client._upload_part, self.bucket, name, data, None, upload_id, len(sent) + 1
                )
                sent.append(future)
                in_flight.add(future)
                data = b""  # not kept alive while the next part is read
                data = pipe.read(self.part_size)
            parts = [Part(number, future.result()) for number, future in enumerate(sent, 1)]
            self.client._complete_multipart_upload(self.bucket, name, upload_id, parts)
        except BaseException:
            for future in sent:
                future.cancel()
            concurrent.futures.wait(sent)
            with contextlib.suppress(Exception):
                self.client._abort_multipart_upload(self.bucket, name, upload_id)
            raise

    def _put_blocking(
        self,
        key: str,
        pipe: _BodyPipe,
        content_type: str,
        metadata: dict[str, str],
    ) -> StoredObject:
        self._ensure_bucket_blocking()
        self._check_free(key)
        incoming = self._new_incoming_key()
        try:
            try:
                self._upload(incoming, pipe, content_type)
            except BaseException:
                self._abort_uploads(incoming)
                raise
            sha256 = pipe.hash.hexdigest()
            headers: dict[str, str | list[str] | tuple[str]] = {
                "Content-Type": content_type,
                SHA256_HEADER: sha256,
            }
            for name, value in metadata.items():
                headers[f"{_META_PREFIX}{name}"] = encode_metadata_value(value)
            try:
                result = self.client.copy_object(
                    self.bucket,
                    key,
                    CopySource(self.bucket, incoming),
                    metadata=headers,
                    metadata_directive=REPLACE,
                )
            except S3Error as exc:
                if exc.code in _CONFLICT_CODES:
                    raise ObjectKeyConflict(details={"key": key}) from None
                raise
            return _stored(key, pipe.size, sha256, content_type, result.last_modified, metadata)
        finally:
            with contextlib.suppress(Exception):
                self.client.remove_object(self.bucket, incoming)

    async def _put(
        self,
        key: str,
        chunks: AsyncIterator[bytes | memoryview],
        content_type: str,
        max_size: int | None,
        metadata: dict[str, str],
    ) -> StoredObject:
        loop = asyncio.get_running_loop()
        pipe = _BodyPipe(chunks, loop, max_size)
        job = asyncio.wrap_future(
            self._executor.submit(self._put_blocking, key, pipe, content_type, metadata), loop=loop
        )
        try:
            return await asyncio.shield(job)
        except BaseException:
            # Failed or cancelled (client gone): stop feeding the upload and wait for the thread
            # to abort it and remove the temporary key before letting the error go on.
            pipe.abort()
            while not job.done():
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait([job])
            if not job.cancelled():
                job.exception()  # retrieved: the error that matters is the one being raised
            raise
        finally:
            aclose = getattr(chunks, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()

    # ------------------------------------------------------------------------ read

    def _get_object(self, key: str, offset: int, length: int) -> urllib3.BaseHTTPResponse:
        self._ensure_bucket_blocking()
        try:
            return self.client.get_object(self.bucket, key, offset=offset, length=length)
        except S3Error as exc:
            if exc.code in _NOT_FOUND_CODES:
                raise ObjectNotFound(details={"key": key}) from None
            if exc.code == "InvalidRange":
                size = None
                with contextlib.suppress(Exception):
                    size = self._stat_blocking(key).size
                raise RangeNotSatisfiable(details={"size": size, "start": offset}) from None
            raise

    def _reader(self, key: str, start: int, end: int | None) -> ObjectReader:
        return MinioObjectReader(self, key, start, end)

    def _stat_blocking(self, key: str) -> StoredObject:
        self._ensure_bucket_blocking()
        try:
            info = self.client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in _NOT_FOUND_CODES:
                raise ObjectNotFound(details={"key": key}) from None
            raise
        return _from_headers(key, info.metadata or {}, info.size or 0)

    async def _stat(self, key: str) -> StoredObject:
        return await _run(self._stat_blocking, key)

    def _verify_blocking(self, key: str) -> bool:
        response = self._get_object(key, 0, 0)
        try:
            try:
                obj = _from_headers(key, response.headers, _total_size(response.headers))
            except CorruptObjectError:
                return False
            digest = hashlib.sha256()
            size = 0
            for chunk in response.stream(4 * MiB):
                digest.update(chunk)
                size += len(chunk)
            return size == obj.size and hmac.compare_digest(digest.hexdigest(), obj.sha256)
        finally:
            response.close()
            response.release_conn()

    async def _verify(self, key: str) -> bool:
        return await _run(self._verify_blocking, key)

    # ---------------------------------------------------------------- delete, list

    def _delete_blocking(self, key: str) -> None:
        self._ensure_bucket_blocking()
        self.client.remove_object(self.bucket, key)

    async def _delete(self, key: str) -> None:
        await _run(self._delete_blocking, key)

    def _listing(self, prefix: str) -> Iterator[MinioObject]:
        self._ensure_bucket_blocking()
        return iter(
            self.client.list_objects(self.bucket, prefix=prefix, recursive=True, include_user_meta=True)
        )

    def _listed(self, item: MinioObject) -> StoredObject:
        key = item.object_name or ""
        headers = dict(item.metadata or {})
        sha256, metadata = _user_metadata(headers)
        if sha256 is None:  # a server that does not list user metadata: ask for it
            return self._stat_blocking(key)
        return _stored(
            key, item.size or 0, sha256, _header(headers, "content-type"), item.last_modified, metadata
        )

    def _next_batch(self, items: Iterator[MinioObject]) -> list[StoredObject]:
        batch: list[StoredObject] = []
        for item in items:
            if not item.object_name or item.object_name.startswith(".") or item.is_dir:
                continue
            try:
                batch.append(self._listed(item))
            except (ObjectNotFound, CorruptObjectError):
                continue
            if len(batch) >= _LIST_BATCH:
                break
        return batch

    async def _list(self, prefix: str) -> AsyncIterator[StoredObject]:
        items = await _run(self._listing, prefix)
        while batch := await _run(self._next_batch, items):
            for obj in batch:
                yield obj

    # ------------------------------------------------------------------- presigned

    async def _presigned_get_url(
        self, key: str, expires: timedelta, filename: str | None, issued_at: datetime | None
    ) -> str:
        response_headers: dict[str, str | list[str] | tuple[str]] = {}
        if filename is not None:
            response_headers["response-content-disposition"] = content_disposition(filename)
        return self.client.get_presigned_url(
            "GET",
            self.bucket,
            key,
            expires=expires,
            response_headers=response_headers or None,
            request_date=(issued_at or datetime.now(UTC)).astimezone(UTC),
        )

    # --------------------------------------------------------------------- cleanup

    def _cleanup_blocking(self, older_than: timedelta) -> int:
        self._ensure_bucket_blocking()
        cutoff = datetime.now(UTC) - older_than
        removed = 0
        for item in self.client.list_objects(self.bucket, prefix=INCOMING_PREFIX, recursive=True):
            if item.object_name and item.last_modified and item.last_modified < cutoff:
                self.client.remove_object(self.bucket, item.object_name)
                removed += 1
        for upload in self._incomplete_uploads():
            initiated = upload.initiated_time
            upload_id = upload.upload_id
            if (
                upload_id
                and upload.object_name.startswith(INCOMING_PREFIX)
                and initiated
                and initiated < cutoff
            ):
                with contextlib.suppress(S3Error):
                    self.client._abort_multipart_upload(self.bucket, upload.object_name, upload_id)
                    removed += 1
        return removed

    def _incomplete_uploads(self) -> list[Upload]:
        """Every incomplete multipart upload in the bucket.

        MinIO only honours an empty prefix or an exact object name here, so list them all.
        """
        found: list[Upload] = []
        key_marker: str | None = None
        for _ in range(1000):
            result = self.client._list_multipart_uploads(self.bucket, key_marker=key_marker)
            found += [u for u in result.uploads if u.upload_id]
            if not result.is_truncated or not result.next_key_marker or result.next_key_marker == key_marker:
                break
            key_marker = result.next_key_marker
        return found

    async def _cleanup_incomplete(self, older_than: timedelta) -> int:
        return await _run(self._cleanup_blocking, older_than)

    async def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._part_executor.shutdown(wait=False, cancel_futures=True)
        self._http.clear()
