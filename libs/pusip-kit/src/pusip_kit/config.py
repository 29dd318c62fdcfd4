"""Settings shared by every service and the gateway.

Each service subclasses :class:`ServiceSettings` with its own environment prefix
(``PUSIP_CATALOG_``, ``PUSIP_GATEWAY_`` …). Values not set for a service fall back to
the suite-wide ``PUSIP_`` variables through :func:`suite_default`, so one environment
configures a whole embedded installation while any service can still be overridden.
"""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "pusip-development-secret-change-me"  # noqa: S105 - refused outside development


class Mode(StrEnum):
    EMBEDDED = "embedded"
    DISTRIBUTED = "distributed"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


SERVICE_NAMES: tuple[str, ...] = ("catalog", "circulation", "deposit", "archive", "accreditation")
SERVICE_PORTS: dict[str, int] = {
    "gateway": 8000,
    "catalog": 8001,
    "circulation": 8002,
    "deposit": 8003,
    "archive": 8004,
    "accreditation": 8005,
}


def service_port(name: str) -> int:
    """Where a component listens locally: ``PUSIP_<NAME>_PORT``, else its default port shifted by
    ``PUSIP_PORT_BASE`` (the gateway's port; the services follow at the same offsets), else the default.

    ``PUSIP_PORT_BASE=18000`` puts the gateway on 18000 and the services on 18001–18005, so a second
    installation (a test run, say) never collides with a developer's running one. Unknown names: 0.
    """
    explicit = os.environ.get(f"PUSIP_{name.upper()}_PORT")
    if explicit:
        return int(explicit)
    if name not in SERVICE_PORTS:
        return 0
    base = os.environ.get("PUSIP_PORT_BASE")
    if base:
        return int(base) + SERVICE_PORTS[name] - SERVICE_PORTS["gateway"]
    return SERVICE_PORTS[name]


def suite_default(name: str, default: str) -> str:
    """A suite-wide value: ``PUSIP_<NAME>`` from the environment, else ``default``."""
    return os.environ.get(f"PUSIP_{name.upper()}", default)


def _optional_int(name: str) -> int | None:
    """A suite-wide whole number (``PUSIP_<NAME>``), ``None`` when unset or empty."""
    raw = suite_default(name, "").strip()
    return int(raw) if raw else None


def _optional_float(name: str) -> float | None:
    raw = suite_default(name, "").strip()
    return float(raw) if raw else None


def data_dir() -> Path:
    return Path(suite_default("data_dir", str(Path.cwd() / "var"))).resolve()


