"""Object storage in a local directory (embedded mode), with the semantics of :mod:`.base`.

On-disk layout and why it is atomic
-----------------------------------

Each object is **one file** at ``<root>/<key>``. The file starts with a fixed 4 KiB header that
records the object's size, SHA-256, content type, modification time and user metadata (JSON,
padded with spaces); the content follows from byte 4096. Keeping the metadata in the same file as
the data means there is never a moment when one is visible without the other, or when they
disagree: one ``rename`` publishes both.

A ``put`` streams into a fresh temporary file in ``<root>/.tmp/`` (same filesystem), hashing and
counting as it goes. The received chunks are gathered by reference (no copy) into batches of about
2 MiB; a worker thread hashes and writes (``writev``) one batch while the event loop receives the
next, so at most two batches are held. Every 32 MiB the worker asks the kernel to start writing the
file back (``sync_file_range``, Linux), so the final ``fsync`` finds little left to flush. When the
body ends it writes the header into the reserved first 4 KiB, ``fsync``s the file, ``os.replace``s
it onto the key's path and ``fsync``s the directory. On any failure (body raises, size limit, cancellation) the temporary file is
removed and nothing else was touched. ``os.replace`` is atomic: a reader has either the old inode
open or the new one, and an open reader keeps reading the version it opened.

Keys cannot start with ``.`` so ``.tmp`` can never collide with an object. All disk I/O runs in
worker threads (``anyio.to_thread``), never on the event loop.

Presigned URLs are HMAC-SHA256 signatures over the store's public base URL, the key, the expiry
time and the download file name, served by :func:`pusip_kit.storage.local_router.make_signed_object_router`.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import errno
import functools
import hashlib
import hmac
import json
import os
import stat as stat_mod
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import anyio
import anyio.to_thread

from pusip_kit.errors import Forbidden

from .base import (
    CorruptObjectError,
    InvalidObjectKey,
    MiB,
    ObjectKeyConflict,
    ObjectNotFound,
    ObjectReader,
    ObjectStore,
    StoredObject,
    check_sha256,
    object_too_large,
    validate_object_key,
)

HEADER_SIZE: Final = 4096
HEADER_MAGIC: Final = b"PUSIP-OBJECT/1\n"
WRITE_CHUNK: Final = 2 * MiB
"""Bytes gathered (by reference) before a batch goes to the writer thread."""
WRITE_BATCH_MAX_CHUNKS: Final = 512
"""Chunks per batch at most (``writev`` takes at most ``IOV_MAX``, 1024 on Linux)."""
WRITEBACK_EVERY: Final = 32 * MiB
"""Start the kernel's write-back of the temporary file after this many new bytes."""
TMP_DIR: Final = ".tmp"
PUBLISH_ATTEMPTS: Final = 20
"""Times ``put`` makes an object's folders again when concurrent deletes prune them before the rename."""
_LIST_BATCH: Final = 256
_SIGNING_CONTEXT: Final = b"pusip-kit/storage/signed-url/v1"

T = TypeVar("T")


async def _run(func: Callable[..., T], *args: Any) -> T:
    return await anyio.to_thread.run_sync(func, *args)


