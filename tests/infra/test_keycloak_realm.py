"""infra/keycloak/pusip-realm.json: the realm the dev servers and docker-compose import.

Checked offline: roles, clients, protocol mappers, demo users and the user profile that lets the
``pusip_*`` attributes through. (``make test-services`` exercises the imported realm for real.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REALM_FILE = Path(__file__).resolve().parents[2] / "infra/keycloak/pusip-realm.json"

ROLES = {
    "admin",
    "librarian",
    "cataloger",
    "patron",
    "publisher",
    "deposit_officer",
    "archivist",
    "records_creator",
    "library_admin",
    "assessor",
    "accreditation_officer",
    "agency_system",
}

DEMO_USERS = {
    "admin": "admin",
    "pustakawan": "librarian",
    "katalog": "cataloger",
    "pemustaka": "patron",
    "penerbit": "publisher",
    "petugas-deposit": "deposit_officer",
    "arsiparis": "archivist",
    "pencipta-arsip": "records_creator",
    "admin-perpus": "library_admin",
    "asesor": "assessor",
    "petugas-akreditasi": "accreditation_officer",
}

CLAIMS = {
    "pusip_unit": False,
    "pusip_clearance": False,
    "pusip_access_category": False,
    "pusip_branches": True,
}


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    return json.loads(REALM_FILE.read_text(encoding="utf-8"))


def _client(realm: dict[str, Any], client_id: str) -> dict[str, Any]:
    return next(c for c in realm["clients"] if c["clientId"] == client_id)


def _user(realm: dict[str, Any], username: str) -> dict[str, Any]:
    return next(u for u in realm["users"] if u["username"] == username)


def test_realm_and_token_lifespan(realm: dict[str, Any]) -> None:
    assert realm["realm"] == "pusip"
    assert realm["enabled"] is True
    assert realm["accessTokenLifespan"] == 300


def test_all_twelve_roles(realm: dict[str, Any]) -> None:
    names = {r["name"] for r in realm["roles"]["realm"]}
    assert names >= ROLES
    assert len(ROLES) == 12


def test_portal_client(realm: dict[str, Any]) -> None:
    portal = _client(realm, "pusip-portal")
    assert portal["publicClient"] is False
    assert portal["secret"] == "pusip-portal-secret"
    assert portal["standardFlowEnabled"] is True
    assert portal["directAccessGrantsEnabled"] is True
    assert "http://127.0.0.1:8000/*" in portal["redirectUris"]


def test_agency_client_and_its_service_account(realm: dict[str, Any]) -> None:
    agency = _client(realm, "pusip-agency-demo")
    assert agency["publicClient"] is False
    assert agency["secret"] == "pusip-agency-demo-secret"
    assert agency["serviceAccountsEnabled"] is True
    account = next(u for u in realm["users"] if u.get("serviceAccountClientId") == "pusip-agency-demo")
    assert "agency_system" in account["realmRoles"]
    assert account["attributes"]["pusip_unit"] == ["dinas-demo"]


@pytest.mark.parametrize("client_id", ["pusip-portal", "pusip-agency-demo"])
def test_mappers_put_audience_and_pusip_claims_into_access_tokens(
    realm: dict[str, Any], client_id: str
) -> None:
    mappers = _client(realm, client_id)["protocolMappers"]
    audience = [m for m in mappers if m["protocolMapper"] == "oidc-audience-mapper"]
    assert [m["config"]["included.custom.audience"] for m in audience] == ["pusip"]
    assert audience[0]["config"]["access.token.claim"] == "true"
    by_claim = {
        m["config"]["claim.name"]: m
        for m in mappers
        if m["protocolMapper"] == "oidc-usermodel-attribute-mapper"
    }
    for claim, multivalued in CLAIMS.items():
        config = by_claim[claim]["config"]
        assert config["user.attribute"] == claim
        assert config["access.token.claim"] == "true"
        assert config["jsonType.label"] == "String"
        assert config["multivalued"] == ("true" if multivalued else "false")


def test_demo_users(realm: dict[str, Any]) -> None:
    for username, role in DEMO_USERS.items():
        user = _user(realm, username)
        assert user["enabled"] is True
        assert role in user["realmRoles"], username
        assert user["email"] and user["firstName"] and user["lastName"], username
        assert user["emailVerified"] is True, username
        assert not user.get("requiredActions"), username
        (credential,) = user["credentials"]
        assert credential == {"type": "password", "value": f"pusip-demo-{username}", "temporary": False}


def test_demo_user_attributes(realm: dict[str, Any]) -> None:
    assert _user(realm, "pustakawan")["attributes"]["pusip_branches"] == ["perpustakaan-jakarta-cikini"]
    assert _user(realm, "arsiparis")["attributes"] == {
        "pusip_unit": ["dispusip"],
        "pusip_clearance": ["RAHASIA"],
        "pusip_access_category": ["pengolah"],
    }
    assert _user(realm, "pencipta-arsip")["attributes"] == {"pusip_unit": ["dispusip"]}
    # the demo village library whose self-assessment is in progress (accreditation demo data)
    assert _user(realm, "admin-perpus")["attributes"] == {
        "pusip_unit": ["demo-perpustakaan-kelurahan-kebon-kacang"]
    }


def test_user_profile_admits_the_pusip_attributes(realm: dict[str, Any]) -> None:
    (provider,) = realm["components"]["org.keycloak.userprofile.UserProfileProvider"]
    profile = json.loads(provider["config"]["kc.user.profile.config"][0])
    attributes = {a["name"]: a for a in profile["attributes"]}
    assert {"username", "email", "firstName", "lastName"} <= set(attributes)
    for claim, multivalued in CLAIMS.items():
        attribute = attributes[claim]
        assert attribute.get("multivalued", False) is multivalued
        # set by administrators only: nobody raises their own clearance through the account console
        assert attribute["permissions"]["edit"] == ["admin"]


def test_catalog_service_client_and_its_service_account(realm: dict[str, Any]) -> None:
    """The catalog reads the text of accepted digital deposits with its own client credentials."""
    catalog = _client(realm, "catalog-service")
    assert catalog["publicClient"] is False
    assert catalog["secret"] == "catalog-service-secret"
    assert catalog["serviceAccountsEnabled"] is True
    assert catalog["standardFlowEnabled"] is False and catalog["directAccessGrantsEnabled"] is False
    audience = [m for m in catalog["protocolMappers"] if m["protocolMapper"] == "oidc-audience-mapper"]
    assert [m["config"]["included.custom.audience"] for m in audience] == ["pusip"]
    account = next(u for u in realm["users"] if u.get("serviceAccountClientId") == "catalog-service")
    assert account["realmRoles"] == ["cataloger"]
