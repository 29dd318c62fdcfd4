"""The library development and accreditation service application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from accreditation.api import router
from accreditation.config import AccreditationSettings
from accreditation.runtime import close_runtime, open_runtime
from pusip_kit.app import create_service_app
from pusip_kit.outbox import make_outbox_admin_router

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: AccreditationSettings | None = None) -> FastAPI:
    settings = settings or AccreditationSettings()
    return create_service_app(
        settings,
        title="Pusip Akreditasi / Accreditation",
        description=(
            "Pembinaan dan akreditasi perpustakaan menurut Standar Nasional Perpustakaan: profil "
            "perpustakaan, kegiatan pembinaan, instrumen, penilaian mandiri, verifikasi, visitasi, nilai "
            "dan sertifikat; indikator literasi TGM dan IPLM; data dasbor.\n\n"
            "Library development and accreditation against the national library standard: library "
            "profiles, guidance activities, instruments, self-assessment, verification, assessor visits, "
            "grades and certificates; TGM and IPLM literacy indicators; dashboard data."
        ),
        routers=[router, make_outbox_admin_router()],
        migrations_dir=MIGRATIONS_DIR,
        on_startup=[open_runtime],
        on_shutdown=[close_runtime],
    )
