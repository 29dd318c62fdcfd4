"""The catalog service application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from catalog.api import router
from catalog.config import CatalogSettings
from pusip_kit.app import create_service_app
from pusip_kit.outbox import make_outbox_admin_router

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    settings = settings or CatalogSettings()
    return create_service_app(
        settings,
        title="Pusip Katalog / Catalog",
        description=(
            "Katalog induk dan jaringan cabang Perpustakaan Jakarta.\n\n"
            "Union catalog and the branch network of the Jakarta public library."
        ),
        routers=[router, make_outbox_admin_router()],
        migrations_dir=MIGRATIONS_DIR,
    )
