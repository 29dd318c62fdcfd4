"""Demo classification codes from the OpenSID CSV: a clean top-two-level subset, idempotent."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from archive.config import ArchiveSettings
from archive.demo import load_demo_data, read_top_levels
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work

SAMPLE = """id,kode,nama,uraian,enabled
1,000,UMUM,-,1
2,001,Lambang,-,1
3,001.1,Garuda,-,1
9,010,"URUSAN DALAM ","Gedung Kantor/Termasuk Instalasi Prasarana Fisik Pamong",1
10,020,-,-,1
11,030,"Kekayaan  Daerah",-,1
12,030,"Duplikat",-,1
13,100,PEMERINTAHAN,"Meliputi: Tata Praja",1
14,110,"Pemerintahan Pusat",-,1
15,210,"Tanpa induk",-,1
16,3x0,"Rusak",-,1
"""


@pytest.fixture
def sample_csv(tmp_path: Path) -> Path:
    path = tmp_path / "klasifikasi.csv"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


def test_reads_a_clean_subset(sample_csv: Path) -> None:
    rows = read_top_levels(sample_csv)
    assert [(r.code, r.title) for r in rows] == [
        ("000", "UMUM"),
        ("010", "URUSAN DALAM"),
        ("030", "Kekayaan Daerah"),
        ("100", "PEMERINTAHAN"),
        ("110", "Pemerintahan Pusat"),
    ]
    assert rows[1].description == "Gedung Kantor/Termasuk Instalasi Prasarana Fisik Pamong"
    assert rows[0].description is None


async def test_loads_once(client: ServiceClient, sample_csv: Path) -> None:
    settings = ArchiveSettings(
        classification_seed_csv=sample_csv, demo_instrument_files=[], data_dir=client.settings.data_dir
    )
    async with unit_of_work(client.sessionmaker) as session:
        assert (await load_demo_data(session, settings=settings))["classification_codes"] == 5
    async with unit_of_work(client.sessionmaker) as session:
        assert (await load_demo_data(session, settings=settings))["classification_codes"] == 0
    response = await client.get("/classification-codes/110", headers=client.bearer(roles=["archivist"]))
    assert response.json()["parent_code"] == "100"
    assert response.json()["scheme_version"] == "opensid-klasifikasi-surat"


async def test_missing_corpus_is_skipped_with_a_log_line(
    client: ServiceClient, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = ArchiveSettings(
        classification_seed_csv=tmp_path / "tidak-ada.csv",
        demo_instrument_files=[tmp_path / "tidak-ada.json"],
        demo_decree_file=tmp_path / "tidak-ada.txt",
        data_dir=client.settings.data_dir,
    )
    logging.getLogger("archive.demo").addHandler(caplog.handler)
    try:
        async with unit_of_work(client.sessionmaker) as session:
            assert await load_demo_data(session, settings=settings) == {
                "classification_codes": 0,
                "instrument_sets": 0,
                "records": 0,
            }
    finally:
        logging.getLogger("archive.demo").removeHandler(caplog.handler)
    assert any("tidak-ada.csv" in r.getMessage() for r in caplog.records)


REAL_CORPUS = ArchiveSettings().classification_seed_csv


@pytest.mark.skipif(not REAL_CORPUS.is_file(), reason="shared corpus not checked out beside the repository")
async def test_loads_the_real_opensid_scheme(client: ServiceClient) -> None:
    async with unit_of_work(client.sessionmaker) as session:
        counts = await load_demo_data(
            session, settings=ArchiveSettings(classification_seed_csv=REAL_CORPUS, demo_instrument_files=[])
        )
    assert counts["classification_codes"] > 50
    roots = await client.get(
        "/classification-codes", params={"root": "true"}, headers=client.bearer(roles=["archivist"])
    )
    assert [c["code"] for c in roots.json()["items"]] == [f"{d}00" for d in range(10)]
