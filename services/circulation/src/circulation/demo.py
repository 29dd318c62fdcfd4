"""Demo data: the usual patron categories of a provincial public library (idempotent)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from circulation.patron_categories.repository import PatronCategoryRepository
from circulation.patron_categories.schemas import PatronCategoryCreate
from circulation.patron_categories.service import patron_category_service
from pusip_kit.auth.subject import AuthSubject, Role

DEMO_SUBJECT = AuthSubject(subject="system:demo-data", username="demo-data", roles=frozenset({Role.ADMIN}))

DEMO_PATRON_CATEGORIES: list[dict[str, Any]] = [
    {
        "code": "umum",
        "name": "Umum",
        "name_en": "General public",
        "description": "Warga umum berusia 17 tahun ke atas / adults aged 17 and over",
        "min_age": 17,
        "membership_validity_months": 36,
    },
    {
        "code": "pelajar",
        "name": "Pelajar",
        "name_en": "School student",
        "description": "Siswa SD sampai SMA/SMK sederajat / primary and secondary school students",
        "min_age": 6,
        "max_age": 21,
        "membership_validity_months": 12,
    },
    {
        "code": "mahasiswa",
        "name": "Mahasiswa",
        "name_en": "University student",
        "description": "Mahasiswa perguruan tinggi / higher-education students",
        "min_age": 16,
        "membership_validity_months": 12,
    },
    {
        "code": "anak",
        "name": "Anak",
        "name_en": "Child",
        "description": "Anak di bawah 12 tahun, didaftarkan orang tua/wali / children under 12, "
        "registered by a parent or guardian",
        "min_age": 0,
        "max_age": 12,
        "membership_validity_months": 12,
    },
    {
        "code": "lansia",
        "name": "Lanjut usia",
        "name_en": "Senior citizen",
        "description": "Warga berusia 60 tahun ke atas / residents aged 60 and over",
        "min_age": 60,
        "membership_validity_months": 60,
    },
    {
        "code": "disabilitas",
        "name": "Penyandang disabilitas",
        "name_en": "Person with disabilities",
        "description": "Layanan dan koleksi aksesibel / accessible services and collections",
        "membership_validity_months": 60,
    },
]


async def load_demo_data(session: AsyncSession) -> dict[str, int]:
    """Create the demo patron categories that do not exist yet; returns how many were created."""
    repository = PatronCategoryRepository(session)
    created = 0
    for raw in DEMO_PATRON_CATEGORIES:
        if await repository.get_by_code(raw["code"]) is not None:
            continue
        await patron_category_service.create(
            session, DEMO_SUBJECT, data=PatronCategoryCreate.model_validate(raw)
        )
        created += 1
    return {"patron_categories": created}
