"""The issue's acceptance, against ``pusip up --only gateway,catalog,circulation``: in headless Chromium
and through the API.

A patron registers online (NIK, email verified by the mailed link), reserves on the catalogue's
record page a title held only at another branch; the copy is on that branch's pick list and is trapped
when checked in there, travels (transit slip, received at the pickup branch), sits on the hold shelf,
is picked up (check-out), returned late at a third branch, and the fine counts only opening days —
the national holiday in between is not charged. The same flow runs again through the REST API.

Time: the circulation service reads "now" from :mod:`circulation.clock`. The suite's processes start
with a ``sitecustomize`` (on ``PYTHONPATH``) that points that clock at a file the test writes, the
cross-process equivalent of ``clock.frozen`` used by the service's own tests. Mail goes to an SMTP
sink in this process. Screenshots: ``/tmp/sirkulasi-e2e-*.png``.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from aiosmtpd.controller import Controller

from circulation.demo import DEMO_RULES
from pusip_kit.testing.suite import Up, free_port_base, require_chromium, running, wait_for

SYNC_TIMEOUT = 180.0
SHOTS = Path("/tmp")
P = "/portal/sirkulasi"
PICKUP = "perpustakaan-jakarta-cikini"  # the demo librarian's branch
WIB = timezone(timedelta(hours=7))
LENT_ON = date(2026, 12, 7)  # a Monday; due two weeks later, on 21 December
RETURNED_ON = date(2026, 12, 28)  # a week late, with Christmas (25 December) in between
FINE_PER_DAY = int(DEMO_RULES[0]["fine_per_day"])

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]

SITECUSTOMIZE = """
import os
_path = os.environ.get("PUSIP_TEST_CLOCK_FILE")
if _path:
    from datetime import datetime
    import circulation.clock as _clock
    _real = _clock.now
    def _now():
        try:
            with open(_path) as f:
                text = f.read().strip()
        except OSError:
            text = ""
        return datetime.fromisoformat(text) if text else _real()
    _clock.now = _now
"""


# -- a local SMTP sink ----------------------------------------------------------------------------------


class MailSink:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


def body_of(message: Message) -> str:
    parts = [message] if not message.is_multipart() else [p for p in message.walk() if not p.is_multipart()]
    out = []
    for part in parts:
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            out.append(payload.decode(errors="replace"))
    return "\n".join(out)


# -- the suite, started for real ------------------------------------------------------------------------


@dataclass
class Suite(Up):
    clock_file: Path
    mail: MailSink

    def set_day(self, day: date) -> None:
        """The circulation clock of every suite process: 10:00 WIB on ``day``."""
        self.clock_file.write_text(datetime(day.year, day.month, day.day, 10, 0, tzinfo=WIB).isoformat())


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    require_chromium()
    root = tmp_path_factory.mktemp("sirkulasi-portal")
    shim = root / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(SITECUSTOMIZE)
    clock_file = root / "clock.txt"
    clock_file.write_text("")
    sink = MailSink()
    smtp_port = free_port_base()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = {
        "PUSIP_CIRCULATION_SMTP_HOST": "127.0.0.1",
        "PUSIP_CIRCULATION_SMTP_PORT": str(smtp_port),
        "PUSIP_TEST_CLOCK_FILE": str(clock_file),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(shim), os.environ.get("PYTHONPATH")])),
    }
    corpus = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
    if corpus.is_dir():
        env["PUSIP_CORPUS_DIR"] = str(corpus)
    try:
        with running(
            root,
            "/api/circulation/readyz",
            only="gateway,catalog,circulation",
            env=env,
            base=free_port_base(7),
            cls=Suite,
            fields={"clock_file": clock_file, "mail": sink},
        ) as handle:
            # the circulation replica learns the catalogue's branches and copies from its events
            with httpx.Client(base_url=handle.url, timeout=30) as http:
                staff = bearer(http, "admin")
            wait_for(
                handle,
                lambda c: (
                    c.get("/api/circulation/items", params={"limit": 1}, headers=staff).json()["pagination"][
                        "total_count"
                    ]
                    > 100
                ),
                SYNC_TIMEOUT,
                "the item replica filled",
            )
            yield handle
    finally:
        controller.stop()


# -- helpers --------------------------------------------------------------------------------------------


def bearer(http: httpx.Client, username: str) -> dict[str, str]:
    response = http.post(
        "/auth/token",
        data={
            "grant_type": "password",
            "username": username,
            "password": f"pusip-demo-{username}",
            "client_id": "pusip-portal",
        },
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@dataclass
class Title:
    record_id: str
    barcode: str
    branch: str
    title: str


def single_copy_titles(http: httpx.Client, staff: dict[str, str], n: int) -> tuple[list[Title], str]:
    """Titles with one available copy, away from the pickup branch; and a third branch for returns."""
    by_record: dict[str, list[dict[str, Any]]] = {}
    page = 1
    while True:
        body = http.get("/api/circulation/items", params={"limit": 100, "page": page}, headers=staff).json()
        for item in body["items"]:
            by_record.setdefault(item["record_id"], []).append(item)
        if page >= body["pagination"]["max_page"]:
            break
        page += 1
    titles = [
        Title(r, items[0]["barcode"], items[0]["home_branch"], items[0]["title"])
        for r, items in sorted(by_record.items())
        if len(items) == 1
        and items[0]["status"] == "available"
        and items[0]["home_branch"] != PICKUP
        and items[0]["material_type"] not in ("referensi",)
        and items[0]["title"]
    ]
    assert len(titles) >= n, f"only {len(titles)} single-copy titles away from {PICKUP}"
    chosen = titles[:n]
    branches = {i["home_branch"] for items in by_record.values() for i in items}
    third = sorted(branches - {PICKUP} - {t.branch for t in chosen})
    assert third, branches
    return chosen, third[0]


def expected_fine(
    http: httpx.Client, staff: dict[str, str], branch: str, due: date, returned: date
) -> tuple[int, int, int]:
    """(days late, opening days late, Rupiah) by the lending branch's calendar as the API publishes it."""
    calendar = http.get(
        f"/api/circulation/calendars/{branch}", params={"year": due.year}, headers=staff
    ).json()
    closed_days = {date.fromisoformat(c["day"]) for c in calendar["closures"]}
    weekly = set(calendar["closed_weekdays"])
    late = (returned - due).days
    days = [due + timedelta(days=n) for n in range(1, late + 1)]
    assert date(2026, 12, 25) in closed_days and date(2026, 12, 25) in days  # the holiday is in the way
    opening = [d for d in days if d not in closed_days and d.weekday() not in weekly]
    return late, len(opening), len(opening) * FINE_PER_DAY


