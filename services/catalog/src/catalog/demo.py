"""Demo data: the Jakarta public library network (loading twice changes nothing).

Names are the network's public ones; where a precise street address is not certain it is
kept generic (street or area and city) rather than invented.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.branches.repository import BranchRepository
from catalog.branches.schemas import BranchCreate
from catalog.branches.service import branch_service
from pusip_kit.auth.subject import AuthSubject, Role

DEMO_SUBJECT = AuthSubject(subject="system:demo-data", username="demo-data", roles=frozenset({Role.ADMIN}))

# Opening hours are illustrative demo values, not the branches' published schedules.
_WEEKDAYS = ("selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")
_OFFICE_DAYS = ("senin", "selasa", "rabu", "kamis", "jumat")


def _hours(days: tuple[str, ...], opens: str, closes: str) -> list[dict[str, str]]:
    return [{"day": d, "opens": opens, "closes": closes} for d in days]


DEMO_BRANCHES: list[dict[str, Any]] = [
    {
        "code": "perpustakaan-jakarta-cikini",
        "name": "Perpustakaan Jakarta - Cikini",
        "type": "perpustakaan_provinsi",
        "city": "jakarta-pusat",
        "address": "Taman Ismail Marzuki, Jl. Cikini Raya No. 73, Menteng, Jakarta Pusat",
        "opening_hours": _hours(_WEEKDAYS, "09:00", "21:00"),
    },
    {
        "code": "pds-hb-jassin",
        "name": "Pusat Dokumentasi Sastra H.B. Jassin",
        "type": "perpustakaan_khusus",
        "city": "jakarta-pusat",
        "address": "Taman Ismail Marzuki, Jl. Cikini Raya No. 73, Menteng, Jakarta Pusat",
        "opening_hours": _hours(_WEEKDAYS, "09:00", "21:00"),
    },
    {
        "code": "perpustakaan-kota-jakarta-utara",
        "name": "Perpustakaan Kota Jakarta Utara",
        "type": "perpustakaan_kota",
        "city": "jakarta-utara",
        "address": "Jakarta Utara",
        "opening_hours": _hours(_OFFICE_DAYS, "08:00", "16:00"),
    },
    {
        "code": "perpustakaan-kota-jakarta-barat",
        "name": "Perpustakaan Kota Jakarta Barat",
        "type": "perpustakaan_kota",
        "city": "jakarta-barat",
        "address": "Jakarta Barat",
        "opening_hours": _hours(_OFFICE_DAYS, "08:00", "16:00"),
    },
    {
        "code": "perpustakaan-kota-jakarta-selatan",
        "name": "Perpustakaan Kota Jakarta Selatan",
        "type": "perpustakaan_kota",
        "city": "jakarta-selatan",
        "address": "Jakarta Selatan",
        "opening_hours": _hours(_OFFICE_DAYS, "08:00", "16:00"),
    },
    {
        "code": "perpustakaan-kota-jakarta-timur",
        "name": "Perpustakaan Kota Jakarta Timur",
        "type": "perpustakaan_kota",
        "city": "jakarta-timur",
        "address": "Jakarta Timur",
        "opening_hours": _hours(_OFFICE_DAYS, "08:00", "16:00"),
    },
    {
        "code": "perpustakaan-kabupaten-kepulauan-seribu",
        "name": "Perpustakaan Kabupaten Administrasi Kepulauan Seribu",
        "type": "perpustakaan_kota",
        "city": "kepulauan-seribu",
        "address": "Pulau Pramuka, Kepulauan Seribu",
        "opening_hours": _hours(_OFFICE_DAYS, "08:00", "16:00"),
    },
    {
        "code": "perpustakaan-kecamatan-menteng",
        "name": "Perpustakaan Kecamatan Menteng",
        "type": "perpustakaan_kecamatan",
        "city": "jakarta-pusat",
        "address": "Kecamatan Menteng, Jakarta Pusat",
        "opening_hours": _hours(_OFFICE_DAYS, "08:00", "16:00"),
    },
    {
        "code": "perpustakaan-kecamatan-cilandak",
        "name": "Perpustakaan Kecamatan Cilandak",
        "type": "perpustakaan_kecamatan",
        "city": "jakarta-selatan",
        "address": "Kecamatan Cilandak, Jakarta Selatan",
        "opening_hours": _hours(_OFFICE_DAYS, "08:00", "16:00"),
    },
    {
        "code": "perpustakaan-kecamatan-koja",
        "name": "Perpustakaan Kecamatan Koja",
        "type": "perpustakaan_kecamatan",
        "city": "jakarta-utara",
        "address": "Kecamatan Koja, Jakarta Utara",
        "opening_hours": _hours(_OFFICE_DAYS, "08:00", "16:00"),
    },
]


async def load_demo_data(session: AsyncSession) -> dict[str, int]:
    """Create the demo branches that do not exist yet; returns how many were created."""
    repository = BranchRepository(session)
    created = 0
    for raw in DEMO_BRANCHES:
        if await repository.get_by_code(raw["code"]) is not None:
            continue
        await branch_service.create(session, DEMO_SUBJECT, data=BranchCreate.model_validate(raw))
        created += 1
    return {"branches": created}
