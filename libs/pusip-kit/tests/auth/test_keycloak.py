"""Against the real Keycloak (realm ``pusip`` from infra/keycloak): same validator, same subject."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from pusip_kit.auth import SecurityLevel, TokenValidator
from pusip_kit.errors import Unauthorized
from pusip_kit.testing.servers import require

pytestmark = pytest.mark.services

PORTAL = ("pusip-portal", "pusip-portal-secret")
AGENCY = ("pusip-agency-demo", "pusip-agency-demo-secret")


@pytest.fixture
def keycloak():
    return require("keycloak")


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


@pytest.fixture
def validator(keycloak, http: httpx.AsyncClient) -> TokenValidator:
    issuer = keycloak.keycloak_issuer
    return TokenValidator(issuer, f"{issuer}/protocol/openid-connect/certs", "pusip", http=http)


async def token(http: httpx.AsyncClient, issuer: str, **form: str) -> dict[str, Any]:
    response = await http.post(f"{issuer}/protocol/openid-connect/token", data=form)
    assert response.status_code == 200, f"Keycloak token endpoint: {response.status_code} {response.text}"
    return response.json()


async def password_token(
    http: httpx.AsyncClient, issuer: str, username: str, password: str
) -> dict[str, Any]:
    return await token(
        http,
        issuer,
        grant_type="password",
        client_id=PORTAL[0],
        client_secret=PORTAL[1],
        username=username,
        password=password,
        scope="openid",
    )


def unverified(access_token: str) -> dict[str, Any]:
    return jwt.decode(access_token, options={"verify_signature": False})


def explain_claims(claims: dict[str, Any], expected: dict[str, Any]) -> str:
    missing = {k: v for k, v in expected.items() if claims.get(k) in (None, [], "")}
    return f"token lacks {missing}; claims present: {sorted(claims)}"


async def test_password_grant_for_the_demo_archivist(keycloak, http, validator):
    body = await password_token(http, keycloak.keycloak_issuer, "arsiparis", "pusip-demo-arsiparis")
    claims = unverified(body["access_token"])
    expected = {"aud": "pusip", "pusip_unit": "dispusip", "pusip_clearance": "RAHASIA"}
    assert all(claims.get(k) not in (None, [], "") for k in expected), explain_claims(claims, expected)

    subject = await validator.validate(body["access_token"])
    assert subject.username == "arsiparis"
    assert "archivist" in subject.roles
    assert subject.unit == "dispusip"
    assert subject.clearance is SecurityLevel.RAHASIA
    assert subject.client_id == "pusip-portal"
    assert not subject.is_service_account
    assert validator.jwks_fetch_count == 1


async def test_client_credentials_for_the_demo_agency(keycloak, http, validator):
    body = await token(
        http,
        keycloak.keycloak_issuer,
        grant_type="client_credentials",
        client_id=AGENCY[0],
        client_secret=AGENCY[1],
    )
    subject = await validator.validate(body["access_token"])
    assert subject.is_service_account
    assert subject.client_id == "pusip-agency-demo"
    assert subject.username == "service-account-pusip-agency-demo"
    assert "agency_system" in subject.roles
    assert subject.unit == "dinas-demo", explain_claims(subject.claims, {"pusip_unit": "dinas-demo"})


async def test_client_credentials_over_http_basic(keycloak, http, validator):
    creds = base64.b64encode(f"{AGENCY[0]}:{AGENCY[1]}".encode()).decode()
    response = await http.post(
        f"{keycloak.keycloak_issuer}/protocol/openid-connect/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {creds}"},
    )
    assert response.status_code == 200, response.text
    assert (await validator.validate(response.json()["access_token"])).is_service_account


async def test_tampered_keycloak_token_is_refused(keycloak, http, validator):
    body = await password_token(http, keycloak.keycloak_issuer, "arsiparis", "pusip-demo-arsiparis")
    head, payload, sig = body["access_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["realm_access"] = {"roles": ["admin"]}
    claims["pusip_clearance"] = "SANGAT_RAHASIA"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(Unauthorized) as info:
        await validator.validate(f"{head}.{forged_payload}.{sig}")
    assert info.value.code == "token_invalid_signature"

    kid = jwt.get_unverified_header(body["access_token"])["kid"]
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    resigned = jwt.encode(claims, impostor, algorithm="RS256", headers={"kid": kid})
    with pytest.raises(Unauthorized) as info:
        await validator.validate(resigned)
    assert info.value.code == "token_invalid_signature"


async def test_keycloak_refresh_and_id_tokens_are_not_access_tokens(keycloak, http, validator):
    body = await password_token(http, keycloak.keycloak_issuer, "arsiparis", "pusip-demo-arsiparis")
    for other in (body["refresh_token"], body["id_token"]):
        with pytest.raises(Unauthorized) as info:
            await validator.validate(other)
        assert info.value.code in (
            "token_algorithm_refused",  # Keycloak signs refresh tokens with HS512
            "token_wrong_type",
            "token_wrong_audience",
        )


async def test_wrong_issuer_or_audience_against_keycloak(keycloak, http):
    issuer = keycloak.keycloak_issuer
    body = await password_token(http, issuer, "arsiparis", "pusip-demo-arsiparis")
    certs = f"{issuer}/protocol/openid-connect/certs"
    for validator, code in (
        (TokenValidator(issuer, certs, "some-other-api", http=http), "token_wrong_audience"),
        (
            TokenValidator(f"{keycloak.keycloak_url}/realms/master", certs, "pusip", http=http),
            "token_wrong_issuer",
        ),
    ):
        with pytest.raises(Unauthorized) as info:
            await validator.validate(body["access_token"])
        assert info.value.code == code


async def test_wrong_password_at_keycloak(keycloak, http):
    response = await http.post(
        f"{keycloak.keycloak_issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": PORTAL[0],
            "client_secret": PORTAL[1],
            "username": "arsiparis",
            "password": "salah",
        },
    )
    # Keycloak 26 answers 400 (RFC 6749 §5.2), older releases 401; the error code is what clients check.
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_grant"


@pytest.fixture
def admin(keycloak):
    from pusip_kit.auth import KeycloakAccounts

    return KeycloakAccounts(
        keycloak.keycloak_url, keycloak.keycloak_realm, username="admin", password="admin"
    )


async def test_admin_helper_creates_resets_and_deletes_a_user(keycloak, admin, http, validator):
    username = f"uji-{uuid.uuid4().hex[:10]}"
    user_id = await asyncio.to_thread(
        admin.create_user,
        username,
        "sandi-awal-uji-123",
        email=f"{username}@example.id",
        first_name="Uji",
        last_name="Coba",
        roles=["librarian"],
        unit="dispusip",
        clearance="TERBATAS",
        access_category="internal",
        branches=["pusat", "cikini"],
    )
    try:
        assert user_id
        body = await password_token(http, keycloak.keycloak_issuer, username, "sandi-awal-uji-123")
        subject = await validator.validate(body["access_token"])
        assert subject.username == username
        assert "librarian" in subject.roles
        expected = {
            "pusip_unit": "dispusip",
            "pusip_clearance": "TERBATAS",
            "pusip_branches": ["pusat", "cikini"],
        }
        assert subject.unit == "dispusip", explain_claims(subject.claims, expected)
        assert subject.clearance is SecurityLevel.TERBATAS, explain_claims(subject.claims, expected)
        assert subject.branches == frozenset({"pusat", "cikini"}), explain_claims(subject.claims, expected)

        await asyncio.to_thread(admin.reset_password, username, "sandi-baru-uji-456")
        await password_token(http, keycloak.keycloak_issuer, username, "sandi-baru-uji-456")
    finally:
        await asyncio.to_thread(admin.delete_user, username)
    from pusip_kit.errors import NotFound

    with pytest.raises(NotFound):
        await asyncio.to_thread(admin.user_id, username)


async def test_admin_helper_creates_an_agency_client(keycloak, admin, http, validator):
    client_id = f"pusip-uji-{uuid.uuid4().hex[:8]}"
    creds = await asyncio.to_thread(
        admin.create_agency_client, client_id, roles=["agency_system"], unit="dinas-uji"
    )
    try:
        body = await token(
            http,
            keycloak.keycloak_issuer,
            grant_type="client_credentials",
            client_id=creds.client_id,
            client_secret=creds.client_secret,
        )
        claims = unverified(body["access_token"])
        subject = await validator.validate(body["access_token"])
        assert subject.is_service_account and subject.client_id == client_id
        assert "agency_system" in subject.roles
        assert subject.unit == "dinas-uji", explain_claims(claims, {"pusip_unit": "dinas-uji"})
    finally:
        await asyncio.to_thread(admin.delete_client, client_id)
