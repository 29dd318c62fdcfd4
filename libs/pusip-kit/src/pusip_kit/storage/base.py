"""The object storage interface every Pusip service uses, and what its backends share.

Two implementations keep identical semantics (the same behaviour suite runs against both):
:class:`~pusip_kit.storage.local.LocalObjectStore` (a directory, embedded mode) and
:class:`~pusip_kit.storage.minio.MinioObjectStore` (S3 through the ``minio`` SDK, distributed mode).

Semantics in short:

* **Keys** are relative POSIX paths of safe segments (:func:`validate_object_key`). A key cannot
  escape the store: absolute paths, ``..``, backslashes, NUL, empty segments and overlong keys are
  refused with :class:`InvalidObjectKey` (``invalid_object_key``). Segments start with a letter,
  digit or ``_``, so names starting with ``.`` are free for each backend's private use (temporary
  uploads). A key cannot be both an object and a "folder" of other objects (``a`` and ``a/b``):
  the second one written is refused with :class:`ObjectKeyConflict` (409), as MinIO does.
* **Writes stream** and are **atomic**: :meth:`ObjectStore.put` never holds the whole body in
  memory, hashes it (SHA-256) and counts it while streaming, and makes the object visible only
  once it is complete, together with its metadata. If the body's iterator raises, the size limit
  trips or the caller is cancelled (client disconnect), nothing is left behind. Replacing a key
  is atomic too: readers see the old object or the new one, never a mixture.
* **Reads stream** (:meth:`ObjectStore.get`) with optional byte ranges; ``start`` is inclusive and
  ``end`` exclusive, like a Python slice. ``end`` beyond the object is clamped; a ``start`` at or
  past the end of the object is refused with :class:`RangeNotSatisfiable` (416).
* Every object records its size, SHA-256, content type, modification time and a small dict of
  user metadata (:class:`StoredObject`); :meth:`ObjectStore.verify` re-hashes the stored bytes
  against the recorded SHA-256 (the archive fixity check).
"""

from __future__ import annotations

import abc
import re
import unicodedata
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import quote

from pusip_kit.errors import BadRequest, Conflict, NotFound, PayloadTooLarge, PusipError

MiB: Final = 1024 * 1024
KEY_MAX_BYTES: Final = 1024
"""Longest key accepted, in UTF-8 bytes (the S3 limit)."""
SEGMENT_MAX_BYTES: Final = 255
"""Longest path segment accepted (the usual file-name limit)."""
METADATA_MAX_ENTRIES: Final = 32
METADATA_MAX_BYTES: Final = 1800
"""Budget for user metadata: keys plus percent-encoded values (S3 allows 2 KiB in all)."""
METADATA_KEY_MAX: Final = 64
CONTENT_TYPE_MAX: Final = 255
FILENAME_MAX: Final = 255
DEFAULT_CONTENT_TYPE: Final = "application/octet-stream"
PRESIGN_MIN: Final = timedelta(seconds=1)
PRESIGN_MAX: Final = timedelta(days=7)
"""Presigned URLs live between one second and seven days (the S3 limits), on both backends."""
READ_CHUNK: Final = 1 * MiB
"""Chunk size of reads handed out by :meth:`ObjectStore.get` and of disk writes."""

_SEGMENT_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._=+@,~-]*")
_PARTIAL_SEGMENT_RE = re.compile(r"([A-Za-z0-9_][A-Za-z0-9._=+@,~-]*)?")
_METADATA_KEY_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
_TOKEN = r"[A-Za-z0-9!#$&^_.+-]+"  # noqa: S105 - a regex, not a secret
_CONTENT_TYPE_RE = re.compile(rf"{_TOKEN}/{_TOKEN}(\s*;\s*{_TOKEN}=({_TOKEN}|\"[^\"\\\x00-\x1f\x7f]*\"))*")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
RESERVED_METADATA_KEYS: Final = frozenset({"sha256"})


# --------------------------------------------------------------------------------------------- errors


class InvalidObjectKey(BadRequest):
    code = "invalid_object_key"
    message = "Kunci objek tidak sah"
    message_en = "Invalid object key"


class InvalidObjectMetadata(BadRequest):
    code = "invalid_object_metadata"
    message = "Metadata objek tidak sah"
    message_en = "Invalid object metadata"


class InvalidByteRange(BadRequest):
    code = "invalid_range"
    message = "Rentang bita tidak sah"
    message_en = "Invalid byte range"


