"""``pusip catalog import`` and ``pusip archive verify-audit`` against real databases in a temp data dir."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from pusip.cli import app
from pusip.domain_commands import EXIT_JOB_FAILED

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "marc21"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PUSIP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "160")
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_catalog_import_reports_balanced_counts(data_dir: Path) -> None:
    code, out = run("migrate", "catalog")
    assert code == 0, out
    code, out = run("catalog", "import", str(CORPUS / "marc4j" / "pride-and-prejudice-with-many-errors.mrc"))
    assert code == 0, out
    counts = {
        m["label"]: int(m["n"].replace(",", ""))
        for m in re.finditer(r"(?P<label>[a-z][a-z ()]+?) / [a-z ]+\s*│\s*(?P<n>[\d,]+)", out)
    }
    assert counts["dibaca"] == 383
    assert counts["disimpan"] + counts["dilewati (duplikat)"] + counts["dilaporkan"] == 383
    assert counts["dilaporkan"] >= 17
    assert "problems" in out


def test_catalog_import_of_an_unreadable_file_exits_3_with_the_jobs_error(data_dir: Path) -> None:
    assert run("migrate", "catalog")[0] == 0
    bogus = data_dir / "bukan-marc.mrc"
    bogus.write_text("Ini bukan berkas MARC sama sekali.\n" * 20)
    code, out = run("catalog", "import", str(bogus))
    assert code == EXIT_JOB_FAILED == 3, out
    assert "(failed)" in out
    flat = " ".join(out.split())
    error = re.search(r"galat / error: (?P<id>.+?) / (?P<en>.+)", flat)
    assert error is not None, out
    assert error["id"] != error["en"] and len(error["en"]) > 10


def test_catalog_import_labels_warnings_as_problems_not_records(data_dir: Path) -> None:
    assert run("migrate", "catalog")[0] == 0
    code, out = run("catalog", "import", str(CORPUS / "marc4j" / "pride-and-prejudice-with-many-errors.mrc"))
    assert code == 0, out
    assert "dengan peringatan" not in out and "with warnings" not in out
    warnings = re.search(r"peringatan / warnings\s*│\s*(?P<n>[\d,]+)", out)
    assert warnings is not None, out
    assert int(warnings["n"].replace(",", "")) > 0


def test_catalog_import_refuses_a_missing_file(data_dir: Path) -> None:
    code, out = run("catalog", "import", str(data_dir / "nope.mrc"))
    assert code == 1 and "tidak ditemukan" in out


def test_verify_audit_passes_then_catches_tampering(data_dir: Path) -> None:
    from archive.audit.chain import AuditDraft, append
    from archive.config import ArchiveSettings
    from pusip_kit.db import Database

    assert run("migrate", "archive")[0] == 0

    async def write_entries() -> None:
        database = Database(ArchiveSettings().database_url)
        async with database.session() as session:
            for n in range(3):
                await append(
                    session,
                    AuditDraft(
                        actor="uji", action="read", record_id=f"r{n}", level="RAHASIA", outcome="allowed"
                    ),
                )
        await database.dispose()

    asyncio.run(write_entries())
    code, out = run("archive", "verify-audit")
    assert code == 0 and "3 entri" in out, out

    async def tamper() -> None:
        database = Database(ArchiveSettings().database_url)
        async with database.session() as session:
            await session.execute(text("UPDATE audit_log SET outcome = 'refused' WHERE seq = 2"))
        await database.dispose()

    asyncio.run(tamper())
    code, out = run("archive", "verify-audit")
    assert code == 1 and "RUSAK" in out
