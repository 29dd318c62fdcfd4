"""``pusip reconcile`` finds exactly the drift planted in a catalog, repairs what can be rebuilt from
the database, and exits 1 while anything remains.

The catalog is the service with every kind of derived state: a search index (missing, stale and
orphan documents), object buckets (orphan and missing objects, SHA-256 mismatches) and an outbox.
The same planting runs on an embedded data directory (SQLite, Tantivy, local objects, the SQLite
broker) and, with the ``services`` marker, on the real PostgreSQL, Elasticsearch and MinIO.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from catalog.config import CatalogSettings
from catalog.domain_events import enqueue_index
from catalog.main import create_app
from catalog.models import BibRecord, ImportJob
from catalog.runtime import acquire_runtime, release_runtime
from catalog.search.documents import documents_for
from pusip.cli import app
from pusip_kit.db.engine import Database
from pusip_kit.outbox import outbox
from pusip_kit.testing.service import run_service
from pusip_kit.uow import unit_of_work

from .helpers import environment

CATALOGER = {"roles": ["cataloger"]}
UPLOADED = b'[{"leader": "00000nam a2200000 a 4500", "fields": [{"245": {"ind1": "1", "ind2": "0", '
UPLOADED += b'"subfields": [{"a": "Buku impor"}]}}]}]'

Finding = tuple[str, str, str]
"""(check, kind, subject)"""


def marc(title: str) -> dict[str, Any]:
    return {
        "leader": "00000nam a2200000 a 4500",
        "fields": [
            {"008": "260101s2005    io            000 0 ind d"},
            {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": title}]}},
        ],
    }


def reconcile(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["reconcile", "--service", "catalog", "--grace-seconds", "0", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout) if "--json" in args else {"output": result.output}


def findings(services: list[dict[str, Any]]) -> set[Finding]:
    return {
        (check["check"], f["kind"], f["subject"])
        for service in services
        for check in service["checks"]
        for f in check["findings"]
    }


def repaired(report: dict[str, Any]) -> dict[str, int]:
    return {c["check"]: c["repaired"] for s in report["services"] for c in s["checks"] if c["repaired"]}


@dataclass
class World:
    records: list[str]
    jobs: list[tuple[str, str, str]]  # (job id, object key, sha256)
    planted: set[Finding] = field(default_factory=set)
    titles: dict[str, Any] = field(default_factory=dict)
    """What the index held for the stale record before it was made stale."""


async def build_world() -> World:
    """Four records and two import uploads through the API (no worker ran: the first
    ``reconcile --repair`` indexes the records and relays the outbox, and then nothing drifts)."""
    settings = CatalogSettings()
    async with run_service(create_app, settings) as client:
        records = []
        for n in range(4):
            response = await client.post(
                "/records", json=marc(f"Rekonsiliasi {n}"), headers=client.bearer(**CATALOGER)
            )
            assert response.status_code == 201, response.text
            records.append(response.json()["id"])
        for n in range(2):
            response = await client.post(
                "/imports",
                files={"file": (f"impor-{n}.json", UPLOADED, "application/octet-stream")},
                headers=client.bearer(**CATALOGER),
            )
            assert response.status_code == 202, response.text
        async with client.session() as session:
            rows = (await session.execute(select(ImportJob.id, ImportJob.object_key, ImportJob.sha256))).all()
    assert len(rows) == 2 and all(key and sha for _, key, sha in rows), rows
    jobs = sorted((str(job_id), str(key), str(sha)) for job_id, key, sha in rows)
    return World(records, jobs)


async def plant(world: World) -> None:
    """One of each kind of drift, written the way a crash or a lost message would leave it."""
    settings = CatalogSettings()
    database = Database(settings.database_url, null_pool=True)
    runtime = acquire_runtime(settings)
    index, store = runtime.index, runtime.imports_store
    missing, stale, source = world.records[:3]
    try:
        async with database.session() as session:
            docs, _ = await documents_for(session, [uuid.UUID(stale), uuid.UUID(source)])
        by_id = {d["id"]: d for d in docs}
        world.titles[stale] = by_id[stale]["title"]
        # a record whose document was lost, one whose re-index was lost, a document of no record
        orphan = str(uuid.uuid4())
        await index.delete([missing])
        await index.index(
            [{**by_id[stale], "title": "Judul yang sudah usang"}, {**by_id[source], "id": orphan}]
        )
        await index.commit()
        world.planted |= {
            ("search:catalog_records", "missing_from_index", missing),
            ("search:catalog_records", "stale_in_index", stale),
            ("search:catalog_records", "orphan_in_index", orphan),
        }
        # an upload whose row never committed, an object gone, an object whose row says other bytes
        (_, gone_key, _), (odd_job, odd_key, _) = world.jobs
        await store.put("tak-bertuan/sisa-unggahan.bin", b"unggahan yang terputus")
        await store.delete(gone_key)
        async with unit_of_work(database.sessionmaker) as session:
            await session.execute(
                update(ImportJob)
                .where(ImportJob.id == uuid.UUID(odd_job))
                .values(sha256=hashlib.sha256(b"isi lain").hexdigest())
            )
        world.planted |= {
            ("objects:catalog-imports", "orphan_object", "tak-bertuan/sisa-unggahan.bin"),
            ("objects:catalog-imports", "missing_object", gone_key),
            ("objects:catalog-imports", "sha256_mismatch", odd_key),
        }
        # a committed change whose outbox row was not relayed yet
        async with unit_of_work(database.sessionmaker) as session:
            await enqueue_index(session, [world.records[3]])
        async with database.session() as session:
            pending = await session.scalar(select(outbox.c.id).where(outbox.c.status == "pending"))
        world.planted.add(("outbox", "outbox_pending", str(pending)))
    finally:
        await release_runtime(runtime)
        await database.dispose()


async def index_state(world: World, orphan: str) -> dict[str, Any]:
    settings = CatalogSettings()
    runtime = acquire_runtime(settings)
    try:
        ids = await runtime.index.all_ids()
        stale = await runtime.index.get(world.records[1])
        return {
            "live_indexed": set(world.records) <= ids,
            "orphan_indexed": orphan in ids,
            "stale_title": (stale or {}).get("title"),
            "orphan_object": await runtime.imports_store.exists("tak-bertuan/sisa-unggahan.bin"),
        }
    finally:
        await release_runtime(runtime)


async def restore_from_backup(world: World) -> None:
    """What only a backup can do: put the lost object back, and the row's true digest."""
    settings = CatalogSettings()
    database = Database(settings.database_url, null_pool=True)
    runtime = acquire_runtime(settings)
    try:
        (_, gone_key, _), (odd_job, _, odd_sha) = world.jobs
        await runtime.imports_store.put(gone_key, UPLOADED)
        async with unit_of_work(database.sessionmaker) as session:
            await session.execute(
                update(ImportJob).where(ImportJob.id == uuid.UUID(odd_job)).values(sha256=odd_sha)
            )
    finally:
        await release_runtime(runtime)
        await database.dispose()


