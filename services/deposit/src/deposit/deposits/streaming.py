"""Reading an upload as a stream: a multipart reader, a read-ahead buffer, file-name and type checks.

Nothing here holds a whole file: the multipart reader keeps at most one network chunk plus a
delimiter's worth of bytes; :func:`read_ahead` keeps at most ``max_bytes`` in flight, so the network
read of the next chunks overlaps the hashing and disk write of the previous ones (which the object
store does on a worker thread); :class:`CheckedFile` holds back only the first few KiB, until it has
seen enough to tell what the file really is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from deposit.rules import FileKind, sniff
from pusip_kit.errors import BadRequest, PayloadTooLarge, Unprocessable, UnsupportedMediaType

SNIFF_BYTES = 8192
HEADER_MAX_BYTES = 16 * 1024
FIELD_MAX_BYTES = 64 * 1024


class InvalidFilename(BadRequest):
    code = "invalid_filename"
    message = "Nama berkas tidak sah"
    message_en = "Invalid file name"


class EmptyFile(Unprocessable):
    code = "empty_file"
    message = "Berkas kosong (0 bita)"
    message_en = "The file is empty (0 bytes)"


def interrupted() -> BadRequest:
    return BadRequest(
        "Unggahan terputus sebelum selesai; tidak ada yang disimpan",
        "The upload was interrupted before it finished; nothing was kept",
        code="upload_interrupted",
    )


def too_large(limit: int, what: str = "berkas") -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Ukuran {what} melebihi batas {limit} bita",
        f"The {'file' if what == 'berkas' else what} exceeds the limit of {limit} bytes",
        code="payload_too_large",
        details={"max_size": limit},
    )


def clean_filename(name: str | None) -> str:
    """The file's own name, or :class:`InvalidFilename`: never a path, never hidden, no control characters.

    A name with a directory part (``../x.pdf``, ``a/b.pdf``, ``C:\\x.pdf``) is refused, not trimmed:
    the client sent something unexpected and is told so.
    """
    if name is None:
        raise InvalidFilename(
            "Nama berkas wajib diisi", "A file name is required", details={"filename": None}
        )
    text = unicodedata.normalize("NFC", name).strip()
    shown = text[:120]
    if not text:
        raise InvalidFilename("Nama berkas kosong", "Empty file name", details={"filename": shown})
    if "/" in text or "\\" in text or (len(text) > 1 and text[1] == ":"):
        raise InvalidFilename(
            "Nama berkas tidak boleh memuat jalur folder (/, \\, ..)",
            "The file name must not contain a folder path (/, \\, ..)",
            details={"filename": shown},
        )
    if text in (".", "..") or text.startswith("."):
        raise InvalidFilename(
            "Nama berkas tidak boleh diawali titik",
            "The file name must not start with a dot",
            details={"filename": shown},
        )
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text):
        raise InvalidFilename(
            "Nama berkas memuat karakter kendali",
            "The file name contains control characters",
            details={"filename": shown},
        )
    if len(text.encode("utf-8")) > 255:
        raise InvalidFilename(
            "Nama berkas lebih dari 255 bita",
            "The file name is longer than 255 bytes",
            details={"filename": shown},
        )
    return text


# --------------------------------------------------------------------------------- read-ahead


async def read_ahead(
    source: AsyncIterator[bytes], *, max_bytes: int = 8 * 1024 * 1024, batch: int = 1024 * 1024
) -> AsyncIterator[bytes]:
    """Yield ``source``'s bytes while a background task keeps reading up to ``max_bytes`` ahead.

    Small network chunks are gathered into pieces of about ``batch`` bytes, so the consumer (the
    object store, which hashes and writes on a worker thread) gets few large writes instead of many
    small ones. Errors of the source (a client disconnect, a size limit) reach the consumer after
    the bytes before them; when the consumer stops early the reader task is cancelled.
    """
    queue: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue()
    room = asyncio.Semaphore(0)
    state = {"buffered": 0, "waiting": False}

    def hand_over(piece: bytes) -> None:
        queue.put_nowait(piece)
        state["buffered"] += len(piece)

    gathered = bytearray()

    async def pump() -> None:
        nonlocal gathered
        try:
            async for chunk in source:
                if not gathered and len(chunk) >= batch:
                    hand_over(bytes(chunk))
                else:
                    gathered += chunk
                    if len(gathered) < batch:
                        continue
                    hand_over(bytes(gathered))
                    gathered = bytearray()
                while state["buffered"] > max_bytes:
                    state["waiting"] = True
                    await room.acquire()
            if gathered:
                hand_over(bytes(gathered))
            queue.put_nowait(None)
        except BaseException as exc:
            if gathered:
                hand_over(bytes(gathered))
            queue.put_nowait(exc)
            if isinstance(exc, asyncio.CancelledError):
                raise

    task = asyncio.create_task(pump())
    try:
        while True:
            item = await queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            state["buffered"] -= len(item)
            if state["waiting"] and state["buffered"] <= max_bytes:
                state["waiting"] = False
                room.release()
            yield item
    finally:
        if not task.done():
            task.cancel()
        with contextlib.suppress(BaseException):
            await task


# --------------------------------------------------------------------------- type and size check


@dataclass
class CheckedFile:
    """Pass a file's bytes through, refusing it by content: wrong type (415), too large (413), empty (422).

    ``limits`` maps each acceptable kind to its size limit. The first :data:`SNIFF_BYTES` are held
    back until the kind is known; after that, chunks go straight through.
    """

    limits: dict[FileKind, int]
    kind: FileKind | None = None
    size: int = 0
    head: bytes = b""
    _limit: int = field(default=0, init=False)

    def _decide(self, head: bytes) -> None:
        kind = sniff(head)
        if kind not in self.limits:
            allowed = ", ".join(sorted(k.value for k in self.limits))
            raise UnsupportedMediaType(
                f"Jenis berkas menurut isinya ({kind.value}) tidak diterima untuk karya ini; diterima: {allowed}",
                f"The file's content type ({kind.value}) is not accepted for this work; accepted: {allowed}",
                code="unsupported_file_type",
                details={"detected": kind.value, "accepted": sorted(k.value for k in self.limits)},
            )
        self.kind = kind
        self.head = head[:512]
        self._limit = self.limits[kind]
        if self.size > self._limit:
            raise too_large(self._limit)

    async def stream(self, source: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        held = bytearray()
        async for chunk in source:
            if not chunk:
                continue
            self.size += len(chunk)
            if self.kind is None:
                held += chunk
                if len(held) < SNIFF_BYTES:
                    continue
                self._decide(bytes(held[:SNIFF_BYTES]))
                out, held = bytes(held), bytearray()
                yield out
                continue
            if self.size > self._limit:
                raise too_large(self._limit)
            yield chunk
        if self.kind is None:
            if not held:
                raise EmptyFile()
            self._decide(bytes(held))
            yield bytes(held)


# ------------------------------------------------------------------------------- multipart


@dataclass
class Part:
    name: str | None
    filename: str | None
    content_type: str | None
    headers: dict[str, str]


def _options(value: str) -> tuple[str, dict[str, str]]:
    """``form-data; name="file"; filename="a.pdf"`` → ("form-data", {...}); RFC 7578 quoting."""
    main, _, rest = value.partition(";")
    options: dict[str, str] = {}
    text = rest
    while text:
        text = text.lstrip(" ;\t")
        if not text:
            break
        key, eq, text = text.partition("=")
        key = key.strip().lower()
        if not eq:
            break
        if text.startswith('"'):
            out = []
            i = 1
            while i < len(text) and text[i] != '"':
                if text[i] == "\\" and i + 1 < len(text):
                    i += 1
                out.append(text[i])
                i += 1
            options[key] = "".join(out)
            text = text[i + 1 :]
        else:
            val, _, text = text.partition(";")
            options[key] = val.strip()
    return main.strip().lower(), options


def boundary_of(content_type: str) -> bytes:
    kind, options = _options(content_type)
    boundary = options.get("boundary", "")
    if kind != "multipart/form-data" or not boundary or len(boundary) > 200:
        raise BadRequest(
            "Batas multipart (boundary) tidak sah", "Invalid multipart boundary", code="multipart_invalid"
        )
    return boundary.encode("latin-1")


def malformed(why: str) -> BadRequest:
    return BadRequest("Isi multipart tidak sah", f"Malformed multipart body: {why}", code="multipart_invalid")


class MultipartReader:
    """``multipart/form-data`` read part by part; a part's body is an async iterator of its bytes.

    The reader searches the delimiter with ``bytes.find`` on at most one chunk plus the delimiter's
    length, so it costs about one copy of the body and never more memory than a chunk.
    """

    def __init__(self, chunks: AsyncIterator[bytes], boundary: bytes) -> None:
        self._chunks = chunks
        self._delimiter = b"\r\n--" + boundary
        self._buffer = b""
        self._eof = False
        self._done = False
        self._in_body = False
        self._started = False

    async def _fill(self) -> bool:
        if self._eof:
            return False
        try:
            chunk = await self._chunks.__anext__()
        except StopAsyncIteration:
            self._eof = True
            return False
        self._buffer = self._buffer + chunk if self._buffer else chunk
        return True

    async def _skip_preamble(self) -> None:
        """Consume up to and including the first ``--boundary`` (a preamble before it is ignored)."""
        dash = self._delimiter[2:]
        while True:
            if self._buffer.startswith(dash):
                self._buffer = self._buffer[len(dash) :]
                return
            at = self._buffer.find(self._delimiter)
            if at != -1:
                self._buffer = self._buffer[at + len(self._delimiter) :]
                return
            if len(self._buffer) > HEADER_MAX_BYTES:
                raise malformed("no opening boundary")
            if not await self._fill():
                raise malformed("no opening boundary")

    async def next_part(self) -> Part | None:
        """Move to the next part (skipping what is left of the current one); None after the last."""
        if self._done:
            return None
        if not self._started:
            self._started = True
            await self._skip_preamble()
        elif self._in_body:
            async for _ in self.body():
                pass
        # after a delimiter: "--" ends the body, "\r\n" starts headers
        while len(self._buffer) < 2:
            if not await self._fill():
                raise malformed("truncated after boundary")
        if self._buffer.startswith(b"--"):
            self._done = True
            return None
        if not self._buffer.startswith(b"\r\n"):
            raise malformed("garbage after boundary")
        self._buffer = self._buffer[2:]
        while (end := self._buffer.find(b"\r\n\r\n")) == -1:
            if len(self._buffer) > HEADER_MAX_BYTES:
                raise malformed("part headers too long")
            if not await self._fill():
                raise malformed("truncated part headers")
        if end > HEADER_MAX_BYTES:
            raise malformed("part headers too long")
        raw, self._buffer = self._buffer[:end], self._buffer[end + 4 :]
        headers: dict[str, str] = {}
        for line in raw.split(b"\r\n"):
            if not line:
                continue
            key, colon, value = line.partition(b":")
            if not colon:
                raise malformed("bad header line")
            headers[key.decode("latin-1").strip().lower()] = value.decode("utf-8", "replace").strip()
        disposition, options = _options(headers.get("content-disposition", ""))
        if disposition != "form-data":
            raise malformed("part without Content-Disposition: form-data")
        self._in_body = True
        return Part(
            name=options.get("name"),
            filename=options.get("filename"),
            content_type=headers.get("content-type"),
            headers=headers,
        )

    async def body(self) -> AsyncIterator[bytes]:
        """The current part's bytes, chunk by chunk, up to the next delimiter.

        Pieces are read-only views of the received chunks (no copy). A delimiter split across two
        chunks is found by searching the few bytes around the seam (the held-back ``tail`` of the
        previous chunk, never longer than the delimiter, and the start of the next).
        """
        if not self._in_body:
            return
        delimiter = self._delimiter
        keep = len(delimiter) - 1
        tail = b""
        chunk, self._buffer = self._buffer, b""
        while True:
            if tail and len(chunk) < keep:
                chunk, tail = tail + chunk, b""
            if tail:
                seam = tail + chunk[:keep]
                at = seam.find(delimiter)
                if at != -1 and at < len(tail):
                    if at:
                        yield tail[:at]
                    self._buffer = chunk[at + len(delimiter) - len(tail) :]
                    self._in_body = False
                    return
                yield tail
                tail = b""
            at = chunk.find(delimiter)
            if at != -1:
                if at:
                    yield memoryview(chunk)[:at]  # type: ignore[misc]
                self._buffer = chunk[at + len(delimiter) :]
                self._in_body = False
                return
            if len(chunk) > keep:
                yield memoryview(chunk)[: len(chunk) - keep]  # type: ignore[misc]
                tail = chunk[len(chunk) - keep :]
            else:
                tail = chunk
            if not await self._fill():
                raise malformed("truncated part body (no closing boundary)")
            chunk, self._buffer = self._buffer, b""

    async def read_field(self, limit: int = FIELD_MAX_BYTES) -> str:
        data = bytearray()
        async for piece in self.body():
            data += piece
            if len(data) > limit:
                raise BadRequest(
                    "Isian formulir terlalu panjang", "A form field is too long", code="form_field_too_long"
                )
        return data.decode("utf-8", "replace")


def parse_json_field(text: str, what: str = "metadata") -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise Unprocessable(
            f"Isian {what} harus JSON yang sah",
            f"The {what} field must be valid JSON",
            code="metadata_invalid",
        ) from exc
