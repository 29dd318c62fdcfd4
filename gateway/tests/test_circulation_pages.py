"""The circulation portal pages, against the real circulation service (in process, over ASGI).

The gateway app and the circulation app both run their lifespans; the pages' HTTP client is pointed at
the circulation app and both trust the same test issuer, so a portal session carries a token the
service checks like any other. Time is moved with the service's own clock (``circulation.clock``).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager
from sqlalchemy import select

from circulation import clock
from circulation.config import CirculationSettings
from circulation.demo import load_demo_data
from circulation.main import create_app as create_circulation
from circulation.models import EmailVerification
from circulation.patrons.service import verification_token
from circulation.tasks import handlers
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from gateway.portal.session import CSRF_COOKIE, CSRF_FIELD, PortalSession
from pusip_kit.events import Event, deliver_event
from pusip_kit.testing.service import ServiceClient, service_fixture

PORTAL = Path(__file__).resolve().parents[1] / "src" / "gateway" / "portal"
PAGES = PORTAL / "circulation"
P = "/portal/sirkulasi"
CIKINI, KOJA, TEBET = "cikini", "koja", "tebet"
ADMIN = {"roles": ["admin"], "sub": "admin", "username": "admin"}
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)

circulation = service_fixture(create_circulation, CirculationSettings, name="circulation", mail_enabled=False)


# -- templates and catalogs ---------------------------------------------------------------------------


def test_catalogs_match_and_cover_every_template_string() -> None:
    ids = json.loads((PAGES / "i18n" / "id.json").read_text())
    ens = json.loads((PAGES / "i18n" / "en.json").read_text())
    assert set(ids) == set(ens)
    assert all(v.strip() for v in [*ids.values(), *ens.values()])
    for key, text in ids.items():  # the same placeholders in both languages
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", ens[key])), key
    shell = json.loads((PORTAL / "i18n" / "id.json").read_text())
    used: set[str] = set()
    for path in [*(PAGES / "templates").rglob("*.html"), *PAGES.glob("*.py")]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.-]+)["']\s*[,)]""", path.read_text()))
    assert len(used) > 100, "no t() calls found"
    assert used <= set(ids) | set(shell), sorted(used - set(ids) - set(shell))
    # the codes the pages label
    for kind, codes in (
        ("hold", ("waiting", "in_transit", "ready", "fulfilled", "cancelled", "expired")),
        ("action", ("shelve", "hold_shelf", "transit", "withdrawn")),
        ("desk.mode", ("pinjam", "kembali", "perpanjang")),
        ("method", ("tunai", "qris", "transfer", "edc")),
    ):
        for code in codes:
            assert f"sir.{kind}.{code}" in ids, (kind, code)


def test_templates_have_no_literal_text() -> None:
    for template in (PAGES / "templates").rglob("*.html"):
        html = template.read_text()
        html = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", html, flags=re.S)
        for text in re.findall(r">([^<]+)<", html):
            assert not re.findall(r"[A-Za-z]{2,}", text), f"{template.name}: literal text {text.strip()!r}"


# -- a portal wired to circulation --------------------------------------------------------------------


class Portal:
    def __init__(self, app: Any, service: ServiceClient) -> None:
        self.app = app
        self.service = service
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal.test")
        self.csrf = app.state.portal.codec.new_csrf()
        self.http.cookies.set(CSRF_COOKIE, self.csrf)

    def sign_in(self, **claims: Any) -> None:
        token = self.service.token_for(**claims)
        sealed = self.app.state.portal.codec.seal(PortalSession(token, None, time.time() + 300))
        self.http.cookies.set(self.app.state.settings.session_cookie, sealed)

    def sign_out(self) -> None:
        self.http.cookies.delete(self.app.state.settings.session_cookie)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"accept": "text/html", **kwargs.pop("headers", {})}
        return await self.http.get(path, headers=headers, **kwargs)

    async def post(self, path: str, data: dict[str, Any] | None = None) -> httpx.Response:
        return await self.http.post(
            path, data={CSRF_FIELD: self.csrf, **(data or {})}, headers={"accept": "text/html"}
        )


