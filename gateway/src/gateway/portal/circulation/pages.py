"""The routes of the circulation pages, under ``/portal/sirkulasi``: the section's landing page, the
patron's account (:mod:`.patron`) and the staff pages (:mod:`.desk`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, Response

from gateway.portal.circulation import desk, patron
from gateway.portal.circulation.view import PREFIX, close_with, view_of
from pusip_kit.errors import NotFound

STATIC = Path(__file__).parent / "static"
ASSETS = {"sirkulasi.css": "text/css", "sirkulasi.js": "text/javascript"}


def register_pages(app: FastAPI) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(PREFIX + "/aset/{name}")
    async def asset(name: str) -> Response:
        if name not in ASSETS:
            raise NotFound("Berkas tidak ditemukan", "File not found", code="not_found")
        return FileResponse(
            STATIC / name, media_type=ASSETS[name], headers={"cache-control": "public, max-age=300"}
        )

    @router.get(PREFIX, name="circulation_home")
    async def home(request: Request) -> Response:
        """Staff see their desk tools; patrons their account summary and "For you"; others how to join."""
        v = await view_of(request)
        me = None
        for_you: dict[str, list[Any]] = {"recommendations": [], "announcements": []}
        names: dict[str, str] = {}
        if v.roles.signed_in:
            me = await patron.quiet(v.client.me(), None)
            if me is not None:
                for_you = await v.client.for_you()
                names = await v.branch_names()
        return await v.render("sirkulasi/beranda.html", sub="beranda", me=me, for_you=for_you, names=names)

    patron.add_routes(router)
    desk.add_routes(router)
    close_with(app)
    return router