def _fsync_dir(path: Path, *, missing_ok: bool = False) -> None:
    """Make a folder's entries durable; ``missing_ok`` for a folder a concurrent delete may prune."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        if missing_ok:
            return
        raise
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data).cast("B")
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _writev_all(fd: int, chunks: list[bytes | memoryview]) -> None:
    """Write every chunk, in order, with one ``writev`` (a short write finishes chunk by chunk)."""
    written = os.writev(fd, chunks)
    for chunk in chunks:
        size = len(chunk)
        if written >= size:
            written -= size
            continue
        _write_all(fd, memoryview(chunk).cast("B")[written:])
        written = 0


def _load_sync_file_range() -> Callable[[int, int, int], None] | None:
    """``sync_file_range(fd, offset, n, SYNC_FILE_RANGE_WRITE)``: start write-back, do not wait (Linux)."""
    name = ctypes.util.find_library("c")
    try:
        function = ctypes.CDLL(name, use_errno=True).sync_file_range
    except (OSError, AttributeError, TypeError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    function.restype = ctypes.c_int

    def start_writeback(fd: int, offset: int, length: int) -> None:
        function(fd, offset, length, 2)  # SYNC_FILE_RANGE_WRITE; a failure only loses the head start

    return start_writeback


_start_writeback = _load_sync_file_range()


def _encode_header(obj: StoredObject) -> bytes:
    body = json.dumps(
        {
            "size": obj.size,
            "sha256": obj.sha256,
            "content_type": obj.content_type,
            "last_modified": obj.last_modified.isoformat(),
            "metadata": obj.metadata,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    header = HEADER_MAGIC + body + b"\n"
    if len(header) > HEADER_SIZE:  # impossible within the metadata limits of .base
        raise ValueError("object header does not fit in 4 KiB")
    return header.ljust(HEADER_SIZE, b" ")


def _decode_header(key: str, raw: bytes) -> StoredObject:
    try:
        if len(raw) != HEADER_SIZE or not raw.startswith(HEADER_MAGIC):
            raise ValueError("bad magic")
        fields = json.loads(raw[len(HEADER_MAGIC) :])
        return StoredObject(
            key=key,
            size=int(fields["size"]),
            sha256=check_sha256(fields["sha256"]),
            content_type=str(fields["content_type"]),
            last_modified=datetime.fromisoformat(fields["last_modified"]),
            metadata={str(k): str(v) for k, v in fields["metadata"].items()},
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorruptObjectError(f"object {key!r} has a damaged header: {exc}") from exc


class _TempObject:
    """A temporary file being filled by ``put``; its methods run in worker threads."""

    def __init__(self, tmp_dir: Path) -> None:
        self.path = tmp_dir / f"{uuid.uuid4().hex}.part"
        self.fd: int | None = None
        self.hash = hashlib.sha256()
        self.size = 0
        self._flushed = 0

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o640)
        os.lseek(self.fd, HEADER_SIZE, os.SEEK_SET)

    def write(self, chunks: list[bytes | memoryview]) -> None:
        """Hash and write a batch of chunks (on a worker thread: both release the GIL)."""
        assert self.fd is not None
        for chunk in chunks:
            self.hash.update(chunk)
        _writev_all(self.fd, chunks)
        self.size += sum(len(chunk) for chunk in chunks)
        if _start_writeback is not None and self.size - self._flushed >= WRITEBACK_EVERY:
            _start_writeback(self.fd, HEADER_SIZE + self._flushed, self.size - self._flushed)
            self._flushed = self.size

    def seal(self, obj: StoredObject) -> None:
        assert self.fd is not None
        header = _encode_header(obj)
        if os.pwrite(self.fd, header, 0) != HEADER_SIZE:
            raise OSError("short header write")
        os.fsync(self.fd)
        os.close(self.fd)
        self.fd = None

    def discard(self) -> None:
        """Close and remove the temporary file; safe to call at any point, and again."""
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


class LocalObjectReader(ObjectReader):
    def __init__(self, store: LocalObjectStore, key: str, start: int, end: int | None) -> None:
        super().__init__(key, start, end)
        self._store = store
        self._fd: int | None = None

    def _open_blocking(self) -> None:
        fd, obj = self._store._open_object(self.key)
        self._fd = fd
        self._resolve(obj)

    async def _open(self) -> None:
        await _run(self._open_blocking)

    def _read_blocking(self, size: int) -> bytes:
        assert self._fd is not None
        return os.pread(self._fd, size, HEADER_SIZE + self._position)

    async def _read(self, size: int) -> bytes:
        return await _run(self._read_blocking, size)

    async def _close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


class LocalObjectStore(ObjectStore):
    """Objects in a directory. See the module docs for the layout and the atomicity argument.

    ``public_base_url`` is where :func:`~pusip_kit.storage.local_router.make_signed_object_router`
    for this store is reachable; presigned URLs are ``<public_base_url>/objects/<key>?…``.
    """

    def __init__(self, root: Path | str, *, signing_key: str, public_base_url: str) -> None:
        if not signing_key:
            raise ValueError("a signing key is required for presigned URLs")
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.public_base_url = public_base_url.rstrip("/")
        self._tmp_dir = self.root / TMP_DIR
        self._tmp_dir.mkdir(exist_ok=True)
        self._signing_key = hmac.new(signing_key.encode(), _SIGNING_CONTEXT, hashlib.sha256).digest()

    def __repr__(self) -> str:
        return f"LocalObjectStore({str(self.root)!r})"

    @property
    def url_path_prefix(self) -> str:
        """The path part of ``public_base_url``: where the signed-URL router is mounted."""
        return urlsplit(self.public_base_url).path.rstrip("/")

    # ----------------------------------------------------------------------- paths

    def path_for(self, key: str) -> Path:
        """The file holding ``key``. Keys are validated, so this can never leave ``root``."""
        key = validate_object_key(key)
        path = self.root.joinpath(*key.split("/"))
        if os.path.commonpath([self.root, path]) != str(self.root):  # defence in depth
            raise ObjectNotFound()
        return path

    def _check_free(self, key: str) -> None:
        """Refuse a key whose parent is an object, or that is itself a folder of objects."""
        path = self.path_for(key)
        probe = self.root
        for part in key.split("/")[:-1]:
            probe = probe / part
            try:
                mode = os.lstat(probe).st_mode
            except FileNotFoundError:
                return
            if not stat_mod.S_ISDIR(mode):
                raise ObjectKeyConflict(details={"key": key})
        with contextlib.suppress(FileNotFoundError):
            if stat_mod.S_ISDIR(os.lstat(path).st_mode):
                raise ObjectKeyConflict(details={"key": key})

    def _make_parents(self, path: Path, key: str) -> None:
        """Create the folders above ``path``, fsyncing each new folder's parent."""
        missing: list[Path] = []
        probe = path.parent
        while probe != self.root and not probe.is_dir():
            missing.append(probe)
            probe = probe.parent
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except FileExistsError:
                if folder.is_dir():
                    continue
                if not os.path.lexists(folder):  # a concurrent delete pruned it after all: start again
                    raise FileNotFoundError(folder) from None
                raise ObjectKeyConflict(details={"key": key}) from None
            except NotADirectoryError:
                raise ObjectKeyConflict(details={"key": key}) from None
            _fsync_dir(folder.parent)

    # ------------------------------------------------------------------------- put

    async def _put(
        self,
        key: str,
        chunks: AsyncIterator[bytes | memoryview],
        content_type: str,
        max_size: int | None,
        metadata: dict[str, str],
    ) -> StoredObject:
        await _run(self._check_free, key)
        temp = _TempObject(self._tmp_dir)
        # One batch is hashed and written on a worker thread while the next one is gathered.
        writing: asyncio.Future[None] | None = None
        try:
            await _run(temp.open)
            batch: list[bytes | memoryview] = []
            gathered = 0
            size = 0
            async for chunk in chunks:
                size += len(chunk)
                if max_size is not None and size > max_size:
                    raise object_too_large(max_size)
                if not isinstance(chunk, bytes) and not (isinstance(chunk, memoryview) and chunk.readonly):
                    chunk = bytes(chunk)  # the caller may reuse a mutable buffer: keep a copy
                batch.append(chunk)
                gathered += len(chunk)
                if gathered >= WRITE_CHUNK or len(batch) >= WRITE_BATCH_MAX_CHUNKS:
                    if writing is not None:
                        await asyncio.shield(writing)
                    writing = asyncio.ensure_future(_run(temp.write, batch))
                    batch, gathered = [], 0
            if writing is not None:
                await asyncio.shield(writing)
            if batch:
                await _run(temp.write, batch)
            return await _run(self._commit, key, temp, content_type, metadata)
        except BaseException:
            if writing is not None and not writing.done():
                with anyio.CancelScope(shield=True):  # the thread must be done with the file first
                    await asyncio.wait([writing])
            if writing is not None and writing.done() and not writing.cancelled():
                writing.exception()  # retrieved: the error that matters is the one being raised
            temp.discard()
            raise

    def _commit(
        self, key: str, temp: _TempObject, content_type: str, metadata: dict[str, str]
    ) -> StoredObject:
        obj = StoredObject(
            key=key,
            size=temp.size,
            sha256=temp.hash.hexdigest(),
            content_type=content_type,
            last_modified=datetime.now(UTC),
            metadata=metadata,
        )
        temp.seal(obj)
        path = self.path_for(key)
        for attempt in range(PUBLISH_ATTEMPTS):
            try:
                self._make_parents(path, key)
                os.replace(temp.path, path)
            except FileNotFoundError:
                # A concurrent delete pruned a (then empty) folder on the way: make it again.
                if attempt == PUBLISH_ATTEMPTS - 1:
                    raise
                continue
            except (IsADirectoryError, NotADirectoryError):
                raise ObjectKeyConflict(details={"key": key}) from None
            except OSError as exc:
                if exc.errno in (errno.EISDIR, errno.ENOTDIR, errno.ENOTEMPTY, errno.EEXIST):
                    raise ObjectKeyConflict(details={"key": key}) from None
                raise
            break
        _fsync_dir(path.parent)
        return obj

    # ------------------------------------------------------------------------ read

    def _open_object(self, key: str) -> tuple[int, StoredObject]:
        """Open ``key`` for reading; the descriptor pins this version even if it is replaced."""
        path = self.path_for(key)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise ObjectNotFound(details={"key": key}) from None
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENOTDIR):
                raise ObjectNotFound(details={"key": key}) from None
            raise
        try:
            if not stat_mod.S_ISREG(os.fstat(fd).st_mode):
                raise ObjectNotFound(details={"key": key})
            obj = _decode_header(key, os.pread(fd, HEADER_SIZE, 0))
        except BaseException:
            os.close(fd)
            raise
        return fd, obj

    def _stat_blocking(self, key: str) -> StoredObject:
        fd, obj = self._open_object(key)
        os.close(fd)
        return obj

    def _reader(self, key: str, start: int, end: int | None) -> ObjectReader:
        return LocalObjectReader(self, key, start, end)

    async def _stat(self, key: str) -> StoredObject:
        return await _run(self._stat_blocking, key)

    def _verify_blocking(self, key: str) -> bool:
        try:
            fd, obj = self._open_object(key)
        except CorruptObjectError:
            return False
        try:
            if os.fstat(fd).st_size != HEADER_SIZE + obj.size:
                return False
            digest = hashlib.sha256()
            offset = HEADER_SIZE
            while chunk := os.pread(fd, 4 * MiB, offset):
                digest.update(chunk)
                offset += len(chunk)
            return hmac.compare_digest(digest.hexdigest(), obj.sha256)
        finally:
            os.close(fd)

    async def _verify(self, key: str) -> bool:
        return await _run(self._verify_blocking, key)

    # ---------------------------------------------------------------------- delete

    def _delete_blocking(self, key: str) -> None:
        path = self.path_for(key)
        try:
            if not stat_mod.S_ISREG(os.lstat(path).st_mode):
                return  # a folder of other objects, not an object
            os.unlink(path)
        except (FileNotFoundError, NotADirectoryError):
            return
        folder = path.parent
        _fsync_dir(folder, missing_ok=True)
        while folder != self.root:
            try:
                folder.rmdir()  # only succeeds while empty; put() recreates it if it races us
            except OSError:
                break
            folder = folder.parent
            _fsync_dir(folder, missing_ok=True)

    async def _delete(self, key: str) -> None:
        await _run(self._delete_blocking, key)

    # ------------------------------------------------------------------------ list

    def _walk(self, prefix: str) -> Iterator[str]:
        """Keys starting with ``prefix``, in the byte order S3 lists them in."""
        folder_part, _, name_prefix = prefix.rpartition("/")
        folder = self.root.joinpath(*folder_part.split("/")) if folder_part else self.root
        yield from self._walk_folder(folder, f"{folder_part}/" if folder_part else "", name_prefix)

    def _walk_folder(self, folder: Path, key_prefix: str, name_prefix: str = "") -> Iterator[str]:
        try:
            with os.scandir(folder) as entries:
                found = []
                for entry in entries:
                    name = entry.name
                    if name.startswith(".") or not name.startswith(name_prefix):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        # Everything under "a/" sorts as "a/…", so sort folders by name + "/".
                        found.append((name + "/", name, True))
                    elif entry.is_file(follow_symlinks=False):
                        found.append((name, name, False))
        except (FileNotFoundError, NotADirectoryError):
            return
        for _, name, is_folder in sorted(found):
            if is_folder:
                yield from self._walk_folder(folder / name, f"{key_prefix}{name}/")
            else:
                yield f"{key_prefix}{name}"

    def _next_batch(self, keys: Iterator[str]) -> list[StoredObject]:
        batch: list[StoredObject] = []
        for key in keys:
            try:
                batch.append(self._stat_blocking(key))
            except (ObjectNotFound, CorruptObjectError):
                continue  # deleted meanwhile, or not ours
            if len(batch) >= _LIST_BATCH:
                break
        return batch

    async def _list(self, prefix: str) -> AsyncIterator[StoredObject]:
        keys = self._walk(prefix)
        while batch := await _run(self._next_batch, keys):
            for obj in batch:
                yield obj

    # ------------------------------------------------------------------- presigned

    def _signature(self, key: str, expires_at: int, filename: str | None) -> str:
        message = "\n".join(["GET", self.public_base_url, key, str(expires_at), filename or ""])
        return hmac.new(self._signing_key, message.encode(), hashlib.sha256).hexdigest()

    async def _presigned_get_url(
        self, key: str, expires: timedelta, filename: str | None, issued_at: datetime | None
    ) -> str:
        start = (issued_at or datetime.now(UTC)).timestamp()
        expires_at = int(start + expires.total_seconds())
        query: dict[str, str] = {"expires": str(expires_at)}
        if filename is not None:
            query["filename"] = filename
        query["signature"] = self._signature(key, expires_at, filename)
        return f"{self.public_base_url}/objects/{quote(key, safe='/')}?{urlencode(query)}"

    def check_signature(
        self, key: str, expires: str | int, signature: str, filename: str | None, *, now: float | None = None
    ) -> None:
        """Accept a presigned URL's parameters or raise :class:`~pusip_kit.errors.Forbidden`."""
        refused = Forbidden(
            "Tanda tangan tautan tidak sah", "Invalid link signature", code="invalid_signature"
        )
        try:
            expires_at = int(expires)
            valid_key = validate_object_key(key)
        except (ValueError, TypeError, InvalidObjectKey):
            raise refused from None
        expected = self._signature(valid_key, expires_at, filename).encode()
        if not hmac.compare_digest(expected, str(signature).encode("utf-8", "replace")):
            raise refused
        if (time.time() if now is None else now) > expires_at:
            raise Forbidden(
                "Tautan unduhan sudah kedaluwarsa",
                "Download link has expired",
                code="url_expired",
                details={"expired_at": datetime.fromtimestamp(expires_at, UTC).isoformat()},
            )

    # --------------------------------------------------------------------- cleanup

    def _cleanup_blocking(self, older_than: timedelta) -> int:
        cutoff = time.time() - older_than.total_seconds()
        removed = 0
        try:
            with os.scandir(self._tmp_dir) as entries:
                for entry in entries:
                    with contextlib.suppress(FileNotFoundError):
                        if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                            os.unlink(entry.path)
                            removed += 1
        except FileNotFoundError:
            pass
        return removed

    async def _cleanup_incomplete(self, older_than: timedelta) -> int:
        return await _run(functools.partial(self._cleanup_blocking, older_than))