class ServiceSettings(BaseSettings):
    """Settings every service has. Subclasses set ``service_name`` and ``env_prefix``."""

    service_name: ClassVar[str] = "service"
    model_config = SettingsConfigDict(env_prefix="PUSIP_SERVICE_", extra="ignore")

    environment: Environment = Field(
        default_factory=lambda: Environment(suite_default("environment", "development"))
    )
    mode: Mode = Field(default_factory=lambda: Mode(suite_default("mode", "embedded")))
    host: str = "127.0.0.1"
    port: int = 0
    data_dir: Path = Field(default_factory=data_dir)
    secret_key: str = Field(default_factory=lambda: suite_default("secret_key", DEVELOPMENT_SECRET))

    database_url: str = ""
    database_pool_size: int | None = Field(default_factory=lambda: _optional_int("database_pool_size"), ge=1)
    """Connections each process keeps open to its database; unset: 10 on PostgreSQL, 5 on a SQLite file.
    ``PUSIP_<SERVICE>_DATABASE_POOL_SIZE``, or suite-wide ``PUSIP_DATABASE_POOL_SIZE``."""
    database_max_overflow: int | None = Field(
        default_factory=lambda: _optional_int("database_max_overflow"), ge=0
    )
    """Connections opened beyond the pool in a burst (closed when handed back); unset: as many as the
    pool on PostgreSQL, 10 on a SQLite file."""
    database_pool_timeout: float | None = Field(
        default_factory=lambda: _optional_float("database_pool_timeout"), gt=0
    )
    """Seconds a request waits for a free connection before its 503 ``database_busy``; unset: 30."""
    broker_url: str = Field(default_factory=lambda: suite_default("broker_url", ""))
    search_backend: str = Field(default_factory=lambda: suite_default("search_backend", ""))
    elasticsearch_url: str = Field(
        default_factory=lambda: suite_default("elasticsearch_url", "http://127.0.0.1:9200")
    )
    storage_backend: str = Field(default_factory=lambda: suite_default("storage_backend", ""))
    minio_endpoint: str = Field(default_factory=lambda: suite_default("minio_endpoint", "127.0.0.1:9000"))
    minio_access_key: str = Field(default_factory=lambda: suite_default("minio_access_key", "pusip"))
    minio_secret_key: str = Field(
        default_factory=lambda: suite_default("minio_secret_key", "pusip-dev-minio-secret")
    )
    minio_secure: bool = False
    minio_bucket_prefix: str = Field(default_factory=lambda: suite_default("minio_bucket_prefix", ""))
    """Put before every bucket name on MinIO (``<prefix>catalog-eresources``): several installations,
    or test runs, can share one MinIO server. Empty by default; ignored by the local store."""

    oidc_issuer: str = Field(
        default_factory=lambda: suite_default(
            "oidc_issuer", f"http://127.0.0.1:{service_port('gateway')}/auth"
        )
    )
    oidc_jwks_url: str = Field(default_factory=lambda: suite_default("oidc_jwks_url", ""))
    oidc_audience: str = Field(default_factory=lambda: suite_default("oidc_audience", "pusip"))

    gateway_url: str = Field(
        default_factory=lambda: suite_default("gateway_url", f"http://127.0.0.1:{service_port('gateway')}")
    )
    trusted_proxies: list[str] = Field(
        default_factory=lambda: json.loads(suite_default("trusted_proxies", '["127.0.0.1", "::1"]'))
    )
    """Peers (the gateway) whose ``X-Forwarded-For/-Proto/-Host/-Prefix`` are believed: addresses or
    networks (``10.0.0.0/8``); suite-wide ``PUSIP_TRUSTED_PROXIES``, loopback by default; see
    :mod:`pusip_kit.forwarded`."""
    log_level: str = Field(default_factory=lambda: suite_default("log_level", "INFO"))
    log_json: bool = Field(default_factory=lambda: suite_default("log_json", "1") not in ("0", "false"))

    @model_validator(mode="after")
    def _fill_mode_defaults(self) -> Self:
        name = self.service_name
        if not self.port:
            self.port = service_port(name)
        embedded = self.mode is Mode.EMBEDDED
        if not self.database_url:
            self.database_url = (
                f"sqlite+aiosqlite:///{self.data_dir / name / f'{name}.db'}"
                if embedded
                else suite_default(
                    f"{name}_postgres_url",
                    f"postgresql+psycopg://pusip:pusip@127.0.0.1:5432/pusip_{name}",
                )
            )
        if not self.broker_url:
            self.broker_url = (
                f"sqla+sqlite:///{self.data_dir / 'broker.db'}" if embedded else "redis://127.0.0.1:6379/0"
            )
        if not self.search_backend:
            self.search_backend = "tantivy" if embedded else "elasticsearch"
        if not self.storage_backend:
            self.storage_backend = "local" if embedded else "minio"
        if not self.oidc_jwks_url:
            # the built-in issuer publishes <issuer>/jwks; Keycloak publishes under openid-connect
            issuer = self.oidc_issuer.rstrip("/")
            self.oidc_jwks_url = f"{issuer}/jwks" if embedded else f"{issuer}/protocol/openid-connect/certs"
        return self

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Self:
        if self.environment is Environment.PRODUCTION:
            weak = [
                name
                for name, value, default in (
                    ("secret_key", self.secret_key, DEVELOPMENT_SECRET),
                    ("minio_secret_key", self.minio_secret_key, "pusip-dev-minio-secret"),
                )
                if value == default or len(value) < 16
            ]
            if weak:
                raise ValueError(
                    "Rahasia bawaan tidak boleh dipakai di produksi / default secrets refused in production: "
                    + ", ".join(weak)
                )
        return self

    @property
    def service_dir(self) -> Path:
        """This service's own folder under the data directory (database, index, objects)."""
        path = self.data_dir / self.service_name
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


def service_url(name: str) -> str:
    """Where a service listens: ``PUSIP_<NAME>_URL`` or its local port (:func:`service_port`)."""
    return os.environ.get(f"PUSIP_{name.upper()}_URL", f"http://127.0.0.1:{service_port(name)}")


def settings_for(cls: type[ServiceSettings], **overrides: Any) -> ServiceSettings:
    return cls(**overrides)
