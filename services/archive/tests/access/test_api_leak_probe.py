"""Leak probe over the service's real paths: records registered through the API, indexed by the
worker's task, then searched, listed and read through the API by random viewers of every category.
Search and list must return exactly what direct reads allow — never more."""

from __future__ import annotations

import random
from typing import Any

import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pusip_kit.testing.service import ServiceClient

UNITS = [
    "dispusip",
    "dispusip/bidang-layanan",
    "dispusip/bidang-layanan/seksi-a",
    "dispusip/bidang-arsip",
    "dinkes",
    "dispusip-lama",
]
LEVELS = ["BIASA", "TERBATAS", "RAHASIA", "SANGAT_RAHASIA"]
CASES = ["PKR-1", "PKR-2", "PKR-3"]
SUBJECTS = ["pengguna-lain", "apg-1", "apg-2", "warga-1"]
CATEGORIES = [
    "publik",
    "pengolah",
    "pengawas_internal",
    "pengawas_eksternal",
    "penegak_hukum",
    "penentu_kebijakan:tertinggi",
    "penentu_kebijakan:tinggi",
    "penentu_kebijakan:menengah",
]


@pytest_asyncio.fixture
async def probe(client: ServiceClient, archive: Any) -> dict[str, Any]:
    """30 records over units, levels and cases; case grants for apg-1/apg-2, record grants for warga-1."""
    await archive.instruments()
    rng = random.Random(20261121)
    for case in CASES:
        await client.post(
            "/legal-cases", json={"case_number": case, "title": f"Perkara {case}"}, headers=archive.admin
        )
    ids = []
    for i in range(30):
        record = await archive.record(
            level=LEVELS[i % 4],
            unit=UNITS[rng.randrange(len(UNITS))],
            title=f"Surat dinas nomor {i}",
            headers=archive.admin,
        )
        ids.append(record["id"])
        for case in rng.sample(CASES, rng.randint(0, 2)):
            await client.post(
                f"/records/{record['id']}/cases", json={"case_number": case}, headers=archive.admin
            )
    for subject, cases in (("apg-1", ["PKR-1"]), ("apg-2", ["PKR-2", "PKR-3"])):
        for case in cases:
            await client.post(
                "/case-grants",
                json={"case_number": case, "subject": subject, "reason": "Permintaan penyidik resmi"},
                headers=archive.admin,
            )
    for record_id in ids[5:7]:
        await client.post(
            "/record-grants",
            json={"record_id": record_id, "subject": "warga-1", "reason": "Permohonan KIP disetujui"},
            headers=archive.admin,
        )
    ran = await archive.run_tasks()
    assert any(name == "archive.search.index" for name, _ in ran)
    # the public, without a token, through the public API: BIASA only, search equal to direct reads
    found = (await client.get("/public/records", params={"q": "surat", "limit": 100})).json()
    direct = {i for i in ids if (await client.get(f"/public/records/{i}")).status_code == 200}
    assert {r["id"] for r in found["items"]} == direct and len(direct) == len(ids) // 4 + 1
    return {"ids": ids}


viewer_st = st.fixed_dictionaries(
    {
        "category": st.sampled_from(CATEGORIES),
        "unit": st.sampled_from([None, *UNITS]),
        "clearance": st.sampled_from(LEVELS),
        "sub": st.sampled_from(SUBJECTS),
        "roles": st.sampled_from([["patron"], ["records_creator"], ["archivist"], ["librarian"]]),
    }
)


async def _seen(
    client: ServiceClient, headers: dict[str, str], ids: list[str]
) -> tuple[set[str], set[str], set[str]]:
    searched = await client.get(
        "/records/search", params={"q": "surat", "limit": 100, "facets": "false"}, headers=headers
    )
    listed = await client.get("/records", params={"limit": 100}, headers=headers)
    assert searched.status_code == 200 and listed.status_code == 200, (searched.text, listed.text)
    direct = set()
    for record_id in ids:
        response = await client.get(f"/records/{record_id}", headers=headers)
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            direct.add(record_id)
    return {r["id"] for r in searched.json()["items"]}, {r["id"] for r in listed.json()["items"]}, direct


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(viewer=viewer_st)
async def test_search_and_list_return_exactly_what_direct_reads_allow(
    client: ServiceClient, archive: Any, probe: dict[str, Any], viewer: dict[str, Any]
) -> None:
    headers = archive.headers(
        roles=viewer["roles"],
        unit=viewer["unit"],
        clearance=viewer["clearance"],
        category=viewer["category"],
        sub=viewer["sub"],
    )
    searched, listed, direct = await _seen(client, headers, probe["ids"])
    assert searched <= direct, f"search leaked {searched - direct}"
    assert listed <= direct, f"list leaked {listed - direct}"
    assert searched == direct and listed == direct
