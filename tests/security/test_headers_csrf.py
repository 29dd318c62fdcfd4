"""Security headers on portal and API answers; CSRF protection of every portal form post.

Policy (``gateway/edge.py``): every answer carries a CSP without inline script and with
``frame-ancestors 'none'``, ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``,
``Referrer-Policy: strict-origin-when-cross-origin``; HSTS only over TLS (directly, a trusted
proxy's ``X-Forwarded-Proto: https``, or an https public URL). Portal cookies are HttpOnly and
SameSite=Lax. Every unsafe portal route refuses a post without the signed double-submit token, and
the edge refuses cross-site posts (``Origin`` / ``Sec-Fetch-Site``) before any handler runs. The
API is bearer-only (the proxy never forwards the portal's cookies), so it has no CSRF exposure.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi.routing import iter_route_contexts

from gateway.config import GatewaySettings
from gateway.main import create_app

from .suite import Suite, password_of

pytestmark = pytest.mark.timeout(600)

CSRF_INPUT = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I)
PAGES = ("/", "/portal/login", "/portal/katalog", "/portal/kearsipan/cari", "/portal/akreditasi")
API = (
    "/api/catalog/search?q=jakarta",
    "/api/health",
    "/api/circulation/branches",  # 401
    "/api/catalog/admin/outbox",  # 401 at the edge
    "/openapi.json",
    "/docs",
    "/auth/jwks",
    "/tidak-ada",  # 404
)
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _assert_headers(response: httpx.Response, where: str) -> None:
    h = response.headers
    csp = h.get("content-security-policy", "")
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'"):
        assert directive in csp, (where, csp)
    script = next((d for d in csp.split(";") if d.strip().startswith("script-src")), "")
    assert "'self'" in script and "unsafe" not in script, (where, csp)
    assert h.get("x-content-type-options") == "nosniff", where
    assert h.get("x-frame-options") == "DENY", where
    assert h.get("referrer-policy") == "strict-origin-when-cross-origin", where


def test_headers_on_portal_pages_and_api_answers(suite: Suite) -> None:
    with httpx.Client(base_url=suite.url, timeout=60) as client:
        for path in PAGES:
            page = client.get(path, headers={"Accept": "text/html"})
            assert page.status_code == 200, (path, page.status_code)
            _assert_headers(page, path)
            assert "strict-transport-security" not in page.headers, path  # plain http
            assert not INLINE_SCRIPT.findall(page.text), (path, INLINE_SCRIPT.findall(page.text))
        for path in API:
            response = client.get(path)
            _assert_headers(response, path)
            assert "strict-transport-security" not in response.headers, path
        # behind a TLS-terminating proxy the gateway trusts (127.0.0.1 in this suite)
        for path in ("/", "/api/health"):
            tls = client.get(path, headers={"X-Forwarded-Proto": "https"})
            hsts = tls.headers.get("strict-transport-security", "")
            assert re.match(r"max-age=(\d+)", hsts) and int(hsts.split("=")[1].split(";")[0]) >= 31536000, (
                hsts
            )


def test_portal_cookies_are_httponly_and_samesite(suite: Suite) -> None:
    with httpx.Client(base_url=suite.url, timeout=60) as client:
        page = client.get("/portal/login")
        csrf_cookie = next(c for c in page.headers.get_list("set-cookie") if c.startswith("pusip_csrf="))
        token = CSRF_INPUT.search(page.text)
        assert token
        signed = client.post(
            "/portal/login",
            data={
                "username": "pemustaka",
                "password": password_of("pemustaka"),
                "csrf_token": token.group(1),
            },
        )
        assert signed.status_code == 303, signed.text[:300]
        session_cookie = next(
            c for c in signed.headers.get_list("set-cookie") if c.startswith("pusip_session=")
        )
    for cookie in (csrf_cookie, session_cookie):
        lowered = cookie.lower()
        assert "httponly" in lowered and "samesite=lax" in lowered and "path=/" in lowered, cookie


@cache
def portal_unsafe_routes() -> tuple[tuple[str, str], ...]:
    app = create_app(GatewaySettings())
    found: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        path = str(getattr(context, "path_format", None) or getattr(context, "path", ""))
        if path.startswith(("/api/", "/auth/")) or not path.startswith("/"):
            continue
        for method in context.methods or ():
            if method in UNSAFE:
                found.add((method, path))
    return tuple(sorted(found))


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-00000000dead", path)


def _signed_in(suite: Suite, username: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=suite.url, timeout=60)
    page = client.get("/portal/login")
    token = CSRF_INPUT.search(page.text)
    assert token
    response = client.post(
        "/portal/login",
        data={"username": username, "password": password_of(username), "csrf_token": token.group(1)},
    )
    assert response.status_code == 303, response.text[:300]
    return client, token.group(1)


def _code(response: httpx.Response) -> Any:
    """The error code: the kit's shape, or the upload pages' ``{"ok": false, "code": …}``."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("code")
    return body.get("code") if isinstance(body, dict) else None