class ObjectNotFound(NotFound):
    code = "object_not_found"
    message = "Objek tidak ditemukan"
    message_en = "Object not found"


class ObjectKeyConflict(Conflict):
    code = "object_key_conflict"
    message = (
        "Kunci objek bertabrakan: kunci ini sudah dipakai sebagai folder objek lain, "
        "atau salah satu induknya sudah berupa objek"
    )
    message_en = (
        "Object key conflict: the key is already a folder of other objects, "
        "or one of its parents is already an object"
    )


class RangeNotSatisfiable(PusipError):
    status_code = 416
    code = "range_not_satisfiable"
    message = "Rentang bita di luar ukuran objek"
    message_en = "Requested byte range is outside the object"


class CorruptObjectError(OSError):
    """An object whose recorded metadata cannot be read (damaged, or not written by Pusip)."""


def object_too_large(max_size: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Ukuran objek melebihi batas {max_size} bita",
        f"Object exceeds the limit of {max_size} bytes",
        code="payload_too_large",
        details={"max_size": max_size},
    )


# ------------------------------------------------------------------------------------------ validation


def _key_error(key: object, why_id: str, why_en: str) -> InvalidObjectKey:
    shown = repr(key)
    if len(shown) > 120:
        shown = shown[:117] + "..."
    return InvalidObjectKey(
        f"Kunci objek tidak sah: {why_id}",
        f"Invalid object key: {why_en}",
        details={"key": shown},
    )


def _check_common(key: object, what_id: str, what_en: str) -> str:
    if not isinstance(key, str):
        raise _key_error(key, f"{what_id} harus berupa teks", f"{what_en} must be a string")
    if "\x00" in key:
        raise _key_error(key, "mengandung karakter NUL", "contains a NUL character")
    if "\\" in key:
        raise _key_error(key, "mengandung garis miring terbalik (\\)", "contains a backslash")
    if key.startswith("/"):
        raise _key_error(key, "tidak boleh berupa path absolut", "must not be an absolute path")
    if len(key.encode("utf-8", "surrogatepass")) > KEY_MAX_BYTES:
        raise _key_error(key, f"lebih dari {KEY_MAX_BYTES} bita", f"longer than {KEY_MAX_BYTES} bytes")
    return key


def _check_segment(key: str, segment: str, pattern: re.Pattern[str]) -> None:
    if segment in (".", ".."):
        raise _key_error(key, "segmen '.' atau '..' tidak diizinkan", "'.' and '..' segments are not allowed")
    if len(segment) > SEGMENT_MAX_BYTES:
        raise _key_error(
            key,
            f"segmen lebih dari {SEGMENT_MAX_BYTES} karakter",
            f"a segment is longer than {SEGMENT_MAX_BYTES} characters",
        )
    if not pattern.fullmatch(segment):
        raise _key_error(
            key,
            f"segmen {segment!r} harus diawali huruf, angka atau '_' dan hanya memuat huruf, angka "
            "dan . _ - = + @ , ~",
            f"segment {segment!r} must start with a letter, digit or '_' and contain only letters, "
            "digits and . _ - = + @ , ~",
        )


def validate_object_key(key: object) -> str:
    """Return ``key`` if it is a safe object key, else raise :class:`InvalidObjectKey`.

    A key is one or more ``/``-separated segments; each starts with an ASCII letter, digit or
    ``_`` and holds only ASCII letters, digits and ``. _ - = + @ , ~``; at most 255 characters a
    segment and 1024 in all. So ``..``, ``.``, hidden names, empty segments (``a//b``, a leading
    or trailing ``/``), backslashes, NUL and absolute paths are all impossible.
    """
    text = _check_common(key, "kunci", "the key")
    if not text:
        raise _key_error(key, "kosong", "empty")
    for segment in text.split("/"):
        if not segment:
            raise _key_error(
                key,
                "segmen kosong (// atau / di awal atau akhir)",
                "empty segment (//, or a / at either end)",
            )
        _check_segment(text, segment, _SEGMENT_RE)
    return text


def validate_prefix(prefix: object) -> str:
    """Return ``prefix`` if it can start a valid key (``""`` lists everything)."""
    text = _check_common(prefix, "prefiks", "the prefix")
    if not text:
        return text
    *whole, last = text.split("/")
    for segment in whole:
        if not segment:
            raise _key_error(prefix, "segmen kosong", "empty segment")
        _check_segment(text, segment, _SEGMENT_RE)
    _check_segment(text, last, _PARTIAL_SEGMENT_RE)
    return text