def verification_link(suite: Suite, address: str) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for message in suite.mail.to(address):
            found = re.search(r"(\S+/akun/verifikasi-email\?token=[\w.]+)", body_of(message))
            if found:
                parts = urlsplit(found.group(1))
                return f"{parts.path}?{parts.query}"
        time.sleep(0.5)
    pytest.fail(f"no verification mail to {address}:\n{suite.tail()}")


async def _page(browser: Any, errors: list[str]) -> tuple[Any, Any]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = await context.new_page()
    page.set_default_timeout(30_000)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page


async def sign_in(page: Any, suite: Suite, username: str, path: str) -> None:
    await page.goto(f"{suite.url}/portal/login?next={path}")
    await page.get_by_label("Nama pengguna").fill(username)
    await page.get_by_label("Kata sandi").fill(f"pusip-demo-{username}")
    await page.get_by_role("button", name="Masuk", exact=True).click()
    await page.wait_for_url(f"**{path.split('?')[0]}**")


# -- the acceptance in the browser ----------------------------------------------------------------------


async def test_patron_reserves_across_branches_and_pays_for_a_late_return(suite: Suite, browser: Any) -> None:
    suite.set_day(LENT_ON)
    errors: list[str] = []
    with httpx.Client(base_url=suite.url, timeout=30) as http:
        admin = bearer(http, "admin")
        (title,), third = single_copy_titles(http, admin, 1)
    patron_ctx, patron = await _page(browser, errors)

    # 1. online registration: the form, the NIK check, the mailed link
    await sign_in(patron, suite, "pemustaka", f"{P}/akun")
    await patron.get_by_test_id("register-form").wait_for()
    await patron.fill("#email", "pemustaka@demo.pusip.invalid")
    await patron.fill("#nik", "3174013205900001")  # day 32: refused with the reason
    await patron.get_by_test_id("register-submit").click()
    assert await patron.locator('[data-testid="register-problem"] [data-reason="nik"]').count() == 1
    assert await patron.input_value("#email") == "pemustaka@demo.pusip.invalid"  # kept
    await patron.fill("#nik", "3174015505900011")
    await patron.select_option("#category", "umum")
    await patron.select_option("#home_branch", PICKUP)
    await patron.get_by_test_id("register-submit").click()
    await patron.get_by_test_id("pending-note").wait_for()
    link = verification_link(suite, "pemustaka@demo.pusip.invalid")
    await patron.goto(suite.url + link)
    await patron.get_by_test_id("verify-submit").click()
    assert await patron.get_by_test_id("patron-status").get_attribute("data-status") == "active"
    card = (await patron.get_by_test_id("card-number").inner_text()).strip()
    await patron.screenshot(path=str(SHOTS / "sirkulasi-e2e-1-account.png"), full_page=True)

    # 2. reserve on the catalogue's record page, pickup at Cikini
    await patron.goto(f"{suite.url}/portal/katalog/rekaman/{title.record_id}")
    await patron.select_option("#pickup", PICKUP)
    await patron.get_by_test_id("reserve-button").click()
    await patron.get_by_test_id("ok-message").wait_for()
    assert "#pesan" in patron.url or "antrean=1" in patron.url
    await patron.goto(f"{suite.url}{P}/akun")
    hold = patron.locator(f'[data-testid="hold-row"][data-record="{title.record_id}"]')
    assert await hold.get_attribute("data-status") == "waiting"
    assert "antrean ke-1" in await hold.inner_text()

    # 3. the holding branch: pick list, check-in traps the copy and sends it with a slip
    staff_ctx, staff = await _page(browser, errors)
    await sign_in(staff, suite, "admin", f"{P}/ambil?cabang={title.branch}")
    await staff.locator(f'[data-testid="pick-row"][data-barcode="{title.barcode}"]').wait_for()
    await staff.goto(f"{suite.url}{P}/meja?cabang={title.branch}&mode=kembali")
    await staff.fill("#item", title.barcode)
    await staff.get_by_test_id("scan-submit").click()
    result = staff.get_by_test_id("desk-result")
    assert await result.get_attribute("data-action") == "transit"
    slip = await staff.request.get(
        suite.url + await staff.get_by_test_id("transit-slip").get_attribute("href")
    )
    assert slip.status == 200 and (await slip.body()).startswith(b"%PDF")
    await staff.screenshot(path=str(SHOTS / "sirkulasi-e2e-2-trapped.png"), full_page=True)
    await patron.reload()
    assert await hold.get_attribute("data-status") == "in_transit"

    # 4. the pickup branch's librarian receives it onto the hold shelf, then lends it to the patron
    desk_ctx, desk = await _page(browser, errors)
    await sign_in(desk, suite, "pustakawan", f"{P}/kiriman")
    await desk.locator(f'[data-testid="transits-incoming"] [data-barcode="{title.barcode}"]').wait_for()
    await desk.fill("#item", title.barcode)
    await desk.get_by_test_id("receive-submit").click()
    assert await desk.get_by_test_id("receive-result").get_attribute("data-action") == "hold_shelf"
    await desk.goto(f"{suite.url}{P}/rak-pesanan")
    assert (
        card in await desk.locator(f'[data-testid="shelf-row"][data-barcode="{title.barcode}"]').inner_text()
    )
    await patron.reload()
    assert await hold.get_attribute("data-status") == "ready"
    await desk.goto(f"{suite.url}{P}/meja")
    await desk.fill("#kartu", card)
    await desk.get_by_test_id("card-submit").click()
    await desk.get_by_test_id("patron-panel").wait_for()
    await desk.fill("#item", title.barcode)
    await desk.get_by_test_id("scan-submit").click()
    lent = desk.get_by_test_id("desk-result")
    assert await lent.get_attribute("data-mode") == "pinjam", await desk.content()
    due = LENT_ON + timedelta(days=14)
    assert "21 Des 2026" in await lent.inner_text()
    await desk.get_by_test_id("receipt-link").click()
    assert title.barcode in await desk.get_by_test_id("receipt").inner_text()
    await desk.screenshot(path=str(SHOTS / "sirkulasi-e2e-3-receipt.png"), full_page=True)
    await patron.reload()
    assert title.barcode in await patron.get_by_test_id("loans").inner_text()

    # 5. a week late, at a third branch: the fine counts opening days only
    suite.set_day(RETURNED_ON)
    with httpx.Client(base_url=suite.url, timeout=30) as http:
        late, opening, amount = expected_fine(http, admin, PICKUP, due, RETURNED_ON)
    assert opening < late
    await staff.goto(f"{suite.url}{P}/meja?cabang={third}&mode=kembali")
    await staff.fill("#item", title.barcode)
    await staff.get_by_test_id("scan-submit").click()
    fine = staff.get_by_test_id("checkin-fine")
    assert await fine.get_attribute("data-amount") == str(amount)
    assert f"{late} hari terlambat, {opening} hari buka" in await fine.inner_text()
    await staff.screenshot(path=str(SHOTS / "sirkulasi-e2e-4-late-return.png"), full_page=True)
    await patron.reload()
    assert "Rp" in (total := await patron.get_by_test_id("fines-total").inner_text())
    assert int(re.sub(r"\D", "", total)) == amount
    assert await patron.get_by_test_id("no-loans").count() == 1
    await patron.screenshot(path=str(SHOTS / "sirkulasi-e2e-5-fine.png"), full_page=True)
    for ctx in (patron_ctx, staff_ctx, desk_ctx):
        await ctx.close()
    # the one refused registration answers 422 (the browser logs that status); nothing else failed
    assert sum("status of 422" in e for e in errors) == 1, errors
    assert not [e for e in errors if "favicon" not in e and "status of 422" not in e], errors


