"""The legal-deposit portal in real headless Chromium, against ``pusip up --only gateway,catalog,deposit``.

The demo publisher (``penerbit``) signs in, opens the demo campus publisher, follows its overdue
obligation (the Pontianak KUBE literature review) to the deposit form, fills in the metadata and
uploads the article as a PDF (generated here from the shared corpus) while the network is throttled,
so the progress bar is seen moving; lands on the deposit's page with its numbered receipt and
downloads the receipt PDF. The deposit officer (``petugas-deposit``) finds it in the verification
queue and accepts it; the publisher then sees it accepted and the obligation fulfilled. The public
regional bibliography and appreciation pages draw. No script errors and no CSP violations anywhere.

Screenshots: ``/tmp/ss-e2e-*.png``.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from pusip_kit.testing.suite import Up, require_chromium, running

SHOTS = Path("/tmp")
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "seeds"
SEED = "kube-pontianak-tinjauan-pustaka.txt"
TITLE = "Kelompok Usaha Bersama (KUBE) di Pontianak: Tinjauan Pustaka"  # the demo's overdue obligation
KAMPUS = "[DEMO] Penerbit Kampus Contoh"
UPLOAD_BYTES_PER_SECOND = 24 * 1024

pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]


# -- the suite, started for real ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    require_chromium()
    if not (SEEDS / SEED).is_file():
        pytest.skip(f"the shared corpus is not beside this checkout ({SEEDS})")
    with running(
        tmp_path_factory.mktemp("deposit-portal"),
        "/portal/serah-simpan",
        only="gateway,catalog,deposit",
        env={"PUSIP_CORPUS_DIR": str(SEEDS.parent), "PUSIP_DEPOSIT_MAIL_ENABLED": "0"},
    ) as handle:
        yield handle


def article_pdf(path: Path) -> bytes:
    """The seed article as a PDF with a text layer — its text set three times over, so the upload
    takes a few seconds on the throttled connection and its progress can be watched."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=TITLE, pageCompression=0)
    story: list[Any] = []
    blocks = [b for b in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")) if b.strip()]
    for copy in range(3):
        story.append(Paragraph(escape(TITLE), styles["Title"]))
        for block in blocks:
            text = " ".join(
                re.sub(r"[*_`#]+", "", line).strip() for line in block.splitlines() if line.strip()
            )
            story.append(Paragraph(escape(text), styles["BodyText"]))
        if copy < 2:
            story.append(PageBreak())
    document.build(story)
    return buffer.getvalue()


class Person:
    """One signed-in user in their own browser context (their own session cookie)."""

    def __init__(self, stack: Up, context: Any, page: Any, name: str) -> None:
        self.stack, self.context, self.page, self.name = stack, context, page, name
        self.errors: list[str] = []
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    @classmethod
    async def open(cls, stack: Up, browser: Any, username: str | None) -> Person:
        context = await browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="id-ID", accept_downloads=True
        )
        page = await context.new_page()
        person = cls(stack, context, page, username or "anonymous")
        if username:
            await page.goto(f"{stack.url}/portal/login?next=/portal/serah-simpan")
            await page.get_by_label("Nama pengguna").fill(username)
            await page.get_by_label("Kata sandi").fill(f"pusip-demo-{username}")
            await page.get_by_role("button", name="Masuk", exact=True).click()
            await page.get_by_test_id("current-user").wait_for()
            assert page.url.endswith("/portal/serah-simpan"), page.url
        return person

    async def goto(self, path: str) -> None:
        response = await self.page.goto(f"{self.stack.url}{path}")
        assert response is not None and response.status == 200, (path, response and response.status)

    async def shot(self, name: str) -> None:
        await self.page.screenshot(path=str(SHOTS / f"ss-e2e-{name}.png"), full_page=True)

    async def close(self) -> None:
        assert not self.errors, (self.name, self.errors)  # no script errors, no CSP violations
        await self.context.close()


