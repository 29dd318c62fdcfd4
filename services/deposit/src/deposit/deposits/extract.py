"""Full text out of deposited PDFs (pypdf) and plain-text files, for the catalog's search index."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

log = logging.getLogger(__name__)

_BLANKS = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\n\s*\n+")


@dataclass(frozen=True)
class Extracted:
    text: str
    pages: int | None
    truncated: bool


def tidy(text: str) -> str:
    text = text.replace("\x00", "")
    text = _BLANKS.sub(" ", text)
    return _LINES.sub("\n\n", text).strip()


def extract_pdf(path: Path, *, max_chars: int, max_pages: int) -> Extracted:
    reader = PdfReader(str(path), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")
    parts: list[str] = []
    size = 0
    pages = len(reader.pages)
    for number, page in enumerate(reader.pages):
        if number >= max_pages or size > max_chars:
            break
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # one unreadable page does not lose the rest
            log.info("pdf page %s unreadable: %s", number, exc)
            continue
        parts.append(text)
        size += len(text)
    text = tidy("\n\n".join(parts))
    return Extracted(text[:max_chars], pages, len(text) > max_chars or pages > max_pages)


def extract_text_file(path: Path, *, max_chars: int) -> Extracted:
    with open(path, "rb") as handle:
        raw = handle.read(max_chars * 4 + 4)
    text = tidy(raw.decode("utf-8", "replace"))
    return Extracted(text[:max_chars], None, len(text) > max_chars)


def extract(path: Path, content_type: str, *, max_chars: int, max_pages: int) -> Extracted | None:
    if content_type == "application/pdf":
        return extract_pdf(path, max_chars=max_chars, max_pages=max_pages)
    if content_type == "text/plain":
        return extract_text_file(path, max_chars=max_chars)
    return None