def validate_content_type(content_type: str | None) -> str:
    if content_type is None or content_type == "":
        return DEFAULT_CONTENT_TYPE
    if (
        not isinstance(content_type, str)
        or len(content_type) > CONTENT_TYPE_MAX
        or not _CONTENT_TYPE_RE.fullmatch(content_type)
    ):
        raise InvalidObjectMetadata(
            "Jenis isi (content type) tidak sah",
            "Invalid content type",
            details={"content_type": repr(content_type)},
        )
    return content_type


def encode_metadata_value(value: str) -> str:
    """Percent-encode a metadata value so it travels safely in an HTTP header (S3 user metadata)."""
    return quote(value, safe="")


def validate_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """Check user metadata: lower-case keys ``[a-z0-9-]``, text values, a small total size.

    Values may be any Unicode text without control characters; backends store them
    percent-encoded where the transport needs ASCII, and the budget counts that encoded form.
    """
    if not metadata:
        return {}
    if not isinstance(metadata, Mapping):
        raise InvalidObjectMetadata(details={"reason": "metadata must be a mapping"})
    if len(metadata) > METADATA_MAX_ENTRIES:
        raise InvalidObjectMetadata(
            f"Metadata objek paling banyak {METADATA_MAX_ENTRIES} entri",
            f"At most {METADATA_MAX_ENTRIES} metadata entries",
        )
    out: dict[str, str] = {}
    budget = 0
    for key, value in metadata.items():
        if (
            not isinstance(key, str)
            or len(key) > METADATA_KEY_MAX
            or not _METADATA_KEY_RE.fullmatch(key)
            or key in RESERVED_METADATA_KEYS
        ):
            raise InvalidObjectMetadata(
                f"Kunci metadata {key!r} tidak sah (huruf kecil, angka dan '-', bukan nama cadangan)",
                f"Invalid metadata key {key!r} (lower-case letters, digits and '-', not a reserved name)",
            )
        if not isinstance(value, str) or any(unicodedata.category(ch) == "Cc" for ch in value):
            raise InvalidObjectMetadata(
                f"Nilai metadata {key!r} harus teks tanpa karakter kendali",
                f"Metadata value {key!r} must be text without control characters",
            )
        budget += len(key) + len(encode_metadata_value(value))
        out[key] = value
    if budget > METADATA_MAX_BYTES:
        raise InvalidObjectMetadata(
            f"Metadata objek melebihi {METADATA_MAX_BYTES} bita",
            f"Object metadata exceeds {METADATA_MAX_BYTES} bytes",
        )
    return out


def validate_max_size(max_size: int | None) -> int | None:
    if max_size is not None and (not isinstance(max_size, int) or max_size < 0):
        raise BadRequest("Batas ukuran tidak sah", "Invalid size limit", code="invalid_max_size")
    return max_size


def validate_range(start: int, end: int | None) -> None:
    if (
        not isinstance(start, int)
        or start < 0
        or (end is not None and (not isinstance(end, int) or end <= start))
    ):
        raise InvalidByteRange(
            "Rentang bita tidak sah: 0 <= start < end",
            "Invalid byte range: need 0 <= start < end",
            details={"start": start, "end": end},
        )


def validate_expires(expires: timedelta) -> timedelta:
    if not isinstance(expires, timedelta) or not (PRESIGN_MIN <= expires <= PRESIGN_MAX):
        raise BadRequest(
            "Masa berlaku tautan harus antara 1 detik dan 7 hari",
            "Link lifetime must be between 1 second and 7 days",
            code="invalid_expiry",
        )
    return expires


def validate_filename(filename: str | None) -> str | None:
    if filename is None:
        return None
    if (
        not isinstance(filename, str)
        or not filename.strip()
        or len(filename) > FILENAME_MAX
        or any(unicodedata.category(ch) == "Cc" for ch in filename)
    ):
        raise BadRequest(
            "Nama berkas unduhan tidak sah", "Invalid download file name", code="invalid_filename"
        )
    return filename


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A ``Content-Disposition`` value with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    name = filename.replace("/", "_").replace("\\", "_")
    fallback = "".join(
        ch if 0x20 <= ord(ch) < 0x7F and ch not in '"%;' else "_"
        for ch in unicodedata.normalize("NFKD", name)
        if not unicodedata.combining(ch)
    )
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def check_sha256(value: str | None) -> str:
    if value is None or not _SHA256_RE.fullmatch(value):
        raise ValueError(f"not a SHA-256 hex digest: {value!r}")
    return value


