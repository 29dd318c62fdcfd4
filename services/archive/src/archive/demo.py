"""Demo data: the top two levels of a real records classification scheme (idempotent).

Read at run time from the CSV named by ``ArchiveSettings.classification_seed_csv`` (OpenSID's
``klasifikasi_surat.csv``: ``id,kode,nama,uraian,enabled``). Only a clean subset is loaded:
main functions (``X00``) and functions (``XY0``), skipping placeholder rows (``-``), duplicate
codes and malformed ones. A full importer with problem reports is separate work.
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from archive.classification.codes import CodeFormatError, normalise_code
from archive.classification.repository import ClassificationCodeRepository
from archive.classification.schemas import ClassificationCodeCreate
from archive.classification.service import classification_code_service
from archive.config import ArchiveSettings
from pusip_kit.auth.subject import AuthSubject, Role

log = logging.getLogger(__name__)

DEMO_SUBJECT = AuthSubject(subject="system:demo-data", username="demo-data", roles=frozenset({Role.ADMIN}))
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
    """Load the classification subset; skipped (with a log line) when the corpus file is absent."""
    settings = settings or ArchiveSettings()
    path = settings.classification_seed_csv
    if not path.is_file():
        log.warning(
            "berkas klasifikasi tidak ada, data demo klasifikasi dilewati / "
            "classification seed file not found, demo classification codes skipped: %s",
            path,
        )
        return {"classification_codes": 0}
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
    return {"classification_codes": created}
