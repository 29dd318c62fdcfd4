"""The legal deposit service application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from deposit.api import router
from deposit.config import DepositSettings
from pusip_kit.app import create_service_app
from pusip_kit.outbox import make_outbox_admin_router

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


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
    )
