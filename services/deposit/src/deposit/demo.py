"""Demo data: fictional depositors and the four seed publications deposited by them (idempotent).

The identity numbers and ISBN prefixes below are made up for demonstration; they belong to no
real publisher. The four seed publications (real Indonesian articles from the shared corpus) are
deposited as PDFs generated from their text, by the fictional publishers:

* the Purbalingga knitting article: **accepted** (its text is extracted and the accepted event
  published by the worker's ``deposit.deposits.publish`` task, as in production);
* the Jember Tanocraft article: **awaiting verification** in the officer's queue;
* the Pamulang social-media article (a Jakarta publication): **fixes requested**;
* the Pontianak KUBE chapter: declared but never deposited, an **overdue obligation**.

The demo user ``penerbit`` is linked to the publishers (by user name, bound at first sign-in), so
the publisher portal shows them.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from deposit.config import DepositSettings
from deposit.depositors.repository import DepositorRepository
from deposit.depositors.schemas import AccountLink, DepositorCreate
from deposit.depositors.service import depositor_service
from deposit.deposits.schemas import DigitalMetadata
from deposit.deposits.service import StoredFile, deposit_service
from deposit.models import Deposit, DepositorStatus, FileRole, Obligation
from deposit.obligations.schemas import ObligationDeclare
from deposit.obligations.service import obligation_service
from deposit.runtime import make_stores
from deposit.seeds import SEED_WORKS, SeedWork, seed_pdf
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
            "type": "penerbit",
            "name": "[DEMO] Penerbit Kampus Contoh",
            "legal_identity_kind": "nib",
            "legal_identity_number": "9990000000004",
            "domicile_province": "DKI Jakarta",
            "domicile_city": "Jakarta Timur",
            "address": "Kampus contoh, Jakarta Timur (data demo)",
            "email": "jurnal@kampus-contoh.example",
            "contacts": [{"name": "Contoh Pengelola Jurnal", "position": "Pengelola Jurnal"}],
            "isbn_prefixes": ["978-623-99904"],
        },
        DepositorStatus.APPROVED,
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


DEMO_PORTAL_USER = "penerbit"  # the demo account with the publisher role (pusip demo accounts)
NUSANTARA, KAMPUS = "9990000000001", "9990000000004"
# seed work index -> (depositor NIB, what happens to it)
SEED_PLAN: tuple[tuple[int, str, str], ...] = (
    (0, NUSANTARA, "accepted"),
    (1, KAMPUS, "submitted"),
    (2, NUSANTARA, "fixes_requested"),
    (3, KAMPUS, "overdue"),
)


async def load_demo_data(session: AsyncSession, *, settings: DepositSettings | None = None) -> dict[str, int]:
    """Register the demo depositors not registered yet, then deposit the seed publications once."""
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
        if depositor.legal_identity_number in (NUSANTARA, KAMPUS):
            await depositor_service.link_account(
                session, DEMO_REGISTRANT, id=depositor.id, data=AccountLink(username=DEMO_PORTAL_USER)
            )
        created += 1
    counts = {"depositors": created}
    counts.update(await _load_seed_deposits(session, settings or DepositSettings()))
    return counts


async def _load_seed_deposits(session: AsyncSession, settings: DepositSettings) -> dict[str, int]:
    counts = {"deposits": 0, "obligations": 0}
    if not all((settings.demo_seed_dir / SEED_WORKS[i].file).is_file() for i, _, _ in SEED_PLAN):
        return counts  # the shared corpus is not beside this installation
    repository = DepositorRepository(session)
    stores = make_stores(settings)
    try:
        for index, nib, outcome in SEED_PLAN:
            work = SEED_WORKS[index]
            depositor = await repository.get_by_legal_identity("nib", nib)
            if depositor is None:
                continue
            if outcome == "overdue":
                exists = await session.scalar(
                    select(Obligation.id).where(
                        Obligation.depositor_id == depositor.id, Obligation.title == work.title
                    )
                )
                if exists is None:
                    await obligation_service.declare(
                        session,
                        DEMO_REGISTRANT,
                        data=ObligationDeclare(
                            depositor_id=depositor.id,
                            kind="karya_digital",
                            title=work.title,
                            published_on=work.published_on,
                        ),
                    )
                    counts["obligations"] += 1
                continue
            exists = await session.scalar(
                select(Deposit.id).where(Deposit.depositor_id == depositor.id, Deposit.title == work.title)
            )
            if exists is not None:
                continue
            deposit_id = await _deposit_seed(session, settings, stores, depositor.id, work)
            if outcome == "accepted":
                await deposit_service.decide(
                    session, DEMO_OFFICER, id=deposit_id, action="accept", note="data demo"
                )
            elif outcome == "fixes_requested":
                await deposit_service.decide(
                    session,
                    DEMO_OFFICER,
                    id=deposit_id,
                    action="request_fixes",
                    reasons=["Mohon lengkapi ISSN terbitan berkala dan nama seluruh pengarang (data demo)"],
                )
            counts["deposits"] += 1
    finally:
        await stores.close()
    return counts


async def _deposit_seed(
    session: AsyncSession, settings: DepositSettings, stores: Any, depositor_id: uuid.UUID, work: SeedWork
) -> uuid.UUID:
    """What the upload endpoint does for one PDF, without HTTP: store the file, then write the rows."""
    deposit_id, file_id = uuid.uuid4(), uuid.uuid4()
    pdf = seed_pdf(settings.demo_seed_dir, work)
    stored = await stores.files.put(
        f"files/{deposit_id}/{file_id}", pdf, content_type="application/octet-stream"
    )
    try:
        metadata = DigitalMetadata(
            depositor_id=depositor_id,
            kind="karya_digital",
            title=work.title,
            creators=list(work.creators),
            year=work.year,
            published_on=work.published_on,
            language="ind",
            publisher=work.publisher,
            place=work.place,
        )
        filename = work.file.removesuffix(".txt") + ".pdf"
        await deposit_service.create_digital(
            session,
            settings,
            DEMO_REGISTRANT,
            deposit_id=deposit_id,
            metadata=metadata,
            files=[
                StoredFile(
                    file_id,
                    FileRole.FILE,
                    filename,
                    None,
                    "application/pdf",
                    stored.size,
                    stored.sha256,
                    stored.key,
                )
            ],
        )
    except BaseException:
        await stores.files.delete(stored.key)
        raise
    return deposit_id
