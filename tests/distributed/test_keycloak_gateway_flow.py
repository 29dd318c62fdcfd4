"""The distributed deployment for real: Keycloak tokens through the gateway, PostgreSQL databases,
Elasticsearch, MinIO and a Redis broker carrying an event from catalog to circulation.

``pusip up --only gateway,catalog,circulation`` runs with ``PUSIP_MODE=distributed`` against the
servers of ``make services-up``: a librarian's branch created in the catalog with a Keycloak-issued
token reaches circulation's replica through the outbox, the Redis broker and circulation's worker.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from pusip_kit.testing.db import create_postgres_database, drop_postgres_database
from pusip_kit.testing.servers import require

pytestmark = [pytest.mark.services, pytest.mark.timeout(600)]

REDIS_DB = 11
READY_TIMEOUT = 420.0  # shared CI machines can be slow to start the suite


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    servers = require("postgres")
    for name in ("redis", "elasticsearch", "minio", "keycloak"):
        require(name)
    redis_url = servers.redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}"
    redis.Redis.from_url(redis_url).flushdb()
    databases = {name: create_postgres_database(f"pusip_flow_{name}") for name in ("catalog", "circulation")}
    port_base = random.randrange(20000, 28000, 10)
    data_dir = tmp_path_factory.mktemp("distributed")
    env = {
        **os.environ,
        "PUSIP_MODE": "distributed",
        "PUSIP_ENVIRONMENT": "development",
        "PUSIP_DATA_DIR": str(data_dir),
        "PUSIP_PORT_BASE": str(port_base),
        "PUSIP_CATALOG_POSTGRES_URL": databases["catalog"],
        "PUSIP_CIRCULATION_POSTGRES_URL": databases["circulation"],
        "PUSIP_BROKER_URL": redis_url,
        "PUSIP_ELASTICSEARCH_URL": servers.elasticsearch_url,
        "PUSIP_MINIO_ENDPOINT": servers.minio_endpoint,
        "PUSIP_MINIO_ACCESS_KEY": servers.minio_access_key,
        "PUSIP_MINIO_SECRET_KEY": servers.minio_secret_key,
        "PUSIP_OIDC_ISSUER": servers.keycloak_issuer,
        "PUSIP_LOG_JSON": "1",
    }
    log = (data_dir / "up.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pusip",
            "up",
            "--only",
            "gateway,catalog,circulation",
            "--port-base",
            str(port_base),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    gateway = f"http://127.0.0.1:{port_base}"
    try:
        _wait_ready(gateway, proc, data_dir / "up.log")
        yield gateway
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        log.close()
        for url in databases.values():
            drop_postgres_database(url)
        redis.Redis.from_url(redis_url).flushdb()


def _wait_ready(gateway: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"pusip up exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        with contextlib.suppress(httpx.HTTPError):
            ready = [
                httpx.get(f"{gateway}/api/{s}/readyz", timeout=2).status_code
                for s in ("catalog", "circulation")
            ]
            if ready == [200, 200]:
                return
        time.sleep(1)
    pytest.fail(f"the distributed suite was not ready in {READY_TIMEOUT} s:\n{log.read_text()[-4000:]}")


def keycloak_token(username: str) -> str:
    servers = require("keycloak")
    response = httpx.post(
        f"{servers.keycloak_issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "pusip-portal",
            "client_secret": "pusip-portal-secret",
            "username": username,
            "password": f"pusip-demo-{username}",
            "scope": "openid",
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def test_a_branch_created_with_a_keycloak_token_reaches_circulation_through_redis(suite: str) -> None:
    token = keycloak_token("admin")
    headers = {"Authorization": f"Bearer {token}"}
    code = f"uji-{uuid.uuid4().hex[:8]}"
    created = httpx.post(
        f"{suite}/api/catalog/branches",
        json={
            "code": code,
            "name": "Perpustakaan Uji Terdistribusi",
            "type": "rptra",
            "city": "jakarta-timur",
        },
        headers=headers,
        timeout=30,
    )
    assert created.status_code == 201, created.text
    deadline = time.monotonic() + 60
    replica = None
    while time.monotonic() < deadline:
        replica = httpx.get(f"{suite}/api/circulation/branches/{code}", headers=headers, timeout=10)
        if replica.status_code == 200:
            break
        time.sleep(0.5)
    assert replica is not None and replica.status_code == 200, replica.text if replica else None
    assert replica.json()["name"] == "Perpustakaan Uji Terdistribusi"


def test_keycloak_roles_are_enforced_and_foreign_tokens_refused(suite: str) -> None:
    patron = {"Authorization": f"Bearer {keycloak_token('pemustaka')}"}
    refused = httpx.post(
        f"{suite}/api/catalog/branches",
        json={"code": "tidak-boleh", "name": "X", "type": "rptra", "city": "jakarta-timur"},
        headers=patron,
        timeout=30,
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "missing_role"
    forged = token_with_flipped_signature(keycloak_token("admin"))
    response = httpx.get(
        f"{suite}/api/circulation/branches", headers={"Authorization": f"Bearer {forged}"}, timeout=30
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_invalid_signature"


def token_with_flipped_signature(token: str) -> str:
    head, body, signature = token.split(".")
    flipped = ("A" if signature[10] != "A" else "B") + signature[11:]
    return f"{head}.{body}.{signature[:10]}{flipped}"
