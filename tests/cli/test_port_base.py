"""``PUSIP_PORT_BASE`` moves a whole installation (what ``pusip up --port-base`` and the e2e test use)."""

from __future__ import annotations

import pytest

from pusip.components import COMPONENTS
from pusip_kit.config import SERVICE_PORTS, service_port, service_url


def test_defaults_without_a_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PUSIP_PORT_BASE", raising=False)
    for name, port in SERVICE_PORTS.items():
        monkeypatch.delenv(f"PUSIP_{name.upper()}_PORT", raising=False)
        assert service_port(name) == port


def test_every_component_follows_the_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUSIP_PORT_BASE", "18000")
    for name in ("PUSIP_OIDC_ISSUER", "PUSIP_GATEWAY_URL", "PUSIP_CATALOG_URL", "PUSIP_CATALOG_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert service_port("gateway") == 18000
    assert service_port("accreditation") == 18005
    assert service_url("catalog") == "http://127.0.0.1:18001"
    assert service_port("unknown") == 0

    catalog = COMPONENTS["catalog"].settings()
    assert catalog.port == 18001
    assert catalog.oidc_issuer == "http://127.0.0.1:18000/auth"
    assert catalog.oidc_jwks_url == "http://127.0.0.1:18000/auth/jwks"
    assert catalog.gateway_url == "http://127.0.0.1:18000"

    gateway = COMPONENTS["gateway"].settings()
    assert gateway.port == 18000
    assert gateway.service_urls["archive"] == "http://127.0.0.1:18004"  # type: ignore[attr-defined]


def test_an_explicit_port_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUSIP_PORT_BASE", "18000")
    monkeypatch.setenv("PUSIP_CATALOG_PORT", "19999")
    monkeypatch.delenv("PUSIP_CATALOG_URL", raising=False)
    assert service_port("catalog") == 19999
    assert service_url("catalog") == "http://127.0.0.1:19999"
    assert COMPONENTS["catalog"].settings().port == 19999
