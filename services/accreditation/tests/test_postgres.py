"""The same service on real PostgreSQL (``make test-services``): migrations, the demo data (which
drives every workflow through the services) and the recomputed figures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from accreditation.config import AccreditationSettings
from accreditation.demo import load_demo_data
from accreditation.main import create_app
from pusip_kit.testing.db import create_postgres_database, drop_postgres_database
from pusip_kit.testing.servers import require
from pusip_kit.testing.service import ServiceClient, run_service, settings_for_test, shared_test_issuer
from pusip_kit.uow import unit_of_work

from .helpers import OFFICER

pytestmark = pytest.mark.services


@pytest_asyncio.fixture
async def pg_client(tmp_path: Path) -> AsyncIterator[ServiceClient]:
    require("postgres")
    url = create_postgres_database("pusip_accreditation")
    try:
        issuer = shared_test_issuer()
        settings = settings_for_test(AccreditationSettings, tmp_path, issuer, database_url=url)
        async with run_service(create_app, settings, issuer=issuer) as client:
            yield client
    finally:
        drop_postgres_database(url)


async def test_demo_workflows_on_postgres(pg_client: ServiceClient) -> None:
    client = pg_client
    async with unit_of_work(client.sessionmaker) as session:
        created = await load_demo_data(session)
    assert created["assessments"] == 2 and created["literacy"] == 1
    officer = client.bearer(**OFFICER)
    assessments = (await client.get("/assessments", params={"status": "certified"}, headers=officer)).json()[
        "items"
    ]
    assert [(a["total"], a["grade"]) for a in assessments] == [("75.17", "C")]
    tgm = (await client.get("/literacy/tgm", params={"year": 2025}, headers=officer)).json()
    assert tgm["cities"][0]["score"] == "47.60"
    iplm = {
        r["area"]: r["index"]
        for r in (await client.get("/literacy/iplm", params={"year": 2025}, headers=officer)).json()
    }
    assert iplm["kepulauan-seribu"] == "58.77"
    grades = (await client.get("/dashboard/grades")).json()
    assert {r[0]: r for r in grades["rows"]}["jumlah"][3] == 1
    export = await client.get("/libraries/export", params={"format": "xlsx"}, headers=officer)
    assert export.status_code == 200
