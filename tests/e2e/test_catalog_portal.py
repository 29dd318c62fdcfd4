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

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
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
READY_TIMEOUT = 420.0  # shared CI machines can be slow to start the suite
INDEX_TIMEOUT = 60.0
SHOTS = Path("/tmp")
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "marc21"
IMPORT_FILE = CORPUS / "marc4j" / "pride-and-prejudice-with-many-errors.mrc"

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


# -- the suite, started for real (as tests/e2e/test_up.py does) ------------------------------------------


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port_base() -> int:
    """Six free ports outside the ephemeral range (an outgoing connection could take those)."""
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    rng = random.Random()
    for _ in range(500):
        base = rng.randrange(10_000, 32_000, 10)
        ports = range(base, base + 6)
        if any(low <= p <= high for p in ports):
            continue
        if all(_port_free(p) for p in ports):
            return base
    raise RuntimeError("no free block of six ports")


@dataclass
class Suite:
    process: subprocess.Popen[bytes]
    data_dir: Path
    base: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.base}"

    def tail(self, lines: int = 80) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _stop(suite: Suite) -> None:
    if suite.process.poll() is None:
        suite.process.send_signal(signal.SIGINT)
        try:
            suite.process.wait(30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(suite.process.pid, signal.SIGKILL)
            suite.process.wait(10)
    for pid_file in (suite.data_dir / "run").glob("*.pid"):  # anything the supervisor left behind
        with contextlib.suppress(Exception):
            os.killpg(int(pid_file.read_text().strip()), signal.SIGKILL)


def _wait(suite: Suite, check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    with httpx.Client(base_url=suite.url, timeout=5) as client:
        while time.monotonic() < deadline:
            if suite.process.poll() is not None:
                pytest.fail(f"`pusip up` exited early ({suite.process.returncode}):\n{suite.tail()}")
            with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
                last = check(client)
                if last:
                    return last
            time.sleep(0.5)
    pytest.fail(f"{what} not seen within {timeout:.0f} s (last: {last!r}):\n{suite.tail()}")


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (make system-deps)")
    root = tmp_path_factory.mktemp("katalog-portal")
    data_dir = root / "var"
    log = root / "up.log"
    base = _free_port_base()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUSIP_")}
    env |= {
        "PUSIP_DATA_DIR": str(data_dir),
        "PUSIP_PORT_BASE": str(base),
        "PUSIP_MODE": "embedded",
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "200",
    }
    argv = [sys.executable, "-m", "pusip", "up", "--only", "gateway,catalog"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*argv, "--ready-timeout", str(READY_TIMEOUT)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=root,
            start_new_session=True,
        )
    handle = Suite(process, data_dir, base, log)
    try:
        _wait(
            handle,
            lambda c: (
                "Pusip siap / Pusip is ready" in log.read_text(errors="replace")
                and c.get("/portal/katalog").status_code == 200
            ),
            READY_TIMEOUT,
            "the suite ready",
        )
        # The worker indexes the demo data from the outbox: wait until a seed publication is found.
        _wait(
            handle,
            lambda c: c.get("/api/catalog/search", params={"q": "memasarkan"}).json()["total"] >= 1,
            INDEX_TIMEOUT,
            "the demo data indexed",
        )
        yield handle
    finally:
        _stop(handle)


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def _page(browser: Any, errors: list[str]) -> tuple[Any, Any]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = await context.new_page()
    page.set_default_timeout(20_000)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page


# -- the flows -------------------------------------------------------------------------------------------


async def test_a_reader_searches_with_autocomplete_and_a_facet_and_opens_a_record(
    suite: Suite, browser: Any
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


async def test_a_cataloguer_imports_marc_and_watches_the_progress_bar(suite: Suite, browser: Any) -> None:
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
