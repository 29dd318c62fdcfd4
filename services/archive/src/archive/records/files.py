"""Record files: streamed into object storage with SHA-256, typed by their content, text kept for search."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator

import anyio.to_thread

from pusip_kit.errors import BadRequest, UnsupportedMediaType
from pusip_kit.files import FileKind, sniff

log = logging.getLogger(__name__)

SNIFF_BYTES = 4096
ALLOWED_KINDS = frozenset(
    {
        FileKind.PDF,
        FileKind.TEXT,
        FileKind.JPEG,
        FileKind.PNG,
        FileKind.TIFF,
        FileKind.MP3,
        FileKind.WAV,
        FileKind.FLAC,
        FileKind.OGG,
        FileKind.MP4,
        FileKind.WEBM,
        FileKind.ZIP,
    }
)
PDF_TEXT_MAX_BYTES = 64 * 1024 * 1024


class SniffedBody:
    """Reads just enough of a streamed body to know what it is, then streams all of it on.

    Text bodies are also kept (up to ``keep_text`` bytes) for full-text search.
    """

    def __init__(self, chunks: AsyncIterator[bytes], *, keep_text: int) -> None:
        self._chunks = chunks
        self._head: list[bytes] = []
        self.kind = FileKind.UNKNOWN
        self.keep_text = keep_text
        self._text = bytearray()

    async def open(self) -> FileKind:
        size = 0
        async for chunk in self._chunks:
            if not chunk:
                continue
            self._head.append(bytes(chunk))
            size += len(chunk)
            if size >= SNIFF_BYTES:
                break
        head = b"".join(self._head)
        if not head:
            raise BadRequest("Berkas kosong", "The file is empty", code="file_empty")
        self.kind = sniff(head[:SNIFF_BYTES])
        if self.kind not in ALLOWED_KINDS:
            raise UnsupportedMediaType(
                "Jenis berkas tidak dikenali atau tidak diterima (dibaca dari isinya, bukan namanya)",
                "File type not recognised or not accepted (read from its content, not its name)",
                code="file_type_refused",
                details={"sniffed": self.kind.value, "accepted": sorted(k.value for k in ALLOWED_KINDS)},
            )
        return self.kind

    def _keep(self, chunk: bytes) -> None:
        if self.kind is FileKind.TEXT and len(self._text) < self.keep_text:
            self._text.extend(chunk[: self.keep_text - len(self._text)])

    async def stream(self) -> AsyncIterator[bytes]:
        for chunk in self._head:
            self._keep(chunk)
            yield chunk
        async for chunk in self._chunks:
            if chunk:
                self._keep(bytes(chunk))
                yield bytes(chunk)

    @property
    def text(self) -> str | None:
        if self.kind is not FileKind.TEXT:
            return None
        return bytes(self._text).decode("utf-8", errors="ignore")


def _pdf_text(data: bytes, limit: int) -> str | None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        parts: list[str] = []
        total = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            parts.append(text)
            total += len(text)
            if total >= limit:
                break
        return "\n".join(parts)[:limit] or None
    except Exception as exc:  # a damaged PDF is still a record; it only lacks full text
        log.warning("PDF text extraction failed: %s", exc)
        return None


async def pdf_text(data: bytes, limit: int) -> str | None:
    return await anyio.to_thread.run_sync(_pdf_text, data, limit)
