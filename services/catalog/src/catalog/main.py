"""The catalog service application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from catalog.api import router
from catalog.config import CatalogSettings
from catalog.runtime import ERESOURCES_BUCKET, acquire_runtime, release_runtime
from catalog.search.indexer import request_catch_up
from pusip_kit.app import create_service_app
from pusip_kit.outbox import make_outbox_admin_router
from pusip_kit.storage import LocalObjectStore, make_object_store, make_signed_object_router

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    settings = settings or CatalogSettings()

    async def open_runtime(app: FastAPI) -> None:
        runtime = acquire_runtime(settings)
        await runtime.index.ensure()
        await request_catch_up(runtime.index, app.state.sessionmaker)
        app.state.catalog_runtime = runtime
        app.state.health.add("search", runtime.index.ensure)

    async def close_runtime(app: FastAPI) -> None:
        runtime = getattr(app.state, "catalog_runtime", None)
        if runtime is not None:
            await release_runtime(runtime)

    routers = [router, make_outbox_admin_router()]
    if settings.storage_backend == "local":
        # Presigned e-resource download links are served by the service itself in embedded mode.
        store = make_object_store(settings, ERESOURCES_BUCKET)
        assert isinstance(store, LocalObjectStore)
        routers.append(make_signed_object_router(store))
    return create_service_app(
        settings,
        title="Pusip Katalog / Catalog",
        description=(
            "Katalog induk, OPAC, impor/ekspor MARC21, OAI-PMH dan SRU Perpustakaan Jakarta.\n\n"
            "Union catalogue, OPAC search, MARC21 import/export, OAI-PMH and SRU of the Jakarta "
            "public library network."
        ),
        routers=routers,
        migrations_dir=MIGRATIONS_DIR,
        on_startup=[open_runtime],
        on_shutdown=[close_runtime],
    )