async def test_publisher_uploads_with_progress_and_the_officer_accepts(stack: Up, browser: Any) -> None:
    # 1. The publisher opens the campus publisher: its overdue obligation, compliance with a chart.
    publisher = await Person.open(stack, browser, "penerbit")
    page = publisher.page
    await page.get_by_test_id("to-publisher").click()
    await page.locator(".ss-card", has_text=KAMPUS).click()
    await page.get_by_test_id("depositor-name").wait_for()
    assert await page.get_by_test_id("depositor-name").inner_text() == KAMPUS
    row = page.locator('[data-testid="obligations"] tr', has_text=TITLE)
    assert await row.get_attribute("data-status") in ("due", "overdue")
    rate_before = await page.get_by_test_id("rate-all").get_attribute("data-rate")
    assert await page.locator(".ss figure svg").count() >= 1  # the compliance chart, drawn on the server
    await publisher.shot("1-publisher")

    # 2. Deposit the article for that obligation: the form arrives filled from the obligation.
    await row.get_by_role("link").click()
    await page.get_by_test_id("upload-form").wait_for()
    assert await page.locator("#f-title").input_value() == TITLE
    assert await page.locator("#f-obligation").input_value() != ""
    await page.locator("#f-creators").fill("Penulis Skripsi Contoh")
    await page.locator("#f-publisher").fill("Universitas Tanjungpura (literatur kelabu)")
    await page.locator("#f-place").fill("Pontianak")
    await page.locator("#f-description").fill(
        "Tinjauan pustaka tentang KUBE dan pemberdayaan keluarga miskin."
    )
    pdf = article_pdf(SEEDS / SEED)
    assert len(pdf) > 3 * UPLOAD_BYTES_PER_SECOND  # a few seconds at the throttled speed
    await page.locator("#f-file").set_input_files(
        {"name": "Tinjauan Pustaka KUBE Pontianak.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    await publisher.shot("2-form")

    cdp = await publisher.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 20,
            "downloadThroughput": -1,
            "uploadThroughput": UPLOAD_BYTES_PER_SECOND,
        },
    )
    await page.evaluate("window.__stillHere = true")
    await page.get_by_test_id("upload-submit").click()
    # The bar moves: caught part-way, with the percentage and sizes written out.
    await page.wait_for_function(
        "() => { const b = document.querySelector('[data-testid=upload-progress]');"
        " return b && b.value > 0 && b.value < b.max; }",
        timeout=20_000,
    )
    status = await page.get_by_test_id("upload-status").inner_text()
    assert re.search(r"\d+% — [\d.,]+ (KB|MB) dari [\d.,]+ (KB|MB)", status), status
    assert await page.evaluate("window.__stillHere === true")  # sent by the script, not a form post
    await publisher.shot("3-progress")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )

    # 3. The deposit's page: received, with its numbered receipt.
    await page.wait_for_url(
        re.compile(r"/portal/serah-simpan/penyerahan/[0-9a-f-]+\?ok=submitted"), timeout=60_000
    )
    deposit_url = page.url.split("?")[0]
    assert "tanda terima" in (await page.get_by_test_id("ok-message").inner_text()).lower()
    receipt_number = (await page.get_by_test_id("receipt-number").locator("code").inner_text()).strip()
    assert re.fullmatch(r"TT/[A-Z0-9.\-]+/\d{4}/\d{6}", receipt_number), receipt_number
    assert await page.locator('[data-deposit_status="submitted"]').count() == 1
    await publisher.shot("4-received")
    async with page.expect_download() as download_info:
        await page.get_by_test_id("receipt-download").click()
    download = await download_info.value
    receipt = await asyncio.to_thread(Path(await download.path()).read_bytes)
    assert receipt.startswith(b"%PDF")
    assert receipt_number in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt)).pages)

    # 4. The officer finds it in the queue and accepts it.
    officer = await Person.open(stack, browser, "petugas-deposit")
    await officer.page.get_by_test_id("to-workbench").click()
    queued = officer.page.locator('[data-testid="queue"] tr', has_text=receipt_number)
    await queued.wait_for()
    await officer.shot("5-queue")
    await queued.get_by_test_id("verify-link").click()
    await officer.page.get_by_test_id("decision-form").wait_for()
    assert officer.page.url.split("?")[0] == deposit_url
    await officer.shot("6-verify")
    # the officer reads the file before deciding: through the deposit service, watermarked and logged
    href = await officer.page.get_by_test_id("read-file").get_attribute("href")
    read = await officer.context.request.get(f"{stack.url}{href}")
    assert read.status == 200 and (await read.body()).startswith(b"%PDF")
    await officer.page.get_by_test_id("accept").click()
    await officer.page.get_by_test_id("ok-message").wait_for()
    assert await officer.page.locator('[data-deposit_status="accepted"]').count() == 1
    await officer.shot("7-accepted")
    await officer.close()

    # 5. The publisher sees it accepted, the obligation fulfilled and the rate up.
    await page.goto(deposit_url)
    assert await page.locator('[data-deposit_status="accepted"]').count() == 1
    await page.locator(".ss-head .btn-secondary").click()
    fulfilled = page.locator('[data-testid="obligations"] tr', has_text=TITLE)
    assert await fulfilled.get_attribute("data-status") == "fulfilled"
    rate_after = await page.get_by_test_id("rate-all").get_attribute("data-rate")
    assert float(rate_after or 0) > float(rate_before or 0), (rate_before, rate_after)
    await publisher.shot("8-fulfilled")
    await publisher.close()


async def test_public_pages_and_the_refresh_page(stack: Up, browser: Any) -> None:
    visitor = await Person.open(stack, browser, None)
    await visitor.goto("/portal/serah-simpan")
    assert await visitor.page.locator(".ss figure svg").count() >= 1
    await visitor.shot("9-home")
    await visitor.goto("/portal/serah-simpan/bibliografi")
    assert (
        await visitor.page.locator('[data-testid="bibliography"] li').count() >= 1
    )  # the demo's accepted deposit
    await visitor.shot("10-bibliography")
    await visitor.goto("/portal/serah-simpan/apresiasi")
    await visitor.shot("11-appreciation")
    await visitor.close()

    publisher = await Person.open(stack, browser, "penerbit")
    await publisher.page.get_by_test_id("to-publisher").click()
    await publisher.page.locator(".ss-card", has_text=KAMPUS).click()
    await publisher.page.get_by_test_id("refresh-link").click()
    assert publisher.page.url.endswith("/pemutakhiran")
    await publisher.page.locator("#f-phone").fill("021 555 0101")
    await publisher.page.get_by_test_id("refresh-submit").click()
    await publisher.page.get_by_test_id("ok-message").wait_for()
    assert "dimutakhirkan" in await publisher.page.get_by_test_id("ok-message").inner_text()
    await publisher.shot("12-refreshed")
    await publisher.close()
