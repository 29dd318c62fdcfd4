"""The catalogue's portal pages, against the real catalog service (in process, over ASGI).

The gateway app and the catalog app both run their lifespans; the pages' HTTP client is pointed at
the catalog app, and both trust the same test issuer, so a portal session carries a token the
catalog checks like any other. The worker's tasks (indexing, imports) run in process.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager

from catalog.config import CatalogSettings
from catalog.main import create_app as create_catalog
from catalog.tasks import TASKS
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from gateway.portal.session import CSRF_COOKIE, CSRF_FIELD, PortalSession
from pusip_kit.outbox import OutgoingMessage, relay_outbox
from pusip_kit.testing.service import ServiceClient, service_fixture

PORTAL = Path(__file__).resolve().parents[1] / "src" / "gateway" / "portal"
PAGES = PORTAL / "catalog"
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "marc21"
CIKINI, KOJA = "perpustakaan-jakarta-cikini", "perpustakaan-kecamatan-koja"
STAFF = {"roles": ["librarian", "cataloger"], "sub": "pustakawan", "username": "pustakawan"}

catalog = service_fixture(create_catalog, CatalogSettings, name="catalog")


# -- templates and catalogs ---------------------------------------------------------------------------


def test_catalogs_match_and_cover_every_template_string() -> None:
    ids = json.loads((PAGES / "i18n" / "id.json").read_text())
    ens = json.loads((PAGES / "i18n" / "en.json").read_text())
    assert set(ids) == set(ens)
    shell = json.loads((PORTAL / "i18n" / "id.json").read_text())
    used: set[str] = set()
    for path in [*(PAGES / "templates").rglob("*.html"), *PAGES.glob("*.py")]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.-]+)["']\s*[,)]""", path.read_text()))
    assert used, "no t() calls found"
    assert used <= set(ids) | set(shell), sorted(used - set(ids) - set(shell))
    for key in ("kat.result.missing", "kat.job.completed", "kat.material_type.book", "kat.access.on_site"):
        assert key in ids


def test_templates_have_no_literal_text() -> None:
    for template in (PAGES / "templates").rglob("*.html"):
        html = template.read_text()
        html = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", html, flags=re.S)
        html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
        for text in re.findall(r">([^<]+)<", html):
            assert not re.findall(r"[A-Za-z]{2,}", text), f"{template.name}: literal text {text.strip()!r}"


# -- a portal wired to the catalog --------------------------------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.messages: list[OutgoingMessage] = []
        self.lock = threading.Lock()

    def publish(self, message: OutgoingMessage) -> None:
        with self.lock:
            self.messages.append(message)


async def run_tasks(catalog: ServiceClient) -> None:
    """What the catalog worker would do: relay the outbox and run its tasks."""
    runtime = catalog.app.state.catalog_runtime
    for _ in range(10):
        collector = _Collector()
        await relay_outbox(catalog.sessionmaker, collector)
        tasks = [m for m in collector.messages if m.task_name in TASKS]
        if not tasks:
            return
        for message in tasks:
            await TASKS[message.task_name](runtime, catalog.sessionmaker, *message.args)


class Portal:
    def __init__(self, app: Any, catalog: ServiceClient) -> None:
        self.app = app
        self.catalog = catalog
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal.test")
        self.csrf = app.state.portal.codec.new_csrf()
        self.http.cookies.set(CSRF_COOKIE, self.csrf)

    def sign_in(self, **claims: Any) -> None:
        token = self.catalog.token_for(**claims)
        sealed = self.app.state.portal.codec.seal(PortalSession(token, None, time.time() + 300))
        self.http.cookies.set(self.app.state.settings.session_cookie, sealed)

    def sign_out(self) -> None:
        self.http.cookies.delete(self.app.state.settings.session_cookie)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(
            path, headers={"accept": "text/html", **kwargs.pop("headers", {})}, **kwargs
        )

    async def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        return await self.http.post(path, data={CSRF_FIELD: self.csrf, **(data or {})}, **kwargs)


