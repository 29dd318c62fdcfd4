"""The catalogue portal in real headless Chromium, against ``pusip up --only gateway,catalog``.

The suite starts for real (gateway, catalog and its Celery worker, demo data on first start). A
reader searches the OPAC: autocomplete suggests as they type (htmx), an inflected Indonesian word
finds a seed publication by its full text with a snippet, a facet narrows the result, and the record
page shows availability per branch with Schema.org JSON-LD embedded. A cataloguer signs in, imports
a MARC file with many errors and watches the progress bar (htmx polling the import job) reach 100 %,
with balanced books. No page logs a script error or a CSP violation.

Screenshots: ``/tmp/katalog-e2e-*.png``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pusip_kit.testing.suite import Up, require_chromium, running, wait_for

INDEX_TIMEOUT = 60.0
SHOTS = Path("/tmp")
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "marc21"
IMPORT_FILE = CORPUS / "marc4j" / "pride-and-prejudice-with-many-errors.mrc"

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


# -- the suite, started for real (as tests/e2e/test_up.py does) ------------------------------------------


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    require_chromium()
    with running(
        tmp_path_factory.mktemp("katalog-portal"), "/portal/katalog", only="gateway,catalog"
    ) as handle:
        # The worker indexes the demo data from the outbox: wait until a seed publication is found.
        wait_for(
            handle,
            lambda c: c.get("/api/catalog/search", params={"q": "memasarkan"}).json()["total"] >= 1,
            INDEX_TIMEOUT,
            "the demo data indexed",
            client_timeout=5,
        )
        yield handle


async def _page(browser: Any, errors: list[str]) -> tuple[Any, Any]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = await context.new_page()
    page.set_default_timeout(20_000)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page


# -- the flows -------------------------------------------------------------------------------------------


async def test_a_reader_searches_with_autocomplete_and_a_facet_and_opens_a_record(
    suite: Up, browser: Any
) -> None:
    errors: list[str] = []
    context, page = await _page(browser, errors)
    await page.goto(f"{suite.url}/portal/katalog")
    assert await page.get_attribute("html", "lang") == "id"

    # autocomplete: htmx asks as the reader types
    await page.get_by_test_id("search-q").press_sequentially("pemasa", delay=40)
    suggestion = page.get_by_test_id("suggestion").first
    await suggestion.wait_for()
    assert "emasaran" in (await suggestion.inner_text())
    await page.screenshot(path=str(SHOTS / "katalog-e2e-1-autocomplete.png"))

    # an inflected word ("memasarkan" → pasar) finds the seed publications by their full text
    await page.get_by_test_id("search-q").fill("memasarkan")
    await page.get_by_test_id("search-submit").click()
    await page.get_by_test_id("result-count").wait_for()
    hits = page.get_by_test_id("hit")
    before = await hits.count()
    assert before >= 2
    snippet = page.get_by_test_id("snippet").first
    assert "pemasaran" in (await snippet.inner_html()).lower()
    assert await snippet.locator("mark").count() >= 1
    await page.screenshot(path=str(SHOTS / "katalog-e2e-2-results.png"), full_page=True)

    # a facet narrows the result and shows as a removable filter
    facet = page.locator('[data-facet="subject"] a', has_text="Pemasaran digital")
    await facet.click()
    await page.get_by_test_id("active-filters").wait_for()
    after = await hits.count()
    assert 1 <= after < before
    assert "Pemasaran digital" in await page.get_by_test_id("active-filters").inner_text()

    # the record page: availability per branch, the e-resource, JSON-LD
    await hits.first.locator(".hit-title a").click()
    await page.get_by_test_id("record-title").wait_for()
    availability = page.get_by_test_id("availability")
    rows = availability.locator("tbody tr")
    assert await rows.count() >= 1
    assert "Perpustakaan Jakarta - Cikini" in await availability.inner_text()
    assert "Tersedia" in await availability.inner_text()
    jsonld = json.loads(await page.get_by_test_id("jsonld").text_content() or "{}")
    assert jsonld["@type"] == "Book" and jsonld["url"] == page.url.split("#")[0]
    assert jsonld["offers"][0]["offeredBy"]["identifier"] == "perpustakaan-jakarta-cikini"
    assert jsonld["aggregateRating"]["ratingCount"] >= 1  # the demo reviews
    assert await page.get_by_test_id("review").count() >= 1
    # circulation is not running in this suite: the reserve button says so
    assert await page.get_by_test_id("reserve-button").is_disabled()
    await page.get_by_test_id("read-file").wait_for()
    await page.screenshot(path=str(SHOTS / "katalog-e2e-3-record.png"), full_page=True)

    # a record found by browsing: the "pride" editions are spread over several branches
    await page.goto(f"{suite.url}/portal/katalog?q=pride+prejudice")
    branches = page.locator('[data-facet="branch"] li')
    assert await branches.count() >= 3
    await page.get_by_test_id("hit").first.locator(".hit-title a").click()
    await page.get_by_test_id("availability").wait_for()
    await page.screenshot(path=str(SHOTS / "katalog-e2e-4-record-pride.png"), full_page=True)

    assert not errors, errors  # no script errors, no CSP violations (the JSON-LD block included)
    await context.close()


async def test_a_cataloguer_imports_marc_and_watches_the_progress_bar(suite: Up, browser: Any) -> None:
    errors: list[str] = []
    context, page = await _page(browser, errors)
    await page.goto(f"{suite.url}/portal/katalog/impor")
    await page.get_by_label("Nama pengguna").fill("katalog")  # sent to sign in first
    await page.get_by_label("Kata sandi").fill("pusip-demo-katalog")
    await page.get_by_role("button", name="Masuk", exact=True).click()
    await page.get_by_test_id("import-form").wait_for()

    await page.get_by_test_id("import-file").set_input_files(str(IMPORT_FILE))
    await page.select_option("#import-dedupe", "skip")
    await page.select_option("#import-branch", "perpustakaan-kecamatan-koja")
    await page.get_by_test_id("import-submit").click()
    progress = page.get_by_test_id("import-progress")
    await progress.wait_for()
    assert await page.get_by_test_id("import-filename").inner_text() == IMPORT_FILE.name
    await page.screenshot(path=str(SHOTS / "katalog-e2e-5-import-started.png"), full_page=True)

    # htmx polls the job; the bar moves until the job is done
    seen: list[float] = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        status = await progress.get_attribute("data-status")
        seen.append(float(await progress.get_attribute("data-percent") or 0))
        if status in ("completed", "failed"):
            break
        await page.wait_for_timeout(200)
    assert await progress.get_attribute("data-status") == "completed", suite.tail()
    assert seen[-1] == 100.0 and seen == sorted(seen), seen
    assert await page.get_by_test_id("import-bar").get_attribute("value") == "100.0"
    assert await page.get_by_test_id("import-percent").inner_text() == "100%"
    assert await page.get_by_test_id("import-status").inner_text() == "Selesai"
    assert "seimbang" in await page.get_by_test_id("import-balance").inner_text()
    read = await page.locator('[data-count="read"] .stat-value').inner_text()
    reported = await page.locator('[data-count="reported"] .stat-value').inner_text()
    assert int(read) == 383 and int(reported) >= 16  # every bad record reported, none dropped
    await page.screenshot(path=str(SHOTS / "katalog-e2e-6-import-done.png"), full_page=True)

    async with page.expect_download() as download:
        await page.get_by_role("link", name="Unduh laporan masalah (CSV)").click()
    assert (await download.value).suggested_filename.endswith(".csv")

    assert not errors, errors
    await context.close()