# ---------------------------------------------------------------------------------------- data types


@dataclass(frozen=True, slots=True)
class StoredObject:
    """What a store knows about one object."""

    key: str
    size: int
    sha256: str
    """Lower-case hex SHA-256 of the content, computed while it was written."""
    content_type: str
    last_modified: datetime
    """When this version of the object became visible (UTC)."""
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def etag(self) -> str:
        """A strong HTTP entity tag for this content."""
        return f'"{self.sha256}"'


Body = AsyncIterable[bytes] | bytes | bytearray | memoryview


async def iter_body(data: Body) -> AsyncIterator[bytes | memoryview]:
    """The body of a ``put`` as an async stream of non-empty chunks (bytes are sliced, not copied)."""
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data).cast("B")
        for offset in range(0, len(view), READ_CHUNK):
            yield view[offset : offset + READ_CHUNK]
        return
    if not isinstance(data, AsyncIterable):
        raise TypeError("put() takes bytes or an async iterable of bytes")
    async for chunk in data:
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise TypeError(f"the body yielded {type(chunk).__name__}, not bytes")
        if len(chunk):
            yield chunk


class ObjectReader(AsyncIterator[bytes], abc.ABC):
    """A stream of an object's bytes, returned by :meth:`ObjectStore.get`.

    Iterate it directly (it opens on the first chunk), or open it first to learn what is being
    read and to get :class:`ObjectNotFound` / :class:`RangeNotSatisfiable` before streaming::

        async for chunk in store.get("a/b.pdf"):
            ...

        async with store.get("a/b.pdf", start=100, end=200) as reader:
            reader.object.size, reader.start, reader.end   # resolved range, end exclusive
            async for chunk in reader:
                ...

    The bytes always belong to one version of the object, even if it is replaced while being read.
    """

    def __init__(self, key: str, start: int, end: int | None) -> None:
        self.key = key
        self.start = start
        self.end: int = -1 if end is None else end
        self._requested_end = end
        self._object: StoredObject | None = None
        self._position = 0
        self._closed = False

    @property
    def object(self) -> StoredObject:
        if self._object is None:
            raise RuntimeError("open the reader first")
        return self._object

    @property
    def length(self) -> int:
        """How many bytes this reader yields (after :meth:`open`)."""
        self.object  # noqa: B018 - raises unless opened
        return self.end - self.start

    @property
    def is_range(self) -> bool:
        return self.start > 0 or self._requested_end is not None

    def _resolve(self, obj: StoredObject) -> None:
        """Clamp the requested range to the object; refuse a start at or past its end."""
        self._object = obj
        if self.is_range and self.start >= obj.size:
            raise RangeNotSatisfiable(details={"size": obj.size, "start": self.start})
        self.end = obj.size if self._requested_end is None else min(self._requested_end, obj.size)
        self._position = self.start

    async def open(self) -> Self:
        if self._closed:
            raise RuntimeError("reader is closed")
        if self._object is None:
            try:
                await self._open()
            except BaseException:
                await self.aclose()
                raise
        return self

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> bytes:
        if self._closed:
            raise StopAsyncIteration
        await self.open()
        if self._position >= self.end:
            await self.aclose()
            raise StopAsyncIteration
        want = min(READ_CHUNK, self.end - self._position)
        try:
            chunk = await self._read(want)
        except BaseException:
            await self.aclose()
            raise
        if not chunk:
            await self.aclose()
            raise OSError(f"object {self.key!r} ended early at byte {self._position} of {self.end}")
        self._position += len(chunk)
        return chunk

    async def read_all(self) -> bytes:
        """Every remaining byte at once: for small objects and tests only."""
        return b"".join([chunk async for chunk in self])

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self._close()

    @abc.abstractmethod
    async def _open(self) -> None:
        """Open the object, then call :meth:`_resolve` with what is stored."""

    @abc.abstractmethod
    async def _read(self, size: int) -> bytes:
        """Up to ``size`` bytes at the current position (never past ``end``)."""

    @abc.abstractmethod
    async def _close(self) -> None: ...


# ------------------------------------------------------------------------------------------ interface


