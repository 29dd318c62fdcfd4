"""A small Indonesian catalogue served by the catalog service, once per module and backend.

``opac`` is parametrized: ``tantivy`` always; ``elasticsearch`` is marked ``services`` and needs the
real server (``make services-up``). Tests only read from it.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import pytest_asyncio

from catalog.config import CatalogSettings
from catalog.main import create_app
from pusip_kit.testing.service import ServiceClient, run_service, settings_for_test, shared_test_issuer

from ..helpers import CATALOGER, create_branch, import_bytes, isbn13, json_file, marc, run_tasks

BACKENDS = ["tantivy", pytest.param("elasticsearch", marks=pytest.mark.services)]
CIKINI, MENTENG, KOJA = (
    "perpustakaan-jakarta-cikini",
    "perpustakaan-kecamatan-menteng",
    "perpustakaan-kecamatan-koja",
)
ISBN_LASKAR = isbn13("978979338004")
ISBN_PENGANTAR = isbn13("978979403235")
FULLTEXT = (
    "Laporan ini mencatat kegiatan layanan sepanjang tahun. Bab tiga membahas gamelanologi "
    "dan koleksi naskah kuno Betawi yang didigitalkan untuk pemustaka."
)


def _copy(branch: str, barcode: str) -> dict[str, str]:
    return {"b": branch, "p": barcode}


RECORDS = {
    "pengantar": marc(
        "Pengantar ilmu perpustakaan", author="Sulistyo-Basuki", year=1991, subjects=["Ilmu perpustakaan"],
        isbn=ISBN_PENGANTAR, call_number="020 SUL", publisher="Gramedia Pustaka Utama",
        holdings=[_copy(CIKINI, "PP-1"), _copy(CIKINI, "PP-2"), _copy(MENTENG, "PP-3")],
    ),
    "pustaka": marc(
        "Pustaka digital : teori dan praktik", author="Supriyanto, Wahyu", year=2008,
        subjects=["Perpustakaan digital"], holdings=[_copy(KOJA, "PD-1")],
    ),
    "laskar": marc(
        "Laskar pelangi", author="Hirata, Andrea", year=2005, subjects=["Novel Indonesia"], isbn=ISBN_LASKAR,
        publisher="Bentang Pustaka", holdings=[_copy(CIKINI, "LP-1"), _copy(MENTENG, "LP-2")],
    ),
    "pemimpi": marc(
        "Sang pemimpi", author="Hirata, Andrea", year=2006, subjects=["Novel Indonesia"], publisher="Bentang Pustaka",
        holdings=[_copy(CIKINI, "SP-1")],
    ),
    "bumi": marc(
        "Bumi manusia", author="Toer, Pramoedya Ananta", year=1980, subjects=["Novel sejarah"],
        publisher="Hasta Mitra", holdings=[_copy(MENTENG, "BM-1")],
    ),
    "anak": marc("Anak semua bangsa", author="Toer, Pramoedya Ananta", year=1980, subjects=["Novel sejarah"]),
    "sejarah": marc(
        "Sejarah Jakarta : dari Batavia ke metropolitan", author="Blackburn, Susan", year=2011,
        subjects=["Sejarah", "Jakarta"], publisher="Masup Jakarta", holdings=[_copy(CIKINI, "SJ-1")],
    ),
    "batavia": marc(
        "Batavia : kisah kota tua", author="Heuken, Adolf", year=1997, subjects=["Sejarah", "Batavia"],
        publisher="Yayasan Cipta Loka Caraka",
    ),
    "library": marc(
        "Introduction to library science", author="Shera, Jesse", year=1976, language="eng", place_code="nyu",
        place="New York", publisher="McGraw-Hill", subjects=["Library science"],
    ),
    "peta": marc("Peta Jakarta 1930", year=1930, leader="00000nem a2200000 a 4500", publisher="Topografische Dienst"),
    "majalah": marc("Majalah Pustaka", year=1975, leader="00000nas a2200000 a 4500", publisher="Balai Pustaka"),
    "laporan": marc(
        "Laporan tahunan Dinas Perpustakaan dan Kearsipan", year=2020, publisher="Dinas Perpustakaan dan Kearsipan",
        subjects=["Laporan tahunan"],
    ),
}  # fmt: skip


@dataclass
class Opac:
    client: ServiceClient
    backend: str
    ids: dict[str, str] = field(default_factory=dict)

    def names(self, hits: list[dict]) -> list[str]:
        by_id = {v: k for k, v in self.ids.items()}
        return [by_id[h["id"]] for h in hits]

    async def search(self, **params: object) -> dict:
        params.setdefault("limit", 100)
        response = await self.client.get("/search", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def found(self, **params: object) -> set[str]:
        return set(self.names((await self.search(**params))["hits"]))


async def load(client: ServiceClient) -> dict[str, str]:
    for code in (CIKINI, MENTENG, KOJA):
        await create_branch(client, code)
    records = copy.deepcopy(RECORDS)
    for name, record in records.items():
        record["fields"].insert(0, {"001": f"OPAC-{name}"})
    job = await import_bytes(client, json_file(list(records.values())), filename="opac.json")
    assert job["counts"]["created"] == len(RECORDS), job
    ids: dict[str, str] = {}
    listed = (await client.get("/records", params={"limit": 100}, headers=client.bearer(**CATALOGER))).json()
    for summary in listed["items"]:
        ids[summary["control_number"].removeprefix("OPAC-")] = summary["id"]
    response = await client.post(
        "/items/bulk",
        json={"action": "set_status", "barcodes": ["LP-2", "SP-1"], "status": "missing"},
        headers=client.bearer(**CATALOGER),
    )
    assert response.json()["succeeded"] == 2
    upload = await client.post(
        f"/records/{ids['laporan']}/eresources",
        files={"file": ("laporan-2020.txt", FULLTEXT.encode(), "text/plain")},
        headers=client.bearer(**CATALOGER),
    )
    assert upload.status_code == 201, upload.text
    await run_tasks(client)
    return ids


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=BACKENDS)
async def opac(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Opac]:
    overrides: dict[str, object] = {}
    if request.param == "elasticsearch":
        from pusip_kit.testing.servers import require

        overrides = {
            "search_backend": "elasticsearch",
            "elasticsearch_url": require("elasticsearch").elasticsearch_url,
            "elasticsearch_prefix": f"pusiptest-{uuid.uuid4().hex[:10]}",
        }
    settings = settings_for_test(
        CatalogSettings, tmp_path_factory.mktemp(f"opac-{request.param}"), shared_test_issuer(), **overrides
    )
    async with run_service(create_app, settings) as client:
        try:
            yield Opac(client, request.param, await load(client))
        finally:
            if request.param == "elasticsearch":
                await client.app.state.catalog_runtime.index.drop()