async def live_records() -> int:
    database = Database(CatalogSettings().database_url, null_pool=True)
    try:
        async with database.session() as session:
            return len(list((await session.execute(select(BibRecord.id))).scalars()))
    finally:
        await database.dispose()


def check_plant_repair(world: World) -> None:
    # a clean world: exit 0
    code, report = reconcile("--repair", "--json")
    assert code == 0 and report["clean"], report
    code, report = reconcile("--json")
    assert (code, report["drift"]) == (0, 0), report

    asyncio.run(plant(world))
    orphan = next(s for c, k, s in world.planted if k == "orphan_in_index")

    # look: exactly what was planted, exit 1, nothing touched
    code, report = reconcile("--json")
    assert code == 1
    assert findings(report["services"]) == world.planted
    assert report["after_repair"] is None and report["repaired"] == 0
    unrepairable = {
        (c["check"], f["kind"], f["subject"])
        for c in report["services"][0]["checks"]
        for f in c["findings"]
        if not f["repairable"]
    }
    assert {k for _, k, _ in unrepairable} == {"missing_object", "sha256_mismatch"}

    # repair: everything rebuildable from the database is put right; the rest remains, exit 1
    code, report = reconcile("--repair", "--json")
    assert code == 1
    assert findings(report["services"]) == world.planted
    assert findings(report["after_repair"]) == unrepairable
    assert repaired(report) == {"search:catalog_records": 3, "objects:catalog-imports": 1, "outbox": 1}
    state = asyncio.run(index_state(world, orphan))
    assert state == {
        "live_indexed": True,
        "orphan_indexed": False,
        "stale_title": world.titles[world.records[1]],
        "orphan_object": False,
    }

    # restored from a backup: no drift, exit 0, and the table says so
    asyncio.run(restore_from_backup(world))
    code, out = reconcile()
    assert code == 0, out
    assert "no drift" in out["output"]
    assert asyncio.run(live_records()) == 4


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[None]:
    values: dict[str, str | None] = {k: None for k in os.environ if k.startswith("PUSIP_")}
    values.update({"PUSIP_DATA_DIR": str(tmp_path), "PUSIP_ENVIRONMENT": "test", "PUSIP_LOG_JSON": "0"})
    with environment(values):
        yield


