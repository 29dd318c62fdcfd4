"""The edge: token checks, role-restricted prefixes, body-size limits, rate limits, headers."""

from __future__ import annotations

import asyncio
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from .conftest import ADMIN, LIBRARIAN, MiB, Suite


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _get(suite: Suite, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        return await client.get(path, headers=headers or {})


# -- tokens -------------------------------------------------------------------------------------


async def test_valid_token_passes_and_missing_token_is_401(suite: Suite) -> None:
    r = await _get(suite, "/api/circulation/echo/x")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "authentication_required"
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["request_id"] == r.headers["x-request-id"]
    ok = await _get(suite, "/api/circulation/echo/x", bearer(suite.mint.token("u-valid", ("patron",))))
    assert ok.status_code == 200


def _refusals(suite: Suite) -> dict[str, tuple[str, str]]:
    now = int(time.time())
    mint = suite.mint
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "expired": (
            mint.token("u1", exp=now - 3600, iat=now - 7200, nbf=now - 7200),
            "token_expired",
        ),
        "wrong_signature": (
            jwt.encode(mint.claims("u1"), other_key, algorithm="RS256", headers={"kid": mint.key.kid}),
            "token_invalid_signature",
        ),
        "wrong_issuer": (mint.token("u1", iss="http://penipu.example/auth"), "token_wrong_issuer"),
        "alg_none": (jwt.encode(mint.claims("u1"), None, algorithm="none"), "token_algorithm_refused"),
        "hs256_with_public_key": (
            jwt.encode(mint.claims("u1"), "x" * 32, algorithm="HS256", headers={"kid": mint.key.kid}),
            "token_algorithm_refused",
        ),
        "garbage": ("abc.def", "token_malformed"),
        "wrong_audience": (mint.token("u1", aud="lain"), "token_wrong_audience"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "expired",
        "wrong_signature",
        "wrong_issuer",
        "alg_none",
        "hs256_with_public_key",
        "garbage",
        "wrong_audience",
    ],
)
@pytest.mark.parametrize("path", ["/api/circulation/echo/x", "/api/catalog/echo/public", "/"])
async def test_bad_tokens_are_refused_even_on_public_routes(suite: Suite, case: str, path: str) -> None:
    token, code = _refusals(suite)[case]
    r = await _get(suite, path, bearer(token))
    assert r.status_code == 401, r.text
    body = r.json()
    assert body["error"]["code"] == code
    assert body["error"]["message"] and body["error"]["message_en"]
    assert "invalid_token" in r.headers["www-authenticate"]


