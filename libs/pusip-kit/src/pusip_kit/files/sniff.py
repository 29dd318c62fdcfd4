"""What a file really is, from its first bytes, never from its name."""

from __future__ import annotations

from enum import StrEnum


class FileKind(StrEnum):
    PDF = "application/pdf"
    EPUB = "application/epub+zip"
    ZIP = "application/zip"
    MP3 = "audio/mpeg"
    WAV = "audio/wav"
    FLAC = "audio/flac"
    OGG = "audio/ogg"
    MP4 = "video/mp4"
    WEBM = "video/webm"
    JPEG = "image/jpeg"
    PNG = "image/png"
    TIFF = "image/tiff"
    WEBP = "image/webp"
    TEXT = "text/plain"
    UNKNOWN = "application/octet-stream"


def sniff(head: bytes) -> FileKind:
    """Classify from at least the first 64 bytes (more helps text and EPUB detection)."""
    if head.startswith(b"%PDF-"):
        return FileKind.PDF
    if head.startswith(b"PK\x03\x04"):
        return FileKind.EPUB if b"mimetypeapplication/epub+zip" in head[:100] else FileKind.ZIP
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return FileKind.MP3
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return FileKind.WAV
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return FileKind.WEBP
    if head.startswith(b"fLaC"):
        return FileKind.FLAC
    if head.startswith(b"OggS"):
        return FileKind.OGG
    if head[4:8] == b"ftyp":
        return FileKind.MP4
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return FileKind.WEBM
    if head.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return FileKind.TIFF
    if head and _looks_like_text(head):
        return FileKind.TEXT
    return FileKind.UNKNOWN


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still text
        if exc.start < len(head) - 3:
            return False
    return True