@pytest_asyncio.fixture
async def portal(catalog: ServiceClient, tmp_path: Path) -> AsyncIterator[Portal]:
    settings = GatewaySettings(
        data_dir=tmp_path / "gateway",
        service_urls={"catalog": "http://catalog.test", "circulation": "http://127.0.0.1:9"},
        rate_limit_enabled=False,
    )
    app = create_gateway(settings)
    async with LifespanManager(app):
        app.state.gateway.validator = catalog.issuer.validator()
        app.state.catalog_pages_http = httpx.AsyncClient(transport=httpx.ASGITransport(app=catalog.app))
        ready = {"circulation": "down"}

        async def check() -> tuple[bool, dict[str, Any]]:
            return True, {"services": {name: {"status": status} for name, status in ready.items()}}

        app.state.health.check = check
        app.state.test_ready = ready
        handle = Portal(app, catalog)
        try:
            yield handle
        finally:
            await handle.http.aclose()


async def seed(catalog: ServiceClient) -> dict[str, str]:
    """Two branches, three records with copies, one text e-resource; indexed."""
    staff = catalog.bearer(**STAFF)
    for code, name in ((CIKINI, "Perpustakaan Jakarta - Cikini"), (KOJA, "Perpustakaan Kecamatan Koja")):
        response = await catalog.post(
            "/branches",
            json={"code": code, "name": name, "type": "perpustakaan_kecamatan", "city": "jakarta-pusat"},
            headers=staff,
        )
        assert response.status_code == 201, response.text
    ids: dict[str, str] = {}
    for key, title, author, year, subject in (
        ("novel", "Bumi manusia", "Toer, Pramoedya Ananta", 1980, "Novel Indonesia"),
        ("sequel", "Anak semua bangsa", "Toer, Pramoedya Ananta", 1980, "Novel Indonesia"),
        ("study", "Pengantar ilmu perpustakaan", "Sulistyo-Basuki", 1991, "Ilmu perpustakaan"),
    ):
        marc = {
            "leader": "00000nam a2200000 a 4500",
            "fields": [
                {"008": f"250101s{year}    io a     b    000 0 ind d"},
                {"100": {"ind1": "1", "ind2": " ", "subfields": [{"a": author}]}},
                {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": title}]}},
                {
                    "264": {
                        "ind1": " ",
                        "ind2": "1",
                        "subfields": [{"a": "Jakarta :"}, {"b": "Hasta Mitra,"}, {"c": str(year)}],
                    }
                },
                {"650": {"ind1": " ", "ind2": "4", "subfields": [{"a": subject}]}},
            ],
        }
        response = await catalog.post("/records", json=marc, headers=staff)
        assert response.status_code == 201, response.text
        ids[key] = response.json()["id"]
    for barcode, key, branch, location in (
        ("BM-1", "novel", CIKINI, "Rak Sastra"),
        ("BM-2", "novel", KOJA, "Rak Umum"),
        ("AS-1", "sequel", CIKINI, "Rak Sastra"),
        ("IP-1", "study", KOJA, "Rak Umum"),
    ):
        response = await catalog.post(
            "/items",
            json={"barcode": barcode, "record_id": ids[key], "branch": branch, "location": location},
            headers=staff,
        )
        assert response.status_code == 201, response.text
    text = "Perpustakaan umum melayani pemustaka. Koleksi perpustakaan dikembangkan bersama masyarakat."
    upload = await catalog.post(
        f"/records/{ids['study']}/eresources",
        files={"file": ("ringkasan.txt", text.encode(), "text/plain")},
        headers=staff,
    )
    assert upload.status_code == 201, upload.text
    ids["file"] = upload.json()["id"]
    await run_tasks(catalog)
    return ids


# -- the pages -----------------------------------------------------------------------------------------


async def test_search_with_facets_autocomplete_and_availability(portal: Portal) -> None:
    ids = await seed(portal.catalog)
    landing = await portal.get("/portal/katalog")
    assert landing.status_code == 200
    assert 'hx-get="/portal/katalog/saran"' in landing.text and "Telusuri katalog" in landing.text

    page = await portal.get("/portal/katalog", params={"q": "pramoedya"})
    assert page.status_code == 200, page.text
    assert page.text.count('data-testid="hit"') == 2
    assert "2 hasil untuk “pramoedya”" in page.text
    assert "Perpustakaan Kecamatan Koja" in page.text  # branch names, not codes
    assert 'data-availability="available"' in page.text
    facet = re.search(
        r'data-facet="branch".*?href="([^"]+)"[^>]*><span class="facet-label">Perpustakaan Kecamatan Koja',
        page.text,
        re.S,
    )
    assert facet, "branch facet missing"
    narrowed = await portal.get(facet.group(1).replace("&amp;", "&"))
    assert narrowed.text.count('data-testid="hit"') == 1 and ids["novel"] in narrowed.text
    assert 'data-testid="active-filters"' in narrowed.text

    # stemming: "pustaka" finds "perpustakaan", with a snippet from the full text
    stemmed = await portal.get("/portal/katalog", params={"q": "pemustaka"})
    assert ids["study"] in stemmed.text and "<mark>" in stemmed.text

    suggestions = await portal.http.get(
        "/portal/katalog/saran", params={"q": "bum"}, headers={"hx-request": "true"}
    )
    assert suggestions.status_code == 200
    assert 'data-testid="suggestion"' in suggestions.text and "Bumi manusia" in suggestions.text
    assert "<html" not in suggestions.text

    portal.http.cookies.set("lang", "en")
    english = await portal.get("/portal/katalog", params={"q": "pramoedya"})
    assert "2 results for “pramoedya”" in english.text


async def test_record_page_availability_jsonld_files_and_reserve(portal: Portal) -> None:
    ids = await seed(portal.catalog)
    page = await portal.get(f"/portal/katalog/rekaman/{ids['novel']}")
    assert page.status_code == 200, page.text
    assert (
        'data-branch="perpustakaan-jakarta-cikini"' in page.text
        and 'data-branch="perpustakaan-kecamatan-koja"' in page.text
    )
    jsonld = re.search(
        r'<script type="application/ld\+json" data-testid="jsonld">(.*?)</script>', page.text, re.S
    )
    assert jsonld
    data = json.loads(jsonld.group(1))
    assert data["@type"] == "Book" and data["name"] == "Bumi manusia"
    assert data["url"].endswith(f"/portal/katalog/rekaman/{ids['novel']}")
    assert {o["offeredBy"]["identifier"] for o in data["offers"]} == {CIKINI, KOJA}
    # circulation is down: the reserve button is shown disabled, with a note
    assert re.search(r'<button[^>]*disabled[^>]*data-testid="reserve-button"', page.text)
    assert 'data-testid="reserve-note"' in page.text
    portal.app.state.test_ready["circulation"] = "ready"
    portal.sign_in(roles=["patron"], sub="siti", name="Siti Aminah")
    enabled = await portal.get(f"/portal/katalog/rekaman/{ids['novel']}")
    assert f'action="/portal/katalog/rekaman/{ids["novel"]}/pesan"' in enabled.text
    # the hold goes to circulation; here it is not running, so the reader is told so
    refused = await portal.post(f"/portal/katalog/rekaman/{ids['novel']}/pesan", {"pickup_branch": CIKINI})
    assert refused.status_code == 409 and 'data-testid="hold-problem"' in refused.text

    # an e-resource: read inline through the portal (the access rule is the catalog's)
    study = await portal.get(f"/portal/katalog/rekaman/{ids['study']}")
    assert f'href="/portal/katalog/berkas/{ids["file"]}"' in study.text
    opened = await portal.http.get(f"/portal/katalog/berkas/{ids['file']}")
    assert opened.status_code == 200 and opened.text.startswith("Perpustakaan umum")
    assert opened.headers["content-disposition"].startswith("inline")
    assert opened.headers["content-type"].startswith("text/plain")
    download = await portal.http.get(f"/portal/katalog/berkas/{ids['file']}", params={"unduh": "true"})
    assert download.headers["content-disposition"].startswith("attachment")
    await portal.catalog.patch(
        f"/eresources/{ids['file']}", json={"access": "members"}, headers=portal.catalog.bearer(**STAFF)
    )
    portal.sign_out()
    locked = await portal.get(f"/portal/katalog/rekaman/{ids['study']}")
    assert 'data-testid="file-locked"' in locked.text
    redirected = await portal.http.get(f"/portal/katalog/berkas/{ids['file']}")
    assert redirected.status_code == 303 and redirected.headers["location"].startswith("/portal/login")

    missing = await portal.get(f"/portal/katalog/rekaman/{uuid.uuid4()}")
    assert missing.status_code == 404 and "<html" in missing.text


async def test_reviews_moderation_and_reading_lists_through_the_pages(portal: Portal) -> None:
    ids = await seed(portal.catalog)
    record = f"/portal/katalog/rekaman/{ids['novel']}"
    anonymous = await portal.post(f"{record}/ulasan", {"rating": "5"})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/portal/login")

    portal.sign_in(roles=["patron"], sub="siti", name="Siti Aminah")
    written = await portal.post(f"{record}/ulasan", {"rating": "5", "text": "Memikat dari halaman pertama."})
    assert written.status_code == 303 and "ok=review_pending" in written.headers["location"]
    mine = await portal.get(record)
    assert 'data-testid="my-review" data-status="pending"' in mine.text
    no_rating = await portal.post(f"{record}/ulasan", {"text": "tanpa nilai"})
    assert no_rating.status_code == 422 and 'data-code="rating_required"' in no_rating.text

    listed = await portal.post(f"{record}/daftar", {"new_name": "Klub buku Menteng", "public": "on"})
    assert listed.status_code == 303 and "ok=listed" in listed.headers["location"]
    lists = await portal.get("/portal/katalog/daftar-bacaan")
    link = re.search(r'href="(/portal/katalog/daftar-bacaan/[0-9a-f-]{36})"', lists.text)
    assert link and "Klub buku Menteng" in lists.text

    # the moderation queue is for staff; a librarian approves
    assert (await portal.get("/portal/katalog/moderasi")).status_code == 403
    portal.sign_in(**STAFF)
    queue = await portal.get("/portal/katalog/moderasi")
    assert queue.status_code == 200 and "Memikat dari halaman pertama." in queue.text
    review_id = re.search(r'data-review="([0-9a-f-]{36})"', queue.text)
    assert review_id
    hide_without_reason = await portal.post(
        f"/portal/katalog/moderasi/{review_id.group(1)}", {"action": "hide"}
    )
    assert (
        hide_without_reason.status_code == 409
        and 'data-reason="hide_reason_required"' in hide_without_reason.text
    )
    approved = await portal.post(f"/portal/katalog/moderasi/{review_id.group(1)}", {"action": "approve"})
    assert approved.status_code == 303 and "ok=moderated" in approved.headers["location"]

    portal.sign_out()
    public = await portal.get(record)
    assert 'data-testid="review"' in public.text and "Memikat dari halaman pertama." in public.text
    assert 'data-testid="rating-summary"' in public.text
    data = json.loads(re.search(r'data-testid="jsonld">(.*?)</script>', public.text, re.S).group(1))  # type: ignore[union-attr]
    assert data["aggregateRating"]["ratingValue"] == 5.0 and data["aggregateRating"]["ratingCount"] == 1
    shared = await portal.get(link.group(1))
    assert (
        shared.status_code == 200 and "Bumi manusia" in shared.text and 'data-testid="share"' in shared.text
    )


async def test_import_page_progress_reaches_completion(portal: Portal) -> None:
    ids = await seed(portal.catalog)
    assert ids
    assert (await portal.get("/portal/katalog/impor")).status_code == 303  # sign in first
    portal.sign_in(roles=["patron"], sub="siti")
    assert (await portal.get("/portal/katalog/impor")).status_code == 403
    portal.sign_in(**STAFF)
    page = await portal.get("/portal/katalog/impor")
    assert page.status_code == 200 and 'data-testid="import-form"' in page.text
    data = (CORPUS / "marc4j" / "pride-and-prejudice-with-many-errors.mrc").read_bytes()
    started = await portal.http.post(
        "/portal/katalog/impor",
        data={CSRF_FIELD: portal.csrf, "dedupe": "skip", "branch": CIKINI},
        files={"file": ("pride.mrc", data, "application/octet-stream")},
    )
    assert started.status_code == 303, started.text
    job_path = started.headers["location"]
    queued = await portal.get(job_path)
    assert 'data-testid="import-progress"' in queued.text and "hx-trigger" in queued.text
    await run_tasks(portal.catalog)
    fragment = await portal.http.get(f"{job_path}/kemajuan", headers={"hx-request": "true"})
    assert fragment.status_code == 200
    assert 'data-status="completed"' in fragment.text and 'data-percent="100.0"' in fragment.text
    assert "hx-trigger" not in fragment.text  # polling stops
    assert 'data-testid="import-balance"' in fragment.text
    problems = await portal.http.get(f"{job_path}/masalah")
    assert problems.status_code == 200 and problems.headers["content-type"].startswith("text/csv")


async def test_stocktake_page_scans_with_immediate_feedback(portal: Portal) -> None:
    await seed(portal.catalog)
    portal.sign_in(**STAFF)
    opened = await portal.post("/portal/katalog/opname", {"branch": CIKINI, "location": "Rak Sastra"})
    assert opened.status_code == 303, opened.text
    session = opened.headers["location"].split("?")[0]
    page = await portal.get(session)
    assert 'data-testid="scan-input"' in page.text and 'data-testid="count-expected"' in page.text
    again = await portal.post("/portal/katalog/opname", {"branch": CIKINI, "location": "Rak Sastra"})
    assert again.status_code == 409 and 'data-reason="stocktake_already_running"' in again.text

    found = await portal.post(f"{session}/pindai", {"barcode": "BM-1"}, headers={"hx-request": "true"})
    assert found.status_code == 200
    assert 'data-result="found"' in found.text and "Ditemukan: Bumi manusia" in found.text
    assert 'hx-swap-oob="true"' in found.text and 'id="stocktake-summary"' in found.text
    assert "<html" not in found.text
    misplaced = await portal.post(f"{session}/pindai", {"barcode": "BM-2"}, headers={"hx-request": "true"})
    assert 'data-result="misplaced"' in misplaced.text and "Perpustakaan Kecamatan Koja" in misplaced.text
    unknown = await portal.post(f"{session}/pindai", {"barcode": "ZZ-1"}, headers={"hx-request": "true"})
    assert 'data-result="unexpected"' in unknown.text
    # the result table and the close panel follow every scan (out of band)
    assert (
        'id="stocktake-entries" hx-swap-oob="true"' in unknown.text and 'data-barcode="BM-2"' in unknown.text
    )
    assert (
        'id="close-panel" hx-swap-oob="true"' in unknown.text
        and 'data-testid="close-check"' not in unknown.text
    )
    batch = await portal.http.post(
        f"{session}/berkas",
        data={CSRF_FIELD: portal.csrf},
        files={"file": ("pindai.txt", b"BM-1\nbukan barkode!\n", "text/plain")},
    )
    assert batch.status_code == 200 and 'data-testid="batch-report"' in batch.text
    assert "1 dari 2 baris diterima (1 ulangan)" in batch.text

    closed = await portal.post(f"{session}/tutup", {"update_statuses": "on"})
    assert closed.status_code == 303 and "ok=stocktake_closed" in closed.headers["location"]
    final = await portal.get(session)
    assert 'data-testid="scan-input"' not in final.text
    assert re.search(r'data-testid="count-missing">1<', final.text)  # AS-1 was not scanned
    refused = await portal.post(f"{session}/pindai", {"barcode": "AS-1"}, headers={"hx-request": "true"})
    assert 'data-reason="stocktake_closed"' in refused.text
    pdf = await portal.http.get(f"{session}/laporan.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_special_collection_page(portal: Portal) -> None:
    ids = await seed(portal.catalog)
    staff = portal.catalog.bearer(**STAFF)
    created = await portal.catalog.post(
        "/special-collections",
        json={"code": "pds-hb-jassin", "name": "Dokumentasi Sastra H.B. Jassin", "curator_branch": CIKINI},
        headers=staff,
    )
    assert created.status_code == 201, created.text
    document = await portal.catalog.post(
        "/special-collections/pds-hb-jassin/documents",
        json={
            "eresource_id": ids["file"],
            "conservation_status": "rusak_ringan",
            "access_condition": "by_request",
        },
        headers=staff,
    )
    assert document.status_code == 201, document.text
    listing = await portal.get("/portal/katalog/koleksi-khusus")
    assert "Dokumentasi Sastra H.B. Jassin" in listing.text
    page = await portal.get("/portal/katalog/koleksi-khusus/pds-hb-jassin")
    assert page.status_code == 200, page.text
    assert (
        'data-testid="document"' in page.text
        and "Rusak ringan" in page.text
        and "Atas permintaan" in page.text
    )
    assert "<svg" in page.text  # the conservation chart
    record = await portal.get(f"/portal/katalog/rekaman/{ids['study']}")
    assert (
        'data-testid="record-collection"' in record.text and 'data-conservation="rusak_ringan"' in record.text
    )


@pytest.mark.parametrize("path", ["/portal/katalog/opname", "/portal/katalog/moderasi"])
async def test_staff_pages_send_anonymous_readers_to_sign_in(portal: Portal, path: str) -> None:
    response = await portal.get(path)
    assert response.status_code == 303 and response.headers["location"].startswith("/portal/login?next=")