async def test_other_schemes_are_refused_on_api_but_basic_reaches_the_token_endpoint(suite: Suite) -> None:
    r = await _get(suite, "/api/catalog/echo/x", {"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "token_malformed"
    async with httpx.AsyncClient(base_url=suite.url) as client:
        r = await client.post(
            "/auth/token", data={"grant_type": "client_credentials"}, auth=("tidak-ada", "salah")
        )
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"  # the issuer's answer, not the edge's


async def test_embedded_issuer_password_grant_token_is_accepted(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        conf = await client.get("/auth/.well-known/openid-configuration")
        assert conf.status_code == 200
        assert conf.json()["issuer"] == f"{suite.url}/auth"
        tok = await client.post(
            "/auth/token",
            data={
                "grant_type": "password",
                "username": LIBRARIAN[0],
                "password": LIBRARIAN[1],
                "client_id": "pusip-portal",
            },
        )
        assert tok.status_code == 200, tok.text
        access = tok.json()["access_token"]
        r = await client.get("/api/circulation/echo/me", headers=bearer(access))
        assert r.status_code == 200
        info = await client.get("/auth/userinfo", headers=bearer(access))
        assert info.json()["preferred_username"] == LIBRARIAN[0]


# -- roles --------------------------------------------------------------------------------------


async def test_role_restricted_prefix(suite: Suite) -> None:
    anon = await _get(suite, "/api/catalog/admin/settings")
    assert anon.status_code == 401
    librarian = await _get(
        suite, "/api/catalog/admin/settings", bearer(suite.mint.token("u-lib", ("librarian",)))
    )
    assert librarian.status_code == 403
    err = librarian.json()["error"]
    assert err["code"] == "missing_role"
    assert err["details"] == {"required_roles": ["admin"]}
    admin = await _get(suite, "/api/catalog/admin/settings", bearer(suite.mint.token("u-adm", ("admin",))))
    assert admin.status_code == 200
    assert admin.json() == {"service": "alpha", "admin": "yes"}
    # the same rule covers every service
    other = await _get(
        suite, "/api/circulation/admin/settings", bearer(suite.mint.token("u-lib", ("librarian",)))
    )
    assert other.status_code == 403


async def test_admin_account_from_the_issuer_passes_role_check(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        tok = await client.post(
            "/auth/token", data={"grant_type": "password", "username": ADMIN[0], "password": ADMIN[1]}
        )
        r = await client.get("/api/catalog/admin/settings", headers=bearer(tok.json()["access_token"]))
    assert r.status_code == 200


# -- body size ----------------------------------------------------------------------------------


async def _raw_request(port: int, head: bytes, body_chunks: list[bytes] | None = None) -> tuple[int, bytes]:
    """Send ``head`` (and maybe chunks) on a raw socket, reading concurrently; return status and body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received = bytearray()

    async def read() -> None:
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    return
                received.extend(data)
                if b"\r\n\r\n" in received:
                    header_end = received.index(b"\r\n\r\n")
                    headers = received[:header_end].decode("latin-1").lower()
                    for line in headers.split("\r\n"):
                        if line.startswith("content-length:") and (
                            len(received) - header_end - 4 >= int(line.split(":")[1])
                        ):
                            return
        except ConnectionError:
            return

    reading = asyncio.create_task(read())
    try:
        writer.write(head)
        await writer.drain()
        for chunk in body_chunks or []:
            if reading.done():
                break
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
        await asyncio.wait_for(reading, 15)
    except ConnectionError:
        await asyncio.wait_for(reading, 15)
    finally:
        writer.close()
    status = int(received.split(b" ", 2)[1])
    return status, bytes(received[received.index(b"\r\n\r\n") + 4 :])


async def test_content_length_over_limit_is_413_before_the_body_is_sent(suite: Suite) -> None:
    token = suite.mint.token("u-up", ("archivist",))
    head = (
        f"POST /api/archive/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Length: {11 * MiB}\r\nContent-Type: application/octet-stream\r\n\r\n"
    ).encode()
    started = time.perf_counter()
    status, body = await _raw_request(suite.gateway.port, head)  # no body sent at all
    assert status == 413
    assert b'"payload_too_large"' in body
    assert time.perf_counter() - started < 5


async def test_chunked_body_over_limit_is_413_and_upstream_request_aborted(suite: Suite) -> None:
    token = suite.mint.token("u-up", ("archivist",))
    head = (
        f"POST /api/archive/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        "Transfer-Encoding: chunked\r\nContent-Type: application/octet-stream\r\n\r\n"
    ).encode()
    status, body = await _raw_request(suite.gateway.port, head, [b"z" * (256 * 1024)] * 48)  # 12 MiB
    assert status == 413
    assert b'"payload_too_large"' in body
    await asyncio.sleep(0.5)
    async with httpx.AsyncClient() as client:
        log = (await client.get(f"{suite.alpha.url}/uploads")).json()
    aborted = [u for u in log if not u["complete"]]
    assert aborted, log
    assert all(u["size"] <= 10 * MiB for u in aborted)


async def test_bodies_within_the_route_limit_pass(suite: Suite) -> None:
    token = suite.mint.token("u-up", ("cataloger",))
    async with httpx.AsyncClient(base_url=suite.url, timeout=30) as client:
        r = await client.post("/api/archive/upload", content=b"a" * (5 * MiB), headers=bearer(token))
    assert r.status_code == 200
    assert r.json()["size"] == 5 * MiB


# -- rate limits --------------------------------------------------------------------------------


async def test_flood_is_429_with_retry_after_per_client(suite: Suite) -> None:
    flooder = bearer(suite.mint.token("u-flood", ("patron",)))
    calm = bearer(suite.mint.token("u-calm", ("patron",)))
    async with httpx.AsyncClient(base_url=suite.url) as client:
        answers = [await client.get("/api/circulation/ping", headers=flooder) for _ in range(6)]
        assert [a.status_code for a in answers[:5]] == [200] * 5
        assert answers[0].headers["ratelimit-limit"] == "5"
        assert answers[4].headers["ratelimit-remaining"] == "0"
        refused = answers[5]
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["ratelimit-remaining"] == "0"
        assert refused.headers["ratelimit-policy"] == "5;w=60"
        # another client is counted separately
        assert (await client.get("/api/circulation/ping", headers=calm)).status_code == 200
        # other routes are another class
        assert (await client.get("/api/circulation/echo/x", headers=flooder)).status_code == 200


async def test_anonymous_callers_are_limited_by_address(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        codes = [(await client.get("/api/circulation/ping")).status_code for _ in range(7)]
    assert codes[:5] == [401] * 5
    assert codes[5:] == [429, 429]


# -- security headers ---------------------------------------------------------------------------


async def test_security_headers(suite: Suite) -> None:
    r = await _get(suite, "/")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    api = await _get(suite, "/api/catalog/ping")
    assert api.headers["x-content-type-options"] == "nosniff"
