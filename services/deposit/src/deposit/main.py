"""The legal deposit service application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from deposit.api import router
from deposit.config import DepositSettings
from deposit.runtime import make_stores
from pusip_kit.app import create_service_app
from pusip_kit.outbox import make_outbox_admin_router

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


async def _open_stores(app: FastAPI) -> None:
    app.state.deposit_stores = make_stores(app.state.settings)


async def _close_stores(app: FastAPI) -> None:
    stores = getattr(app.state, "deposit_stores", None)
    if stores is not None:
        await stores.close()


def create_app(settings: DepositSettings | None = None) -> FastAPI:
    settings = settings or DepositSettings()
    return create_service_app(
        settings,
        title="Pusip Serah Simpan / Legal Deposit",
        description=(
            "Serah simpan karya cetak dan karya rekam (UU 13/2018, PP 55/2021): pendaftaran penyerah, "
            "penyerahan, tanda terima dan verifikasi.\n\n"
            "Legal deposit of printed and recorded works: depositor registration, submissions, "
            "receipts and verification."
        ),
        routers=[router, make_outbox_admin_router()],
        migrations_dir=MIGRATIONS_DIR,
        on_startup=[_open_stores],
        on_shutdown=[_close_stores],
    )
