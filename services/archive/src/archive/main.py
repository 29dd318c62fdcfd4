"""The records and archives service application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from archive.api import router
from archive.config import ArchiveSettings
from archive.runtime import acquire_runtime, release_runtime
from pusip_kit.app import create_service_app
from pusip_kit.outbox import make_outbox_admin_router

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: ArchiveSettings | None = None) -> FastAPI:
    settings = settings or ArchiveSettings()

    async def open_runtime(app: FastAPI) -> None:
        runtime = acquire_runtime(settings)
        await runtime.index.ensure()
        app.state.archive_runtime = runtime

    async def close_runtime(app: FastAPI) -> None:
        runtime = getattr(app.state, "archive_runtime", None)
        if runtime is not None:
            await release_runtime(runtime)

    return create_service_app(
        settings,
        title="Pusip Kearsipan / Records and Archives",
        description=(
            "Pengelolaan arsip dinamis dan statis: klasifikasi, JRA, SKKAAD, pemindahan, pemusnahan "
            "dan penyerahan (UU 43/2009, PP 28/2012).\n\n"
            "Records and archives management: classification, retention schedules, security and "
            "access classification, transfer, destruction and hand-over.\n\n"
            "Akses ditolak dijawab 404 (sama dengan arsip yang tidak ada) agar keberadaan arsip tidak "
            "terungkap; setiap penolakan dicatat di log audit. / A refused read answers 404, exactly like a "
            "missing record, so existence is never revealed; every refusal is audited."
        ),
        routers=[router, make_outbox_admin_router()],
        migrations_dir=MIGRATIONS_DIR,
        on_startup=[open_runtime],
        on_shutdown=[close_runtime],
    )
