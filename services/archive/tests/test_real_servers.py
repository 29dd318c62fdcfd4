"""The archive on the distributed stack: PostgreSQL, Elasticsearch and MinIO (``make test-services``).

The same flows as the embedded tests: the API leak probe over Elasticsearch, the audit chain under
concurrent appends (advisory lock), a destruction end to end with its files purged from MinIO.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from archive.audit import AuditDraft, append, verify
from archive.config import ArchiveSettings
from archive.main import create_app
from pusip_kit.testing.db import create_postgres_database, drop_postgres_database
from pusip_kit.testing.servers import require
from pusip_kit.testing.service import ServiceClient, run_service, settings_for_test, shared_test_issuer
from pusip_kit.uow import unit_of_work

pytestmark = pytest.mark.services

UNITS = ["dispusip", "dispusip/bidang-arsip", "dispusip/bidang-layanan", "dinkes"]
LEVELS = ["BIASA", "TERBATAS", "RAHASIA", "SANGAT_RAHASIA"]


@pytest_asyncio.fixture
async def distributed(tmp_path: Path) -> AsyncIterator[ServiceClient]:
    servers = require("postgres")
    require("elasticsearch")
    require("minio")
    url = create_postgres_database("pusip_archive_test")
    issuer = shared_test_issuer()
    settings = settings_for_test(
        ArchiveSettings,
        tmp_path,
        issuer,
        database_url=url,
        search_backend="elasticsearch",
        elasticsearch_url=servers.elasticsearch_url,
        elasticsearch_prefix=f"t{uuid.uuid4().hex[:10]}",
        storage_backend="minio",
        minio_endpoint=servers.minio_endpoint,
        minio_access_key=servers.minio_access_key,
        minio_secret_key=servers.minio_secret_key,
    )
    try:
        async with run_service(create_app, settings, issuer=issuer) as service:
            try:
                yield service
            finally:
                await service.app.state.archive_runtime.index.drop()
    finally:
        drop_postgres_database(url)


async def test_policy_search_audit_and_disposal_on_the_distributed_stack(
    distributed: ServiceClient, archive_factory: Any
) -> None:
    archive = archive_factory(distributed)
    client = distributed
    await archive.instruments()
    ids = []
    for i in range(16):
        record = await archive.record(
            level=LEVELS[i % 4], unit=UNITS[(i // 4) % 4], title=f"Surat dinas {i}", headers=archive.admin
        )
        ids.append(record["id"])
    await archive.run_tasks()
    for category in ("publik", "pengolah", "pengawas_internal", "penentu_kebijakan:tinggi", "penegak_hukum"):
        for unit in (None, "dispusip", "dispusip/bidang-arsip"):
            for clearance in ("BIASA", "RAHASIA"):
                headers = archive.headers(roles=["patron"], unit=unit, clearance=clearance, category=category)
                searched = await client.get(
                    "/records/search", params={"q": "surat", "limit": 100}, headers=headers
                )
                listed = await client.get("/records", params={"limit": 100}, headers=headers)
                direct = {
                    i for i in ids if (await client.get(f"/records/{i}", headers=headers)).status_code == 200
                }
                assert {r["id"] for r in searched.json()["items"]} == direct, (category, unit, clearance)
                assert {r["id"] for r in listed.json()["items"]} == direct, (category, unit, clearance)

    async def writer(n: int) -> None:
        for j in range(5):
            async with unit_of_work(client.sessionmaker) as session:
                await append(
                    session, AuditDraft(actor=f"w{n}", action="read", outcome="allowed", record_id=f"{n}-{j}")
                )

    await asyncio.gather(*(writer(n) for n in range(6)))
    async with client.session() as session:
        assert (await verify(session)).ok

    record = await archive.record(level="RAHASIA")
    uploaded = (await archive.upload(record["id"], b"Isi naskah yang akan dimusnahkan\n" * 10)).json()
    await archive.transfer([record["id"]])
    proposal = await archive.decreed_disposal([record["id"]])
    done = await client.post(
        f"/disposals/{proposal['id']}/execute", json=archive.EXECUTION, headers=archive.archivist
    )
    assert done.status_code == 200 and done.json()["status"] == "dimusnahkan"
    await archive.run_tasks()
    gone = await client.get(f"/records/{record['id']}/files/{uploaded['id']}", headers=archive.archivist)
    assert gone.status_code == 404
    for document in done.json()["documents"]:
        assert (
            await client.get(f"/documents/{document['id']}", headers=archive.archivist)
        ).content.startswith(b"%PDF")
    assert (await client.get("/audit/verify", headers=archive.admin)).json()["ok"] is True
