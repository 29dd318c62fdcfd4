"""The portal shell: catalogs, CSRF, session cookie, and the real thing in headless Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, Request
from fastapi.testclient import TestClient

from gateway.config import GatewaySettings
from gateway.main import create_app
from gateway.portal import NavItem, get_portal
from gateway.portal.core import safe_next
from gateway.portal.routes import build_router
from gateway.portal.session import PortalSession, SessionCodec

from .conftest import LIBRARIAN, Suite

PORTAL = Path(__file__).resolve().parents[1] / "src" / "gateway" / "portal"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_PRESENT = Path(CHROMIUM).exists()
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


# -- catalogs -----------------------------------------------------------------------------------


def test_catalogs_have_the_same_keys_and_cover_every_template_string() -> None:
    ids = json.loads((PORTAL / "i18n" / "id.json").read_text())
    ens = json.loads((PORTAL / "i18n" / "en.json").read_text())
    assert set(ids) == set(ens)
    used: set[str] = set()
    for template in (PORTAL / "templates").glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.]+)["']\s*[,)]""", template.read_text()))
    assert used, "no t() calls found"
    assert used <= set(ids), sorted(used - set(ids))
    # dynamic keys: every nav label, service description, status and role
    for key in ("nav.catalog", "module.archive.desc", "status.down", "status.timeout", "role.archivist"):
        assert key in ids


def test_templates_have_no_bare_text_outside_the_catalog() -> None:
    """Text nodes in templates are only Jinja expressions, never literal UI words."""
    for template in (PORTAL / "templates").glob("*.html"):
        html = template.read_text()
        html = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", html, flags=re.S)
        html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
        for text in re.findall(r">([^<]+)<", html):
            words = re.findall(r"[A-Za-z]{2,}", text)
            assert not words, f"{template.name}: literal text {text.strip()!r}"


def test_safe_next_only_allows_local_paths() -> None:
    assert safe_next("/portal/katalog?q=1") == "/portal/katalog?q=1"
    for bad in ("https://evil.example/", "//evil.example", "/\\evil", "javascript:alert(1)", ""):
        assert safe_next(bad) == "/"


def test_session_cookie_is_sealed() -> None:
    codec = SessionCodec("rahasia-uji-yang-cukup-panjang")
    session = PortalSession("at.token.value", "pusip_rt_x", 2_000_000_000.0, None)
    sealed = codec.seal(session)
    assert "at.token.value" not in sealed
    assert codec.open(sealed) == session
    tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    assert codec.open(tampered) is None
    assert SessionCodec("kunci-lain-yang-juga-panjang").open(sealed) is None
    token = codec.new_csrf()
    assert codec.csrf_matches(token, token)
    assert not codec.csrf_matches(token, codec.new_csrf())
    assert not codec.csrf_matches("forged.sig", "forged.sig")


# -- over HTTP ----------------------------------------------------------------------------------


