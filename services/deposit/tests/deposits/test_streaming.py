"""The streaming pieces on their own: multipart reader, read-ahead, file names, content checks."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest

from deposit.deposits.streaming import (
    CheckedFile,
    InvalidFilename,
    MultipartReader,
    clean_filename,
    read_ahead,
)
from deposit.rules import FileKind
from pusip_kit.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

from ..helpers import multipart


async def chunked(data: bytes, sizes: list[int]) -> AsyncIterator[bytes]:
    position = 0
    for size in sizes:
        if position >= len(data):
            break
        yield data[position : position + size]
        position += size
    if position < len(data):
        yield data[position:]


async def read_all(
    body: bytes, content_type: str, sizes: list[int]
) -> list[tuple[str | None, str | None, bytes]]:
    boundary = content_type.split("boundary=")[1].encode()
    reader = MultipartReader(chunked(body, sizes), boundary)
    parts = []
    while (part := await reader.next_part()) is not None:
        data = b"".join([piece async for piece in reader.body()])
        parts.append((part.name, part.filename, data))
    return parts


@pytest.mark.parametrize("seed", range(12))
async def test_multipart_reader_is_exact_whatever_the_chunking(seed: int) -> None:
    rng = random.Random(seed)
    files = [(f"f{n}.bin", rng.randbytes(rng.randint(0, 70_000))) for n in range(3)]
    # a body that contains pieces of the delimiter must survive too
    files.append(("tricky.bin", b"\r\n--pusipTESTbound\r\n--pusipTESTboundar" * 50))
    body, content_type = multipart({"a": 1}, files)
    sizes = [rng.choice([1, 2, 7, 64, 1000, 65536]) for _ in range(len(body))]
    parts = await read_all(body, content_type, sizes)
    assert parts[0] == ("metadata", None, b'{"a": 1}')
    assert [(p[1], p[2]) for p in parts[1:]] == files


async def test_multipart_reader_refuses_truncated_and_garbage() -> None:
    body, content_type = multipart({"a": 1}, [("x.bin", b"123")])
    with pytest.raises(BadRequest):
        await read_all(body[:-20], content_type, [100])
    with pytest.raises(BadRequest):
        await read_all(b"no boundary here at all" * 10, content_type, [64])


@pytest.mark.parametrize(
    "name",
    [
        "../a.pdf",
        "a/../../b.pdf",
        "..",
        ".",
        ".env",
        "C:\\x.pdf",
        "x\\y.pdf",
        "a\x00b.pdf",
        "a\nb.pdf",
        "",
        " ",
    ],
)
def test_unsafe_file_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidFilename):
        clean_filename(name)


def test_ordinary_names_pass() -> None:
    assert clean_filename(" Laporan Tahunan 2024 (final).pdf ") == "Laporan Tahunan 2024 (final).pdf"
    assert clean_filename("Ca\u0301ta\u0301n.txt") == "Cátán.txt"


async def test_checked_file_decides_by_content_and_limits_by_type() -> None:
    limits = {FileKind.PDF: 20_000, FileKind.PNG: 100}
    checked = CheckedFile(limits)
    data = b"%PDF-1.7\n" + b"x" * 15_000
    out = b"".join([c async for c in checked.stream(chunked(data, [3] * 10 + [4096] * 10))])
    assert out == data and checked.kind is FileKind.PDF
    with pytest.raises(PayloadTooLarge):
        _ = [
            c async for c in CheckedFile(limits).stream(chunked(b"\x89PNG\r\n\x1a\n" + b"0" * 200, [50] * 10))
        ]
    with pytest.raises(UnsupportedMediaType):
        _ = [c async for c in CheckedFile(limits).stream(chunked(b"GIF89a" + b"0" * 9000, [9000]))]


async def test_read_ahead_keeps_order_passes_errors_and_bounds_memory() -> None:
    produced: list[int] = []

    async def source() -> AsyncIterator[bytes]:
        for n in range(50):
            produced.append(n)
            yield bytes([n]) * 1000
        raise BadRequest("putus", "cut", code="upload_interrupted")

    seen = bytearray()
    sizes = []
    with pytest.raises(BadRequest):
        async for chunk in read_ahead(source(), max_bytes=5000, batch=3000):
            sizes.append(len(chunk))
            seen += chunk
            await asyncio.sleep(0)
            assert len(produced) * 1000 - len(seen) <= 5000 + 3000 + 1000  # bounded read-ahead
    assert bytes(seen) == b"".join(bytes([n]) * 1000 for n in range(50))  # every byte before the error
    assert all(size >= 3000 for size in sizes[:-1])  # small chunks are gathered
