"""Reading the browser's upload form as a stream: the text fields first, then one file, chunk by chunk.

The upload form puts its fields (CSRF token, metadata) before the file input, and browsers send
``multipart/form-data`` parts in document order, so the fields are known before a byte of the file
is read. The file part is then handed on as an async iterator that yields its bytes as they arrive
(only a delimiter's length is held back), straight into the request to the deposit service: the
portal never holds or stores the file. A body that ends before the closing delimiter (the browser
went away) raises :class:`UploadInterrupted`, which aborts the request to the deposit service, so
the deposit service keeps nothing either.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

MAX_HEADER_BYTES = 16 * 1024
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS_TOTAL = 256 * 1024

_NAME = re.compile(r'\bname="((?:[^"\\]|\\.)*)"', re.IGNORECASE)
_FILENAME = re.compile(r'\bfilename="((?:[^"\\]|\\.)*)"', re.IGNORECASE)
_BOUNDARY = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)


class UploadError(Exception):
    """The form cannot be read: a 400 with ``code``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class UploadInterrupted(UploadError):
    def __init__(self) -> None:
        super().__init__("upload_interrupted")


def boundary_of(content_type: str | None) -> bytes:
    if not content_type or not content_type.lower().startswith("multipart/form-data"):
        raise UploadError("multipart_required")
    match = _BOUNDARY.search(content_type)
    if not match:
        raise UploadError("multipart_invalid")
    value = (match.group(1) or match.group(2)).encode("latin-1", errors="replace")
    if not 1 <= len(value) <= 200:
        raise UploadError("multipart_invalid")
    return value


def _unquote(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value).replace("%22", '"')


@dataclass
class FilePart:
    name: str
    filename: str
    content_type: str
    chunks: AsyncIterator[bytes]


@dataclass
class FormStream:
    """``fields`` (text values, in order) and the first ``file`` part, if any."""

    fields: dict[str, str] = field(default_factory=dict)
    file: FilePart | None = None


class MultipartStream:
    def __init__(self, chunks: AsyncIterator[bytes], boundary: bytes) -> None:
        self._chunks = chunks
        self._delimiter = b"--" + boundary
        self._inner = b"\r\n" + self._delimiter
        self._buffer = bytearray()
        self._done = False

    async def _fill(self) -> bool:
        if self._done:
            return False
        try:
            chunk = await anext(self._chunks)
        except StopAsyncIteration:
            self._done = True
            return False
        self._buffer += chunk
        return True

    async def _need(self, size: int) -> None:
        while len(self._buffer) < size:
            if not await self._fill():
                raise UploadInterrupted()

    async def _until(self, marker: bytes, limit: int) -> bytes:
        """Everything up to ``marker`` (consumed, not returned), at most ``limit`` bytes."""
        start = 0
        while True:
            at = self._buffer.find(marker, start)
            if at >= 0:
                value = bytes(self._buffer[:at])
                del self._buffer[: at + len(marker)]
                return value
            if len(self._buffer) > limit + len(marker):
                raise UploadError("field_too_large")
            start = max(0, len(self._buffer) - len(marker) + 1)
            if not await self._fill():
                raise UploadInterrupted()

    async def _after_delimiter(self) -> bool:
        """True when another part follows, False at the closing delimiter."""
        await self._need(2)
        mark = bytes(self._buffer[:2])
        del self._buffer[:2]
        if mark == b"--":
            return False
        if mark != b"\r\n":
            raise UploadError("multipart_invalid")
        return True

    async def read(self) -> FormStream:
        """Read text fields up to the first file part (whose bytes are then streamed)."""
        form = FormStream()
        await self._until(self._delimiter, MAX_HEADER_BYTES)  # a preamble, if any, is ignored
        total = 0
        while await self._after_delimiter():
            head = (await self._until(b"\r\n\r\n", MAX_HEADER_BYTES)).decode("utf-8", errors="replace")
            headers: dict[str, str] = {}
            for line in head.split("\r\n"):
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
            disposition = headers.get("content-disposition", "")
            name_match = _NAME.search(disposition)
            name = _unquote(name_match.group(1)) if name_match else ""
            file_match = _FILENAME.search(disposition)
            if file_match is not None:
                form.file = FilePart(
                    name=name,
                    filename=_unquote(file_match.group(1)),
                    content_type=headers.get("content-type", "application/octet-stream"),
                    chunks=self._file_data(),
                )
                return form
            raw = await self._until(self._inner, MAX_FIELD_BYTES)
            total += len(raw)
            if total > MAX_FIELDS_TOTAL:
                raise UploadError("field_too_large")
            form.fields[name] = raw.decode("utf-8", errors="replace")
        return form

    async def _file_data(self) -> AsyncIterator[bytes]:
        keep = len(self._inner)
        while True:
            at = self._buffer.find(self._inner)
            if at >= 0:
                if at:
                    yield bytes(self._buffer[:at])
                del self._buffer[: at + keep]
                # the rest of the form (more parts, the closing delimiter) is not needed
                return
            if len(self._buffer) > keep:
                cut = len(self._buffer) - keep
                yield bytes(self._buffer[:cut])
                del self._buffer[:cut]
            if not await self._fill():
                raise UploadInterrupted()
