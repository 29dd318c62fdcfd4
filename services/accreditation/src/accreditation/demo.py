"""Demo data: a handful of libraries of different types (idempotent).

The libraries are illustrative; none carries an NPP, since inventing official numbers would
mislead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from accreditation.libraries.repository import LibraryRepository
from accreditation.libraries.schemas import LibraryCreate
from accreditation.libraries.service import library_service
from pusip_kit.auth.subject import AuthSubject, Role

DEMO_SUBJECT = AuthSubject(subject="system:demo-data", username="demo-data", roles=frozenset({Role.ADMIN}))

DEMO_LIBRARIES: list[dict[str, Any]] = [
    {
        "code": "perpustakaan-jakarta",
        "name": "Perpustakaan Jakarta",
        "type": "umum-provinsi",
        "owner_agency": "Dinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta",
        "city": "jakarta-pusat",
        "address": "Taman Ismail Marzuki, Jl. Cikini Raya No. 73, Jakarta Pusat",
        "collection_size": 0,
    },
    {
        "code": "perpustakaan-kecamatan-koja",
        "name": "Perpustakaan Kecamatan Koja",
        "type": "umum-kecamatan",
        "owner_agency": "Suku Dinas Perpustakaan dan Kearsipan Kota Administrasi Jakarta Utara",
        "city": "jakarta-utara",
        "address": "Kecamatan Koja, Jakarta Utara",
    },
    {
        "code": "demo-perpustakaan-kelurahan-pulau-panggang",
        "name": "[DEMO] Perpustakaan Kelurahan Pulau Panggang",
        "type": "umum-desa",
        "owner_agency": "Kelurahan Pulau Panggang",
        "city": "kepulauan-seribu",
        "address": "Pulau Panggang, Kepulauan Seribu",
    },
    {
        "code": "demo-perpustakaan-sma-contoh-jakarta-barat",
        "name": "[DEMO] Perpustakaan SMA Contoh Jakarta Barat",
        "type": "sekolah",
        "owner_agency": "[DEMO] SMA Contoh",
        "city": "jakarta-barat",
        "address": "Jakarta Barat",
        "collection_size": 4200,
    },
    {
        "code": "demo-perpustakaan-khusus-contoh",
        "name": "[DEMO] Perpustakaan Khusus Instansi Contoh",
        "type": "khusus",
        "owner_agency": "[DEMO] Instansi Contoh",
        "city": "jakarta-selatan",
        "address": "Jakarta Selatan",
        "collection_size": 1800,
    },
]


async def load_demo_data(session: AsyncSession) -> dict[str, int]:
    """Create the demo libraries that do not exist yet; returns how many were created."""
    repository = LibraryRepository(session)
    created = 0
    for raw in DEMO_LIBRARIES:
        if await repository.get_by_code(raw["code"]) is not None:
            continue
        await library_service.create(session, DEMO_SUBJECT, data=LibraryCreate.model_validate(raw))
        created += 1
    return {"libraries": created}
