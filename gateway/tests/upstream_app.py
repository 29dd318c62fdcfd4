"""A small real upstream service for the gateway tests (run by uvicorn in a subprocess).

``UPSTREAM_NAME`` names it; ``UPSTREAM_READY=0`` makes ``/readyz`` answer 503. Its
OpenAPI document has a component named ``Item`` whose shape differs per upstream, so the merged
document must keep them apart.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel
from starlette.requests import ClientDisconnect

NAME = os.environ.get("UPSTREAM_NAME", "upstream")


class Item(BaseModel):
    id: int
    title: str
    owner: str | None = None


class ItemV2(BaseModel):
    code: str
    count: int


class Page(BaseModel):
    items: list[Item]
    total: int


def create_app() -> FastAPI:
    app = FastAPI(title=f"{NAME} test upstream", version="0.0.1")
    uploads: list[dict[str, object]] = []
    ready = {"value": os.environ.get("UPSTREAM_READY", "1") != "0"}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"service": NAME, "status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        ok = ready["value"]
        return JSONResponse(
            {"service": NAME, "status": "ok" if ok else "error", "checks": {"database": {"status": "ok"}}},
            status_code=200 if ok else 503,
        )

    @app.post("/_ready/{value}", include_in_schema=False)
    async def set_ready(value: int) -> dict[str, bool]:
        ready["value"] = bool(value)
        return {"ready": ready["value"]}

    if NAME == "beta":

        @app.get("/items/{code}", response_model=ItemV2, tags=["items"])
        async def get_item_v2(code: str) -> ItemV2:
            return ItemV2(code=code, count=3)

    else:

        @app.get("/items/{item_id}", response_model=Item, tags=["items"])
        async def get_item(item_id: int) -> Item:
            return Item(id=item_id, title=f"{NAME} item")

        @app.get("/items", response_model=Page, tags=["items"])
        async def list_items() -> Page:
            return Page(items=[Item(id=1, title="a")], total=1)

    @app.post("/items", response_model=Item, status_code=201, tags=["items"])
    async def create_item(item: Item) -> Item:
        return item

    @app.api_route("/echo/{rest:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    async def echo(request: Request, rest: str) -> dict[str, object]:
        body = await request.body()
        return {
            "service": NAME,
            "method": request.method,
            "path": request.url.path,
            "raw_path": request.scope.get("raw_path", b"").decode("latin-1"),
            "query": request.url.query,
            "headers": [[k, v] for k, v in request.headers.items()],
            "body": body.decode("utf-8", "replace"),
            "body_length": len(body),
        }

    @app.post("/upload")
    async def upload(request: Request) -> dict[str, object]:
        digest = hashlib.sha256()
        size = 0
        chunks = 0
        try:
            async for chunk in request.stream():
                digest.update(chunk)
                size += len(chunk)
                chunks += 1
        except ClientDisconnect:
            uploads.append({"complete": False, "size": size})
            raise
        uploads.append({"complete": True, "size": size})
        return {"sha256": digest.hexdigest(), "size": size, "chunks": chunks}

    @app.get("/uploads")
    async def upload_log() -> list[dict[str, object]]:
        return uploads

    @app.get("/stream")
    async def stream(n: int = 5, size: int = 1024, delay: float = 0.2) -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for i in range(n):
                yield (f"{i:04d}".encode() * (size // 4 + 1))[:size]
                await asyncio.sleep(delay)

        return StreamingResponse(chunks(), media_type="application/octet-stream")

    @app.get("/big")
    async def big(mib: int = 50) -> StreamingResponse:
        block = os.urandom(1024 * 1024)

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(mib):
                yield block

        return StreamingResponse(chunks(), media_type="application/octet-stream")

    @app.get("/slow")
    async def slow(seconds: float = 5.0) -> dict[str, float]:
        await asyncio.sleep(seconds)
        return {"slept": seconds}

    @app.get("/admin/settings")
    async def admin_settings() -> dict[str, str]:
        return {"service": NAME, "admin": "yes"}

    @app.get("/public/info")
    async def public_info() -> dict[str, str]:
        return {"service": NAME}

    @app.get("/cookies")
    async def cookies() -> JSONResponse:
        response = JSONResponse({"ok": True})
        response.set_cookie("a", "1")
        response.set_cookie("b", "2")
        return response

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    return app
