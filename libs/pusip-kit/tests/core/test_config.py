from pathlib import Path

import pytest
from pydantic import ValidationError

from pusip_kit.config import DEVELOPMENT_SECRET, Environment, Mode, ServiceSettings


class DemoSettings(ServiceSettings):
    service_name = "catalog"
    model_config = ServiceSettings.model_config | {"env_prefix": "PUSIP_CATALOG_"}


def test_embedded_defaults_use_files_under_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUSIP_DATA_DIR", str(tmp_path))
    s = DemoSettings()
    assert s.mode is Mode.EMBEDDED
    assert s.port == 8001
    assert s.database_url == f"sqlite+aiosqlite:///{tmp_path / 'catalog' / 'catalog.db'}"
    assert s.broker_url == f"sqla+sqlite:///{tmp_path / 'broker.db'}"
    assert (s.search_backend, s.storage_backend) == ("tantivy", "local")
    assert s.oidc_jwks_url == "http://127.0.0.1:8000/auth/jwks"


def test_distributed_defaults_use_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUSIP_MODE", "distributed")
    monkeypatch.setenv("PUSIP_CATALOG_POSTGRES_URL", "postgresql+psycopg://u:p@db:5432/cat")
    s = DemoSettings()
    assert s.database_url == "postgresql+psycopg://u:p@db:5432/cat"
    assert s.broker_url.startswith("redis://")
    assert (s.search_backend, s.storage_backend) == ("elasticsearch", "minio")


def test_service_prefix_overrides_suite_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUSIP_SEARCH_BACKEND", "tantivy")
    monkeypatch.setenv("PUSIP_CATALOG_SEARCH_BACKEND", "elasticsearch")
    monkeypatch.setenv("PUSIP_CATALOG_PORT", "9101")
    s = DemoSettings()
    assert s.search_backend == "elasticsearch"
    assert s.port == 9101


def test_production_refuses_default_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUSIP_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="secret_key"):
        DemoSettings()
    monkeypatch.setenv("PUSIP_SECRET_KEY", "a-long-enough-production-secret")
    with pytest.raises(ValidationError, match="minio_secret_key"):
        DemoSettings()
    monkeypatch.setenv("PUSIP_MINIO_SECRET_KEY", "another-long-enough-secret")
    assert DemoSettings().environment is Environment.PRODUCTION


def test_development_accepts_the_development_secret() -> None:
    assert DemoSettings().secret_key == DEVELOPMENT_SECRET
