"""The circulation service application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from circulation.api import router
from circulation.config import CirculationSettings
from circulation.db import close_writer, open_writer
from circulation.patrons.photo import open_photo_store
from pusip_kit.app import create_service_app
from pusip_kit.outbox import make_outbox_admin_router

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: CirculationSettings | None = None) -> FastAPI:
    settings = settings or CirculationSettings()

    async def start_sip2(app: FastAPI) -> None:
        """With ``sip2_port`` set, the web process also serves SIP2 kiosks (same database, same rules)."""
        if settings.sip2_port:
            from circulation.sip2.server import Sip2Server

            server = Sip2Server(app.state.sessionmaker, settings)
            await server.start()
            app.state.sip2_server = server

    async def stop_sip2(app: FastAPI) -> None:
        server = getattr(app.state, "sip2_server", None)
        if server is not None:
            await server.close()

    async def open_photos(app: FastAPI) -> None:
        app.state.circulation_photos = open_photo_store(settings)

    async def close_photos(app: FastAPI) -> None:
        store = getattr(app.state, "circulation_photos", None)
        if store is not None:
            await store.close()

    return create_service_app(
        settings,
        title="Pusip Sirkulasi / Circulation",
        description=(
            "Keanggotaan, peminjaman, pengembalian dan reservasi di seluruh cabang.\n\n"
            "Membership, loans, returns and reservations across every branch."
        ),
        routers=[router, make_outbox_admin_router()],
        migrations_dir=MIGRATIONS_DIR,
        on_startup=[open_writer, open_photos, start_sip2],
        on_shutdown=[stop_sip2, close_photos, close_writer],
    )
