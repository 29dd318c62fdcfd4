"""The trivial upstream the proxy benchmark measures against (a small JSON answer)."""

from __future__ import annotations

from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ping")
    async def ping() -> dict[str, object]:
        return {"ok": True, "title": "Laskar Pelangi", "items": list(range(20))}

    return app