def test_every_portal_form_post_needs_the_csrf_token(
    suite: Suite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signed in (admin; the library admin where a page is theirs alone), each unsafe portal route
    refuses a multipart post without the token or with a forged one: 403 ``csrf_failed``."""
    monkeypatch.setenv("PUSIP_DATA_DIR", str(tmp_path))
    routes = portal_unsafe_routes()
    assert len(routes) > 20, routes
    sessions = [_signed_in(suite, "admin"), _signed_in(suite, "admin-perpus")]
    wrong: list[str] = []
    try:
        for method, path in routes:
            for label, data in (("no token", {"x": "1"}), ("forged token", {"csrf_token": "abc.def"})):
                answers = []
                for client, _ in sessions:
                    response = client.request(
                        method,
                        _fill(path),
                        data=data,
                        files={"berkas": ("x.txt", b"x", "text/plain")},
                        headers={"Accept": "application/json"},
                    )
                    answers.append(response)
                    if not (response.status_code == 403 and _code(response) == "missing_role"):
                        break  # not this user's page: try the next one
                last = answers[-1]
                if path == "/portal/login" and last.status_code == 403:
                    continue  # re-renders the form with the CSRF message (an HTML page)
                if last.status_code != 403 or _code(last) != "csrf_failed":
                    wrong.append(f"{method} {path} ({label}): {last.status_code} {last.text[:160]}")
        # the control: with the token the same kind of post goes through
        client, token = sessions[0]
        ok = client.post("/portal/lang", data={"lang": "en", "next": "/", "csrf_token": token})
        assert ok.status_code == 303, ok.text[:200]
    finally:
        for client, _ in sessions:
            client.close()
    assert not wrong, "\n".join(wrong)


def test_cross_site_posts_are_refused_at_the_edge(suite: Suite) -> None:
    client, token = _signed_in(suite, "pemustaka")
    form = {"lang": "en", "next": "/", "csrf_token": token}
    try:
        for headers in (
            {"Origin": "https://penyerang.example"},
            {"Origin": "null"},
            {"Sec-Fetch-Site": "cross-site"},
            {"Origin": f"http://127.0.0.1:{suite.base}.penyerang.example"},
        ):
            refused = client.post(
                "/portal/lang", data=form, headers={**headers, "Accept": "application/json"}
            )
            assert refused.status_code == 403, (headers, refused.status_code)
            error = refused.json()["error"]
            assert error["code"] == "csrf_failed" and "Cross-site" in error["message_en"], error
            assert error["message"] != error["message_en"]
        same = client.post(
            "/portal/lang", data=form, headers={"Origin": suite.url, "Sec-Fetch-Site": "same-origin"}
        )
        assert same.status_code == 303, same.text[:200]
        login = httpx.post(
            f"{suite.url}/portal/login",
            data={"username": "x", "password": "y"},
            headers={"Origin": "https://penyerang.example"},
        )
        assert login.status_code == 403
        # the bearer-only API is not subject to it
        api = httpx.post(
            f"{suite.url}/api/archive/records/check",
            json={},
            headers={**suite.headers("arsiparis"), "Origin": "https://penyerang.example"},
        )
        assert api.status_code == 422, api.text[:200]
    finally:
        client.close()


@pytest.fixture
async def tls_gateway(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = GatewaySettings(
        data_dir=tmp_path, gateway_url="https://perpustakaan.example.go.id", rate_limit_enabled=False
    )
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://internal:8000") as client:
            yield client


async def test_hsts_when_the_public_url_is_https(tls_gateway: httpx.AsyncClient) -> None:
    home = await tls_gateway.get("/portal/login")
    assert home.headers["strict-transport-security"].startswith("max-age=31536000"), home.headers
    _assert_headers(home, "/portal/login")
    # the public host counts as same-origin even when the proxy rewrote Host
    token = CSRF_INPUT.search(home.text)
    assert token and "secure" in home.headers["set-cookie"].lower()  # a Secure cookie: sent by hand here
    cookie = {"Cookie": f"pusip_csrf={token.group(1)}"}
    same = await tls_gateway.post(
        "/portal/lang",
        data={"lang": "en", "next": "/", "csrf_token": token.group(1)},
        headers={"Origin": "https://perpustakaan.example.go.id", **cookie},
    )
    assert same.status_code == 303, same.text[:200]
    cross = await tls_gateway.post(
        "/portal/lang",
        data={"lang": "en", "next": "/", "csrf_token": token.group(1)},
        headers={
            "Origin": "https://perpustakaan.example.go.id.penyerang.example",
            "Accept": "application/json",
            **cookie,
        },
    )
    assert cross.status_code == 403 and _code(cross) == "csrf_failed"
    assert "Cross-site" in cross.json()["error"]["message_en"]
