"""Demo data (idempotent), read at run time from the shared corpus:

* the top two levels of a real records classification scheme (OpenSID's ``klasifikasi_surat.csv``:
  main functions ``X00`` and functions ``XY0``) as classification codes;
* a full instrument set imported from the real files named by ``demo_instrument_files`` (OpenSID
  scheme + TVRI JRA/SKKAAD), with its problem report, and activated;
* the seed decree (Kepkadis Dispusip DKI e-0049/2022, SPBE architecture) registered as a ``BIASA``
  record of unit ``dispusip`` with its text as the record's file and full text.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from archive.classification.codes import CodeFormatError, normalise_code
from archive.classification.repository import ClassificationCodeRepository
from archive.classification.schemas import ClassificationCodeCreate
from archive.classification.service import classification_code_service
from archive.config import ArchiveSettings
from archive.instruments.service import SourceFile, instrument_service
from pusip_kit.auth.subject import AuthSubject, Role, SecurityLevel
from pusip_kit.errors import PusipError

log = logging.getLogger(__name__)

DEMO_SUBJECT = AuthSubject(
    subject="system:demo-data", username="demo-data", roles=frozenset({Role.ADMIN}), unit="dispusip"
)
DEMO_INSTRUMENTS = ("Instrumen Demo Dispusip", "2026.1")
DECREE_REFERENCE = "e-0049 Tahun 2022"
DECREE_UNIT = "dispusip"
DECREE_CODES = ("PR.00.01", "000")
SCHEME_VERSION = "opensid-klasifikasi-surat"
_TOP_TWO_LEVELS = re.compile(r"^\d\d0$")
_PLACEHOLDERS = {"", "-", "--"}


@dataclass(frozen=True)
class SeedRow:
    code: str
    title: str
    description: str | None


def read_top_levels(path: Path) -> list[SeedRow]:
    """The clean ``X00``/``XY0`` rows of a classification CSV, parents before children."""
    rows: dict[str, SeedRow] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for raw in csv.DictReader(handle):
            try:
                code = normalise_code(raw.get("kode") or "")
            except CodeFormatError:
                continue
            title = re.sub(r"\s+", " ", raw.get("nama") or "").strip()
            if not _TOP_TWO_LEVELS.match(code) or title in _PLACEHOLDERS or code in rows:
                continue
            if (raw.get("enabled") or "1").strip() == "0":
                continue
            note = re.sub(r"\s+", " ", raw.get("uraian") or "").strip()
            rows[code] = SeedRow(code, title[:300], None if note in _PLACEHOLDERS else note)
    # Keep only functions whose main function is present.
    return [row for code, row in sorted(rows.items()) if code.endswith("00") or code[0] + "00" in rows]


async def load_demo_data(session: AsyncSession, *, settings: ArchiveSettings | None = None) -> dict[str, int]:
    """Load each part; a part whose corpus file is absent is skipped with a log line."""
    settings = settings or ArchiveSettings()
    path = settings.classification_seed_csv
    counts = {"classification_codes": 0}
    if path.is_file():
        counts["classification_codes"] = await _load_codes(session, path)
    else:
        log.warning(
            "berkas klasifikasi tidak ada, data demo klasifikasi dilewati / "
            "classification seed file not found, demo classification codes skipped: %s",
            path,
        )
    counts["instrument_sets"] = await _load_instruments(session, settings)
    counts["records"] = await _load_decree(session, settings)
    return counts


async def _load_codes(session: AsyncSession, path: Path) -> int:
    seed = read_top_levels(path)
    repository = ClassificationCodeRepository(session)
    existing = await repository.existing_codes([row.code for row in seed])
    created = 0
    for row in seed:
        if row.code in existing:
            continue
        data = ClassificationCodeCreate(
            code=row.code, title=row.title, description=row.description, scheme_version=SCHEME_VERSION
        )
        await classification_code_service.create(session, DEMO_SUBJECT, data=data)
        created += 1
    return created


async def _load_instruments(session: AsyncSession, settings: ArchiveSettings) -> int:
    """Import and activate the demo instrument set (skipped when present or the files are missing)."""
    from archive.instruments.repository import InstrumentRepository

    name, version = DEMO_INSTRUMENTS
    if await InstrumentRepository(session).get_set_by_name(name, version) is not None:
        return 0
    paths = [p for p in settings.demo_instrument_files if p.is_file()]
    if not paths:
        log.warning(
            "berkas instrumen demo tidak ada / demo instrument files not found: %s",
            settings.demo_instrument_files,
        )
        return 0
    await instrument_service.import_files(
        session,
        DEMO_SUBJECT,
        name=name,
        version=version,
        sources=[SourceFile(p.name, p.read_bytes()) for p in paths],
        description="Skema OpenSID + JRA/SKKAAD TVRI (contoh dari berkas nyata) / real sample files",
    )
    item = await InstrumentRepository(session).get_set_by_name(name, version)
    assert item is not None
    if await instrument_service.active(session) is None:
        await instrument_service.activate(session, DEMO_SUBJECT, set_id=item.id, acknowledge_problems=True)
    return 1


async def _load_decree(session: AsyncSession, settings: ArchiveSettings) -> int:
    """Register the seed decree as a BIASA record with its text as file and full text."""
    from datetime import date

    from archive.records.repository import RecordRepository
    from archive.records.schemas import RecordCreate
    from archive.records.service import record_service
    from archive.runtime import acquire_runtime, release_runtime

    path = settings.demo_decree_file
    if not path.is_file():
        log.warning("keputusan contoh tidak ada / seed decree not found: %s", path)
        return 0
    if await RecordRepository(session).by_reference(DECREE_UNIT, DECREE_REFERENCE) is not None:
        return 0
    active = await instrument_service.active(session)
    if active is None:
        log.warning("tidak ada set instrumen aktif / no active instrument set: seed decree skipped")
        return 0
    code = None
    for candidate in DECREE_CODES:
        try:
            await instrument_service.resolve_code(session, set_id=active.id, code=candidate)
        except PusipError:
            continue
        code = candidate
        break
    if code is None:
        return 0
    data = RecordCreate(
        reference_number=DECREE_REFERENCE,
        title=(
            "Keputusan Kepala Dinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta tentang Arsitektur Sistem "
            "Pemerintahan Berbasis Elektronik (SPBE) Dinas Perpustakaan dan Kearsipan Provinsi DKI Jakarta "
            "Tahun 2022–2026"
        ),
        record_date=date(2022, 7, 21),
        unit=DECREE_UNIT,
        description=(
            "Menetapkan arsitektur SPBE Dispusip 2022–2026 sebagai pedoman perencanaan, pengembangan, "
            "pengendalian dan evaluasi SPBE urusan perpustakaan dan kearsipan."
        ),
        classification_code=code,
        security_level=SecurityLevel.BIASA,
        security_reason="Keputusan yang telah ditetapkan dan berlaku merupakan informasi publik (UU 14/2008)",
        event_date=None,
    )
    schedule = await instrument_service.resolve_code(session, set_id=active.id, code=code)
    if schedule.security_level == SecurityLevel.BIASA.value:
        data.security_reason = None
    record = await record_service.create(session, DEMO_SUBJECT, data=data, source="demo")
    runtime = acquire_runtime(settings)
    try:
        body = path.read_bytes()

        async def chunks() -> AsyncIterator[bytes]:
            yield body

        await record_service.add_file(
            session, DEMO_SUBJECT, runtime, record_id=record.id, filename=path.name, body=chunks()
        )
    finally:
        await release_runtime(runtime)
    return 1
