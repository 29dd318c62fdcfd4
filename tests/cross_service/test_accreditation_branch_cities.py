"""Catalog → accreditation, through the catalogue's API: the literacy indicators learn which city
each circulation branch is in from the catalogue's branch list (typed client, never its database).

Both applications run in this process; the accreditation app calls the real catalogue app over
HTTP (an ASGI transport) with the officer's own token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio

from accreditation.config import AccreditationSettings
from accreditation.main import create_app as create_accreditation
from catalog.config import CatalogSettings
from catalog.main import create_app as create_catalog
from pusip_kit.clients import CatalogClient
from pusip_kit.testing.service import ServiceClient, run_service, settings_for_test, shared_test_issuer


@pytest_asyncio.fixture
async def apps(tmp_path: Path) -> AsyncIterator[tuple[ServiceClient, ServiceClient]]:
    issuer = shared_test_issuer()
    async with (
        run_service(
            create_catalog, settings_for_test(CatalogSettings, tmp_path / "c", issuer), issuer=issuer
        ) as catalog,
        run_service(
            create_accreditation,
            settings_for_test(AccreditationSettings, tmp_path / "a", issuer),
            issuer=issuer,
        ) as accreditation,
    ):
        yield catalog, accreditation


async def test_branch_cities_come_from_the_catalogue_api(apps: tuple[ServiceClient, ServiceClient]) -> None:
    catalog, accreditation = apps
    for code, city in (
        ("cikini", "jakarta-pusat"),
        ("koja", "jakarta-utara"),
        ("pramuka", "kepulauan-seribu"),
    ):
        created = await catalog.post(
            "/branches",
            json={
                "code": code,
                "name": f"Perpustakaan {code.title()}",
                "type": "perpustakaan_kecamatan",
                "city": city,
            },
            headers=catalog.bearer(roles=["admin"]),
        )
        assert created.status_code == 201, created.text

    def factory(tokens: Any) -> CatalogClient:
        transport = httpx.ASGITransport(app=catalog.app)
        return CatalogClient(
            "http://catalog.test", tokens=tokens, http=httpx.AsyncClient(transport=transport)
        )

    accreditation.app.state.catalog_client_factory = factory
    officer = accreditation.bearer(roles=["accreditation_officer"])
    await accreditation.put("/literacy/branches/pramuka", json={"city": "jakarta-utara"}, headers=officer)
    synced = await accreditation.post("/literacy/branches/sync", headers=officer)
    assert synced.status_code == 200, synced.text
    assert {(b["code"], b["city"], b["source"]) for b in synced.json()} == {
        ("cikini", "jakarta-pusat", "catalog"),
        ("koja", "jakarta-utara", "catalog"),
        ("pramuka", "jakarta-utara", "manual"),  # a city an officer set by hand is kept
    }
    # Only officers sync.
    refused = await accreditation.post(
        "/literacy/branches/sync", headers=accreditation.bearer(roles=["library_admin"])
    )
    assert refused.status_code == 403
