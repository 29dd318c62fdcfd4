"""The accreditation portal in real headless Chromium, against ``pusip up`` (gateway + accreditation).

The issue's acceptance, through the pages only: the demo village library's administrator signs in,
meets the named refusal for an incomplete instrument, fills every component (saved with htmx, no
page reload), uploads evidence and submits; an officer returns it with a note, the library submits
again and the officer verifies it; the assessor scores the visit beside the library's answers and
completes it; the officer issues the certificate. The grade and total follow the published weights
and bands exactly — computed by hand below — and the certificate downloads as a PDF. The public
directory then shows the library's grade, and the public pages (activities, literacy, dashboard)
draw their charts.

Screenshots: ``/tmp/akr-e2e-*.png``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from pusip_kit.testing.suite import Up, require_chromium, running

SHOTS = Path("/tmp")
LIBRARY = "demo-perpustakaan-kelurahan-kebon-kacang"  # admin-perpus's unit (src/pusip/demo.py)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

# -- the worked example ------------------------------------------------------------------------------
# The demo village-library instrument (umum-desa, 2022-demo): the published component weights of
# RULES.md §3 and options a–e worth 5–1 points.
WEIGHTS = {"KOLEKSI": 20, "SARANA": 15, "PELAYANAN": 25, "TENAGA": 20, "PENYELENGGARAAN": 15, "PENGUATAN": 5}
POINTS = {"a": 5, "b": 4, "c": 3, "d": 2, "e": 1}
SELF = {  # the library's answers, indicator by indicator
    "KOLEKSI": "aabb",
    "SARANA": "abb",
    "PELAYANAN": "aaabb",
    "TENAGA": "bbc",
    "PENYELENGGARAAN": "abbb",
    "PENGUATAN": "bc",
}
ASSESSOR = {"KOLEKSI.2": "b", "PELAYANAN.5": "a", "TENAGA.3": "b"}  # where the visit found otherwise
# By hand, component score = points ÷ maximum × weight, rounded to two decimals:
#   self-assessment: KOLEKSI 18/20×20 = 18.00, SARANA 13/15×15 = 13.00, PELAYANAN 23/25×25 = 23.00,
#   TENAGA 11/15×20 = 14.67, PENYELENGGARAAN 17/20×15 = 12.75, PENGUATAN 7/10×5 = 3.50 → 84.92
#   after the visit: KOLEKSI 17/20×20 = 17.00, SARANA 13.00, PELAYANAN 24/25×25 = 24.00,
#   TENAGA 12/15×20 = 16.00, PENYELENGGARAAN 12.75, PENGUATAN 3.50 → 86.25: grade B (76 ≤ 86.25 < 91)
SELF_TOTAL = Decimal("84.92")
FINAL_TOTAL = Decimal("86.25")
FINAL_GRADE = "B"


def by_hand(answers: dict[str, str]) -> Decimal:
    total = Decimal(0)
    for component, weight in WEIGHTS.items():
        codes = [f"{component}.{n}" for n in range(1, len(SELF[component]) + 1)]
        points = sum(POINTS[answers[c]] for c in codes)
        score = Decimal(points) / Decimal(5 * len(codes)) * weight
        total += score.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return total


def self_answers() -> dict[str, str]:
    return {f"{c}.{n}": letter for c, letters in SELF.items() for n, letter in enumerate(letters, start=1)}


def test_the_worked_example_adds_up() -> None:
    assert by_hand(self_answers()) == SELF_TOTAL
    assert by_hand(self_answers() | ASSESSOR) == FINAL_TOTAL


def id_number(value: Decimal) -> str:
    """86.25 as the Indonesian pages write it."""
    return f"{value:.2f}".replace(".", ",")


# -- the suite, started for real ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    require_chromium()
    with running(
        tmp_path_factory.mktemp("akr-portal"),
        "/portal/akreditasi/perpustakaan",
        only="gateway,accreditation",
        args=["--no-workers"],
    ) as handle:
        yield handle


# -- helpers ------------------------------------------------------------------------------------------

EXPECTED_STATUS = ("status of 409", "status of 422")  # the refusals this test provokes on purpose


class Person:
    """One signed-in user in their own browser context (their own session cookie)."""

    def __init__(self, suite: Up, context: Any, page: Any, username: str) -> None:
        self.suite = suite
        self.context = context
        self.page = page
        self.username = username
        self.errors: list[str] = []
        page.on(
            "console",
            lambda msg: (
                self.errors.append(msg.text)
                if msg.type == "error" and not any(s in msg.text for s in EXPECTED_STATUS)
                else None
            ),
        )
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    @classmethod
    async def sign_in(cls, suite: Up, browser: Any, username: str) -> Person:
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        page = await context.new_page()
        person = cls(suite, context, page, username)
        await page.goto(f"{suite.url}/portal/akreditasi")
        await page.get_by_test_id("login-link").click()
        await page.get_by_label("Nama pengguna").fill(username)
        await page.get_by_label("Kata sandi").fill(f"pusip-demo-{username}")
        await page.get_by_role("button", name="Masuk", exact=True).click()
        await page.get_by_test_id("current-user").wait_for()
        assert page.url.endswith("/portal/akreditasi"), page.url  # back where they started
        return person

    async def goto(self, path: str) -> None:
        response = await self.page.goto(f"{self.suite.url}{path}")
        assert response is not None and response.status == 200, (path, response and response.status)

    async def shot(self, name: str) -> None:
        await self.page.screenshot(path=str(SHOTS / f"akr-e2e-{name}.png"), full_page=True)

    async def text(self, testid: str) -> str:
        return str(await self.page.get_by_test_id(testid).inner_text()).strip()

    async def close(self) -> None:
        assert not self.errors, (self.username, self.errors)  # no script errors, no CSP violations
        await self.context.close()


async def open_assessment_from(person: Person, table: str, number: str) -> None:
    await person.page.locator(f'[data-testid="{table}"] tr[data-number="{number}"] th a').click()
    await person.page.get_by_test_id("assessment-number").wait_for()


# -- the acceptance -----------------------------------------------------------------------------------


async def test_village_library_to_certificate_in_the_browser(suite: Up, browser: Any) -> None:
    # 1. The village library's administrator finds the self-assessment in progress.
    admin = await Person.sign_in(suite, browser, "admin-perpus")
    page = admin.page
    await page.get_by_test_id("tile-self").click()
    current = page.get_by_test_id("current-assessment")
    await current.wait_for()
    number = (await current.locator("h2 a").inner_text()).strip()
    assert number.startswith("AKR-")
    assert "Draf" in await current.inner_text()
    await page.get_by_test_id("continue").click()
    await page.locator("#komponen-KOLEKSI").wait_for()
    form_url = page.url
    assert form_url.endswith("/isi")

    # Submitting now is refused by name: the demo left most indicators unanswered.
    await page.get_by_test_id("to-submit").click()
    check = page.get_by_test_id("submit-check")
    await check.wait_for()
    assert await check.locator('[data-reason="refuse_when_incomplete"]').count() == 1
    await page.get_by_test_id("submit").click()
    problem = page.get_by_test_id("action-problem")
    await problem.wait_for()
    assert await problem.locator('[data-reason="refuse_when_incomplete"] code').inner_text() == (
        "refuse_when_incomplete"
    )
    assert "belum dijawab" in await problem.inner_text()
    await admin.shot("1-refused")

    # 2. Fill in every component; each is saved by htmx without reloading the page.
    await page.goto(form_url)
    await page.evaluate("window.__stillHere = true")
    for component, letters in SELF.items():
        section = page.locator(f"#komponen-{component}")
        for n, letter in enumerate(letters, start=1):
            await section.locator(f'input[name="opt-{component}.{n}"][value="{letter}"]').check()
        await section.get_by_test_id(f"save-{component}").click()
        saved = page.get_by_test_id(f"saved-{component}")
        await saved.wait_for()
        assert f"{len(letters)} jawaban" in await saved.inner_text()
        assert await page.get_by_test_id(f"answered-{component}").inner_text() == (
            f"{len(letters)} dari {len(letters)} indikator dijawab"
        )
    assert await page.evaluate("window.__stillHere === true"), "a component save reloaded the page"
    progress = await admin.text("form-progress")
    assert "21 dari 21 indikator dijawab (100%)" in progress
    assert f"Nilai sementara: {id_number(SELF_TOTAL)}" in progress  # the by-hand self-assessment total

    # Evidence for one indicator, stored by the service.
    evidence = SHOTS / "akr-e2e-bukti-koleksi.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% bukti koleksi perpustakaan kelurahan\n%%EOF\n")
    await page.get_by_test_id("file-KOLEKSI.1").set_input_files(str(evidence))
    await page.get_by_test_id("upload-KOLEKSI.1").click()
    await page.get_by_test_id("ok-message").wait_for()
    assert await page.get_by_test_id("files-KOLEKSI.1").locator("a").inner_text() == evidence.name
    await page.locator("#komponen-PENGUATAN").scroll_into_view_if_needed()
    await page.screenshot(path=str(SHOTS / "akr-e2e-2-form.png"))
    await admin.shot("2-form-full")

    # Submit: nothing is refused any more.
    await page.get_by_test_id("to-submit").click()
    await page.get_by_test_id("assessment-number").wait_for()
    assert await page.get_by_test_id("submit-check").count() == 0
    assert await admin.text("total") == id_number(SELF_TOTAL)
    await page.get_by_test_id("submit").click()
    await page.get_by_test_id("ok-message").wait_for()
    assert await page.locator(".page-head .pill").get_attribute("data-status") == "submitted"
    assert "diverifikasi" in await admin.text("waiting")
    await admin.shot("3-submitted")

    # 3. The officer returns it with a note; the library sees the note and submits again.
    officer = await Person.sign_in(suite, browser, "petugas-akreditasi")
    await officer.page.get_by_test_id("tile-queue").click()
    await open_assessment_from(officer, "queue-submitted", number)
    note = "Lengkapi foto ruang baca pada bukti KOLEKSI.1"
    await officer.page.get_by_label("Catatan perbaikan untuk perpustakaan").fill(note)
    await officer.page.get_by_test_id("return").click()
    await officer.page.get_by_test_id("ok-message").wait_for()
    assert await officer.page.locator(".page-head .pill").get_attribute("data-status") == "returned"

    await admin.goto("/portal/akreditasi/penilaian")
    assert await admin.text("return-note") == note
    await page.get_by_test_id("current-assessment").locator("h2 a").click()
    await page.get_by_test_id("submit").click()
    await page.get_by_test_id("ok-message").wait_for()
    assert await page.locator(".page-head .pill").get_attribute("data-status") == "submitted"

    # ... and verifies it, assigning the demo assessor.
    await officer.goto("/portal/akreditasi/antrean")
    await open_assessment_from(officer, "queue-submitted", number)
    assert await officer.page.get_by_test_id("verify-check").count() == 0
    await officer.page.get_by_label("Asesor yang ditugaskan (nama pengguna)").fill("asesor")
    await officer.page.get_by_test_id("verify").click()
    await officer.page.get_by_test_id("ok-message").wait_for()
    assert await officer.page.locator(".page-head .pill").get_attribute("data-status") == "verified"
    steps = await officer.page.get_by_test_id("steps").inner_text()
    assert note in steps  # the history keeps the return note
    await officer.shot("4-verified")

    # 4. The assessor scores the visit beside the library's answers.
    assessor = await Person.sign_in(suite, browser, "asesor")
    await assessor.page.get_by_test_id("tile-visits").click()
    row = assessor.page.locator(f'[data-testid="queue-verified"] tr[data-number="{number}"]')
    assert "Ditugaskan kepada saya" in await row.inner_text()
    await row.get_by_role("link", name="Buka formulir visitasi").click()
    await assessor.page.locator("#komponen-KOLEKSI").wait_for()
    library_answer = assessor.page.get_by_test_id("library-answer-KOLEKSI.1")
    assert await library_answer.locator(".answer-chip .opt-letter").inner_text() == "a"
    assert evidence.name in await library_answer.inner_text()
    await assessor.page.evaluate("window.__stillHere = true")
    for code, letter in ASSESSOR.items():
        component = code.split(".")[0]
        section = assessor.page.locator(f"#komponen-{component}")
        await section.locator(f'input[name="opt-{code}"][value="{letter}"]').check()
        await section.get_by_test_id(f"save-{component}").click()
        await assessor.page.get_by_test_id(f"saved-{component}").wait_for()
        final = await assessor.text(f"final-{code}")
        assert final == f"Berlaku: {letter} ({POINTS[letter]} poin)", final
    assert await assessor.page.evaluate("window.__stillHere === true")
    await assessor.page.locator("#komponen-TENAGA").scroll_into_view_if_needed()
    await assessor.page.screenshot(path=str(SHOTS / "akr-e2e-5-visit.png"))
    await assessor.page.get_by_test_id("complete-form").get_by_test_id("complete-visit").click()
    await assessor.page.get_by_test_id("ok-message").wait_for()

    # The grade follows the published weights and bands exactly.
    assert await assessor.page.locator(".page-head .pill").get_attribute("data-status") == "graded"
    score = assessor.page.get_by_test_id("score")
    assert await score.get_attribute("data-provisional") == "false"
    assert await assessor.text("total") == id_number(FINAL_TOTAL)
    assert await assessor.page.get_by_test_id("grade-label").get_attribute("data-grade") == FINAL_GRADE
    assert await assessor.text("grade-label") == "Terakreditasi B (Baik)"
    rows = assessor.page.get_by_test_id("component-scores")
    for component, expected in {
        "KOLEKSI": "17",
        "PELAYANAN": "24",
        "TENAGA": "16",
        "PENYELENGGARAAN": "12,75",
    }.items():
        assert await rows.locator(f'tr[data-component="{component}"] td').last.inner_text() == expected
    svg = assessor.page.locator("#score-chart svg")
    assert await svg.get_attribute("role") == "img"
    await assessor.shot("6-graded")

    # 5. The officer issues the certificate; it downloads as a PDF.
    await officer.goto("/portal/akreditasi/antrean")
    await open_assessment_from(officer, "queue-graded", number)
    assert await officer.page.get_by_test_id("certify-check").count() == 0
    await officer.page.get_by_test_id("certify").click()
    await officer.page.get_by_test_id("ok-message").wait_for()
    assert await officer.page.locator(".page-head .pill").get_attribute("data-status") == "certified"
    certificate_number = await officer.text("certificate-number")
    assert certificate_number.startswith("SERT-AKR/")
    await officer.shot("7-certified")

    # The library sees it too, and downloads the certificate (with its own session).
    await admin.page.goto(f"{suite.url}/portal/akreditasi/penilaian")
    await admin.page.get_by_test_id("assessments").locator(f'tr[data-number="{number}"] th a').click()
    assert await admin.text("certificate-number") == certificate_number
    assert await admin.text("total") == id_number(FINAL_TOTAL)
    href = await admin.page.get_by_test_id("certificate-link").get_attribute("href")
    assert href
    pdf = await admin.page.request.get(f"{suite.url}{href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    body = await pdf.body()
    assert body.startswith(b"%PDF")
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(body)).pages)
    text = re.sub(r"\s+", " ", text)
    assert certificate_number in text and number in text
    assert f"dinyatakan Terakreditasi B (Baik) dengan nilai akhir {FINAL_TOTAL}" in text
    # ... and in English, the same numbers written the English way.
    await admin.page.locator('button[data-lang="en"]').click()
    await admin.page.get_by_test_id("total").wait_for()
    assert await admin.text("total") == str(FINAL_TOTAL)
    assert await admin.text("grade-label") == "Accredited B (Good)"
    await admin.shot("8-certificate-en")
    await admin.page.locator('button[data-lang="id"]').click()

    # 6. The public: the directory shows the grade in force; the charts are drawn.
    public_context = await browser.new_context(viewport={"width": 1280, "height": 900})
    public = Person(suite, public_context, await public_context.new_page(), "anonymous")
    await public.goto("/portal/akreditasi/perpustakaan?q=Kebon+Kacang")
    row = public.page.locator(f'[data-testid="directory"] tr[data-code="{LIBRARY}"]')
    assert await row.locator("[data-grade]").get_attribute("data-grade") == FINAL_GRADE
    await public.shot("9-directory")
    await public.goto("/portal/akreditasi/dasbor")
    grades = public.page.get_by_test_id("chart-grades")
    assert await grades.locator("svg > title").text_content() == "Sebaran peringkat akreditasi yang berlaku"
    assert "B (Baik): 1 " in (await grades.locator("svg").text_content() or "")
    export = await public.page.request.get(f"{suite.url}/portal/akreditasi/dasbor/ekspor/grades.csv")
    assert export.status == 200 and "text/csv" in export.headers["content-type"]
    await public.shot("10-dashboard")
    await public.goto("/portal/akreditasi/literasi")
    assert await public.page.get_by_test_id("tgm-kepulauan-seribu").inner_text() != "–"
    assert await public.page.locator("figure.chart svg[role=img]").count() >= 2
    await public.shot("11-literacy")
    await public.goto("/portal/akreditasi/kegiatan")
    calendar = await public.page.get_by_test_id("calendar-link").get_attribute("href")
    assert calendar
    ics = await public.page.request.get(f"{suite.url}{calendar}")
    assert ics.status == 200 and (await ics.text()).startswith("BEGIN:VCALENDAR")

    for person in (admin, officer, assessor, public):
        await person.close()