class ForYou(httpx.AsyncBaseTransport):
    """The service, except that ``/me/for-you`` answers what the test sets: a body, or a 404 (a service
    without the route), or — with ``"service"`` — the service's own answer."""

    def __init__(self, service: ServiceClient) -> None:
        self.body: dict[str, Any] | str | None = "service"
        self.asgi = httpx.ASGITransport(app=service.app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/me/for-you" and self.body != "service":
            if self.body is None:
                error = {"code": "not_found", "message": "Tidak ditemukan", "message_en": "Not found"}
                return httpx.Response(404, json={"error": error})
            return httpx.Response(200, json=self.body)
        return await self.asgi.handle_async_request(request)


@pytest_asyncio.fixture
async def portal(circulation: ServiceClient, tmp_path: Path) -> AsyncIterator[Portal]:
    settings = GatewaySettings(
        data_dir=tmp_path / "gateway",
        service_urls={"circulation": "http://circulation.test"},
        rate_limit_enabled=False,
    )
    app = create_gateway(settings)
    async with LifespanManager(app):
        app.state.gateway.validator = circulation.issuer.validator()
        for_you = ForYou(circulation)
        app.state.circulation_pages_http = httpx.AsyncClient(transport=for_you)
        handle = Portal(app, circulation)
        handle.for_you = for_you  # type: ignore[attr-defined]
        try:
            yield handle
        finally:
            await handle.http.aclose()


def _event(kind: str, payload: dict[str, Any]) -> Event:
    return Event(id=uuid.uuid4(), type=kind, occurred_at=T0, producer="catalog", key=None, payload=payload)


async def seed(service: ServiceClient) -> None:
    """Three branches, the demo categories, rules and 2026 holidays; one title held only at Koja."""
    async with service.sessionmaker() as session:
        await load_demo_data(session)
        await session.commit()
    for code in (CIKINI, KOJA, TEBET):
        payload = {
            "code": code,
            "name": f"Perpustakaan {code.title()}",
            "active": True,
            "updated_at": T0.isoformat(),
        }
        assert (
            await deliver_event(service.sessionmaker, handlers, _event("catalog.branch.created", payload))
        ).ok
    for barcode, record, branch, title in (
        ("LP-1", "rec-laskar", KOJA, "Laskar Pelangi"),
        ("BM-1", "rec-bumi", CIKINI, "Bumi Manusia"),
    ):
        payload = {
            "barcode": barcode,
            "record_id": record,
            "branch": branch,
            "location": "Rak Sastra",
            "material_type": "buku",
            "title": title,
            "updated_at": T0.isoformat(),
        }
        assert (
            await deliver_event(service.sessionmaker, handlers, _event("catalog.item.created", payload))
        ).ok


async def register_online(portal: Portal, sub: str) -> str:
    """Through the pages: the registration form, then the code from the verification mail."""
    portal.sign_in(roles=["patron"], sub=sub, username=sub)
    form = await portal.get(f"{P}/akun")
    assert form.status_code == 200 and 'data-testid="register-form"' in form.text
    values = {
        "name": "Siti Rahmawati",
        "nik": "3174015505900001",
        "email": f"{sub}@contoh.id",
        "category": "umum",
        "home_branch": CIKINI,
        "birth_date": "1990-05-15",
        "gender": "P",
    }
    bad = await portal.post(f"{P}/akun/daftar", {**values, "nik": "3174013205900001"})  # day 32
    assert bad.status_code == 422, bad.text
    assert 'data-testid="register-problem"' in bad.text and 'value="Siti Rahmawati"' in bad.text
    assert 'data-reason="nik"' in bad.text and "NIK (16 digit):" in bad.text
    done = await portal.post(f"{P}/akun/daftar", values)
    assert done.status_code == 303 and done.headers["location"] == f"{P}/akun?ok=registered"
    pending = await portal.get(f"{P}/akun")
    assert 'data-status="pending"' in pending.text and 'data-testid="pending-note"' in pending.text
    async with portal.service.session() as session:
        verification = (
            await session.execute(select(EmailVerification).where(EmailVerification.email == values["email"]))
        ).scalar_one()
    token = verification_token(portal.service.settings.secret_key, verification.id)
    link = await portal.get("/akun/verifikasi-email", params={"token": token})  # the mailed link
    assert link.status_code == 303
    page = await portal.get(link.headers["location"])
    assert f'value="{token}"' in page.text
    wrong = await portal.post(f"{P}/akun/verifikasi-email", {"token": "0" * 32 + ".nope"})
    assert wrong.status_code == 400 and 'data-testid="verify-problem"' in wrong.text
    ok = await portal.post(f"{P}/akun/verifikasi-email", {"token": token})
    assert ok.status_code == 303 and ok.headers["location"].endswith("ok=verified")
    account = await portal.get(f"{P}/akun")
    assert 'data-status="active"' in account.text
    card = re.search(r'data-testid="card-number"><code>(\d+)</code>', account.text)
    assert card is not None
    return card.group(1)


# -- the flow -----------------------------------------------------------------------------------------


async def test_reserve_trap_transit_pickup_return_late_across_a_holiday(portal: Portal) -> None:
    service = portal.service
    await seed(service)
    with clock.frozen(date(2026, 12, 7)):  # a Monday
        card = await register_online(portal, "warga-1")
        response = await service.post(
            "/holds",
            json={"record_id": "rec-laskar", "pickup_branch": CIKINI},
            headers=service.bearer(roles=["patron"], sub="warga-1"),
        )
        assert response.status_code == 201, response.text
        account = await portal.get(f"{P}/akun")
        assert 'data-testid="hold-row" data-status="waiting"' in account.text
        assert "antrean ke-1" in account.text and "Laskar Pelangi" in account.text

        # Koja's pick list names the copy; checking it in there traps it and sends it to Cikini.
        portal.sign_in(**ADMIN)
        pick = await portal.get(f"{P}/ambil", params={"cabang": KOJA})
        assert 'data-testid="pick-row" data-barcode="LP-1"' in pick.text
        trapped = await portal.post(f"{P}/meja", {"branch": KOJA, "mode": "kembali", "item": "LP-1"})
        assert trapped.status_code == 200, trapped.text
        assert 'data-action="transit"' in trapped.text and 'data-testid="transit-slip"' in trapped.text
        slip_href = re.search(r'href="([^"]+slip\.pdf)" data-testid="transit-slip"', trapped.text)
        assert slip_href is not None
        slip = await portal.get(slip_href.group(1))
        assert slip.status_code == 200 and slip.content.startswith(b"%PDF")
        outgoing = await portal.get(f"{P}/kiriman", params={"cabang": KOJA})
        assert re.search(r'data-testid="transits-outgoing".*data-barcode="LP-1"', outgoing.text, re.S)

        # Cikini receives it: onto the hold shelf, the patron sees "ready".
        received = await portal.post(f"{P}/kiriman/terima", {"branch": CIKINI, "item": "LP-1"})
        assert received.status_code == 200 and 'data-action="hold_shelf"' in received.text
        shelf = await portal.get(f"{P}/rak-pesanan", params={"cabang": CIKINI})
        assert 'data-testid="shelf-row" data-barcode="LP-1"' in shelf.text and card in shelf.text

        # Picked up: a refusal for the wrong patron shows every reason, then the right one borrows it.
        other = await service.post(
            "/patrons", json={"name": "Budi", "category": "umum"}, headers=service.bearer(**ADMIN)
        )
        assert other.status_code == 201, other.text
        refused = await portal.post(
            f"{P}/meja",
            {"branch": CIKINI, "mode": "pinjam", "card": other.json()["card_number"], "item": "LP-1"},
        )
        assert refused.status_code == 409
        assert 'data-reason="refuse_when_item_on_hold_for_another"' in refused.text
        lent = await portal.post(
            f"{P}/meja", {"branch": CIKINI, "mode": "pinjam", "card": card, "item": "LP-1"}
        )
        assert lent.status_code == 200 and 'data-mode="pinjam"' in lent.text, lent.text
        assert "21 Des 2026" in lent.text  # 14 days
        receipt = await portal.get(f"{P}/meja/struk", params={"kartu": card, "cabang": CIKINI})
        assert 'data-testid="receipt-row"' in receipt.text and "Laskar Pelangi" in receipt.text

    # Returned at Tebet a week late; Christmas (a closure) is not charged: 6 opening days × Rp500.
    with clock.frozen(date(2026, 12, 28)):
        back = await portal.post(f"{P}/meja", {"branch": TEBET, "mode": "kembali", "item": "LP-1"})
        assert back.status_code == 200, back.text
        assert 'data-amount="3000"' in back.text and "7 hari terlambat, 6 hari buka" in back.text
        assert 'data-action="transit"' in back.text  # home to Koja
        portal.sign_in(roles=["patron"], sub="warga-1", username="warga-1")
        account = await portal.get(f"{P}/akun")
        assert 'data-testid="fines-total">Rp3.000<' in account.text
        assert 'data-testid="no-loans"' in account.text
        # the staff takes the payment; the receipt is a PDF
        portal.sign_in(**ADMIN)
        paid = await portal.post(
            f"{P}/meja/bayar", {"branch": TEBET, "card": card, "amount": "3000", "method": "tunai"}
        )
        assert paid.status_code == 200 and 'data-testid="payment-receipt"' in paid.text
        href = re.search(r'href="([^"]+kuitansi\.pdf)"', paid.text)
        assert href is not None
        pdf = await portal.get(href.group(1))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

        stats = await portal.get(f"{P}/statistik", params={"dari": "2026-12-01", "sampai": "2026-12-28"})
        assert stats.status_code == 200
        assert stats.text.count("<svg") == 3 and 'data-testid="total-loans">1<' in stats.text


async def test_renew_cancel_privacy_and_english(portal: Portal) -> None:
    service = portal.service
    await seed(service)
    with clock.frozen(date(2026, 12, 7)):
        card = await register_online(portal, "warga-2")
        assert (
            await service.post(
                "/loans",
                json={"patron": card, "item": "BM-1", "branch": CIKINI},
                headers=service.bearer(**ADMIN),
            )
        ).status_code == 201
        hold = await service.post(
            "/holds",
            json={"record_id": "rec-laskar", "pickup_branch": CIKINI},
            headers=service.bearer(roles=["patron"], sub="warga-2"),
        )
        assert hold.status_code == 201
        too_early = await portal.post(f"{P}/akun/perpanjang", {"item": "BM-1"})
        assert (
            too_early.status_code == 409 and 'data-reason="refuse_when_renewal_too_early"' in too_early.text
        )
    with clock.frozen(date(2026, 12, 14)):
        renewed = await portal.post(f"{P}/akun/perpanjang", {"item": "BM-1"})
        assert renewed.status_code == 303 and "ok=renewed" in renewed.headers["location"]
        account = await portal.get(f"{P}/akun")
        assert "28 Des 2026" in account.text and "21 Des 2026" not in account.text  # 14 Dec + 14 days
        cancelled = await portal.post(f"{P}/akun/pesanan/{hold.json()['id']}/batal")
        assert cancelled.status_code == 303
        assert 'data-testid="hold-row"' not in (await portal.get(f"{P}/akun")).text
        # reading history: off at registration, switched on here
        off = await portal.get(f"{P}/akun/riwayat")
        assert 'data-testid="history-off"' in off.text
        await portal.post(f"{P}/akun/privasi", {"reading_history": "on"})
        staff = service.bearer(**ADMIN)
        assert (
            await service.post("/returns", json={"item": "BM-1", "branch": CIKINI}, headers=staff)
        ).status_code == 200
        on = await portal.get(f"{P}/akun/riwayat")
        assert 'data-testid="history-row"' in on.text and "Bumi Manusia" in on.text
        out = await service.post(
            "/loans", json={"patron": card, "item": "BM-1", "branch": CIKINI}, headers=staff
        )
        assert out.status_code == 201, out.text
        exported = await portal.get(f"{P}/akun/ekspor")
        assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
        assert card in exported.text
        # deleting needs the tick, and is refused while a book is out — every reason shown
        unticked = await portal.post(f"{P}/akun/hapus")
        assert unticked.status_code == 422
        refused = await portal.post(f"{P}/akun/hapus", {"confirm": "on"})
        assert refused.status_code == 409 and 'data-testid="privacy-problem"' in refused.text
        assert "data-reason=" in refused.text
        portal.http.cookies.set("lang", "en")
        english = await portal.get(f"{P}/akun")
        assert (
            "My account" in english.text
            and "Renewals left" in english.text
            and "Akun saya</h1>" not in english.text
        )


async def test_for_you_block_shows_the_service_answer_and_survives_a_404(portal: Portal) -> None:
    await seed(portal.service)
    await register_online(portal, "warga-3")
    portal.for_you.body = None  # type: ignore[attr-defined]
    empty = await portal.get(f"{P}/akun")  # a service without /me/for-you: an empty block, no error
    assert empty.status_code == 200 and 'data-testid="for-you-empty"' in empty.text
    portal.for_you.body = {  # type: ignore[attr-defined]
        "recommendations": [
            {
                "record_id": "rec-laskar",
                "title": "Laskar Pelangi",
                "authors": ["Andrea Hirata"],
                "year": 2005,
                "reason": {
                    "code": "popular_in_category",
                    "label": "Populer di kategori Umum",
                    "label_en": "Popular in your member category",
                },
                "available_branches": [KOJA],
            }
        ],
        "announcements": [
            {
                "id": "a1",
                "branch_code": CIKINI,
                "title": "Jam buka Ramadan",
                "body": "Buka pukul 10.00",
                "starts_on": "2026-12-01",
                "ends_on": "2026-12-31",
            }
        ],
    }
    full = await portal.get(f"{P}/akun")
    assert 'data-record="rec-laskar"' in full.text and "Andrea Hirata" in full.text
    assert "Perpustakaan Koja" in full.text and "Jam buka Ramadan" in full.text
    assert 'data-testid="for-you-empty"' not in full.text
    assert "Populer di kategori Umum" in full.text and 'data-reason="popular_in_category"' in full.text
    home = await portal.get(P)
    assert 'data-testid="recommendations"' in home.text
    fragment = await portal.get(f"{P}/untuk-anda", headers={"hx-request": "true"})
    assert fragment.text.lstrip().startswith("<section") and "Jam buka Ramadan" in fragment.text
    portal.http.cookies.set("lang", "en")
    assert "Popular in your member category" in (await portal.get(f"{P}/akun")).text
    portal.sign_out()
    assert 'data-testid="for-you-empty"' in (await portal.get(f"{P}/untuk-anda")).text


async def test_pages_are_gated_by_role(portal: Portal) -> None:
    await seed(portal.service)
    anonymous = await portal.get(f"{P}/meja")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/portal/login?next=")
    assert (await portal.get(f"{P}/akun")).status_code == 303
    landing = await portal.get(P)
    assert landing.status_code == 200 and 'data-testid="login-to-join"' in landing.text
    portal.sign_in(roles=["patron"], sub="warga-4")
    for path in ("/meja", "/ambil", "/kiriman", "/rak-pesanan", "/statistik"):
        page = await portal.get(P + path)
        assert page.status_code == 403, path
    refused = await portal.post(f"{P}/meja", {"branch": CIKINI, "mode": "kembali", "item": "BM-1"})
    assert refused.status_code == 403
    portal.sign_in(roles=["accreditation_officer"], sub="officer")
    assert (await portal.get(f"{P}/statistik")).status_code == 200
    assert (await portal.get(f"{P}/meja")).status_code == 403
    # a librarian works at their own branch only: the desk opens there whatever is asked
    portal.sign_in(roles=["librarian"], sub="pustakawan", username="pustakawan", branches=[KOJA])
    desk = await portal.get(f"{P}/meja", params={"cabang": CIKINI})
    assert desk.status_code == 200 and 'data-testid="desk-branch">Perpustakaan Koja<' in desk.text
    assert 'data-sub="meja"' in desk.text and 'data-sub="statistik"' in desk.text
    # a bad barcode is a refusal on the page, not an error page
    missing = await portal.post(f"{P}/meja", {"branch": KOJA, "mode": "kembali", "item": "NOPE"})
    assert missing.status_code == 409 and 'data-testid="desk-problem"' in missing.text
    portal.sign_out()
    with pytest.raises(AssertionError):
        assert 'data-sub="meja"' in (await portal.get(P)).text
