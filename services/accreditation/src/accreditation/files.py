"""Receiving and serving files: evidence, activity materials and import files.

An upload is either ``multipart/form-data`` with one file part named ``file`` (plus short text
fields), or the raw file as the request body (``?filename=`` names it). Multipart bodies are
spooled by Starlette (memory up to 1 MiB, then a temporary file); the bytes are then streamed to
the object store, which counts, hashes and limits them. Nothing is held whole in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.datastructures import UploadFile

from pusip_kit.errors import BadRequest, PayloadTooLarge, Unprocessable
from pusip_kit.files import sniff
from pusip_kit.storage import ObjectStore, StoredObject
from pusip_kit.storage.base import content_disposition

CHUNK = 256 * 1024


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Berkas melebihi batas {limit} bita",
        f"The file exceeds the limit of {limit} bytes",
        code="payload_too_large",
        details={"max_size": limit},
    )


def check_declared_length(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise too_large(limit)


@dataclass
class Received:
    stored: StoredObject
    filename: str | None
    content_type: str
    fields: dict[str, str] = field(default_factory=dict)


def _no_file() -> Unprocessable:
    return Unprocessable(
        "Tidak ada berkas dalam unggahan (isian 'file')",
        "No file in the upload (field 'file')",
        code="file_missing",
    )


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(CHUNK):
        yield chunk


async def receive_file(request: Request, store: ObjectStore, key: str, *, max_size: int) -> Received:
    """Store the uploaded file at ``key``; the caller deletes it again if its transaction fails."""
    check_declared_length(request, max_size)
    content_type = request.headers.get("content-type", "")
    fields: dict[str, str] = {}
    if content_type.lower().startswith("multipart/form-data"):
        try:
            form = await request.form(max_files=1, max_fields=20)
        except Exception as exc:  # malformed multipart, too many parts
            raise BadRequest(
                "Isi multipart tidak sah", "Malformed multipart body", code="multipart_invalid"
            ) from exc
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise _no_file()
            for name, value in form.multi_items():
                if isinstance(value, str):
                    fields[name] = value.strip()
            stored = await store.put(
                key, _chunks(upload), content_type=upload.content_type or None, max_size=max_size
            )
            filename = upload.filename
        finally:
            await form.close()
    else:
        stored = await store.put(key, _raw(request), content_type=content_type or None, max_size=max_size)
        filename = request.query_params.get("filename")
    if stored.size == 0:
        await store.delete(key)
        raise Unprocessable("Berkas kosong", "The file is empty", code="file_empty")
    head = await store.read_bytes(key, end=min(stored.size, 8192))
    kind = sniff(head)
    detected = kind.value if kind.value != "application/octet-stream" else stored.content_type
    return Received(stored=stored, filename=_clean_filename(filename), content_type=detected, fields=fields)


async def _raw(request: Request) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        if chunk:
            yield chunk


async def read_small_body(request: Request, *, max_size: int) -> tuple[bytes, str | None]:
    """An import file, whole (these are small): multipart field ``file`` or the raw body."""
    check_declared_length(request, max_size)
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        try:
            form = await request.form(max_files=1, max_fields=20)
        except Exception as exc:
            raise BadRequest(
                "Isi multipart tidak sah", "Malformed multipart body", code="multipart_invalid"
            ) from exc
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise _no_file()
            data = await upload.read(max_size + 1)
            filename = upload.filename
        finally:
            await form.close()
    else:
        buffer = bytearray()
        async for chunk in request.stream():
            buffer.extend(chunk)
            if len(buffer) > max_size:
                raise too_large(max_size)
        data = bytes(buffer)
        filename = request.query_params.get("filename")
    if len(data) > max_size:
        raise too_large(max_size)
    if not data:
        raise Unprocessable("Berkas kosong", "The file is empty", code="file_empty")
    return data, filename


def _clean_filename(filename: str | None) -> str | None:
    if not filename:
        return None
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:255] or None


async def stream_object(
    store: ObjectStore, key: str, *, filename: str | None, content_type: str, inline: bool = False
) -> StreamingResponse:
    reader = await store.get(key).open()
    headers = {"Content-Length": str(reader.length), "ETag": reader.object.etag, "Cache-Control": "private"}
    if filename:
        headers["Content-Disposition"] = content_disposition(filename, "inline" if inline else "attachment")
    return StreamingResponse(reader, media_type=content_type, headers=headers)
