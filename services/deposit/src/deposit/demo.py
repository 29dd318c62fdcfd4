"""Demo data: a few fictional depositors, every one clearly marked as demo (idempotent).

The identity numbers and ISBN prefixes below are made up for demonstration; they belong to no
real publisher.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from deposit.depositors.repository import DepositorRepository
from deposit.depositors.schemas import DepositorCreate
from deposit.depositors.service import depositor_service
from deposit.models import DepositorStatus
from pusip_kit.auth.subject import AuthSubject, Role

DEMO_REGISTRANT = AuthSubject(
    subject="system:demo-data", username="demo-data", roles=frozenset({Role.PUBLISHER})
)
DEMO_OFFICER = AuthSubject(
    subject="system:demo-officer", username="demo-petugas", roles=frozenset({Role.DEPOSIT_OFFICER})
)

DEMO_DEPOSITORS: list[tuple[dict[str, Any], DepositorStatus]] = [
    (
        {
            "type": "penerbit",
            "name": "[DEMO] Penerbit Contoh Nusantara",
            "legal_identity_kind": "nib",
            "legal_identity_number": "9990000000001",
            "domicile_province": "DKI Jakarta",
            "domicile_city": "Jakarta Selatan",
            "address": "Contoh alamat, Jakarta Selatan (data demo)",
            "email": "redaksi@contoh-nusantara.example",
            "contacts": [{"name": "Contoh Redaktur", "position": "Redaktur Pelaksana"}],
            "isbn_prefixes": ["978-623-99901"],
        },
        DepositorStatus.APPROVED,
    ),
    (
        {
            "type": "penerbit",
            "name": "[DEMO] Pustaka Betawi Contoh",
            "legal_identity_kind": "akta",
            "legal_identity_number": "01/DEMO/2020",
            "domicile_province": "DKI Jakarta",
            "domicile_city": "Jakarta Timur",
            "email": "info@pustaka-betawi.example",
            "isbn_prefixes": ["978-623-99902"],
        },
        DepositorStatus.PENDING,
    ),
    (
        {
            "type": "produsen_karya_rekam",
            "name": "[DEMO] Rekaman Suara Kemayoran Contoh",
            "legal_identity_kind": "nib",
            "legal_identity_number": "9990000000003",
            "domicile_province": "DKI Jakarta",
            "domicile_city": "Jakarta Pusat",
            "email": "label@kemayoran-contoh.example",
            "ismn_prefixes": ["979-0-99903"],
        },
        DepositorStatus.APPROVED,
    ),
]


async def load_demo_data(session: AsyncSession) -> dict[str, int]:
    """Register the demo depositors not registered yet (approving those marked approved)."""
    repository = DepositorRepository(session)
    created = 0
    for raw, status in DEMO_DEPOSITORS:
        data = DepositorCreate.model_validate(raw)
        existing = await repository.get_by_legal_identity(
            data.legal_identity_kind.value, data.legal_identity_number
        )
        if existing is not None:
            continue
        depositor = await depositor_service.register(session, DEMO_REGISTRANT, data=data)
        if status is DepositorStatus.APPROVED:
            await depositor_service.approve(session, DEMO_OFFICER, id=depositor.id, note="data demo")
        created += 1
    return {"depositors": created}
