"""Gateway portal → accreditation service, in this process: every accreditation page renders from the
real service's answers (demo data), writes go through CSRF-checked forms with the signed-in user's
token, htmx gets fragments, and refusals come back by name.

The gateway's embedded issuer and the service's test issuer share one signing key and issuer URL, so
the token the portal's sign-in hands out is the token the service accepts — as in ``pusip up``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest_asyncio
from asgi_lifespan import LifespanManager

from accreditation.config import AccreditationSettings
from accreditation.demo import IN_PROGRESS_LIBRARY, load_demo_data
from accreditation.main import create_app as create_accreditation
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from pusip_kit.auth.accounts import AccountStore
from pusip_kit.testing.service import TEST_ISSUER_URL, TestIssuer, run_service, settings_for_test
from pusip_kit.uow import unit_of_work

ACCOUNTS = {
    "admin-perpus": ("library_admin", IN_PROGRESS_LIBRARY),
    "petugas-akreditasi": ("accreditation_officer", None),
    "asesor": ("assessor", None),
}
PASSWORD = "Rahasia-Portal-2025"


@dataclass
class Stack:
    gateway: httpx.AsyncClient

    async def browser(self, username: str | None = None) -> httpx.AsyncClient:
        """A client with its own cookies, signed in through the portal's login form."""
        client = httpx.AsyncClient(transport=self.gateway._transport, base_url="http://gateway.test")
        page = await client.get("/portal/login")
        assert page.status_code == 200
        if username:
            response = await client.post(
                "/portal/login",
                data={
                    "username": username,
                    "password": PASSWORD,
                    "next": "/portal/akreditasi",
                    **csrf(client),
                },
            )
            assert response.status_code == 303, response.text
        return client


def csrf(client: httpx.AsyncClient) -> dict[str, str]:
    return {"csrf_token": client.cookies["pusip_csrf"]}


@pytest_asyncio.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    settings = GatewaySettings(
        data_dir=tmp_path / "gateway-data",
        service_urls={"accreditation": "http://accreditation.test"},
        oidc_issuer=TEST_ISSUER_URL,
        rate_limit_enabled=False,
    )
    issuer = TestIssuer.create(key_dir=settings.keys_dir)  # the gateway's own key
    service_settings = settings_for_test(AccreditationSettings, tmp_path, issuer)
    async with run_service(create_accreditation, service_settings, issuer=issuer) as service:
        async with unit_of_work(service.sessionmaker) as session:
            await load_demo_data(session)
        app = create_gateway(settings)
        async with LifespanManager(app):
            store = AccountStore(f"sqlite+aiosqlite:///{settings.identity_db_path}")
            for username, (role, unit) in ACCOUNTS.items():
                await store.create_account(username, PASSWORD, roles=[role], unit=unit)
            await store.dispose()
            app.state.accreditation_http = service  # the real service, over an ASGI transport
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as gateway:
                yield Stack(gateway)
            app.state.accreditation_http = None  # the service's client is closed by run_service


def no_literal_keys(html: str) -> None:
    """Every text went through the catalogs: no ``akr.…`` key is left showing."""
    assert not re.search(r">\s*akr\.[a-z_.-]+\s*<", html), re.findall(r">\s*(akr\.[a-z_.-]+)\s*<", html)


