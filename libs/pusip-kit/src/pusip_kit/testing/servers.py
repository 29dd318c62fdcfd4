"""Where the real servers started by ``make services-up`` listen, for ``make test-services``.

Ports are deliberately off the usual ones so a system PostgreSQL or Redis never answers by
mistake. Each can be overridden by its environment variable. A test that needs a server
calls :func:`require`, which fails (never skips) with a message naming the server and the
command that starts it.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest


@dataclass(frozen=True)
class RealServers:
    postgres_url: str = os.environ.get(
        "PUSIP_TEST_POSTGRES_URL", "postgresql+psycopg://pusip:pusip@127.0.0.1:55432/postgres"
    )
    redis_url: str = os.environ.get("PUSIP_TEST_REDIS_URL", "redis://127.0.0.1:56379/0")
    elasticsearch_url: str = os.environ.get("PUSIP_TEST_ELASTICSEARCH_URL", "http://127.0.0.1:59200")
    minio_endpoint: str = os.environ.get("PUSIP_TEST_MINIO_ENDPOINT", "127.0.0.1:59000")
    minio_access_key: str = os.environ.get("PUSIP_TEST_MINIO_ACCESS_KEY", "pusip")
    minio_secret_key: str = os.environ.get("PUSIP_TEST_MINIO_SECRET_KEY", "pusip-dev-minio-secret")
    keycloak_url: str = os.environ.get("PUSIP_TEST_KEYCLOAK_URL", "http://127.0.0.1:58080")
    keycloak_realm: str = os.environ.get("PUSIP_TEST_KEYCLOAK_REALM", "pusip")

    @property
    def keycloak_issuer(self) -> str:
        return f"{self.keycloak_url}/realms/{self.keycloak_realm}"


SERVERS = RealServers()


def _address(name: str) -> tuple[str, int]:
    url = {
        "postgres": SERVERS.postgres_url,
        "redis": SERVERS.redis_url,
        "elasticsearch": SERVERS.elasticsearch_url,
        "minio": f"http://{SERVERS.minio_endpoint}",
        "keycloak": SERVERS.keycloak_url,
    }[name]
    parsed = urlparse(url.replace("+psycopg", ""))
    return parsed.hostname or "127.0.0.1", parsed.port or 80


def require(name: str) -> RealServers:
    """Fail the test clearly unless the named real server accepts connections."""
    host, port = _address(name)
    try:
        with socket.create_connection((host, port), timeout=2):
            pass
    except OSError as exc:
        pytest.fail(
            f"{name} is not reachable at {host}:{port} ({exc}). "
            "Start the real servers with `make services-up` before `make test-services`.",
            pytrace=False,
        )
    return SERVERS
