"""Public access: the seed decree registered by the demo data is a BIASA record, searchable by anyone
in Indonesian (stemmed) full text; restricted records stay invisible."""

from __future__ import annotations

from typing import Any

import pytest

from archive.config import ArchiveSettings
from archive.demo import DECREE_REFERENCE, load_demo_data
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work

DEFAULTS = ArchiveSettings()
CORPUS_PRESENT = DEFAULTS.demo_decree_file.is_file() and all(
    p.is_file() for p in DEFAULTS.demo_instrument_files
)


@pytest.mark.skipif(not CORPUS_PRESENT, reason="shared corpus not checked out")
async def test_the_seed_decree_is_a_public_biasa_record_found_by_stemmed_full_text(
    client: ServiceClient, archive: Any
) -> None:
    settings = ArchiveSettings(data_dir=client.settings.data_dir, database_url=client.settings.database_url)
    async with unit_of_work(client.sessionmaker) as session:
        counts = await load_demo_data(session, settings=settings)
    assert counts["instrument_sets"] == 1 and counts["records"] == 1
    async with unit_of_work(client.sessionmaker) as session:
        assert (await load_demo_data(session, settings=settings))["records"] == 0  # idempotent
    await archive.run_tasks()
    sets = (await client.get("/instrument-sets/active", headers=archive.archivist)).json()
    assert sets["status"] == "active" and sets["summary"]["codes"] > 2000

    # "pustaka" finds "Perpustakaan", "arsitektur" the title, "berbasis elektronik" words of the text
    for query in ("pustaka", "arsitektur SPBE", "Inlislite", "kegemaran membaca"):
        found = (await client.get("/public/records", params={"q": query})).json()
        assert [r["reference_number"] for r in found["items"]] == [DECREE_REFERENCE], query
    decree = found["items"][0]
    assert decree["unit"] == "dispusip" and decree["kind"] == "dinamis"
    detail = (await client.get(f"/public/records/{decree['id']}")).json()
    [file] = detail["files"]
    text = await client.get(f"/public/records/{decree['id']}/files/{file['id']}")
    assert text.status_code == 200 and b"WAHYU HARYADI" in text.content
    staff = (await client.get(f"/records/{decree['id']}", headers=archive.archivist)).json()
    assert staff["security_level"] == "BIASA" and staff["source"] == "demo"
    browse = (await client.get("/public/records")).json()
    assert browse["total"] == 1 and browse["facets"]["year"] == [{"value": 2022, "count": 1}]
    assert "level" not in browse["facets"]


async def test_restricted_records_never_reach_the_public(client: ServiceClient, archive: Any) -> None:
    await archive.instruments()
    for level in ("BIASA", "TERBATAS", "RAHASIA", "SANGAT_RAHASIA"):
        await archive.record(level=level, title=f"Perpustakaan keliling {level.lower()}")
    await archive.run_tasks()
    found = (await client.get("/public/records", params={"q": "perpustakaan"})).json()
    assert [r["title"] for r in found["items"]] == ["Perpustakaan keliling biasa"]
    # a signed-in patron searching the public endpoint gets the same
    patron = archive.headers(
        roles=["patron"], unit=None, category="pengawas_internal", clearance="SANGAT_RAHASIA"
    )
    as_patron = (await client.get("/public/records", params={"q": "perpustakaan"}, headers=patron)).json()
    assert as_patron["total"] == 1