async def test_public_pages_render_from_the_service(stack: Stack) -> None:
    anonymous = await stack.browser()
    for path, expected in (
        ("/portal/akreditasi", "Akreditasi &amp; Literasi"),
        ("/portal/akreditasi/perpustakaan", "Perpustakaan Kelurahan Pulau Panggang"),
        ("/portal/akreditasi/perpustakaan?city=kepulauan-seribu&type=umum-desa", "C (Cukup baik)"),
        ("/portal/akreditasi/kegiatan", "Bimbingan Teknis Pengelolaan Perpustakaan"),
        ("/portal/akreditasi/literasi", "47,6"),
        ("/portal/akreditasi/dasbor", "Sebaran peringkat akreditasi yang berlaku"),
    ):
        response = await anonymous.get(path)
        assert response.status_code == 200, (path, response.text[-2000:])
        assert expected in response.text, path
        assert 'aria-current="page"' in response.text
        no_literal_keys(response.text)
    filtered = await anonymous.get("/portal/akreditasi/perpustakaan", params={"city": "jakarta-barat"})
    assert "SMA Contoh" in filtered.text and "Pulau Panggang" not in filtered.text
    dashboard = (await anonymous.get("/portal/akreditasi/dasbor")).text
    assert dashboard.count('role="img"') >= 4 and dashboard.count("<details") >= 4
    assert 'data-export="assessments.csv"' not in dashboard  # progress is for staff only
    export = await anonymous.get("/portal/akreditasi/dasbor/ekspor/libraries.xlsx")
    assert export.status_code == 200 and export.content.startswith(b"PK")
    anonymous.cookies.set("lang", "en")
    english = await anonymous.get("/portal/akreditasi/literasi")
    assert "Literacy indicators" in english.text and "47.6" in english.text
    # staff pages send a visitor to sign in, and come back after
    for path in (
        "/portal/akreditasi/penilaian",
        "/portal/akreditasi/perpustakaan-saya",
        "/portal/akreditasi/antrean",
    ):
        response = await anonymous.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/portal/login?next=%2Fportal%2Fakreditasi")
    await anonymous.aclose()


