"""The records and archives service application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from archive.api import router
from archive.config import ArchiveSettings
from pusip_kit.app import create_service_app
from pusip_kit.outbox import make_outbox_admin_router

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: ArchiveSettings | None = None) -> FastAPI:
    settings = settings or ArchiveSettings()
    return create_service_app(
        settings,
        title="Pusip Kearsipan / Records and Archives",
        description=(
            "Pengelolaan arsip dinamis dan statis: klasifikasi, JRA, SKKAAD, pemindahan, pemusnahan "
            "dan penyerahan (UU 43/2009, PP 28/2012).\n\n"
            "Records and archives management: classification, retention schedules, security and "
            "access classification, transfer, destruction and hand-over."
        ),
        routers=[router, make_outbox_admin_router()],
        migrations_dir=MIGRATIONS_DIR,
    )
