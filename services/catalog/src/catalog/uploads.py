"""Receiving an uploaded file as a stream, never holding it whole in memory or on disk first.

``multipart/form-data`` (one file part, named ``file``, plus optional short text fields, in any
order) is parsed incrementally with python-multipart's push parser; any other content type is
taken as the raw file (``?filename=`` names it). The file's bytes are handed on chunk by chunk
to :meth:`pusip_kit.storage.ObjectStore.put`, which counts, hashes and limits them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from pusip_kit.errors import BadRequest, PayloadTooLarge, Unprocessable

FIELD_MAX_BYTES = 4096
MAX_FIELDS = 20


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Berkas melebihi batas {limit} bita",
        f"The file exceeds the limit of {limit} bytes",
        code="payload_too_large",
        details={"max_size": limit},
    )


def check_declared_length(request: Request, limit: int) -> None:
    """Refuse at once when the client announces a body over the limit."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise too_large(limit)


@dataclass
class Upload:
    """What arrived besides the file's bytes (complete once the stream is exhausted)."""

    filename: str | None = None
    content_type: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    file_seen: bool = False
    size: int = 0


def _header(value: str, name: str) -> str | None:
    _, options = parse_options_header(value)
    raw = options.get(name.encode())
    if raw is None:
        return None
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def stream_upload(request: Request, upload: Upload) -> AsyncIterator[bytes]:
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        return _multipart(request, content_type, upload)
    return _raw(request, upload)


async def _raw(request: Request, upload: Upload) -> AsyncIterator[bytes]:
    upload.file_seen = True
    upload.filename = request.query_params.get("filename")
    upload.content_type = request.headers.get("content-type") or None
    try:
        async for chunk in request.stream():
            if chunk:
                upload.size += len(chunk)
                yield chunk
    except ClientDisconnect as exc:
        raise BadRequest(
            "Unggahan terputus", "The upload was interrupted", code="upload_interrupted"
        ) from exc


async def _multipart(request: Request, content_type: str, upload: Upload) -> AsyncIterator[bytes]:
    boundary = _header(content_type, "boundary")
    if not boundary:
        raise BadRequest(
            "Batas multipart (boundary) tidak ada", "Multipart boundary missing", code="multipart_invalid"
        )
    state: dict[str, object] = {"headers": {}, "name": None, "field": None, "is_file": False}
    header_field = bytearray()
    header_value = bytearray()
    pending: list[bytes] = []
    errors: list[BadRequest] = []

    def on_part_begin() -> None:
        state.update(headers={}, name=None, field=None, is_file=False)

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        headers = state["headers"]
        assert isinstance(headers, dict)
        headers[bytes(header_field).decode("latin-1").lower()] = bytes(header_value).decode(
            "utf-8", "replace"
        )
        header_field.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        headers = state["headers"]
        assert isinstance(headers, dict)
        disposition = headers.get("content-disposition", "")
        name = _header(disposition, "name")
        filename = _header(disposition, "filename")
        state["name"] = name
        if filename is not None or name == "file":
            if upload.file_seen:
                errors.append(
                    BadRequest(
                        "Hanya satu berkas per unggahan", "Only one file per upload", code="multiple_files"
                    )
                )
            upload.file_seen = True
            upload.filename = filename
            upload.content_type = headers.get("content-type")
            state["is_file"] = True
        else:
            state["field"] = bytearray()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state["is_file"]:
            pending.append(bytes(data[start:end]))
            return
        buffer = state["field"]
        assert isinstance(buffer, bytearray)
        buffer.extend(data[start:end])
        if len(buffer) > FIELD_MAX_BYTES:
            errors.append(
                BadRequest(
                    "Isian formulir terlalu panjang", "A form field is too long", code="form_field_too_long"
                )
            )
            buffer.clear()

    def on_part_end() -> None:
        if not state["is_file"] and state["name"]:
            buffer = state["field"]
            assert isinstance(buffer, bytearray)
            if len(upload.fields) >= MAX_FIELDS:
                errors.append(
                    BadRequest("Terlalu banyak isian", "Too many form fields", code="too_many_fields")
                )
            upload.fields[str(state["name"])] = buffer.decode("utf-8", "replace").strip()

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
        },
    )
    try:
        async for chunk in request.stream():
            try:
                parser.write(chunk)
            except Exception as exc:
                raise BadRequest(
                    "Isi multipart tidak sah", "Malformed multipart body", code="multipart_invalid"
                ) from exc
            if errors:
                raise errors[0]
            while pending:
                piece = pending.pop(0)
                upload.size += len(piece)
                yield piece
        parser.finalize()
    except ClientDisconnect as exc:
        raise BadRequest(
            "Unggahan terputus", "The upload was interrupted", code="upload_interrupted"
        ) from exc
    if errors:
        raise errors[0]
    if not upload.file_seen:
        raise Unprocessable(
            "Tidak ada berkas dalam unggahan (isian 'file')",
            "No file in the upload (field 'file')",
            code="file_missing",
        )
