"""``pusip users`` in distributed mode: the accounts live in the real Keycloak realm."""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner

from pusip.cli import app
from pusip_kit.testing.servers import require

pytestmark = pytest.mark.services

PORTAL_CLIENT = ("pusip-portal", "pusip-portal-secret")


@pytest.fixture
def keycloak(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[str]:
    servers = require("keycloak")
    monkeypatch.setenv("PUSIP_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PUSIP_MODE", "distributed")
    monkeypatch.setenv("PUSIP_OIDC_ISSUER", servers.keycloak_issuer)
    monkeypatch.delenv("PUSIP_KEYCLOAK_URL", raising=False)
    monkeypatch.delenv("PUSIP_KEYCLOAK_REALM", raising=False)
    monkeypatch.setenv("PUSIP_KEYCLOAK_ADMIN", os.environ.get("PUSIP_TEST_KEYCLOAK_ADMIN", "admin"))
    monkeypatch.setenv(
        "PUSIP_KEYCLOAK_ADMIN_PASSWORD", os.environ.get("PUSIP_TEST_KEYCLOAK_ADMIN_PASSWORD", "admin")
    )
    username = f"cli-{uuid.uuid4().hex[:10]}"
    yield username
    from pusip.identity import KeycloakDirectory, keycloak_target

    directory = KeycloakDirectory(keycloak_target(servers.keycloak_issuer))
    if directory.admin.get_user_id(username):
        directory.accounts.delete_user(username)


def _grant(username: str, password: str) -> httpx.Response:
    issuer = require("keycloak").keycloak_issuer
    return httpx.post(
        f"{issuer}/protocol/openid-connect/token",
        data={"grant_type": "password", "username": username, "password": password, "scope": "openid"},
        auth=PORTAL_CLIENT,
        timeout=30,
    )


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_users_in_keycloak(keycloak: str) -> None:
    runner = CliRunner()
    username = keycloak
    result = runner.invoke(
        app,
        [
            "users",
            "add",
            username,
            "--role",
            "archivist",
            "--password",
            "rahasia-keycloak-1",
            "--name",
            "Uji Keycloak",
            "--email",
            f"{username}@pusip.example",
            "--unit",
            "dispusip",
            "--clearance",
            "RAHASIA",
            "--access-category",
            "pengolah",
        ],
    )
    assert result.exit_code == 0, result.output

    listed = runner.invoke(app, ["users", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    mine = {a["username"]: a for a in json.loads(listed.output)["accounts"]}[username]
    assert mine["roles"] == ["archivist"]
    assert (mine["unit"], mine["clearance"], mine["access_category"]) == ("dispusip", "RAHASIA", "pengolah")
    assert "admin" in {a["username"] for a in json.loads(listed.output)["accounts"]}  # the realm's demo admin

    token = _grant(username, "rahasia-keycloak-1")
    assert token.status_code == 200, token.text
    claims = _claims(token.json()["access_token"])
    assert "archivist" in claims["realm_access"]["roles"]
    assert claims["pusip_clearance"] == "RAHASIA"

    result = runner.invoke(app, ["users", "set", username, "--role", "cataloger", "--branch", "cabang-uji"])
    assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(app, ["users", "list", "--json"]).output)
    mine = {a["username"]: a for a in listed["accounts"]}[username]
    assert mine["roles"] == ["cataloger"] and mine["branches"] == ["cabang-uji"]
    assert mine["clearance"] == "RAHASIA"  # untouched

    result = runner.invoke(app, ["users", "passwd", username, "--password", "kata-sandi-baru-2"])
    assert result.exit_code == 0, result.output
    assert _grant(username, "rahasia-keycloak-1").status_code in (400, 401)
    assert _grant(username, "kata-sandi-baru-2").status_code == 200

    result = runner.invoke(app, ["users", "disable", username])
    assert result.exit_code == 0, result.output
    assert _grant(username, "kata-sandi-baru-2").status_code in (400, 401)

    duplicate = runner.invoke(
        app, ["users", "add", username, "--password", "whatever-123", "--email", "x@pusip.example"]
    )
    assert duplicate.exit_code == 1 and "sudah ada" in duplicate.output

    no_email = runner.invoke(app, ["users", "add", f"{username}-2", "--password", "whatever-123"])
    assert no_email.exit_code == 1 and "--email" in no_email.output
