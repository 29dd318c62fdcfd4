"""The gateway drops an idle upstream connection before the service would: a request is never sent on
a connection the service is closing at that very moment (a reset the client would see as an error)."""

from __future__ import annotations

import pytest

from gateway.config import GatewaySettings
from pusip_kit.app import KEEP_ALIVE_SECONDS


def test_default_upstream_keep_alive_is_shorter_than_the_services() -> None:
    assert GatewaySettings().keepalive_timeout < KEEP_ALIVE_SECONDS


def test_a_keep_alive_as_long_as_the_services_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUSIP_GATEWAY_KEEPALIVE_TIMEOUT", str(KEEP_ALIVE_SECONDS))
    with pytest.raises(ValueError, match="keepalive"):
        GatewaySettings()
