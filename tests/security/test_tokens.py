"""Forged tokens are refused (401, named code, bilingual) at the gateway and at the service itself.

Each forgery changes one thing of a genuine token: its algorithm (``none``, HS256 keyed with the
public key), its signing key, its lifetime, audience, issuer or claims. The control — the same
claims re-signed with the issuer's real key — must pass, so a refusal is the one change's doing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .suite import Suite

pytestmark = pytest.mark.timeout(300)

PROTECTED = "/api/circulation/branches"  # any authenticated caller
PUBLIC = "/api/catalog/search"  # anonymous allowed: a bad token is still refused
STAFF = "/api/catalog/records"  # cataloger/librarian only


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return (
        json.loads(base64.urlsafe_b64decode(pad(header))),
        json.loads(base64.urlsafe_b64decode(pad(payload))),
    )


@pytest.fixture(scope="module")
def signing(suite: Suite) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    key = serialization.load_pem_private_key(
        (suite.data_dir / "gateway" / "keys" / "signing-key.pem").read_bytes(), password=None
    )
    header, claims = _segments(suite.tokens["pemustaka"])
    return key, header, claims


def _sign(key: Any, header: dict[str, Any], claims: dict[str, Any], alg: str = "RS256") -> str:
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": header["kid"], "typ": "JWT"})


def _cut(signature: str, remainder: int) -> str:
    """``signature`` shortened by at least 20 characters to a length ≡ ``remainder`` (mod 4)."""
    cut = signature[:-20]
    while len(cut) % 4 != remainder:
        cut = cut[:-1]
    return cut


def forgeries(
    signing: tuple[Any, dict[str, Any], dict[str, Any]], suite: Suite
) -> dict[str, tuple[str, str]]:
    key, header, claims = signing
    now = int(time.time())
    fresh = {**claims, "iat": now, "nbf": now - 5, "exp": now + 600}
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    genuine = _sign(key, header, fresh)
    g_header, g_payload, g_sig = genuine.split(".")
    tampered_claims = {**fresh, "realm_access": {"roles": ["admin"]}, "roles": ["admin"]}
    tampered = f"{g_header}.{_b64(json.dumps(tampered_claims).encode())}.{g_sig}"
    none_header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": header["kid"]}).encode())
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    confused = (
        _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": header["kid"]}).encode())
        + "."
        + _b64(json.dumps(fresh).encode())
    )
    confused += "." + _b64(hmac.new(public_pem, confused.encode(), hashlib.sha256).digest())
    return {
        "alg none": (
            f"{none_header}.{_b64(json.dumps(tampered_claims).encode())}.",
            "token_algorithm_refused",
        ),
        "HS256 keyed with the public key": (confused, "token_algorithm_refused"),
        "wrong key, same kid": (_sign(other_key, header, fresh), "token_invalid_signature"),
        "wrong key, unknown kid": (
            jwt.encode(fresh, other_key, algorithm="RS256", headers={"kid": "forged-kid"}),
            "token_unknown_key",
        ),
        "expired": (_sign(key, header, {**fresh, "iat": now - 7200, "exp": now - 3600}), "token_expired"),
        "not yet valid": (_sign(key, header, {**fresh, "nbf": now + 3600}), "token_not_yet_valid"),
        "wrong audience": (_sign(key, header, {**fresh, "aud": "someone-else"}), "token_wrong_audience"),
        "wrong issuer": (
            _sign(key, header, {**fresh, "iss": "http://127.0.0.1:1/evil"}),
            "token_wrong_issuer",
        ),
        "tampered claims": (tampered, "token_invalid_signature"),
        # cut to a length no base64 text has: unreadable, whatever the signature's bytes
        "truncated signature, not base64": (f"{g_header}.{g_payload}.{_cut(g_sig, 1)}", "token_malformed"),
        # cut on a 4-character boundary: it decodes, to a signature that is too short
        "truncated signature, whole bytes": (
            f"{g_header}.{g_payload}.{_cut(g_sig, 0)}",
            "token_invalid_signature",
        ),
        "signature of another token": (
            f"{g_header}.{g_payload}.{_sign(key, header, {**fresh, 'jti': 'other'}).rsplit('.', 1)[1]}",
            "token_invalid_signature",
        ),
        "garbage": ("not.a.token", "token_malformed"),
    }


def _assert_refused(response: httpx.Response, code: str, what: str) -> None:
    assert response.status_code == 401, (what, response.status_code, response.text[:300])
    error = response.json()["error"]
    assert error["code"] == code, (what, error)
    assert error["message"] and error["message_en"] and error["message"] != error["message_en"], error
    assert "bearer" in response.headers.get("www-authenticate", "").lower(), (what, response.headers)


def test_the_control_token_passes(suite: Suite, signing: tuple[Any, dict[str, Any], dict[str, Any]]) -> None:
    key, header, claims = signing
    now = int(time.time())
    token = _sign(key, header, {**claims, "iat": now, "nbf": now - 5, "exp": now + 600})
    with httpx.Client(base_url=suite.url, timeout=60) as client:
        response = client.get(PROTECTED, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("target", ["gateway", "service"])
def test_every_forgery_is_refused(
    suite: Suite, signing: tuple[Any, dict[str, Any], dict[str, Any]], target: str
) -> None:
    # the service is asked directly too (its own port): the gateway is not the only check
    base = suite.url if target == "gateway" else f"http://127.0.0.1:{suite.base + 2}"
    path = PROTECTED if target == "gateway" else "/branches"
    with httpx.Client(base_url=base, timeout=60) as client:
        for what, (token, code) in forgeries(signing, suite).items():
            _assert_refused(client.get(path, headers={"Authorization": f"Bearer {token}"}), code, what)


def test_a_forgery_is_refused_on_public_and_role_routes(
    suite: Suite, signing: tuple[Any, dict[str, Any], dict[str, Any]]
) -> None:
    forged = forgeries(signing, suite)
    with httpx.Client(base_url=suite.url, timeout=60) as client:
        for path in (PUBLIC, STAFF):
            for what in ("alg none", "tampered claims", "expired"):
                token, code = forged[what]
                response = client.get(path, headers={"Authorization": f"Bearer {token}"})
                _assert_refused(response, code, f"{what} on {path}")
        # a tampered "admin" token never reaches an admin route
        token, code = forged["tampered claims"]
        response = client.get("/api/catalog/admin/outbox", headers={"Authorization": f"Bearer {token}"})
        _assert_refused(response, code, "tampered admin")
        # a non-bearer scheme on the API is malformed, not anonymous
        basic = client.get(PROTECTED, headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
        _assert_refused(basic, "token_malformed", "basic scheme")
