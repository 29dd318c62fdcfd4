"""``pusip backup`` / ``pusip restore`` in distributed mode, against the real PostgreSQL, MinIO and
Elasticsearch of ``make services-up``.

The source installation gets five fresh PostgreSQL databases and its own MinIO bucket prefix; the
restore goes to five databases that do not exist yet (``pusip restore`` creates them) and another
prefix, and the search indexes are rebuilt on Elasticsearch under a prefix of their own. The gateway
hosts the built-in issuer, so the identity store and signing keys travel too.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pusip.backup import objects as objects_mod
from pusip.backup.core import current_installation
from pusip.cli import app
from pusip_kit.config import SERVICE_NAMES
from pusip_kit.testing.db import create_postgres_database, drop_postgres_database, postgres_server_url
from pusip_kit.testing.servers import require

from .helpers import add_objects, add_signing_keys, differences, environment, snapshot

pytestmark = [pytest.mark.services, pytest.mark.timeout(1200)]


@dataclass
class Side:
    root: Path
    databases: dict[str, str]
    bucket_prefix: str
    env: dict[str, str | None]


def _side(base: Path, label: str, databases: dict[str, str], search_prefix: str) -> Side:
    servers = require("postgres")
    prefix = f"t{uuid.uuid4().hex[:8]}{label[0]}-"
    root = base / label
    env: dict[str, str | None] = {
        "PUSIP_MODE": "distributed",
        "PUSIP_ENVIRONMENT": "test",
        "PUSIP_DATA_DIR": str(root),
        "PUSIP_PORT_BASE": None,
        "PUSIP_OIDC_ISSUER": None,
        "PUSIP_OIDC_JWKS_URL": None,
        "PUSIP_GATEWAY_URL": None,
        "PUSIP_STORAGE_BACKEND": None,
        "PUSIP_SEARCH_BACKEND": None,
        "PUSIP_BROKER_URL": servers.redis_url,
        "PUSIP_GATEWAY_EMBEDDED_ISSUER": "1",
        "PUSIP_ELASTICSEARCH_URL": servers.elasticsearch_url,
        "PUSIP_CATALOG_ELASTICSEARCH_PREFIX": search_prefix,
        "PUSIP_ARCHIVE_ELASTICSEARCH_PREFIX": search_prefix,
        "PUSIP_MINIO_ENDPOINT": servers.minio_endpoint,
        "PUSIP_MINIO_ACCESS_KEY": servers.minio_access_key,
        "PUSIP_MINIO_SECRET_KEY": servers.minio_secret_key,
        "PUSIP_MINIO_BUCKET_PREFIX": prefix,
    }
    for name, url in databases.items():
        env[f"PUSIP_{name.upper()}_POSTGRES_URL"] = url
        env[f"PUSIP_{name.upper()}_DATABASE_URL"] = None
    return Side(root, databases, prefix, env)


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def _remove_buckets(prefix: str) -> None:
    servers = require("minio")
    from minio import Minio

    client = Minio(servers.minio_endpoint, servers.minio_access_key, servers.minio_secret_key, secure=False)
    for bucket in client.list_buckets():
        if not bucket.name.startswith(prefix):
            continue
        for obj in client.list_objects(bucket.name, recursive=True):
            if obj.object_name:
                client.remove_object(bucket.name, obj.object_name)
        client.remove_bucket(bucket.name)


async def _drop_indexes() -> None:
    from archive.runtime import acquire_runtime as archive_runtime
    from archive.runtime import release_runtime as release_archive
    from catalog.runtime import acquire_runtime as catalog_runtime
    from catalog.runtime import release_runtime as release_catalog

    inst = current_installation()
    catalog = catalog_runtime(inst.services["catalog"])  # type: ignore[arg-type]
    try:
        await catalog.index.drop()
    finally:
        await release_catalog(catalog)
    archive = archive_runtime(inst.services["archive"])  # type: ignore[arg-type]
    try:
        await archive.index.drop()
    finally:
        await release_archive(archive)


@pytest.fixture(autouse=True)
def _restore_environment() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def sides(tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    require("postgres")
    require("minio")
    require("elasticsearch")
    search_prefix = f"pusipbk-{uuid.uuid4().hex[:10]}"
    source_dbs = {name: create_postgres_database(f"pusip_bk_src_{name[:5]}") for name in SERVICE_NAMES}
    # the restore creates these itself
    target_dbs = {
        name: postgres_server_url(f"pusip_bk_dst_{name[:5]}_{uuid.uuid4().hex[:10]}")
        for name in SERVICE_NAMES
    }
    source = _side(tmp_path, "source", source_dbs, search_prefix)
    target = _side(tmp_path, "target", target_dbs, search_prefix)
    try:
        yield source, target
    finally:
        for url in [*source_dbs.values(), *target_dbs.values()]:
            drop_postgres_database(url)
        for side in (source, target):
            _remove_buckets(side.bucket_prefix)
        with environment(target.env):
            asyncio.run(_drop_indexes())


def test_round_trip_on_postgresql_and_minio(sides: tuple[Side, Side], tmp_path: Path) -> None:
    source, target = sides
    out = tmp_path / "out"
    with environment(source.env):
        for command in (("migrate",), ("demo-data",)):
            result = run(*command)
            assert result.exit_code == 0, result.output
        assert add_objects("a") == 4
        add_signing_keys()
        expected = snapshot()
        assert len(expected["objects"]) >= 4
        assert {label.split("-")[0] for label in expected["rows"]} == {*SERVICE_NAMES, "gateway"}
        backed_up = run("backup", "--out", str(out))
        assert backed_up.exit_code == 0, backed_up.output
    archive = next(out.glob("*.tar"))

    with environment(target.env):
        restored = run("restore", str(archive))
        assert restored.exit_code == 0, restored.output
        assert "database created" in restored.output
        assert "search index rebuilt" in restored.output
        assert differences(expected, snapshot()) == []
        # the restored objects are in the target's own buckets
        for settings in current_installation().services.values():
            assert settings.minio_bucket_prefix == target.bucket_prefix
        buckets = objects_mod.service_buckets(current_installation().services["catalog"])
        assert "catalog-eresources" in buckets

        again = run("restore", str(archive))
        assert again.exit_code == 1
        assert "not empty" in again.output
        add_objects("b")  # something the backup does not have
        forced = run("restore", "--force", str(archive))
        assert forced.exit_code == 0, forced.output
        assert differences(expected, snapshot()) == []
