"""TokenValidator refusals: every forged, stale or misdirected token is a named 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from pusip_kit.auth import SecurityLevel, TokenValidator, subject_from_claims
from pusip_kit.auth.tokens import REFUSALS
from pusip_kit.errors import ServiceUnavailable, Unauthorized

ISSUER = "http://127.0.0.1:8000/auth"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}.{b64url(signature)}"


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "sub": str(uuid.uuid4()),
        "aud": "pusip",
        "exp": now + 300,
        "iat": now,
        "nbf": now,
        "jti": str(uuid.uuid4()),
        "typ": "Bearer",
        "azp": "pusip-portal",
        "preferred_username": "penyusup",
        "realm_access": {"roles": ["admin"]},
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


async def refusal(validator: TokenValidator, token: str) -> Unauthorized:
    with pytest.raises(Unauthorized) as info:
        await validator.validate(token)
    err = info.value
    assert err.status_code == 401
    assert err.message and err.message_en and err.message != err.message_en  # Indonesian + English
    assert err.headers["WWW-Authenticate"].startswith("Bearer")
    return err


async def test_a_genuine_token_is_accepted(idp):
    subject = await idp.validator.validate(idp.issuer.sign(claims()))
    assert subject.username == "penyusup" and subject.is_admin


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
async def test_alg_none_is_refused(idp, alg):
    token = compact({"alg": alg, "typ": "JWT", "kid": idp.issuer.kid}, claims())
    assert (await refusal(idp.validator, token)).code == "token_algorithm_refused"
    assert (await refusal(idp.validator, token.rsplit(".", 1)[0] + ".")).code == "token_algorithm_refused"


async def test_hs256_signed_with_the_public_key_is_refused(idp):
    """Key confusion: an attacker HMAC-signs with the published public key as the secret."""
    public_pem = (
        idp.issuer._current_key()
        .private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    jwk_json = json.dumps(idp.issuer.jwks()["keys"][0]).encode()
    for secret in (public_pem, jwk_json):
        header = {"alg": "HS256", "typ": "JWT", "kid": idp.issuer.kid}
        head = b64url(json.dumps(header).encode())
        body = b64url(json.dumps(claims()).encode())
        sig = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
        token = f"{head}.{body}.{b64url(sig)}"
        assert (await refusal(idp.validator, token)).code == "token_algorithm_refused"


@pytest.mark.parametrize("alg", ["HS384", "HS512", "RS512", "ES384", "EdDSA"])
async def test_other_algorithms_are_refused(idp, alg):
    token = compact({"alg": alg, "kid": idp.issuer.kid}, claims(), b"x" * 64)
    assert (await refusal(idp.validator, token)).code == "token_algorithm_refused"


async def test_algorithm_must_fit_the_key(idp):
    # An ES256 header naming the RSA key, and a PS256 header against a key published for RS256.
    ec_key = ec.generate_private_key(ec.SECP256R1())
    es = jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": idp.issuer.kid})
    assert (await refusal(idp.validator, es)).code == "token_algorithm_refused"
    ps = jwt.encode(
        claims(), idp.issuer._current_key().private_key, algorithm="PS256", headers={"kid": idp.issuer.kid}
    )
    assert (await refusal(idp.validator, ps)).code == "token_algorithm_refused"


async def test_a_different_key_with_the_same_kid_fails_the_signature(idp):
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims(), impostor, algorithm="RS256", headers={"kid": idp.issuer.kid})
    assert (await refusal(idp.validator, token)).code == "token_invalid_signature"


async def test_tampered_payload_fails_the_signature(idp):
    genuine = await idp.access_token("pemustaka")
    head, body, sig = genuine.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=="))
    payload["realm_access"] = {"roles": ["admin"]}
    tampered = f"{head}.{b64url(json.dumps(payload).encode())}.{sig}"
    assert (await refusal(idp.validator, tampered)).code == "token_invalid_signature"
    # Flipping the signature itself
    flipped = f"{head}.{body}.{sig[:-4]}{'AAAA' if sig[-4:] != 'AAAA' else 'BBBB'}"
    assert (await refusal(idp.validator, flipped)).code == "token_invalid_signature"


async def test_unknown_kid_is_refused(idp):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims(), stranger, algorithm="RS256", headers={"kid": "someone-elses-key"})
    err = await refusal(idp.validator, token)
    assert err.code == "token_unknown_key"
    assert err.message == "Kunci penanda tangan token tidak dikenal"


async def test_expired_token_is_refused_beyond_the_leeway(idp):
    now = int(time.time())
    expired = idp.issuer.sign(claims(exp=now - 3600, iat=now - 3900, nbf=now - 3900))
    err = await refusal(idp.validator, expired)
    assert err.code == "token_expired"
    assert err.message == "Token sudah kedaluwarsa"
    assert err.message_en == "Token has expired"
    within_leeway = idp.issuer.sign(claims(exp=now - 10, iat=now - 310, nbf=now - 310))
    assert (await idp.validator.validate(within_leeway)).username == "penyusup"


async def test_not_yet_valid_token_is_refused(idp):
    now = int(time.time())
    future = idp.issuer.sign(claims(nbf=now + 3600, exp=now + 7200))
    assert (await refusal(idp.validator, future)).code == "token_not_yet_valid"
    issued_in_future = idp.issuer.sign(claims(iat=now + 3600, nbf=None, exp=now + 7200))
    assert (await refusal(idp.validator, issued_in_future)).code == "token_not_yet_valid"


async def test_wrong_issuer_is_refused(idp):
    for iss in ("http://evil.example/auth", f"{ISSUER}/", "http://127.0.0.1:8000/AUTH"):
        err = await refusal(idp.validator, idp.issuer.sign(claims(iss=iss)))
        assert err.code == "token_wrong_issuer"


async def test_audience_string_or_list(idp):
    ok = idp.issuer.sign(claims(aud=["account", "pusip"]))
    assert (await idp.validator.validate(ok)).username == "penyusup"
    for aud in ("account", ["account", "other"], "pusip-portal"):
        err = await refusal(idp.validator, idp.issuer.sign(claims(aud=aud)))
        assert err.code == "token_wrong_audience"
    # azp naming the audience does not stand in for aud
    err = await refusal(idp.validator, idp.issuer.sign(claims(aud="account", azp="pusip")))
    assert err.code == "token_wrong_audience"
    missing = await refusal(idp.validator, idp.issuer.sign(claims(aud=None)))
    assert missing.code == "token_missing_claim"


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "sub"])
async def test_missing_required_claim_is_refused(idp, claim):
    err = await refusal(idp.validator, idp.issuer.sign(claims(**{claim: None})))
    assert err.code == "token_missing_claim"
    assert claim in err.message_en


async def test_empty_sub_is_refused(idp):
    assert (await refusal(idp.validator, idp.issuer.sign(claims(sub="")))).code == "token_missing_claim"


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        " ",
        "abc",
        "a.b",
        "a.b.c",
        "....",
        "e30.e30.",
        "!!!.???.###",
        "eyJhbGciOiJSUzI1NiJ9",
        b64url(b"not json") + "." + b64url(b"{}") + ".",
        b64url(b"[1,2]") + "." + b64url(b"{}") + ".",
        "x" * 20_000,
        "Bearer something",
    ],
)
async def test_garbage_is_malformed(idp, garbage):
    assert (await refusal(idp.validator, garbage)).code == "token_malformed"


async def test_payload_that_is_not_json_is_malformed(idp):
    head = b64url(json.dumps({"alg": "RS256", "kid": idp.issuer.kid}).encode())
    key = idp.issuer._current_key().private_key
    body = b64url(b"not-json")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    sig = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    token = f"{head}.{body}.{b64url(sig)}"
    assert (await refusal(idp.validator, token)).code == "token_malformed"


async def test_crit_header_is_refused(idp):
    key = idp.issuer._current_key().private_key
    token = jwt.encode(claims(), key, algorithm="RS256", headers={"kid": idp.issuer.kid, "crit": ["exp"]})
    assert (await refusal(idp.validator, token)).code == "token_malformed"


async def test_token_without_kid_uses_the_only_key(idp):
    key = idp.issuer._current_key().private_key
    token = jwt.encode(claims(), key, algorithm="RS256")
    assert (await idp.validator.validate(token)).username == "penyusup"


def test_validator_refuses_symmetric_algorithms_in_its_allowed_list():
    with pytest.raises(ValueError):
        TokenValidator(ISSUER, f"{ISSUER}/jwks", "pusip", algorithms=["RS256", "HS256"])


async def test_es256_issuer_is_supported():
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "ec-1", "use": "sig", "alg": "ES256"})
    # Keycloak also publishes an encryption key; it must never be used to verify.
    enc = {"kid": "enc-1", "kty": "RSA", "use": "enc", "alg": "RSA-OAEP", "n": "AQAB", "e": "AQAB"}

    async def loader() -> dict[str, Any]:
        return {"keys": [enc, jwk]}

    validator = TokenValidator(ISSUER, f"{ISSUER}/jwks", "pusip", jwks_loader=loader)
    token = jwt.encode(claims(), key, algorithm="ES256", headers={"kid": "ec-1"})
    assert (await validator.validate(token)).username == "penyusup"
    enc_token = compact({"alg": "RS256", "kid": "enc-1"}, claims(), b"x")
    assert (await refusal(validator, enc_token)).code == "token_unknown_key"


async def test_unreachable_jwks_is_503_not_401(idp):
    def refuse_all(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse_all)) as http:
        validator = TokenValidator(ISSUER, f"{ISSUER}/jwks", "pusip", http=http)
        with pytest.raises(ServiceUnavailable) as info:
            await validator.validate(idp.issuer.sign(claims()))
        assert info.value.code == "identity_provider_unavailable"


async def test_cached_keys_survive_an_issuer_outage(idp):
    clock = [0.0]
    up = [True]
    transport = httpx.ASGITransport(app=idp.http._transport.app)

    class Flaky(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if not up[0]:
                raise httpx.ConnectError("down", request=request)
            return await transport.handle_async_request(request)

    async with httpx.AsyncClient(transport=Flaky(), base_url="http://127.0.0.1:8000") as http:
        validator = TokenValidator(ISSUER, f"{ISSUER}/jwks", "pusip", http=http, clock=lambda: clock[0])
        token = idp.issuer.sign(claims())
        await validator.validate(token)
        up[0] = False
        clock[0] += 301  # cache expired, refetch fails: keep using the cached keys
        assert (await validator.validate(token)).username == "penyusup"


async def test_jwks_cache_expires(idp):
    clock = [0.0]
    validator = TokenValidator(
        ISSUER, f"{ISSUER}/jwks", "pusip", http=idp.http, clock=lambda: clock[0], jwks_cache_seconds=300
    )
    token = idp.issuer.sign(claims())
    await validator.validate(token)
    await validator.validate(token)
    assert validator.jwks_fetch_count == 1
    clock[0] += 301
    await validator.validate(token)
    assert validator.jwks_fetch_count == 2


def test_every_refusal_has_both_languages():
    for refusal_ in REFUSALS.values():
        assert refusal_.code.startswith("token_")
        assert refusal_.message and refusal_.message_en and refusal_.message != refusal_.message_en


def test_keycloak_shaped_claims_map_to_a_subject():
    keycloak_user = {
        "sub": "f3b6c1d2",
        "iss": "http://127.0.0.1:58080/realms/pusip",
        "typ": "Bearer",
        "azp": "pusip-portal",
        "preferred_username": "arsiparis",
        "given_name": "Siti",
        "family_name": "Rahma",
        "email": "siti@example.id",
        "realm_access": {"roles": ["archivist", "default-roles-pusip", "offline_access"]},
        "resource_access": {"pusip": {"roles": ["records_creator"]}, "account": {"roles": ["view-profile"]}},
        "scope": "openid profile email",
        "pusip_unit": "dispusip",
        "pusip_clearance": "rahasia",
        "pusip_access_category": "internal",
        "pusip_branches": "pusat",
    }
    subject = subject_from_claims(keycloak_user, audience="pusip")
    assert subject.username == "arsiparis"
    assert subject.name == "Siti Rahma"
    assert {"archivist", "records_creator"} <= subject.roles
    assert "view-profile" not in subject.roles
    assert subject.clearance is SecurityLevel.RAHASIA
    assert subject.branches == frozenset({"pusat"})
    assert subject.scopes == frozenset({"openid", "profile", "email"})
    assert subject.client_id == "pusip-portal"
    assert not subject.is_service_account


def test_keycloak_service_account_claims_map_to_a_subject():
    service = {
        "sub": "9a8b",
        "azp": "pusip-agency-demo",
        "preferred_username": "service-account-pusip-agency-demo",
        "client_id": "pusip-agency-demo",
        "realm_access": {"roles": ["agency_system"]},
        "roles": "extra_role",
        "scope": "profile email",
        "pusip_unit": ["dinas-demo"],
        "pusip_branches": ["pusat", "cikini,kemang"],
        "pusip_clearance": ["SANGAT_RAHASIA", "BIASA"],
    }
    subject = subject_from_claims(service)
    assert subject.is_service_account
    assert subject.client_id == "pusip-agency-demo"
    assert subject.roles == frozenset({"agency_system", "extra_role"})
    assert subject.unit == "dinas-demo"
    assert subject.branches == frozenset({"pusat", "cikini", "kemang"})
    assert subject.clearance is SecurityLevel.BIASA  # ambiguous → lowest, never upward


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("SANGAT RAHASIA", SecurityLevel.SANGAT_RAHASIA),
        ("sangat-rahasia", SecurityLevel.SANGAT_RAHASIA),
        ("Terbatas", SecurityLevel.TERBATAS),
        ("TOP_SECRET", SecurityLevel.BIASA),
        (None, SecurityLevel.BIASA),
        (42, SecurityLevel.BIASA),
    ],
)
def test_clearance_parsing(value, level):
    assert subject_from_claims({"sub": "x", "pusip_clearance": value}).clearance is level


async def test_concurrent_first_requests_fetch_the_jwks_once(idp):
    import asyncio

    validator = TokenValidator(ISSUER, f"{ISSUER}/jwks", "pusip", http=idp.http)
    token = idp.issuer.sign(claims())
    subjects = await asyncio.gather(*(validator.validate(token) for _ in range(20)))
    assert {s.username for s in subjects} == {"penyusup"}
    assert validator.jwks_fetch_count == 1


async def test_accepted_tokens_are_remembered_briefly_and_never_past_expiry(idp, monkeypatch):
    clock = [0.0]
    validator = TokenValidator(
        ISSUER, f"{ISSUER}/jwks", "pusip", http=idp.http, clock=lambda: clock[0], token_cache_seconds=30
    )
    decoded: list[str] = []
    decode = validator.decode

    async def counting_decode(token: str) -> dict[str, Any]:
        decoded.append(token)
        return await decode(token)

    monkeypatch.setattr(validator, "decode", counting_decode)
    token = idp.issuer.sign(claims())
    first = await validator.validate(token)
    assert (await validator.validate(token)) is first  # the second request skips the RS256 check
    assert len(decoded) == 1
    clock[0] += 31  # the cache interval is over: verified again
    await validator.validate(token)
    assert len(decoded) == 2
    # A token expiring within the interval is verified again (by PyJWT, with its leeway) once past exp.
    now = int(time.time())
    short = idp.issuer.sign(claims(exp=now + 1, iat=now, nbf=now))
    await validator.validate(short)
    await validator.validate(short)
    assert len(decoded) == 3
    monkeypatch.setattr(time, "time", lambda: now + 2.0)
    await validator.validate(short)
    assert len(decoded) == 4


async def test_refusals_are_never_cached_and_the_cache_is_bounded(idp):
    validator = TokenValidator(ISSUER, f"{ISSUER}/jwks", "pusip", http=idp.http, token_cache_size=2)
    wrong = idp.issuer.sign(claims(aud="someone-else"))
    for _ in range(2):
        assert (await refusal(validator, wrong)).code == "token_wrong_audience"
    tokens = [idp.issuer.sign(claims()) for _ in range(3)]
    subjects = [await validator.validate(t) for t in tokens]
    assert len(validator._validated) == 2
    assert (await validator.validate(tokens[0])) is not subjects[0]  # evicted: verified anew
    assert (await validator.validate(tokens[2])) is subjects[2]
