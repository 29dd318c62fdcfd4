"""The embedded OIDC issuer through its HTTP router: grants, claims, refresh, lockout, keys."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import jwt
from argon2 import PasswordHasher

from pusip_kit.auth import (
    CLAIM_ACCESS_CATEGORY,
    CLAIM_BRANCHES,
    CLAIM_CLEARANCE,
    CLAIM_UNIT,
    LOCKOUT_MAX_FAILURES,
    AccountStore,
    EmbeddedIssuer,
    SecurityLevel,
    TokenValidator,
    rfc7638_thumbprint,
)
from pusip_kit.auth.issuer import SIGNING_KEY_FILE

ISSUER = "http://127.0.0.1:8000/auth"


async def test_discovery_document_points_at_the_router(idp):
    response = await idp.http.get("/auth/.well-known/openid-configuration")
    assert response.status_code == 200
    doc = response.json()
    assert doc["issuer"] == ISSUER
    assert doc["token_endpoint"] == f"{ISSUER}/token"
    assert doc["jwks_uri"] == f"{ISSUER}/jwks"
    assert doc["userinfo_endpoint"] == f"{ISSUER}/userinfo"
    assert {"password", "client_credentials", "refresh_token"} <= set(doc["grant_types_supported"])
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]


async def test_jwks_publishes_the_rsa_key_with_its_rfc7638_thumbprint(idp):
    keys = (await idp.http.get("/auth/jwks")).json()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert key["kid"] == rfc7638_thumbprint(key) == idp.issuer.kid
    assert "d" not in key and "p" not in key  # public half only
    n = int.from_bytes(base64.urlsafe_b64decode(key["n"] + "=="), "big")
    assert n.bit_length() == 2048


def test_rfc7638_thumbprint_matches_the_rfc_example():
    # RFC 7638 §3.1
    jwk = {
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
        "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQ"
        "MicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3"
        "XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert rfc7638_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


async def test_password_grant_issues_a_keycloak_shaped_access_token(idp):
    response = await idp.password("arsiparis", idp.arsiparis_password)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["refresh_expires_in"] == 8 * 3600
    assert body["scope"] == "openid profile email"
    assert "id_token" in body

    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "RS256" and header["kid"] == idp.issuer.kid
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    arsiparis = idp.seeded["arsiparis"]
    assert claims["iss"] == ISSUER
    assert claims["sub"] == arsiparis.id
    assert claims["aud"] == "pusip"
    assert claims["exp"] - claims["iat"] == 300
    assert claims["nbf"] == claims["iat"]
    assert claims["jti"]
    assert claims["typ"] == "Bearer"
    assert claims["azp"] == "pusip-portal"
    assert claims["preferred_username"] == "arsiparis"
    assert claims["name"] == "Siti Arsiparis"
    assert claims["email"] == "arsiparis@dispusip.example"
    assert claims["realm_access"] == {"roles": ["archivist"]}
    assert claims["scope"] == "openid profile email"
    assert claims[CLAIM_UNIT] == "dispusip"
    assert claims[CLAIM_CLEARANCE] == "RAHASIA"
    assert claims[CLAIM_ACCESS_CATEGORY] == "internal"
    assert claims[CLAIM_BRANCHES] == ["pusat", "cikini"]

    subject = await idp.validator.validate(body["access_token"])
    assert subject.subject == arsiparis.id
    assert subject.username == "arsiparis"
    assert subject.name == "Siti Arsiparis"
    assert subject.roles == frozenset({"archivist"})
    assert subject.unit == "dispusip"
    assert subject.clearance is SecurityLevel.RAHASIA
    assert subject.access_category == "internal"
    assert subject.branches == frozenset({"pusat", "cikini"})
    assert subject.client_id == "pusip-portal"
    assert not subject.is_service_account
    assert idp.validator.jwks_fetch_count == 1  # the real HTTP JWKS path was used


async def test_sub_is_stable_across_logins(idp):
    first = await idp.validator.validate(await idp.access_token("arsiparis"))
    second = await idp.validator.validate(await idp.access_token("arsiparis"))
    assert first.subject == second.subject == idp.seeded["arsiparis"].id


async def test_id_token_is_not_an_access_token(idp):
    body = (await idp.password("arsiparis", idp.arsiparis_password)).json()
    id_claims = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert id_claims["typ"] == "ID" and id_claims["aud"] == "pusip-portal"
    refused = await _refusal(idp.validator, body["id_token"])
    assert refused in ("token_wrong_audience", "token_wrong_type")


async def test_client_credentials_by_form_issue_a_service_account_token(idp):
    response = await idp.client_credentials()
    assert response.status_code == 200, response.text
    body = response.json()
    assert "refresh_token" not in body
    assert body["scope"] == "archive:read catalog:read"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["preferred_username"] == "service-account-pusip-agency-demo"
    assert claims["client_id"] == claims["azp"] == "pusip-agency-demo"
    assert claims["sub"] == idp.seeded["client"].id
    subject = await idp.validator.validate(body["access_token"])
    assert subject.is_service_account
    assert subject.client_id == "pusip-agency-demo"
    assert subject.roles == frozenset({"agency_system"})
    assert subject.unit == "dinas-demo"
    assert subject.scopes == frozenset({"archive:read", "catalog:read"})


async def test_client_credentials_by_http_basic_and_narrowed_scope(idp):
    creds = base64.b64encode(f"{idp.agency_client}:{idp.client_secret}".encode()).decode()
    response = await idp.http.post(
        idp.token_url,
        data={"grant_type": "client_credentials", "scope": "catalog:read"},
        headers={"Authorization": f"Basic {creds}"},
    )
    assert response.status_code == 200, response.text
    subject = await idp.validator.validate(response.json()["access_token"])
    assert subject.scopes == frozenset({"catalog:read"})
    # Standard OIDC scopes that OAuth2 libraries add by habit are not an error.
    with_openid = await idp.client_credentials(scope="openid archive:read")
    assert with_openid.status_code == 200, with_openid.text
    assert with_openid.json()["scope"] == "openid archive:read"


async def test_client_credentials_refusals(idp):
    wrong = await idp.client_credentials(client_secret="not-the-secret")
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert wrong.json()["message"].startswith("Klien tidak dikenal")

    creds = base64.b64encode(f"{idp.agency_client}:nope".encode()).decode()
    basic = await idp.http.post(
        idp.token_url, data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {creds}"}
    )
    assert basic.status_code == 401 and basic.headers["www-authenticate"].startswith("Basic")

    scope = await idp.client_credentials(scope="archive:write")
    assert scope.status_code == 400 and scope.json()["error"] == "invalid_scope"

    await idp.store.disable_client(idp.agency_client)
    disabled = await idp.client_credentials()
    assert disabled.status_code == 401 and disabled.json()["error"] == "invalid_client"


async def test_client_secret_is_returned_once_and_stored_as_argon2(idp):
    from sqlalchemy import select

    from pusip_kit.auth.accounts import Client

    async with idp.store.sessions() as session:
        stored = (await session.execute(select(Client.secret_hash))).scalar_one()
    assert stored.startswith("$argon2id$")
    assert idp.client_secret not in stored


async def test_refresh_flow_rotates_tokens_and_detects_reuse(idp):
    first = (await idp.password("arsiparis", idp.arsiparis_password)).json()
    assert first["refresh_token"].startswith("pusip_rt_")

    second = await idp.refresh(first["refresh_token"])
    assert second.status_code == 200, second.text
    renewed = second.json()
    assert renewed["refresh_token"] != first["refresh_token"]
    subject = await idp.validator.validate(renewed["access_token"])
    assert subject.username == "arsiparis"

    # Reusing the spent token revokes the whole session, including the renewed token.
    reuse = await idp.refresh(first["refresh_token"])
    assert reuse.status_code == 401
    assert reuse.json()["error"] == "invalid_grant"
    assert reuse.json()["code"] == "invalid_refresh_token"
    after = await idp.refresh(renewed["refresh_token"])
    assert after.status_code == 401


async def test_refresh_reflects_role_changes_and_stops_for_disabled_accounts(idp):
    first = (await idp.password("arsiparis", idp.arsiparis_password)).json()
    await idp.store.update_account("arsiparis", roles=["archivist", "records_creator"])
    renewed = (await idp.refresh(first["refresh_token"])).json()
    subject = await idp.validator.validate(renewed["access_token"])
    assert subject.roles == frozenset({"archivist", "records_creator"})

    await idp.store.disable_account("arsiparis")
    refused = await idp.refresh(renewed["refresh_token"])
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_grant"


async def test_refresh_token_for_another_client_or_garbage_is_refused(idp):
    first = (await idp.password("arsiparis", idp.arsiparis_password)).json()
    garbage = await idp.refresh("pusip_rt_this-was-never-issued")
    assert garbage.status_code == 401 and garbage.json()["error"] == "invalid_grant"
    other = await idp.refresh(first["refresh_token"], client_id="pusip-other-portal")
    assert other.status_code == 401 and other.json()["error"] == "invalid_client"


async def test_refresh_token_is_not_accepted_as_an_access_token(idp):
    body = (await idp.password("arsiparis", idp.arsiparis_password)).json()
    assert await _refusal(idp.validator, body["refresh_token"]) == "token_malformed"
    response = await idp.http.get(
        "/auth/userinfo", headers={"Authorization": f"Bearer {body['refresh_token']}"}
    )
    assert response.status_code == 401


async def test_a_jwt_typed_refresh_is_not_accepted_as_an_access_token(idp):
    # Even a correctly signed JWT saying it is a refresh token (Keycloak's shape) is refused.
    claims = idp.issuer.account_claims(idp.seeded["arsiparis"], client_id="pusip-portal", scope="", sid=None)
    claims["typ"] = "Refresh"
    assert await _refusal(idp.validator, idp.issuer.sign(claims)) == "token_wrong_type"


async def test_revocation_ends_the_session(idp):
    body = (await idp.password("arsiparis", idp.arsiparis_password)).json()
    revoked = await idp.http.post("/auth/revoke", data={"token": body["refresh_token"]})
    assert revoked.status_code == 200
    assert (await idp.refresh(body["refresh_token"])).status_code == 401
    # RFC 7009: unknown tokens are not an error
    assert (await idp.http.post("/auth/revoke", data={"token": "whatever"})).status_code == 200


async def test_wrong_password_is_401_invalid_grant_with_indonesian_message(idp):
    response = await idp.password("arsiparis", "salah-sandi-sekali")
    assert response.status_code == 401
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["error"] == "invalid_grant"
    assert body["error_description"] == "Invalid username or password"
    assert body["message"] == "Nama pengguna atau kata sandi salah"
    assert body["message_en"] == "Invalid username or password"
    assert body["code"] == "invalid_credentials"

    unknown = await idp.password("tidak-ada", "apa-saja-12345")
    assert unknown.status_code == 401
    assert unknown.json()["message"] == body["message"]  # no hint whether the user exists


async def test_lockout_after_repeated_failures(idp):
    for _ in range(LOCKOUT_MAX_FAILURES - 1):
        response = await idp.password("arsiparis", "tebakan-salah")
        assert response.json()["code"] == "invalid_credentials"
    locking = await idp.password("arsiparis", "tebakan-salah")
    assert locking.status_code == 401
    assert locking.json()["code"] == "account_locked"
    assert int(locking.headers["retry-after"]) > 0
    # Even the right password is refused while locked.
    right = await idp.password("arsiparis", idp.arsiparis_password)
    assert right.status_code == 401
    assert right.json()["error"] == "invalid_grant"
    assert right.json()["code"] == "account_locked"
    assert "dikunci" in right.json()["message"]
    # Other accounts are unaffected.
    assert (await idp.password("pemustaka", idp.pemustaka_password)).status_code == 200


async def test_lock_expires(store: AccountStore, seeded):
    clock = [1_000_000.0]
    timed = AccountStore(store.engine, hasher=store.hasher, clock=lambda: clock[0])
    for _ in range(LOCKOUT_MAX_FAILURES):
        try:
            await timed.verify_password("pemustaka", "tebakan-salah")
        except Exception as exc:
            last = exc
    assert last.code == "account_locked"
    clock[0] += timed.lockout.lock_seconds + 1
    account = await timed.verify_password("pemustaka", "pusip-demo-pemustaka")
    assert account.username == "pemustaka" and account.locked_until is None


async def test_disabled_account_cannot_sign_in(idp):
    await idp.store.disable_account("pemustaka")
    response = await idp.password("pemustaka", idp.pemustaka_password)
    assert response.status_code == 401
    assert response.json()["code"] == "account_disabled"
    await idp.store.enable_account("pemustaka")
    assert (await idp.password("pemustaka", idp.pemustaka_password)).status_code == 200


async def test_passwords_are_stored_as_argon2_hashes(idp):
    stored = await idp.store.password_hash_of("arsiparis")
    assert stored is not None and stored.startswith("$argon2id$")
    assert idp.arsiparis_password not in stored
    await idp.store.set_password("arsiparis", "sandi-baru-yang-panjang")
    assert await idp.store.password_hash_of("arsiparis") != stored
    assert (await idp.password("arsiparis", idp.arsiparis_password)).status_code == 401
    assert (await idp.password("arsiparis", "sandi-baru-yang-panjang")).status_code == 200


async def test_hash_is_upgraded_when_argon2_parameters_change(store: AccountStore, seeded):
    before = await store.password_hash_of("pemustaka")
    stronger = AccountStore(store.engine, hasher=PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    await stronger.verify_password("pemustaka", "pusip-demo-pemustaka")
    after = await stronger.password_hash_of("pemustaka")
    assert after != before and "m=2048,t=2,p=1" in after
    assert not stronger.hasher.check_needs_rehash(after)


async def test_account_management(store: AccountStore, seeded):
    accounts = await store.list_accounts()
    assert [a.username for a in accounts] == ["admin", "arsiparis", "pemustaka"]
    updated = await store.update_account(
        "Pemustaka", display_name="Budi", clearance="terbatas", branches=["pusat"], email=None
    )
    assert updated.display_name == "Budi"
    assert updated.clearance is SecurityLevel.TERBATAS
    assert updated.branches == ("pusat",)
    await store.disable_account("pemustaka")
    assert [a.username for a in await store.list_accounts(include_inactive=False)] == ["admin", "arsiparis"]

    from pusip_kit.errors import Conflict, NotFound, Unprocessable

    for call, error in (
        (store.create_account("arsiparis", "panjang-sekali-123"), Conflict),
        (store.create_account("baru", "pendek"), Unprocessable),
        (store.create_account("Bad Name!", "panjang-sekali-123"), Unprocessable),
        (store.update_account("tidak-ada", unit="x"), NotFound),
        (store.set_password("tidak-ada", "panjang-sekali-123"), NotFound),
    ):
        try:
            await call
        except error:
            pass
        else:
            raise AssertionError(f"expected {error.__name__}")


async def test_password_grant_edge_cases(idp):
    missing = await idp.http.post(idp.token_url, data={"grant_type": "password", "username": "arsiparis"})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    unsupported = await idp.http.post(idp.token_url, data={"grant_type": "authorization_code", "code": "x"})
    assert unsupported.status_code == 400 and unsupported.json()["error"] == "unsupported_grant_type"
    no_grant = await idp.http.post(idp.token_url, data={})
    assert no_grant.status_code == 400 and no_grant.json()["error"] == "invalid_request"
    as_json = await idp.http.post(idp.token_url, json={"grant_type": "password"})
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"
    bad_scope = await idp.password("arsiparis", idp.arsiparis_password, scope="openid admin:all")
    assert bad_scope.status_code == 400 and bad_scope.json()["error"] == "invalid_scope"
    unknown_client = await idp.password("arsiparis", idp.arsiparis_password, client_id="siapa")
    assert unknown_client.status_code == 401 and unknown_client.json()["error"] == "invalid_client"
    repeated = await idp.http.post(
        idp.token_url,
        content=b"grant_type=password&grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert repeated.status_code == 400 and repeated.json()["error"] == "invalid_request"


async def test_userinfo(idp):
    token = await idp.access_token("arsiparis")
    info = (await idp.http.get("/auth/userinfo", headers={"Authorization": f"Bearer {token}"})).json()
    assert info["preferred_username"] == "arsiparis"
    assert info["roles"] == ["archivist"]
    assert info[CLAIM_CLEARANCE] == "RAHASIA"
    assert info[CLAIM_BRANCHES] == ["pusat", "cikini"]
    anonymous = await idp.http.get("/auth/userinfo")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "authentication_required"
    service = (await idp.client_credentials()).json()["access_token"]
    info = (await idp.http.get("/auth/userinfo", headers={"Authorization": f"Bearer {service}"})).json()
    assert info["client_id"] == "pusip-agency-demo" and info[CLAIM_UNIT] == "dinas-demo"


async def test_signing_key_is_created_private_and_persists_across_restarts(
    store: AccountStore, key_dir: Path
):
    first = EmbeddedIssuer(ISSUER, store, key_dir)
    pem = key_dir / SIGNING_KEY_FILE
    assert pem.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert _mode(pem) == 0o600
    assert _mode(key_dir) & 0o077 == 0
    token = first.sign({"iss": ISSUER, "sub": "x", "aud": "pusip", "exp": 2**31, "iat": 1})

    restarted = EmbeddedIssuer(ISSUER, store, key_dir)
    assert restarted.kid == first.kid
    assert restarted.jwks() == first.jwks()
    # A token signed before the restart still validates after it.
    subject = await restarted.validator().validate(token)
    assert subject.subject == "x"


async def test_loose_key_file_permissions_are_tightened(store: AccountStore, key_dir: Path):
    EmbeddedIssuer(ISSUER, store, key_dir)
    pem = key_dir / SIGNING_KEY_FILE
    os.chmod(pem, 0o644)
    EmbeddedIssuer(ISSUER, store, key_dir)
    assert _mode(pem) == 0o600


async def test_key_rotation_is_picked_up_by_a_running_validator(idp):
    clock = [1_000_000.0]
    validator = TokenValidator(
        idp.issuer_url, idp.jwks_url, idp.audience, http=idp.http, clock=lambda: clock[0]
    )
    old_kid = idp.issuer.kid
    before = await idp.access_token("arsiparis")
    await validator.validate(before)
    assert validator.jwks_fetch_count == 1

    new_kid = idp.issuer.rotate_key()
    assert new_kid != old_kid
    assert {k["kid"] for k in idp.issuer.jwks()["keys"]} == {old_kid, new_kid}
    assert _mode(idp.issuer.key_dir / "retired" / f"{old_kid}.pem") == 0o600
    after = await idp.access_token("arsiparis")
    assert jwt.get_unverified_header(after)["kid"] == new_kid

    # Unknown kids trigger at most one JWKS refetch per 10 s, so forged kids cannot flood the issuer.
    clock[0] += 5
    assert await _refusal(validator, after) == "token_unknown_key"
    assert validator.jwks_fetch_count == 1
    # Past the interval: one refetch picks up the new key, long before the 300 s cache expires.
    clock[0] += 6
    assert (await validator.validate(after)).username == "arsiparis"
    assert validator.jwks_fetch_count == 2
    # Tokens signed with the retired key remain valid until they expire.
    assert (await validator.validate(before)).username == "arsiparis"
    # A kid nobody published: refused, one rate-limited refetch at most.
    clock[0] += 11
    forged = idp.issuer.sign({"iss": idp.issuer_url, "sub": "x", "aud": "pusip", "exp": 2**31, "iat": 1})
    head, rest = forged.split(".", 1)
    import json

    header = json.loads(base64.urlsafe_b64decode(head + "=="))
    header["kid"] = "no-such-key"
    relabelled = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode() + "." + rest
    assert await _refusal(validator, relabelled) == "token_unknown_key"
    assert await _refusal(validator, relabelled) == "token_unknown_key"
    assert validator.jwks_fetch_count == 3

    # And after a restart the issuer still signs with the new key.
    restarted = EmbeddedIssuer(ISSUER, idp.store, idp.issuer.key_dir)
    assert restarted.kid == new_kid
    assert {k["kid"] for k in restarted.jwks()["keys"]} == {old_kid, new_kid}


async def test_issuer_open_creates_its_store(tmp_path: Path):
    issuer = await EmbeddedIssuer.open(ISSUER, tmp_path / "identity")
    try:
        await issuer.store.create_account("penguji", "sandi-penguji-123", roles=["librarian"])
        response = await issuer.password_grant("penguji", "sandi-penguji-123")
        subject = await issuer.validator().validate(response["access_token"])
        assert subject.roles == frozenset({"librarian"})
        assert (tmp_path / "identity" / "identity.db").exists()
        assert (tmp_path / "identity" / "keys" / SIGNING_KEY_FILE).exists()
    finally:
        await issuer.aclose()


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def _refusal(validator: TokenValidator, token: str) -> str:
    from pusip_kit.errors import Unauthorized

    try:
        await validator.validate(token)
    except Unauthorized as exc:
        return exc.code
    raise AssertionError("token was accepted")
