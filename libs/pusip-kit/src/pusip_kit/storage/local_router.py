"""Serves the presigned URLs of a :class:`~pusip_kit.storage.local.LocalObjectStore`.

MinIO serves its own presigned URLs; in embedded mode the service mounts this router::

    store = make_object_store(settings, "deposits")
    app.include_router(make_signed_object_router(store))   # at the path of store.public_base_url

``GET <prefix>/objects/{key}?expires=…&signature=…[&filename=…]`` streams the object with
``Content-Length``, ``Content-Type``, ``ETag`` (the SHA-256), ``Accept-Ranges`` and, when the URL
names a file, ``Content-Disposition: attachment``. A single ``Range: bytes=…`` is answered with 206
(or 416 when it lies outside the object); multi-range requests get the whole object. A bad or
tampered signature is refused with 403 ``invalid_signature``, an expired one with 403 ``url_expired``.
Errors use the suite's JSON error shape even if the app installed no error handlers.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from email.utils import format_datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from pusip_kit.errors import PusipError, error_body

from .base import ObjectReader, RangeNotSatisfiable, content_disposition
from .local import LocalObjectStore

_RANGE_RE = re.compile(r"bytes=(\d*)-(\d*)")
_MAX_RACE_RETRIES = 3


def parse_range(header: str | None) -> tuple[int | None, int | None] | None:
    """``(first, last)`` of a single ``bytes=`` range, inclusive; ``(None, n)`` is the last n bytes.

    ``None`` means "serve the whole object": no header, another unit, several ranges or a
    syntactically invalid one (RFC 9110 §14.2 lets a server ignore those).
    """
    if not header:
        return None
    match = _RANGE_RE.fullmatch(header.strip().replace(" ", ""))
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        return None, int(last)
    if last and int(last) < int(first):
        return None
    return int(first), int(last) if last else None


async def _open_range(store: LocalObjectStore, key: str, spec: tuple[int | None, int | None]) -> ObjectReader:
    first, last = spec
    if first is not None:
        return await store.get(key, start=first, end=None if last is None else last + 1).open()
    suffix = last or 0
    for _ in range(_MAX_RACE_RETRIES):
        obj = await store.stat(key)
        if suffix == 0 or obj.size == 0:
            raise RangeNotSatisfiable(details={"size": obj.size})
        reader = await store.get(key, start=max(0, obj.size - suffix)).open()
        if reader.object.sha256 == obj.sha256 and reader.object.size == obj.size:
            return reader
        await reader.aclose()  # replaced between stat and open: try again
    raise RangeNotSatisfiable(details={"size": obj.size})


def _error_response(request: Request, exc: PusipError) -> JSONResponse:
    headers = dict(exc.headers)
    if isinstance(exc, RangeNotSatisfiable) and isinstance(exc.details, dict) and "size" in exc.details:
        headers["Content-Range"] = f"bytes */{exc.details['size']}"
    request_id = getattr(request.state, "request_id", None) or request.headers.get("x-request-id")
    return JSONResponse(
        error_body(exc.code, exc.message, exc.message_en, exc.details, request_id),
        status_code=exc.status_code,
        headers=headers,
    )


def make_signed_object_router(store: LocalObjectStore, *, prefix: str | None = None) -> APIRouter:
    """A router serving ``store``'s presigned URLs; mounted by default at its public base URL's path."""
    router = APIRouter(prefix=store.url_path_prefix if prefix is None else prefix.rstrip("/"))

    @router.get("/objects/{key:path}", include_in_schema=False, name="signed_object")
    async def signed_object(
        request: Request,
        key: str,
        expires: str = "",
        signature: str = "",
        filename: str | None = None,
    ) -> Response:
        try:
            store.check_signature(key, expires, signature, filename)
            spec = parse_range(request.headers.get("range"))
            if spec is None:
                reader = await store.get(key).open()
            else:
                reader = await _open_range(store, key, spec)
        except PusipError as exc:
            return _error_response(request, exc)

        obj = reader.object
        headers = {
            "Content-Length": str(reader.length),
            "Content-Type": obj.content_type,
            "ETag": obj.etag,
            "Last-Modified": format_datetime(obj.last_modified, usegmt=True),
            "Accept-Ranges": "bytes",
            "Cache-Control": "private, no-transform",
            "X-Content-Type-Options": "nosniff",
            # User-supplied content is never allowed to run scripts on our origin.
            "Content-Security-Policy": "sandbox",
        }
        if filename is not None:
            headers["Content-Disposition"] = content_disposition(filename)
        status = 200
        if spec is not None:
            status = 206
            headers["Content-Range"] = f"bytes {reader.start}-{reader.end - 1}/{obj.size}"

        async def body() -> AsyncIterator[bytes]:
            try:
                async for chunk in reader:
                    yield chunk
            finally:
                await reader.aclose()

        return StreamingResponse(body(), status_code=status, headers=headers)

    return router
