"""Demo data (idempotent): libraries with staff, a demo instrument version, one certified and one
in-progress assessment, a guidance activity with a registration, a TGM survey sample for Kepulauan
Seribu and IPLM inputs (population, community involvement, a week of circulation statistics) for
the five cities and Kepulauan Seribu, with the 2025 IPLM computed and stored.

Everything is illustrative and marked [DEMO]: no library carries an invented NPP, the demo
instrument's indicator texts are placeholders (the official texts are loaded by an administrator
into the seeded 2022 drafts), and population figures are rounded demo values, not official ones.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from accreditation.assessments.schemas import AnswerIn, AssessmentCreate
from accreditation.assessments.service import assessment_service
from accreditation.guidance.repository import GuidanceRepository
from accreditation.guidance.schemas import ActivityCreate, RegistrationCreate
from accreditation.guidance.service import guidance_service
from accreditation.instruments.loader import parse_indicators
from accreditation.instruments.repository import InstrumentRepository
from accreditation.instruments.service import instrument_service
from accreditation.libraries.repository import LibraryRepository
from accreditation.libraries.schemas import LibraryCreate, StaffCreate
from accreditation.libraries.service import library_service
from accreditation.literacy.repository import LiteracyRepository
from accreditation.literacy.schemas import IplmInputIn, PopulationIn, SurveyCreate
from accreditation.literacy.service import literacy_service
from accreditation.models import AssessmentMode, JakartaCity
from accreditation.scoring.grading import DEFAULT_POINTS
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.pagination import PaginationParams

DEMO_SUBJECT = AuthSubject(subject="system:demo-data", username="demo-data", roles=frozenset({Role.ADMIN}))
DEMO_YEAR = 2025
DEMO_CITY = "kepulauan-seribu"  # the city whose TGM and IPLM the tests recompute by hand
_ALL = PaginationParams(page=1, limit=100)
WEEKDAYS = "Sen-Jum 08:00-16:00; Sab 08:00-12:00"

DEMO_LIBRARIES: list[dict[str, Any]] = [
    {
        "code": "perpustakaan-jakarta",
        "name": "Perpustakaan Jakarta",
        "type": "umum-provinsi",
        "segment": "umum",
        "owner_agency": "Dinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta",
        "city": "jakarta-pusat",
        "address": "Taman Ismail Marzuki, Jl. Cikini Raya No. 73, Jakarta Pusat",
        "collection_size": 0,
        "opening_hours": "Sen-Jum 08:00-19:00; Sab-Min 09:00-16:00",
    },
    {
        "code": "perpustakaan-kecamatan-koja",
        "name": "Perpustakaan Kecamatan Koja",
        "type": "umum-kecamatan",
        "segment": "umum",
        "owner_agency": "Suku Dinas Perpustakaan dan Kearsipan Kota Administrasi Jakarta Utara",
        "city": "jakarta-utara",
        "district": "Koja",
        "address": "Kecamatan Koja, Jakarta Utara",
        "opening_hours": WEEKDAYS,
    },
    {
        "code": "demo-perpustakaan-kelurahan-pulau-panggang",
        "name": "[DEMO] Perpustakaan Kelurahan Pulau Panggang",
        "type": "umum-desa",
        "segment": "umum",
        "owner_agency": "Kelurahan Pulau Panggang",
        "city": "kepulauan-seribu",
        "district": "Kepulauan Seribu Utara",
        "village": "Pulau Panggang",
        "address": "Pulau Panggang, Kepulauan Seribu",
        "collection_size": 2300,
        "collection_titles": 1400,
        "opening_hours": WEEKDAYS,
    },
    {
        "code": "demo-perpustakaan-kelurahan-kebon-kacang",
        "name": "[DEMO] Perpustakaan Kelurahan Kebon Kacang",
        "type": "umum-desa",
        "segment": "umum",
        "owner_agency": "Kelurahan Kebon Kacang",
        "city": "jakarta-pusat",
        "district": "Tanah Abang",
        "village": "Kebon Kacang",
        "address": "Kebon Kacang, Tanah Abang, Jakarta Pusat",
        "collection_size": 1800,
        "collection_titles": 1100,
        "opening_hours": WEEKDAYS,
    },
    {
        "code": "demo-perpustakaan-rptra-contoh-jakarta-timur",
        "name": "[DEMO] Perpustakaan RPTRA Contoh Jakarta Timur",
        "type": "umum-desa",
        "segment": "rptra",
        "owner_agency": "[DEMO] RPTRA Contoh",
        "city": "jakarta-timur",
        "address": "Jakarta Timur",
        "collection_size": 900,
        "collection_titles": 700,
        "opening_hours": "Sen-Min 08:00-17:00",
    },
    {
        "code": "demo-perpustakaan-sma-contoh-jakarta-barat",
        "name": "[DEMO] Perpustakaan SMA Contoh Jakarta Barat",
        "type": "sekolah",
        "segment": "sekolah",
        "owner_agency": "[DEMO] SMA Contoh",
        "city": "jakarta-barat",
        "address": "Jakarta Barat",
        "collection_size": 4200,
        "collection_titles": 2600,
        "opening_hours": "Sen-Jum 07:00-15:00",
    },
    {
        "code": "demo-perpustakaan-khusus-contoh",
        "name": "[DEMO] Perpustakaan Khusus Instansi Contoh",
        "type": "khusus",
        "segment": "khusus",
        "owner_agency": "[DEMO] Instansi Contoh",
        "city": "jakarta-selatan",
        "address": "Jakarta Selatan",
        "collection_size": 1800,
        "collection_titles": 1500,
        "opening_hours": "Sen-Jum 08:00-16:00",
    },
]

DEMO_STAFF: dict[str, list[dict[str, Any]]] = {
    "demo-perpustakaan-kelurahan-pulau-panggang": [
        {
            "name": "[DEMO] Siti Rahmawati",
            "role": "kepala",
            "employment": "PNS",
            "education": "S1 Administrasi Publik",
        },
        {
            "name": "[DEMO] Andi Pratama",
            "role": "pustakawan",
            "employment": "PNS",
            "education": "D3 Perpustakaan",
            "library_science": True,
            "certification_status": "bersertifikat",
            "certification_number": "DEMO-SERT-001",
            "certified_on": "2023-05-10",
            "certified_until": "2028-05-10",
        },
        {
            "name": "[DEMO] Dewi Lestari",
            "role": "tenaga-teknis",
            "employment": "PJLP",
            "certification_status": "proses",
        },
    ],
    "demo-perpustakaan-kelurahan-kebon-kacang": [
        {"name": "[DEMO] Bambang Sutrisno", "role": "kepala", "employment": "PNS"},
        {"name": "[DEMO] Rina Marlina", "role": "pustakawan", "employment": "PPPK", "library_science": True},
    ],
    "perpustakaan-kecamatan-koja": [
        {"name": "[DEMO] Hendra Wijaya", "role": "kepala", "employment": "PNS"},
        {"name": "[DEMO] Yuni Astuti", "role": "pustakawan", "employment": "PNS", "library_science": True},
    ],
    "demo-perpustakaan-sma-contoh-jakarta-barat": [
        {"name": "[DEMO] Agus Salim", "role": "pustakawan", "employment": "Honorer", "library_science": True},
    ],
}

DEMO_INSTRUMENT_VERSION = "2022-demo"
DEMO_COUNTS = {"KOLEKSI": 4, "SARANA": 3, "PELAYANAN": 5, "TENAGA": 3, "PENYELENGGARAAN": 4, "PENGUATAN": 2}
# The certified library: the same worked example as the acceptance test (total 75.17, grade C).
CERTIFIED_SELF = {
    "KOLEKSI": "aabc",
    "SARANA": "bbc",
    "PELAYANAN": "aabbc",
    "TENAGA": "bcc",
    "PENYELENGGARAAN": "abbc",
    "PENGUATAN": "cd",
}
CERTIFIED_ASSESSOR = {"KOLEKSI.1": "b", "PELAYANAN.5": "a", "TENAGA.1": "d"}
IN_PROGRESS_SELF = {"KOLEKSI": "abbb", "SARANA": "bc"}
# The village library with a self-assessment in progress: the demo library admin's own library.
IN_PROGRESS_LIBRARY = "demo-perpustakaan-kelurahan-kebon-kacang"

# (check) Rounded demo populations, not official figures.
DEMO_POPULATIONS = {
    "jakarta-pusat": 1_050_000,
    "jakarta-utara": 1_800_000,
    "jakarta-barat": 2_470_000,
    "jakarta-selatan": 2_260_000,
    "jakarta-timur": 3_080_000,
    "kepulauan-seribu": 29_000,
}
DEMO_COMMUNITY = {  # UPLM6 participants in library activities during the year (demo)
    "jakarta-pusat": 6_300,
    "jakarta-utara": 9_000,
    "jakarta-barat": 7_400,
    "jakarta-selatan": 11_300,
    "jakarta-timur": 12_320,
    "kepulauan-seribu": 290,
}
DEMO_BRANCHES = {  # circulation branches per city: (branch, active members, visits per day, loans per day)
    "jakarta-pusat": ("demo-cikini", 42_000, 900, 450),
    "jakarta-utara": ("demo-koja", 15_000, 300, 120),
    "jakarta-barat": ("demo-kembangan", 12_000, 260, 110),
    "jakarta-selatan": ("demo-kuningan", 18_000, 410, 200),
    "jakarta-timur": ("demo-jatinegara", 16_000, 350, 150),
    "kepulauan-seribu": ("demo-pulau-pramuka", 900, 25, 8),
}
# TGM sample for Kepulauan Seribu: (age, FM days/week, DM minutes/day, JB items/quarter, FAI, DAI)
DEMO_TGM_RESPONSES = [
    (14, 5, 60, 6, 7, 180),
    (17, 4, 45, 4, 7, 240),
    (23, 3, 30, 3, 7, 300),
    (31, 2, 30, 2, 6, 150),
    (38, 4, 90, 5, 5, 120),
    (45, 1, 15, 1, 4, 90),
    (52, 3, 60, 4, 3, 60),
    (60, 6, 120, 8, 2, 30),
    (27, 5, 75, 6, 7, 210),
    (19, 2, 20, 2, 7, 270),
]


def _demo_indicators() -> bytes:
    import json

    return json.dumps(
        {
            "components": [
                {
                    "code": component,
                    "indicators": [
                        {
                            "code": f"{component}.{n}",
                            "text": f"[DEMO] Indikator {component.lower()} {n} (teks resmi dimuat administrator)",
                            "options": {
                                letter: {"points": points, "text": f"[DEMO] Pilihan {letter}"}
                                for letter, points in DEFAULT_POINTS.items()
                            },
                        }
                        for n in range(1, count + 1)
                    ],
                }
                for component, count in DEMO_COUNTS.items()
            ]
        }
    ).encode()


def _answers(choices: dict[str, str]) -> dict[str, AnswerIn]:
    return {
        f"{component}.{n}": AnswerIn(option=letter)
        for component, letters in choices.items()
        for n, letter in enumerate(letters, start=1)
    }


async def _libraries(session: AsyncSession) -> int:
    repository = LibraryRepository(session)
    created = 0
    for raw in DEMO_LIBRARIES:
        if await repository.get_by_code(raw["code"]) is not None:
            continue
        await library_service.create(session, DEMO_SUBJECT, data=LibraryCreate.model_validate(raw))
        for staff in DEMO_STAFF.get(raw["code"], []):
            await library_service.add_staff(
                session, DEMO_SUBJECT, code=raw["code"], data=StaffCreate.model_validate(staff)
            )
        created += 1
    return created


async def _instrument(session: AsyncSession) -> int:
    repository = InstrumentRepository(session)
    if await repository.get_version("umum-desa", DEMO_INSTRUMENT_VERSION) is not None:
        return 0
    seeded = await repository.get_version("umum-desa", "2022")
    if seeded is None:
        return 0
    demo = await instrument_service.new_version(
        session, DEMO_SUBJECT, id=seeded.id, version=DEMO_INSTRUMENT_VERSION
    )
    demo.title = f"[DEMO] {demo.title}"
    load, problems = parse_indicators(_demo_indicators())
    await instrument_service.load_indicators(
        session, DEMO_SUBJECT, id=demo.id, load=load, problems=problems, dry_run=False
    )
    await instrument_service.publish(session, DEMO_SUBJECT, id=demo.id)
    return 1


async def _assessments(session: AsyncSession) -> int:
    created = 0
    certified_code = "demo-perpustakaan-kelurahan-pulau-panggang"
    rows, _ = await assessment_service.list(
        session,
        DEMO_SUBJECT,
        pagination=_ALL,
        library=certified_code,
        mode=AssessmentMode.ACCREDITATION.value,
    )
    if not rows:
        loaded = await assessment_service.create(
            session, DEMO_SUBJECT, data=AssessmentCreate(library=certified_code, year=DEMO_YEAR)
        )
        id_ = loaded.assessment.id
        await assessment_service.save_answers(session, DEMO_SUBJECT, id=id_, answers=_answers(CERTIFIED_SELF))
        await assessment_service.submit(session, DEMO_SUBJECT, id=id_)
        await assessment_service.verify(
            session,
            DEMO_SUBJECT,
            id=id_,
            note="[DEMO] Berkas lengkap",
            assessor=None,
            visit_date=date(DEMO_YEAR, 9, 16),
        )
        await assessment_service.save_visit_scores(
            session,
            DEMO_SUBJECT,
            id=id_,
            scores={
                code: AnswerIn(option=option, note="[DEMO] Catatan asesor")
                for code, option in CERTIFIED_ASSESSOR.items()
            },
        )
        await assessment_service.complete_visit(
            session, DEMO_SUBJECT, id=id_, note="[DEMO] Visitasi selesai", visit_date=None
        )
        await assessment_service.certify(
            session, DEMO_SUBJECT, id=id_, certified_on=date(DEMO_YEAR, 10, 1), note=None
        )
        created += 1
    progress_code = IN_PROGRESS_LIBRARY
    rows, _ = await assessment_service.list(session, DEMO_SUBJECT, pagination=_ALL, library=progress_code)
    if not rows:
        loaded = await assessment_service.create(
            session, DEMO_SUBJECT, data=AssessmentCreate(library=progress_code, year=datetime.now(UTC).year)
        )
        await assessment_service.save_answers(
            session, DEMO_SUBJECT, id=loaded.assessment.id, answers=_answers(IN_PROGRESS_SELF)
        )
        created += 1
    return created


async def _activity(session: AsyncSession) -> int:
    title = "[DEMO] Bimbingan Teknis Pengelolaan Perpustakaan Kelurahan menuju Akreditasi"
    items, _ = await GuidanceRepository(session).list(pagination=None)
    if any(a.title == title for a in items):
        return 0
    start_day = datetime.now(UTC).date() + timedelta(days=30)
    starts = datetime.combine(start_day, time(2, 0), tzinfo=UTC)  # 09:00 WIB
    activity = await guidance_service.create(
        session,
        DEMO_SUBJECT,
        data=ActivityCreate(
            title=title,
            description="[DEMO] Penyusunan bukti fisik dan pengisian instrumen akreditasi perpustakaan kelurahan.",
            kind="bimtek",
            segment="umum",
            level="provinsi",
            venue="Perpustakaan Jakarta, Cikini",
            starts_at=starts,
            ends_at=starts + timedelta(hours=6),
            registration_closes_at=starts - timedelta(days=2),
            capacity=40,
            organizer="Bidang Pengembangan Perpustakaan",
            contact="pembinaan@example.invalid",
        ),
    )
    await guidance_service.publish(session, DEMO_SUBJECT, id=activity.id)
    await guidance_service.register(
        session,
        DEMO_SUBJECT,
        id=activity.id,
        data=RegistrationCreate(
            library="demo-perpustakaan-kelurahan-kebon-kacang", participant_name="[DEMO] Rina Marlina"
        ),
    )
    return 1


async def _literacy(session: AsyncSession) -> int:
    repository = LiteracyRepository(session)
    if await repository.survey_of(DEMO_CITY, DEMO_YEAR) is not None:
        return 0
    survey = await literacy_service.create_survey(
        session,
        DEMO_SUBJECT,
        data=SurveyCreate(
            city=JakartaCity(DEMO_CITY), year=DEMO_YEAR, title="[DEMO] Survei TGM Kepulauan Seribu (sampel)"
        ),
    )
    rows = [
        (
            n,
            {
                "respondent": f"DEMO-KS-{n:03d}",
                "age": age,
                "reading_frequency": fm,
                "reading_minutes": dm,
                "items_per_quarter": jb,
                "internet_frequency": fai,
                "internet_minutes": dai,
            },
        )
        for n, (age, fm, dm, jb, fai, dai) in enumerate(DEMO_TGM_RESPONSES, start=1)
    ]
    await literacy_service.intake(session, DEMO_SUBJECT, id=survey.id, rows=rows, dry_run=False)
    note = "(check) angka pembulatan untuk demo, bukan data resmi / rounded demo figures"
    for city, population in DEMO_POPULATIONS.items():
        await literacy_service.set_population(
            session,
            DEMO_SUBJECT,
            city=city,
            year=DEMO_YEAR,
            data=PopulationIn(population=population, source=note),
        )
        await literacy_service.set_input(
            session,
            DEMO_SUBJECT,
            city=city,
            year=DEMO_YEAR,
            element="UPLM6",
            data=IplmInputIn(value=Decimal(DEMO_COMMUNITY[city]), note="[DEMO] peserta kegiatan literasi"),
        )
    # Circulation figures arrive as events in production; the demo applies a week of them the same way.
    for offset in range(7):
        day = date(DEMO_YEAR, 12, 22) + timedelta(days=offset)
        payload = {
            "date": day.isoformat(),
            "branches": [
                {
                    "branch": branch,
                    "city": city,
                    "active_members": members,
                    "visits": visits,
                    "loans": loans,
                    "titles_loaned": loans,
                }
                for city, (branch, members, visits, loans) in DEMO_BRANCHES.items()
            ],
        }
        await literacy_service.apply_daily_stats(session, payload, None)
    await literacy_service.compute_iplm(session, DEMO_SUBJECT, year=DEMO_YEAR, model_version=None, store=True)
    return 1


async def load_demo_data(session: AsyncSession) -> dict[str, int]:
    """Create whatever demo data does not exist yet; returns how much of each was created."""
    return {
        "libraries": await _libraries(session),
        "instruments": await _instrument(session),
        "assessments": await _assessments(session),
        "activities": await _activity(session),
        "literacy": await _literacy(session),
    }