class ObjectStore(abc.ABC):
    """Streaming, atomic object storage with SHA-256 fixity. See the module docs for semantics.

    Public methods validate their arguments here, the same way for every backend, then call the
    backend's ``_put``/``_reader``/… with clean values.
    """

    async def put(
        self,
        key: str,
        data: Body,
        *,
        content_type: str | None = None,
        max_size: int | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> StoredObject:
        """Store ``data`` under ``key`` (replacing any object there) and return what was stored.

        ``data`` is bytes or an async iterable of byte chunks; it is streamed, hashed and counted
        as it arrives. More than ``max_size`` bytes raises :class:`~pusip_kit.errors.PayloadTooLarge`.
        On any failure or cancellation nothing new is visible and nothing is left behind.
        """
        key = validate_object_key(key)
        content_type = validate_content_type(content_type)
        max_size = validate_max_size(max_size)
        clean_metadata = validate_metadata(metadata)
        if max_size is not None and isinstance(data, bytes | bytearray | memoryview) and len(data) > max_size:
            raise object_too_large(max_size)
        return await self._put(key, iter_body(data), content_type, max_size, clean_metadata)

    def get(self, key: str, *, start: int = 0, end: int | None = None) -> ObjectReader:
        """Stream the object's bytes ``[start, end)`` (whole object by default); see :class:`ObjectReader`."""
        key = validate_object_key(key)
        validate_range(start, end)
        return self._reader(key, start, end)

    async def read_bytes(self, key: str, *, start: int = 0, end: int | None = None) -> bytes:
        """The whole object (or range) in memory: for small objects only."""
        return await self.get(key, start=start, end=end).read_all()

    async def stat(self, key: str) -> StoredObject:
        """What is stored under ``key``; :class:`ObjectNotFound` if nothing is."""
        return await self._stat(validate_object_key(key))

    async def exists(self, key: str) -> bool:
        try:
            await self.stat(key)
        except ObjectNotFound:
            return False
        return True

    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error."""
        await self._delete(validate_object_key(key))

    def list(self, prefix: str = "") -> AsyncIterator[StoredObject]:
        """Every object whose key starts with ``prefix`` (a plain string prefix, as in S3), in key order."""
        return self._list(validate_prefix(prefix))

    async def presigned_get_url(
        self,
        key: str,
        expires: timedelta,
        *,
        filename: str | None = None,
        issued_at: datetime | None = None,
    ) -> str:
        """A URL anyone can GET the object with until ``expires`` after ``issued_at`` (default now).

        ``filename`` makes the download an attachment with that name. The URL is signed, not
        checked against the object's existence (a GET of a missing object answers 404).
        """
        key = validate_object_key(key)
        validate_expires(expires)
        return await self._presigned_get_url(key, expires, validate_filename(filename), issued_at)

    async def verify(self, key: str) -> bool:
        """Re-read the object, hash it and compare with the SHA-256 recorded when it was written."""
        return await self._verify(validate_object_key(key))

    async def cleanup_incomplete(self, older_than: timedelta = timedelta(hours=24)) -> int:
        """Remove leftovers of writes interrupted by a crash (not by errors: those clean up at once).

        Returns how many were removed. Only leftovers older than ``older_than`` are touched, so
        writes in progress are safe.
        """
        return await self._cleanup_incomplete(older_than)

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections and threads; the store is unusable afterwards."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    # ------------------------------------------------------------------ backend hooks

    @abc.abstractmethod
    async def _put(
        self,
        key: str,
        chunks: AsyncIterator[bytes | memoryview],
        content_type: str,
        max_size: int | None,
        metadata: dict[str, str],
    ) -> StoredObject: ...

    @abc.abstractmethod
    def _reader(self, key: str, start: int, end: int | None) -> ObjectReader: ...

    @abc.abstractmethod
    async def _stat(self, key: str) -> StoredObject: ...

    @abc.abstractmethod
    async def _delete(self, key: str) -> None: ...

    @abc.abstractmethod
    def _list(self, prefix: str) -> AsyncIterator[StoredObject]: ...

    @abc.abstractmethod
    async def _presigned_get_url(
        self, key: str, expires: timedelta, filename: str | None, issued_at: datetime | None
    ) -> str: ...

    @abc.abstractmethod
    async def _verify(self, key: str) -> bool: ...

    @abc.abstractmethod
    async def _cleanup_incomplete(self, older_than: timedelta) -> int: ...