def backends() -> tuple[str, str, str]:
    settings = CatalogSettings()
    return settings.database_url.split(":", 1)[0], settings.search_backend, settings.storage_backend


def test_reconcile_finds_exactly_the_planted_drift_and_repairs_it(embedded: None) -> None:
    assert backends() == ("sqlite+aiosqlite", "tantivy", "local")
    world = asyncio.run(build_world())
    check_plant_repair(world)


def test_every_service_reconciles_clean_on_a_fresh_installation(embedded: None) -> None:
    migrated = CliRunner().invoke(app, ["migrate"])
    assert migrated.exit_code == 0, migrated.output
    result = CliRunner().invoke(app, ["reconcile", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [s["service"] for s in report["services"]] == [
        "catalog",
        "circulation",
        "deposit",
        "archive",
        "accreditation",
    ]
    checks = {c["check"] for s in report["services"] for c in s["checks"]}
    assert {"search:catalog_records", "search:archive_records", "objects:accreditation-files"} <= checks
    assert report["clean"] and report["errors"] == 0


def test_reconcile_refuses_an_unknown_service(embedded: None) -> None:
    result = CliRunner().invoke(app, ["reconcile", "--service", "katalog"])
    assert result.exit_code != 0
    assert "layanan tidak dikenal" in result.output and "unknown service" in result.output


@pytest.fixture
def distributed(tmp_path: Path) -> Iterator[None]:
    from pusip_kit.testing.db import create_postgres_database, drop_postgres_database
    from pusip_kit.testing.servers import require

    servers = require("postgres")
    require("elasticsearch")
    require("minio")
    prefix = f"t{uuid.uuid4().hex[:8]}r-"
    url = create_postgres_database("pusip_reconcile")
    values: dict[str, str | None] = {k: None for k in os.environ if k.startswith("PUSIP_")}
    values.update(
        {
            "PUSIP_MODE": "distributed",
            "PUSIP_ENVIRONMENT": "test",
            "PUSIP_LOG_JSON": "0",
            "PUSIP_DATA_DIR": str(tmp_path),
            "PUSIP_BROKER_URL": broker_db(servers.redis_url),
            "PUSIP_CATALOG_POSTGRES_URL": url,
            "PUSIP_ELASTICSEARCH_URL": servers.elasticsearch_url,
            "PUSIP_CATALOG_ELASTICSEARCH_PREFIX": f"pusiprc-{uuid.uuid4().hex[:10]}",
            "PUSIP_MINIO_ENDPOINT": servers.minio_endpoint,
            "PUSIP_MINIO_ACCESS_KEY": servers.minio_access_key,
            "PUSIP_MINIO_SECRET_KEY": servers.minio_secret_key,
            "PUSIP_MINIO_BUCKET_PREFIX": prefix,
        }
    )
    with environment(values):
        try:
            yield
        finally:
            asyncio.run(_drop_index())
            drop_postgres_database(url)
            _remove_buckets(prefix)
            _remove_queues(broker_db(servers.redis_url))


def broker_db(redis_url: str) -> str:
    """A Redis database of its own, so the relayed messages reach no development worker."""
    return f"{redis_url.rsplit('/', 1)[0]}/13"


def _remove_queues(redis_url: str) -> None:
    import redis

    from pusip_kit.config import SERVICE_NAMES

    client = redis.Redis.from_url(redis_url)
    try:
        client.delete(*SERVICE_NAMES, *(key for key in client.scan_iter("_kombu.binding.*")))
    finally:
        client.close()


async def _drop_index() -> None:
    runtime = acquire_runtime(CatalogSettings())
    try:
        await runtime.index.drop()
    finally:
        await release_runtime(runtime)


def _remove_buckets(prefix: str) -> None:
    from minio import Minio

    from pusip_kit.testing.servers import SERVERS

    client = Minio(SERVERS.minio_endpoint, SERVERS.minio_access_key, SERVERS.minio_secret_key, secure=False)
    for bucket in client.list_buckets():
        if bucket.name.startswith(prefix):
            for obj in client.list_objects(bucket.name, recursive=True):
                if obj.object_name:
                    client.remove_object(bucket.name, obj.object_name)
            client.remove_bucket(bucket.name)


@pytest.mark.services
@pytest.mark.timeout(600)
def test_reconcile_on_postgresql_elasticsearch_and_minio(distributed: None) -> None:
    assert backends() == ("postgresql+psycopg", "elasticsearch", "minio")
    world = asyncio.run(build_world())
    check_plant_repair(world)
