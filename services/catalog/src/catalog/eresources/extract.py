"""Full text out of e-resource files: PDF (pypdf), EPUB (its XHTML) and plain text."""

from __future__ import annotations

import html
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from catalog.models import TextStatus

log = logging.getLogger(__name__)

MAX_PDF_PAGES = 3000
MAX_EPUB_BYTES = 64 * 1024 * 1024
_TAGS = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.IGNORECASE | re.DOTALL)
_BLANKS = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\n\s*\n+")


@dataclass(frozen=True)
class Extracted:
    status: TextStatus
    text: str | None
    truncated: bool = False
    error: str | None = None


def _tidy(text: str) -> str:
    text = text.replace("\x00", "")
    text = _BLANKS.sub(" ", text)
    return _LINES.sub("\n\n", text).strip()


def _limit(parts: list[str], max_chars: int) -> Extracted:
    text = _tidy("\n\n".join(parts))
    if not text:
        return Extracted(TextStatus.NONE, None)
    truncated = len(text) > max_chars
    return Extracted(TextStatus.EXTRACTED, text[:max_chars], truncated)


def _pdf(path: Path, max_chars: int) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(str(path), strict=False)
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception:
            return Extracted(TextStatus.FAILED, None, error="encrypted")
    parts: list[str] = []
    size = 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES or size > max_chars:
            break
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # one broken page does not lose the rest
            log.info("pdf page %s unreadable: %s", number, exc)
            continue
        parts.append(text)
        size += len(text)
    return _limit(parts, max_chars)


def _epub(path: Path, max_chars: int) -> Extracted:
    parts: list[str] = []
    budget = MAX_EPUB_BYTES
    size = 0
    with zipfile.ZipFile(path) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if not info.filename.lower().endswith((".xhtml", ".html", ".htm")):
                continue
            if info.file_size > budget or size > max_chars:
                break
            budget -= info.file_size
            with archive.open(info) as member:
                markup = member.read(info.file_size + 1).decode("utf-8", "replace")
            text = html.unescape(_TAGS.sub(" ", _SCRIPT.sub(" ", markup)))
            parts.append(text)
            size += len(text)
    return _limit(parts, max_chars)


def _plain(path: Path, max_chars: int) -> Extracted:
    with path.open("rb") as handle:
        raw = handle.read(max_chars * 4 + 4)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = (
            raw[: exc.start].decode("utf-8") if exc.start >= len(raw) - 4 else raw.decode("cp1252", "replace")
        )
    return _limit([text], max_chars)


def extract_text(path: Path, fmt: str, *, max_chars: int) -> Extracted:
    """Never raises: a file that cannot be read comes back as ``failed`` with the reason."""
    try:
        if fmt == "pdf":
            return _pdf(path, max_chars)
        if fmt == "epub":
            return _epub(path, max_chars)
        if fmt == "text":
            return _plain(path, max_chars)
        return Extracted(TextStatus.NONE, None)
    except Exception as exc:
        log.info("text extraction failed for %s (%s): %s", path, fmt, exc)
        return Extracted(TextStatus.FAILED, None, error=f"{type(exc).__name__}: {exc}"[:500])
