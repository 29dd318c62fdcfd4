"""Demo data (idempotent): the usual patron categories of a provincial public library, a loan rule set
and the 2026 national holidays as closures of every branch."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from circulation import clock
from circulation.models import Announcement, ClosureRow
from circulation.patron_categories.repository import PatronCategoryRepository
from circulation.patron_categories.schemas import PatronCategoryCreate
from circulation.patron_categories.service import patron_category_service
from circulation.policies.repository import PolicyRepository
from circulation.policies.schemas import LoanRuleIn, RuleSetCreate
from circulation.policies.service import policy_service
from circulation.policy.holidays import national_holidays
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


DEMO_RULE_SET_VERSION = "2026.1"
DEMO_RULES: list[dict[str, Any]] = [
    # The default for everyone and everything: two weeks, five books, Rp500 per opening day late.
    {"loan_days": 14, "max_loans": 5, "renewals": 2, "fine_per_day": 500, "fine_cap": 50_000},
    {
        "patron_category": "anak",
        "loan_days": 14,
        "max_loans": 3,
        "renewals": 1,
        "fine_per_day": 200,
        "fine_cap": 10_000,
    },
    {"patron_category": "pelajar", "loan_days": 14, "max_loans": 5, "renewals": 2, "fine_per_day": 300},
    {
        "patron_category": "lansia",
        "loan_days": 21,
        "max_loans": 5,
        "renewals": 3,
        "fine_per_day": 0,
        "fine_cap": 0,
    },
    {
        "patron_category": "disabilitas",
        "loan_days": 28,
        "max_loans": 6,
        "renewals": 3,
        "fine_per_day": 0,
        "fine_cap": 0,
    },
    # Reference works are read in the library; magazines and audio-visual go out for a week.
    {"material_type": "referensi", "loanable": False, "holds_allowed": False},
    {"material_type": "majalah", "loan_days": 7, "renewals": 0, "max_loans_of_type": 2},
    {
        "material_type": "audiovisual",
        "loan_days": 7,
        "renewals": 1,
        "max_loans_of_type": 2,
        "fine_per_day": 1000,
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
    rule_sets = 0
    if await PolicyRepository(session).rule_set(DEMO_RULE_SET_VERSION) is None:
        await policy_service.create_rule_set(
            session,
            DEMO_SUBJECT,
            data=RuleSetCreate(
                version=DEMO_RULE_SET_VERSION,
                description="Aturan peminjaman contoh / demo loan rules",
                rules=[LoanRuleIn.model_validate(r) for r in DEMO_RULES],
            ),
        )
        if await PolicyRepository(session).active_rule_set() is None:
            await policy_service.activate(session, DEMO_SUBJECT, version=DEMO_RULE_SET_VERSION)
        rule_sets = 1
    closures = 0
    existing = {c.day for c in await PolicyRepository(session).closures() if c.branch is None}
    for holiday in national_holidays(2026):
        if holiday.day not in existing:
            session.add(ClosureRow(day=holiday.day, name=holiday.name, branch=None, kind="libur"))
            closures += 1
    announcements = await _load_announcements(session)
    await session.flush()
    return {
        "patron_categories": created,
        "rule_sets": rule_sets,
        "closures": closures,
        "announcements": announcements,
    }


DEMO_ANNOUNCEMENTS = [
    (
        "Satu kartu untuk semua perpustakaan DKI / One card for every Jakarta library",
        "Kartu anggota Anda berlaku di semua perpustakaan wilayah DKI Jakarta: pinjam di satu cabang, "
        "kembalikan di cabang mana pun. / Your card works at every Jakarta library: borrow at one "
        "branch, return at any.",
    ),
    (
        "Pesan buku dari rumah / Reserve books from home",
        "Pesan judul lewat katalog daring dan pilih cabang tempat mengambil; kami kabari saat buku "
        "siap diambil. / Reserve a title in the online catalogue and choose where to pick it up; we "
        "tell you when it is ready.",
    ),
]


async def _load_announcements(session: AsyncSession) -> int:
    """Network-wide demo announcements shown in For you, from today for two months (idempotent)."""
    known = set((await session.scalars(select(Announcement.title))).all())
    today = clock.today()
    created = 0
    for title, body in DEMO_ANNOUNCEMENTS:
        if title in known:
            continue
        session.add(
            Announcement(
                branch_code=None,
                title=title,
                body=body,
                starts_on=today - timedelta(days=1),
                ends_on=today + timedelta(days=60),
                created_by="demo",
            )
        )
        created += 1
    return created