async def test_home_in_indonesian_by_default_and_english_by_cookie(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        r = await client.get("/")
        assert r.status_code == 200
        assert '<html lang="id">' in r.text
        for label in ("Katalog", "Sirkulasi", "Serah Simpan", "Kearsipan", "Akreditasi"):
            assert label in r.text
        assert "pusip_csrf" in r.headers.get("set-cookie", "")
        client.cookies.set("lang", "en")
        en = await client.get("/")
        assert '<html lang="en">' in en.text
        assert "Legal Deposit" in en.text and "Archives" in en.text


async def test_portal_posts_need_the_csrf_token(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        await client.get("/portal/login")
        r = await client.post("/portal/lang", data={"lang": "en", "next": "/"})
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "csrf_failed"
        login = await client.post(
            "/portal/login", data={"username": LIBRARIAN[0], "password": LIBRARIAN[1], "csrf_token": "x.y"}
        )
        assert login.status_code == 403
        assert "pusip_session" not in login.headers.get("set-cookie", "")


async def test_login_and_session_cookie_flags(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        page = await client.get("/portal/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        bad = await client.post(
            "/portal/login",
            data={"username": LIBRARIAN[0], "password": "salah-sekali", "csrf_token": csrf.group(1)},
        )
        assert bad.status_code == 401
        assert "Nama pengguna atau kata sandi salah" in bad.text
        good = await client.post(
            "/portal/login",
            data={
                "username": LIBRARIAN[0],
                "password": LIBRARIAN[1],
                "csrf_token": csrf.group(1),
                "next": "/portal/katalog",
            },
        )
        assert good.status_code == 303
        assert good.headers["location"] == "/portal/katalog"
        cookie = next(c for c in good.headers.get_list("set-cookie") if c.startswith("pusip_session="))
        flags = cookie.lower()
        assert "httponly" in flags and "samesite=lax" in flags and "secure" not in flags  # plain http here
        home = await client.get("/")
        assert LIBRARIAN[0] in home.text
        assert "Pustakawan" in home.text  # role label from the catalog
        # a tampered cookie is a signed-out visitor, and the cookie is cleared
        client.cookies.set("pusip_session", "AAAA" + cookie.split("=", 1)[1].split(";")[0][4:])
        tampered = await client.get("/")
        assert LIBRARIAN[0] not in tampered.text
        assert any(c.startswith('pusip_session=""') for c in tampered.headers.get_list("set-cookie"))


async def test_browsers_get_error_pages_and_api_clients_json(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        page = await client.get("/portal/tidak-ada", headers={"Accept": "text/html"})
        assert page.status_code == 404
        assert "Halaman tidak ditemukan" in page.text and '<html lang="id">' in page.text
        api = await client.get("/portal/tidak-ada", headers={"Accept": "application/json"})
        assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
        await client.get("/")
        forged = await client.post(
            "/portal/lang", data={"lang": "en", "csrf_token": "a.b"}, headers={"Accept": "text/html"}
        )
        assert forged.status_code == 403
        assert 'data-error-code="csrf_failed"' in forged.text


async def test_status_fragment_lists_every_service(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        r = await client.get("/portal/status")
    assert r.status_code == 200
    assert "<html" not in r.text
    for service in ("catalog", "circulation", "deposit", "archive", "accreditation"):
        assert f'data-service="{service}"' in r.text
    assert 'data-status="ready"' in r.text


async def test_section_placeholders_and_later_pages_take_over(suite: Suite) -> None:
    async with httpx.AsyncClient(base_url=suite.url) as client:
        r = await client.get("/portal/kearsipan")
    assert r.status_code == 200
    assert "Kearsipan" in r.text and 'aria-current="page"' in r.text


def test_include_puts_feature_pages_before_placeholders(tmp_path: Path) -> None:
    # A section of its own (no real service's name): the shell gives it a placeholder page first.
    settings = GatewaySettings(data_dir=tmp_path, service_urls={}, rate_limit_enabled=False)
    app = create_app(settings)
    portal = app.state.portal
    portal.add_nav(NavItem("uji.bagian", "/portal/uji-bagian", "uji-bagian", None, "book"))
    _, placeholders = build_router(portal)
    before = len(app.router.routes)
    app.include_router(placeholders)
    portal.mark_fallbacks(app.router.routes[before:])
    (tmp_path / "tpl" / "uji-bagian").mkdir(parents=True)
    (tmp_path / "tpl" / "uji-bagian" / "halaman.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>{{ t("uji.bagian.halaman") }}</h1>{% endblock %}'
    )
    (tmp_path / "i18n").mkdir()
    (tmp_path / "i18n" / "id.json").write_text(
        '{"uji.bagian": "Bagian uji", "uji.bagian.halaman": "Halaman fitur"}'
    )
    (tmp_path / "i18n" / "en.json").write_text(
        '{"uji.bagian": "Test section", "uji.bagian.halaman": "Feature page"}'
    )
    portal.add_catalog_dir(tmp_path / "i18n")
    with TestClient(app) as client:
        placeholder = client.get("/portal/uji-bagian")
        assert placeholder.status_code == 200 and "section-placeholder" in placeholder.text
        assert "Halaman fitur" not in placeholder.text
    router = APIRouter()

    @router.get("/portal/uji-bagian")
    async def halaman(request: Request):  # type: ignore[no-untyped-def]
        return await get_portal(request).render(request, "uji-bagian/halaman.html", section="uji-bagian")

    portal.include(
        app,
        router,
        templates_dir=tmp_path / "tpl",
        i18n_dir=tmp_path / "i18n",
        nav=[NavItem("uji.bagian", "/portal/uji-bagian", "uji-bagian", None, "book")],
    )
    with TestClient(app) as client:
        page = client.get("/portal/uji-bagian")
        assert "Halaman fitur" in page.text and "section-placeholder" not in page.text
        client.cookies.set("lang", "en")
        assert "Feature page" in client.get("/portal/uji-bagian").text
    assert [i.section for i in portal.nav].count("uji-bagian") == 1  # replaced, not added twice


# -- in a real browser --------------------------------------------------------------------------


@pytest.fixture
async def browser():
    if not CHROMIUM_PRESENT:
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (make system-deps)")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.mark.browser
async def test_portal_in_chromium(suite: Suite, browser) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    # the failed sign-in below answers 401, which Chromium logs; anything else is a real error
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text) if msg.type == "error" and "status of 401" not in msg.text else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    await page.goto(f"{suite.url}/")
    assert await page.get_attribute("html", "lang") == "id"
    nav = page.locator("nav.main-nav")
    for label in ("Katalog", "Sirkulasi", "Serah Simpan", "Kearsipan", "Akreditasi"):
        await nav.get_by_role("link", name=label, exact=True).wait_for()

    # the status panel is filled by htmx
    rows = page.locator("#service-status tr.status-row")
    await rows.first.wait_for(timeout=10_000)
    assert await rows.count() == 5
    assert await page.locator('#service-status tr[data-service="circulation"] th').inner_text() == "Sirkulasi"
    assert await page.locator('#service-status tr[data-status="ready"]').count() == 5
    await page.screenshot(path="/tmp/portal-home.png", full_page=True)

    # language switch
    await page.locator('button[data-lang="en"]').click()
    await page.wait_for_load_state()
    assert await page.get_attribute("html", "lang") == "en"
    await nav.get_by_role("link", name="Legal Deposit", exact=True).wait_for()
    await nav.get_by_role("link", name="Archives", exact=True).wait_for()
    await page.locator('#service-status tr[data-service="deposit"]').wait_for(timeout=10_000)
    assert await page.locator('#service-status tr[data-service="deposit"] th').inner_text() == "Legal Deposit"
    await page.locator('button[data-lang="id"]').click()
    await page.wait_for_load_state()
    assert await page.get_attribute("html", "lang") == "id"

    # sign in
    await page.get_by_test_id("login-link").click()
    await page.get_by_label("Nama pengguna").fill(LIBRARIAN[0])
    await page.get_by_label("Kata sandi").fill("bukan-kata-sandinya")
    await page.get_by_role("button", name="Masuk", exact=True).click()
    await page.get_by_test_id("login-error").wait_for()
    assert "salah" in await page.get_by_test_id("login-error").inner_text()
    await page.get_by_label("Kata sandi").fill(LIBRARIAN[1])
    await page.get_by_role("button", name="Masuk", exact=True).click()
    await page.get_by_test_id("current-user").wait_for()
    assert LIBRARIAN[0] in await page.get_by_test_id("current-user").inner_text()
    assert await page.get_by_test_id("whoami-username").inner_text() == LIBRARIAN[0]
    roles = await page.get_by_test_id("whoami-roles").inner_text()
    assert "Pustakawan" in roles and "Katalogisator" in roles
    cookies = {c["name"]: c for c in await context.cookies()}
    assert cookies["pusip_session"]["httpOnly"] is True
    assert cookies["pusip_session"]["sameSite"] == "Lax"
    await page.screenshot(path="/tmp/portal-home-signed-in.png", full_page=True)

    # sign out
    await page.get_by_test_id("logout").click()
    await page.get_by_test_id("login-link").wait_for()
    assert await page.get_by_test_id("current-user").count() == 0
    assert "pusip_session" not in {c["name"] for c in await context.cookies()}

    # a phone-sized screen still shows the brand and navigation
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(f"{suite.url}/")
    await page.locator("#service-status tr.status-row").first.wait_for(timeout=10_000)
    await page.screenshot(path="/tmp/portal-home-mobile.png", full_page=True)

    assert not errors, errors  # no CSP violations, no script errors
    await context.close()
