"""The distributed deployment (docker-compose.yml) validated offline.

``docker-compose config`` (Debian's docker-compose 1.29) must accept the file, and the file must
keep its promises: every Pusip container and every shared server has a health check, and every
dependency waits for health, not just for a started container.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"

SERVICES = ("catalog", "circulation", "deposit", "archive", "accreditation")
SERVICE_PORTS = {
    "catalog": 8001,
    "circulation": 8002,
    "deposit": 8003,
    "archive": 8004,
    "accreditation": 8005,
}
SERVERS = ("postgres", "elasticsearch", "minio", "redis", "keycloak")
APPS = (*SERVICES, *(f"{s}-worker" for s in SERVICES), "gateway")

SECRETS = {
    "PUSIP_SECRET_KEY": "compose-test-secret-key-0123456789",
    "PUSIP_MINIO_SECRET_KEY": "compose-test-minio-secret",
    "PUSIP_KEYCLOAK_ADMIN_PASSWORD": "compose-test-admin",
}


def _compose_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PUSIP_", "COMPOSE_"))}
    env.update(SECRETS)
    env.update(overrides)
    return env


def _docker_compose() -> str:
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.fail(
            "docker-compose is not installed, so docker-compose.yml cannot be validated. "
            "Install it with `apt-get install -y docker-compose` (or `make system-deps`).",
            pytrace=False,
        )
    return exe


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def resolved() -> dict[str, Any]:
    """The file as docker-compose itself reads it (anchors merged, variables interpolated)."""
    result = subprocess.run(
        [_docker_compose(), "-f", str(COMPOSE), "config"],
        cwd=ROOT,
        env=_compose_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"docker-compose config failed:\n{result.stderr}"
    return yaml.safe_load(result.stdout)


def test_docker_compose_config_accepts_the_file(resolved: dict[str, Any]) -> None:
    assert set(resolved["services"]) >= set(APPS) | set(SERVERS)


def test_missing_secret_key_is_refused() -> None:
    env = _compose_env()
    del env["PUSIP_SECRET_KEY"]
    result = subprocess.run(
        [_docker_compose(), "-f", str(COMPOSE), "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "PUSIP_SECRET_KEY" in result.stderr


def test_every_component_and_server_is_present(compose: dict[str, Any]) -> None:
    services = compose["services"]
    missing = [name for name in (*APPS, *SERVERS) if name not in services]
    assert not missing, f"docker-compose.yml lacks services: {missing}"


def test_every_container_has_a_healthcheck(resolved: dict[str, Any]) -> None:
    without = [
        name for name, svc in resolved["services"].items() if not svc.get("healthcheck", {}).get("test")
    ]
    assert not without, f"services without a healthcheck: {without}"


def test_every_dependency_waits_for_health(resolved: dict[str, Any]) -> None:
    bad = []
    for name, svc in resolved["services"].items():
        deps = svc.get("depends_on", {})
        assert isinstance(deps, dict), f"{name}: depends_on must name conditions, not a list"
        for dep, spec in deps.items():
            if (spec or {}).get("condition") != "service_healthy":
                bad.append(f"{name} -> {dep}")
    assert not bad, f"dependencies not waiting for service_healthy: {bad}"


def test_apps_wait_for_every_server(resolved: dict[str, Any]) -> None:
    for name in (*SERVICES, *(f"{s}-worker" for s in SERVICES)):
        deps = set(resolved["services"][name].get("depends_on", {}))
        assert deps >= set(SERVERS), f"{name} does not wait for {set(SERVERS) - deps}"
    gateway_deps = set(resolved["services"]["gateway"]["depends_on"])
    assert gateway_deps >= set(SERVICES)


def test_commands_and_image(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    for name in SERVICES:
        assert services[name]["command"] == ["pusip", "serve", name]
        assert services[f"{name}-worker"]["command"] == ["pusip", "worker", name]
    assert services["gateway"]["command"] == ["pusip", "serve", "gateway"]
    assert [(int(p["published"]), int(p["target"])) for p in services["gateway"]["ports"]] == [(8000, 8000)]
    for name in APPS:
        assert services[name]["build"]["context"] == str(ROOT), f"{name} is not built from the repository"


def test_distributed_environment(resolved: dict[str, Any]) -> None:
    for name in APPS:
        env = resolved["services"][name]["environment"]
        assert env["PUSIP_MODE"] == "distributed"
        assert env["PUSIP_ENVIRONMENT"] == "production"
        assert env["PUSIP_SECRET_KEY"] == SECRETS["PUSIP_SECRET_KEY"]
        assert env["PUSIP_BROKER_URL"] == "redis://redis:6379/0"
        assert env["PUSIP_ELASTICSEARCH_URL"] == "http://elasticsearch:9200"
        assert env["PUSIP_MINIO_ENDPOINT"] == "minio:9000"
        assert env["PUSIP_MINIO_SECRET_KEY"] == SECRETS["PUSIP_MINIO_SECRET_KEY"]
        assert env["PUSIP_OIDC_ISSUER"] == "http://keycloak:8080/realms/pusip"
        for service, port in SERVICE_PORTS.items():
            url = env[f"PUSIP_{service.upper()}_POSTGRES_URL"]
            assert url.startswith("postgresql+psycopg://pusip:")
            assert url.endswith(f"@postgres:5432/pusip_{service}")
            assert env[f"PUSIP_{service.upper()}_URL"] == f"http://{service}:{port}"


def test_postgres_init_creates_the_service_databases(resolved: dict[str, Any]) -> None:
    init = (ROOT / "infra/compose/postgres-init.sql").read_text(encoding="utf-8")
    for service in SERVICES:
        assert f"CREATE DATABASE pusip_{service} OWNER pusip;" in init
    volumes = [str(v) for v in resolved["services"]["postgres"]["volumes"]]
    assert any("postgres-init.sql" in v and "docker-entrypoint-initdb.d" in v for v in volumes)


def test_keycloak_imports_the_realm(resolved: dict[str, Any]) -> None:
    kc = resolved["services"]["keycloak"]
    assert "--import-realm" in kc["command"]
    assert any("pusip-realm.json" in str(v) for v in kc["volumes"])


def test_dockerfile_builds_the_workspace_as_a_non_root_user() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.11-slim" in text
    assert "uv sync --frozen --no-dev --all-packages" in text
    users = [line.split()[1] for line in text.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0"), "the image must run as a non-root user"
