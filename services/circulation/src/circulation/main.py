"""The circulation service application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from circulation.api import router
from circulation.config import CirculationSettings
from pusip_kit.app import create_service_app
from pusip_kit.outbox import make_outbox_admin_router

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: CirculationSettings | None = None) -> FastAPI:
    settings = settings or CirculationSettings()
    return create_service_app(
        settings,
        title="Pusip Sirkulasi / Circulation",
        description=(
            "Keanggotaan, peminjaman, pengembalian dan reservasi di seluruh cabang.\n\n"
            "Membership, loans, returns and reservations across every branch."
        ),
        routers=[router, make_outbox_admin_router()],
        migrations_dir=MIGRATIONS_DIR,
    )