async def test_library_admin_profile_and_self_assessment(stack: Stack) -> None:
    admin = await stack.browser("admin-perpus")
    home = await admin.get("/portal/akreditasi")
    assert 'data-testid="tile-self"' in home.text and 'data-testid="summary"' in home.text

    profile = await admin.get("/portal/akreditasi/perpustakaan-saya")
    assert profile.status_code == 200 and "Kebon Kacang" in profile.text
    assert "[DEMO] Rina Marlina" in profile.text  # the staff list
    form = {
        "name": "[DEMO] Perpustakaan Kelurahan Kebon Kacang",
        "owner_agency": "Kelurahan Kebon Kacang",
        "head_name": "Bambang Sutrisno",
        "district": "Tanah Abang",
        "village": "Kebon Kacang",
        "address": "Jl. Kebon Kacang Raya, Jakarta Pusat",
        "phone": "021-3190-0001",
        "email": "perpus.kebonkacang@example.go.id",
        "collection_size": "1.950",
        "collection_titles": "1100",
        "opening_hours": "Sen-Jum 08:00-16:00; Sab 08:00-13:00",
    }
    # without the CSRF token: refused
    refused = await admin.post(
        "/portal/akreditasi/perpustakaan-saya", data=form, headers={"accept": "text/html"}
    )
    assert refused.status_code == 403 and 'data-error-code="csrf_failed"' in refused.text
    saved = await admin.post("/portal/akreditasi/perpustakaan-saya", data={**form, **csrf(admin)})
    assert saved.status_code == 303 and saved.headers["location"].endswith("ok=profile_saved")
    page = (await admin.get(saved.headers["location"])).text
    assert "Profil perpustakaan disimpan." in page
    assert 'value="021-3190-0001"' in page and "Sab 08:00-13:00" in page and 'value="1950"' in page
    bad = await admin.post(
        "/portal/akreditasi/perpustakaan-saya", data={**form, "email": "bukan surel", **csrf(admin)}
    )
    assert bad.status_code == 422 and 'data-field="email"' in bad.text

    # the self-assessment in progress: one component saved through htmx returns only its fragment
    listing = (await admin.get("/portal/akreditasi/penilaian")).text
    (assessment_id,) = set(re.findall(r'/portal/akreditasi/penilaian/([0-9a-f-]{36})/isi"', listing))
    fill = await admin.get(f"/portal/akreditasi/penilaian/{assessment_id}/isi")
    assert fill.status_code == 200 and 'id="komponen-PENGUATAN"' in fill.text
    answers = {"opt-SARANA.1": "b", "opt-SARANA.2": "c", "opt-SARANA.3": "a", "note-SARANA.3": "Rak baru"}
    fragment = await admin.post(
        f"/portal/akreditasi/penilaian/{assessment_id}/komponen/SARANA",
        data={**answers, **csrf(admin)},
        headers={"hx-request": "true"},
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section class="panel component" id="komponen-SARANA"')
    assert "<html" not in fragment.text and 'hx-swap-oob="true"' in fragment.text
    assert "Tersimpan: 3 jawaban." in fragment.text and "Rak baru" in fragment.text
    # a plain form post (no JavaScript) is sent back to the component
    plain = await admin.post(
        f"/portal/akreditasi/penilaian/{assessment_id}/komponen/KOLEKSI",
        data={"opt-KOLEKSI.1": "a", **csrf(admin)},
    )
    assert plain.status_code == 303 and plain.headers["location"].endswith("ok=saved#komponen-KOLEKSI")
    # an option the instrument does not have is not sent on
    wrong = await admin.post(
        f"/portal/akreditasi/penilaian/{assessment_id}/komponen/TENAGA",
        data={"opt-TENAGA.1": "z", **csrf(admin)},
        headers={"hx-request": "true"},
    )
    assert wrong.status_code == 200 and "Tersimpan" not in wrong.text
    assert "Belum ada jawaban yang dipilih di komponen ini." in wrong.text
    # evidence up and down
    upload = await admin.post(
        f"/portal/akreditasi/penilaian/{assessment_id}/bukti",
        data={"indicator": "SARANA.1", **csrf(admin)},
        files={"file": ("rak.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    )
    assert upload.status_code == 303 and "ok=evidence_uploaded" in upload.headers["location"]
    fill = (await admin.get(f"/portal/akreditasi/penilaian/{assessment_id}/isi")).text
    (evidence_href,) = re.findall(
        rf'href="(/portal/akreditasi/penilaian/{assessment_id}/bukti/[0-9a-f-]+)"', fill
    )
    download = await admin.get(evidence_href)
    assert download.status_code == 200 and download.content.startswith(b"%PDF-1.4")

    # submitting an incomplete instrument is refused by name
    detail = await admin.get(f"/portal/akreditasi/penilaian/{assessment_id}")
    assert 'data-testid="submit-check"' in detail.text and "refuse_when_incomplete" in detail.text
    submit = await admin.post(f"/portal/akreditasi/penilaian/{assessment_id}/ajukan", data=csrf(admin))
    assert submit.status_code == 409
    assert (
        'data-testid="action-problem"' in submit.text
        and 'data-reason="refuse_when_incomplete"' in submit.text
    )
    assert "Tindakan ditolak:" in submit.text

    # another library's pages are not this admin's
    officer_only = await admin.get("/portal/akreditasi/antrean", headers={"accept": "text/html"})
    assert officer_only.status_code == 403 and 'data-error-code="missing_role"' in officer_only.text
    await admin.aclose()


async def test_officer_and_assessor_pages(stack: Stack) -> None:
    officer = await stack.browser("petugas-akreditasi")
    queue = await officer.get("/portal/akreditasi/antrean")
    assert queue.status_code == 200
    assert 'data-testid="queue-submitted-empty"' in queue.text  # nothing submitted in the demo
    listing = (await officer.get("/portal/akreditasi/penilaian", params={"status": "certified"})).text
    (certified_id,) = set(re.findall(r'/portal/akreditasi/penilaian/([0-9a-f-]{36})"', listing))
    detail = (await officer.get(f"/portal/akreditasi/penilaian/{certified_id}")).text
    assert "75,17" in detail and "Terakreditasi C (Cukup Baik)" in detail  # the demo's worked example
    assert 'data-testid="certificate-number"' in detail and 'data-testid="no-actions"' not in detail
    pdf = await officer.get(f"/portal/akreditasi/penilaian/{certified_id}/sertifikat.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    library = await officer.get("/portal/akreditasi/perpustakaan/demo-perpustakaan-kelurahan-pulau-panggang")
    assert library.status_code == 200 and 'data-testid="library-assessments"' in library.text
    progress = (await officer.get("/portal/akreditasi/dasbor")).text
    assert 'data-testid="chart-assessments"' in progress and 'data-export="assessments.csv"' in progress
    await officer.aclose()

    assessor = await stack.browser("asesor")
    visits = await assessor.get("/portal/akreditasi/visitasi")
    assert visits.status_code == 200 and "Tidak ada penilaian yang menunggu visitasi." in visits.text
    read_only = await assessor.get(f"/portal/akreditasi/penilaian/{certified_id}/visitasi")
    assert read_only.status_code == 200 and 'data-testid="read-only"' in read_only.text
    assert 'data-testid="library-answer-KOLEKSI.1"' in read_only.text
    await assessor.aclose()