# -- the same through the API ---------------------------------------------------------------------------


def test_the_same_flow_through_the_api(suite: Suite) -> None:
    suite.set_day(LENT_ON)
    with (
        httpx.Client(base_url=suite.url + "/api/circulation", timeout=30) as api,
        httpx.Client(base_url=suite.url, timeout=30) as http,
    ):
        citizen, admin = bearer(http, "penerbit"), bearer(http, "admin")
        titles, third = single_copy_titles(http, admin, 2)
        title = titles[-1]  # not the browser test's
        nik = "3174011505900012"
        body = {
            "name": "Budi Santoso",
            "nik": nik,
            "email": "penerbit@demo.pusip.invalid",
            "category": "umum",
        }
        dry = api.post("/patrons/register/dry-run", json={**body, "nik": "3174013205900012"}, headers=citizen)
        assert dry.status_code == 422, dry.text  # the NIK check
        registered = api.post("/patrons/register", json=body, headers=citizen)
        assert registered.status_code == 201, registered.text
        card = registered.json()["card_number"]
        token = verification_link(suite, "penerbit@demo.pusip.invalid").split("token=", 1)[1]
        verified = api.post("/patrons/verify-email", json={"token": token}, headers=citizen)
        assert verified.json()["status"] == "active", verified.text

        hold = api.post(
            "/holds", json={"record_id": title.record_id, "pickup_branch": PICKUP}, headers=citizen
        )
        assert hold.status_code == 201 and hold.json()["position"] == 1, hold.text
        picks = api.get("/holds/pick-list", params={"branch": title.branch}, headers=admin).json()
        assert title.barcode in [p["item_barcode"] for p in picks]
        trapped = api.post("/returns", json={"item": title.barcode, "branch": title.branch}, headers=admin)
        assert trapped.status_code == 200 and trapped.json()["action"] == "transit", trapped.text
        transit = trapped.json()["transit"]
        assert transit["to_branch"] == PICKUP
        slip = http.get("/api/circulation" + transit["slip_url"], headers=admin)
        assert slip.content.startswith(b"%PDF")
        received = api.post(
            "/transits/receive", json={"item": title.barcode, "branch": PICKUP}, headers=admin
        )
        assert received.json()["action"] == "hold_shelf", received.text
        assert api.get(f"/holds/{hold.json()['id']}", headers=citizen).json()["status"] == "ready"
        lent = api.post(
            "/loans", json={"patron": card, "item": title.barcode, "branch": PICKUP}, headers=admin
        )
        assert lent.status_code == 201, lent.text
        due = date.fromisoformat(lent.json()["due_on"])
        assert due == LENT_ON + timedelta(days=14) and lent.json()["fulfilled_hold_id"] == hold.json()["id"]

        suite.set_day(RETURNED_ON)
        late, opening, amount = expected_fine(http, admin, PICKUP, due, RETURNED_ON)
        back = api.post("/returns", json={"item": title.barcode, "branch": third}, headers=admin)
        assert back.status_code == 200, back.text
        fine = back.json()["fine"]
        assert (fine["overdue_days"], fine["chargeable_days"], fine["amount"]) == (late, opening, amount)
        assert back.json()["action"] == "transit"  # on its way home
        mine = api.get("/patrons/me/fines", headers=citizen).json()
        assert mine["balance"] == amount
