"""The archive pages (``/portal/kearsipan``) against a real gateway and archive service.

Starts ``pusip up --only gateway,archive`` (the archive's Celery worker included, so the search index
and the after-commit work are real) on its own ports and data directory, with the shared corpus, so the
demo instrument set (OpenSID scheme + TVRI JRA/SKKAAD) is active and the seed decree is a public
``BIASA`` record. Then, through the portal as the demo users would use it:

* the public search with facets, the record page (JSON-LD) and the file download, without signing in;
* registering with the classification code search, the override with its legal ground, uploads;
* a restricted record that the archivist's own search finds but the public never sees;
* transfer and hand-over with their PDFs; the destruction workflow with the guard's refusals per
  record, through to the berita acara; the KIP request and its decision; the audit viewer;
* and one real headless Chromium run of the archivist, the public and the audit viewer.

Screenshots go to ``/tmp/archive-portal-*.png``.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import random
import re
import string
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from pusip_kit.testing.suite import Up, corpus_dir, running, wait_for

REPO = Path(__file__).resolve().parents[2]
DECREE_FILE = "kepkadis-dispusip-dki-e-0049-2022-arsitektur-spbe.txt"
DECREE_REFERENCE = "e-0049 Tahun 2022"
P = "/portal/kearsipan"
# Codes of the demo instrument set (TVRI JRA/SKKAAD over the OpenSID scheme)
SHORT_MUSNAH = "PR.01.02"  # 2 years active, 3 inactive, MUSNAH, BIASA
PERMANENT = "AR.10.01.a"  # 2 years active, 2 inactive, PERMANEN, BIASA
SECRET = "HM.01.01"  # 2 years active, 3 inactive, MUSNAH, RAHASIA

pytestmark = pytest.mark.timeout(900)


# -- the running suite --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    corpus = corpus_dir(REPO, f"seeds/{DECREE_FILE}")
    with running(
        tmp_path_factory.mktemp("archive-portal"),
        "/api/archive/readyz",
        only="gateway,archive",
        env={"PUSIP_CORPUS_DIR": str(corpus)},
    ) as handle:
        # the demo data is indexed by the worker: the decree becomes publicly searchable
        wait_for(
            handle,
            lambda c: c.get("/api/archive/public/records", params={"q": "arsitektur"}).json()["total"],
            120,
            "the seed decree in the public search",
        )
        yield handle


# -- a portal user ------------------------------------------------------------------------------------


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Portal:
    """A browser-like client of the portal (cookies, CSRF tokens from the pages it loads)."""

    def __init__(self, up: Up, user: str | None = None, lang: str | None = None) -> None:
        self.client = httpx.Client(base_url=up.url, headers={"Accept": "text/html"}, timeout=60)
        if lang:
            self.client.cookies.set("lang", lang)
        self.user = user
        if user:
            self.login(user)

    def close(self) -> None:
        self.client.close()

    def login(self, user: str) -> None:
        page = self.client.get("/portal/login")
        token = CSRF.search(page.text)
        assert token, page.text[:500]
        response = self.client.post(
            "/portal/login",
            data={
                "username": user,
                "password": f"pusip-demo-{user}",
                "csrf_token": token.group(1),
                "next": "/",
            },
        )
        assert response.status_code == 303, response.text[:500]

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def csrf(self) -> str:
        token = self.client.cookies.get("pusip_csrf")
        if not token:
            self.client.get(P)
            token = self.client.cookies.get("pusip_csrf")
        assert token
        return token

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        return self.client.post(path, data={**(data or {}), "csrf_token": self.csrf()}, **kwargs)

    def token(self) -> str:
        assert self.user
        response = self.client.post(
            "/auth/token",
            data={
                "grant_type": "password",
                "username": self.user,
                "password": f"pusip-demo-{self.user}",
                "client_id": "pusip-portal",
            },
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])


@pytest.fixture
def portal(up: Up) -> Iterator[Any]:
    opened: list[Portal] = []

    def open_as(user: str | None = None, lang: str | None = None) -> Portal:
        client = Portal(up, user, lang)
        opened.append(client)
        return client

    yield open_as
    for client in opened:
        client.close()


def word() -> str:
    """A made-up word the full-text search can only find in the record that carries it."""
    return "zq" + "".join(random.choices(string.ascii_lowercase, k=10))


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def register(archivist: Portal, code: str, title: str, day: str, *, expect: int = 303, **extra: str) -> str:
    response = archivist.post(
        f"{P}/arsip",
        {
            "reference_number": f"UJI/{uuid.uuid4().hex[:8]}",
            "title": title,
            "record_date": day,
            "unit": "dispusip",
            "classification_code": code,
            **extra,
        },
    )
    assert response.status_code == expect, text_of(response.text)[:2000]
    if expect != 303:
        return response.text
    location = response.headers["location"]
    assert location.endswith("?ok=created"), location
    return location.removeprefix(f"{P}/arsip/").removesuffix("?ok=created")


def execute_transfer(archivist: Portal, path: str) -> str:
    response = archivist.post(
        f"{path}/laksanakan",
        {
            "sign-0-role": "Yang menyerahkan",
            "sign-0-name": "Budi Santoso",
            "sign-0-nip": "198001012005011001",
            "sign-1-role": "Yang menerima",
            "sign-1-name": "Siti Aminah",
        },
    )
    assert response.status_code == 303, text_of(response.text)[:2000]
    return archivist.get(path).text


def transfer(archivist: Portal, *record_ids: str) -> str:
    response = archivist.post(f"{P}/pemindahan", {"record_id": list(record_ids)})
    assert response.status_code == 303, text_of(response.text)[:2000]
    path = response.headers["location"].split("?")[0]
    execute_transfer(archivist, path)
    return path


def documents(archivist: Portal, page: str) -> dict[str, bytes]:
    """Every PDF a lifecycle page links to, downloaded through the portal."""
    found = {}
    for doc_id, kind in re.findall(rf'href="{P}/dokumen/([0-9a-f-]+)" data-doc-kind="(\w+)"', page):
        response = archivist.get(f"{P}/dokumen/{doc_id}")
        assert response.status_code == 200, response.text[:300]
        assert response.headers["content-type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        found[kind] = response.content
    return found


def status_of(archivist: Portal, record_id: str) -> str:
    page = archivist.get(f"{P}/arsip/{record_id}").text
    found = re.search(r'class="ars-pill ars-status-\w+" data-status="(\w+)"', page)
    assert found, text_of(page)[:1000]
    return found.group(1)


# -- the public side ----------------------------------------------------------------------------------


def test_public_search_facets_record_page_and_download(up: Up, portal: Any) -> None:
    visitor = portal()
    home = visitor.get(P)
    assert home.status_code == 200 and 'aria-current="page"' in home.text
    assert 'data-testid="workbench"' not in home.text

    search = visitor.get(f"{P}/cari", params={"q": "arsitektur"})
    assert search.status_code == 200
    decree = re.search(r'<li class="ars-hit" data-record="([0-9a-f-]+)">', search.text)
    assert decree and DECREE_REFERENCE in search.text
    record_id = decree.group(1)
    for facet in ("classification_code", "year", "kind", "unit"):
        assert f'data-facet="{facet}"' in search.text, facet
    year_link = re.search(r'<a href="([^"]+tahun=2022[^"]*)"', search.text)
    assert year_link
    narrowed = visitor.get(html.unescape(year_link.group(1)))
    assert record_id in narrowed.text and 'class="is-chosen"' in narrowed.text
    static_only = visitor.get(f"{P}/cari", params={"q": "arsitektur", "jenis": "statis"})
    assert 'data-testid="no-results"' in static_only.text

    page = visitor.get(f"{P}/publik/{record_id}")
    assert page.status_code == 200 and DECREE_REFERENCE in page.text
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', page.text, flags=re.S)
    assert ld
    data = json.loads(ld.group(1))
    assert data["@type"] == "ArchiveComponent" and data["identifier"] == DECREE_REFERENCE
    assert data["dateCreated"] == "2022-07-21"
    [media] = data["encoding"]
    download = visitor.get(media["contentUrl"].removeprefix(up.url))
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == media["sha256"]
    assert b"Arsitektur" in download.content or b"ARSITEKTUR" in download.content

    for missing in (str(uuid.uuid4()), "bukan-uuid"):
        gone = visitor.get(f"{P}/publik/{missing}")
        assert gone.status_code == 404 and 'data-error-code="record_not_found"' in gone.text

    english = portal(lang="en").get(f"{P}/cari", params={"q": "arsitektur"})
    assert "Search open archives" in english.text and "Records found: 1" in english.text


def test_staff_pages_need_sign_in_the_right_role_and_the_csrf_token(up: Up, portal: Any) -> None:
    visitor = portal()
    for path in ("/arsip/baru", "/jatuh-tempo", "/audit", "/permohonan/baru"):
        response = visitor.get(f"{P}{path}")
        assert response.status_code == 303 and response.headers["location"].startswith("/portal/login?next=")
    patron = portal("pemustaka")
    for path in ("/arsip/baru", "/arsip", "/jatuh-tempo", "/pemusnahan", "/audit"):
        refused = patron.get(f"{P}{path}")
        assert refused.status_code == 403 and 'data-error-code="missing_role"' in refused.text, path
    assert patron.get(f"{P}/permohonan/baru").status_code == 200
    archivist = portal("arsiparis")
    assert archivist.get(f"{P}/audit").status_code == 403
    forged = archivist.client.post(f"{P}/arsip", data={"title": "x", "csrf_token": "a.b"})
    assert forged.status_code == 403 and 'data-error-code="csrf_failed"' in forged.text


# -- registering ---------------------------------------------------------------------------------------


def test_code_search_shows_what_a_code_gives_and_the_override_needs_a_ground(up: Up, portal: Any) -> None:
    archivist = portal("arsiparis")
    hx = {"HX-Request": "true"}
    suggestions = archivist.get(f"{P}/kode", params={"classification_code": "HM.01"}, headers=hx)
    assert suggestions.status_code == 200 and "<html" not in suggestions.text
    button = re.search(r'data-code="HM\.01\.01".*?</button>', suggestions.text, flags=re.S)
    assert button and 'data-level="RAHASIA"' in button.group(0) and "Musnah" in button.group(0)
    picked = archivist.get(f"{P}/kode/pilih", params={"kode": SHORT_MUSNAH}, headers=hx)
    assert 'id="code-picker"' in picked.text and f'value="{SHORT_MUSNAH}"' in picked.text
    inherits = re.search(r'data-testid="inherits".*?</div>', picked.text, flags=re.S)
    assert inherits and 'data-level="BIASA"' in inherits.group(0)
    assert "2 tahun" in inherits.group(0) and "3 tahun" in inherits.group(0) and "Musnah" in inherits.group(0)
    unknown = archivist.get(f"{P}/kode/pilih", params={"kode": "ZZ.99.99"}, headers=hx)
    assert 'data-testid="code-unknown"' in unknown.text

    # a level above the code's needs a legal ground: refused with the reason, the form kept
    title = f"Laporan pengamanan {word()}"
    refused = register(
        archivist,
        SHORT_MUSNAH,
        title,
        "2024-02-01",
        expect=409,
        security_level="RAHASIA",
        security_reason="Memuat data pribadi petugas pengamanan",
    )
    assert 'data-reason="refuse_when_override_without_legal_ground"' in refused
    assert f'value="{title}"' in refused and 'data-testid="register-form"' in refused
    record_id = register(
        archivist,
        SHORT_MUSNAH,
        title,
        "2024-02-01",
        security_level="RAHASIA",
        security_ground="penegakan_hukum",
        security_reason="Memuat data pribadi petugas pengamanan",
    )
    page = archivist.get(f"{P}/arsip/{record_id}")
    security = re.search(r'data-testid="record-security".*?</dl>', page.text, flags=re.S)
    assert security and 'data-level="RAHASIA"' in security.group(0)
    assert "ditetapkan khusus" in security.group(0) and "penegakan_hukum" in security.group(0)

    # the archivist lowers it again, with a reason
    changed = archivist.post(
        f"{P}/arsip/{record_id}/keamanan",
        {"security_level": "TERBATAS", "ground": "penegakan_hukum", "reason": "Penyidikan telah selesai"},
    )
    assert changed.status_code == 303 and changed.headers["location"].endswith("ok=security_changed")
    assert 'data-level="TERBATAS"' in archivist.get(f"{P}/arsip/{record_id}").text

    # the records creator of the same unit: their unit's list, without what their clearance hides
    creator = portal("pencipta-arsip")
    mine = creator.get(f"{P}/arsip")
    assert mine.status_code == 200 and "Arsip unit saya" in mine.text and 'value="dispusip"' in mine.text
    assert record_id not in mine.text
    assert record_id in archivist.get(f"{P}/arsip", params={"q": title}).text
    memo = f"Nota dinas {word()}"
    open_id = register(archivist, SHORT_MUSNAH, memo, "2024-02-02")
    assert open_id in creator.get(f"{P}/arsip", params={"q": memo}).text


def test_upload_with_htmx_then_download_and_refusals_shown(up: Up, portal: Any) -> None:
    archivist = portal("arsiparis")
    record_id = register(archivist, SHORT_MUSNAH, f"Notulen rapat {word()}", "2024-05-06")
    body = ("Notulen rapat koordinasi kearsipan.\n" * 4000).encode()
    fragment = archivist.post(
        f"{P}/unggah/{record_id}",
        headers={"HX-Request": "true"},
        files={"file": ("notulen.txt", body, "text/plain")},
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="berkas"' in fragment.text and 'data-testid="upload-ok"' in fragment.text
    link = re.search(rf'href="({P}/arsip/{record_id}/berkas/[0-9a-f-]+)"', fragment.text)
    assert link and "notulen.txt" in fragment.text
    download = archivist.get(link.group(1))
    assert download.status_code == 200 and download.content == body
    assert hashlib.sha256(body).hexdigest()[:16] in fragment.text

    plain = archivist.post(
        f"{P}/unggah/{record_id}", files={"file": ("kedua.txt", b"Lampiran kedua\n", "text/plain")}
    )
    assert plain.status_code == 303 and plain.headers["location"].endswith("?ok=uploaded#berkas")
    junk = archivist.post(
        f"{P}/unggah/{record_id}",
        headers={"HX-Request": "true"},
        files={"file": ("acak.bin", os.urandom(4096), "application/octet-stream")},
    )
    assert 'data-testid="problem"' in junk.text and 'data-testid="upload-ok"' not in junk.text
    empty = archivist.post(f"{P}/unggah/{record_id}", headers={"HX-Request": "true"}, files={})
    assert 'data-error-code="file_missing"' in empty.text


def test_public_search_never_shows_a_restricted_record(up: Up, portal: Any) -> None:
    archivist = portal("arsiparis")
    secret = word()
    record_id = register(
        archivist, SECRET, f"Telaahan staf {secret} tentang hubungan masyarakat", "2024-03-01"
    )
    assert 'data-level="RAHASIA"' in archivist.get(f"{P}/arsip/{record_id}").text
    archivist.post(
        f"{P}/unggah/{record_id}", files={"file": ("telaahan.txt", f"Isi {secret}\n".encode(), "text/plain")}
    )
    # the index has it: the archivist's own full-text search finds it
    bearer = {"Authorization": f"Bearer {archivist.token()}"}
    wait_for(
        up,
        lambda api: (
            record_id
            in {
                i["id"]
                for i in api.get("/api/archive/records/search", params={"q": secret}, headers=bearer).json()[
                    "items"
                ]
            }
        ),
        60,
        "the restricted record in the archivist's search",
        client_timeout=20,
    )
    for viewer in (portal(), portal("pemustaka")):
        result = viewer.get(f"{P}/cari", params={"q": secret})
        assert 'data-testid="no-results"' in result.text and record_id not in result.text
        assert viewer.get(f"{P}/publik/{record_id}").status_code == 404
    assert portal("pemustaka").get(f"{P}/arsip/{record_id}").status_code == 404


# -- the lifecycle --------------------------------------------------------------------------------------


def test_transfer_and_hand_over_with_their_documents(up: Up, portal: Any) -> None:
    archivist = portal("arsiparis")
    short = register(archivist, SHORT_MUSNAH, f"Rencana kerja {word()}", "2015-01-05")
    permanent = register(archivist, PERMANENT, f"Pedoman tata naskah {word()}", "2010-03-01")
    due = archivist.get(f"{P}/jatuh-tempo", params={"aksi": "pindah"})
    assert short in due.text and permanent in due.text

    response = archivist.post(f"{P}/pemindahan", {"record_id": [short, permanent], "note": "Pemindahan uji"})
    assert response.status_code == 303
    path = response.headers["location"].split("?")[0]
    draft = archivist.get(path).text
    assert 'data-testid="execute-form"' in draft and short in draft and permanent in draft
    # one signatory is not enough: the service's answer is shown on the page
    lonely = archivist.post(f"{path}/laksanakan", {"sign-0-role": "Yang menyerahkan", "sign-0-name": "Budi"})
    assert lonely.status_code == 422 and 'data-field="signatories"' in lonely.text
    done = execute_transfer(archivist, path)
    assert set(documents(archivist, done)) == {"berita_acara_pemindahan", "daftar_arsip_pindah"}
    assert status_of(archivist, short) == status_of(archivist, permanent) == "inaktif"
    assert path.rsplit("/", 1)[1] in archivist.get(f"{P}/pemindahan").text

    serah = archivist.get(f"{P}/jatuh-tempo", params={"aksi": "serah"})
    assert permanent in serah.text and short not in serah.text
    response = archivist.post(
        f"{P}/penyerahan",
        {"record_id": permanent, "receiving_institution": "Arsip Daerah Provinsi DKI Jakarta"},
    )
    assert response.status_code == 303
    handover = response.headers["location"].split("?")[0]
    done = execute_transfer(archivist, handover)
    assert set(documents(archivist, done)) == {"berita_acara_penyerahan", "daftar_arsip_serah"}
    assert status_of(archivist, permanent) == "statis"


def test_destruction_from_proposal_to_berita_acara_with_the_guard_per_record(up: Up, portal: Any) -> None:
    archivist = portal("arsiparis")
    due = register(archivist, SHORT_MUSNAH, f"Laporan kegiatan {word()}", "2014-06-02")
    fresh = register(archivist, SHORT_MUSNAH, f"Laporan kegiatan {word()}", date.today().isoformat())
    transfer(archivist, due)
    assert due in archivist.get(f"{P}/jatuh-tempo", params={"aksi": "musnah"}).text

    created = archivist.post(f"{P}/pemusnahan", {"title": "Usulan pemusnahan arsip program kerja"})
    assert created.status_code == 303
    path = created.headers["location"].split("?")[0]
    page = archivist.get(path).text
    candidate = re.search(rf'<tr data-record="{due}">.*?</tr>', page, flags=re.S)
    assert candidate and "ars-pill-good" in candidate.group(0)  # the dry run passes for it

    added = archivist.post(f"{path}/arsip", {"record_id": [due, fresh]})
    assert added.status_code == 200
    assert 'data-testid="added"' in added.text and "1 arsip ditambahkan" in added.text
    refused = re.search(r'data-testid="refused".*?</div>', added.text, flags=re.S)
    assert refused and f'data-record="{fresh}"' in refused.group(0)
    assert 'data-reason="refuse_when_retention_not_expired"' in refused.group(0)
    assert 'data-reason="refuse_when_not_inactive"' in refused.group(0)

    no_panel = archivist.post(f"{path}/ajukan")
    assert no_panel.status_code == 409 and 'data-reason="refuse_when_panel_incomplete"' in no_panel.text
    panel = {
        "panel-0-role": "kepala_unit_kearsipan",
        "panel-0-name": "Ahmad Fauzi",
        "panel-0-position": "Kepala Bidang Kearsipan",
        "panel-1-role": "kepala_unit_pengolah",
        "panel-1-name": "Bambang Wijaya",
        "panel-1-position": "Kepala Seksi Program",
        "panel-2-role": "arsiparis",
        "panel-2-name": "Citra Lestari",
        "panel-2-position": "Arsiparis Ahli Muda",
    }
    assert archivist.post(f"{path}/panitia", panel).status_code == 303
    assert archivist.post(f"{path}/ajukan").headers["location"].endswith("ok=submitted")
    page = archivist.get(path).text
    members = re.findall(rf'action="{path}/panitia/([0-9a-f-]+)/keputusan"', page)
    assert len(members) == 3
    for member in members:
        assert archivist.post(f"{path}/panitia/{member}/keputusan", {"decision": "setuju"}).status_code == 303
    approval = {
        "level": "kepala_dinas",
        "approver_name": "Kepala Dinas",
        "approver_position": "Kepala Dinas Perpustakaan dan Kearsipan",
        "decision": "setuju",
    }
    assert archivist.post(f"{path}/persetujuan", approval).status_code == 303
    decree = {
        "decree_number": "KEP-12/2026",
        "decree_date": date.today().isoformat(),
        "signed_by": "Kepala Dinas",
    }
    assert archivist.post(f"{path}/penetapan", decree).status_code == 303
    execution = {
        "executed_on": date.today().isoformat(),
        "method": "pencacahan",
        "place": "Depo arsip Jakarta",
        "witness-0-name": "Dewi Saksi",
        "witness-0-position": "Inspektorat",
        "executor-name": "Eko Pelaksana",
        "executor-position": "Arsiparis",
    }
    one_witness = archivist.post(f"{path}/musnahkan", execution)
    assert (
        one_witness.status_code == 409 and 'data-reason="refuse_when_too_few_witnesses"' in one_witness.text
    )
    execution.update({"witness-1-name": "Fajar Saksi", "witness-1-position": "Biro Hukum"})
    destroyed = archivist.post(f"{path}/musnahkan", execution)
    assert destroyed.status_code == 303 and destroyed.headers["location"].endswith("ok=destroyed")
    page = archivist.get(path).text
    assert 'data-status="dimusnahkan"' in page and "Dewi Saksi" in page
    assert set(documents(archivist, page)) == {"berita_acara_pemusnahan", "daftar_arsip_musnah"}
    assert status_of(archivist, due) == "musnah" and status_of(archivist, fresh) == "aktif"


# -- access requests and the audit log ----------------------------------------------------------------


def test_access_request_decided_with_a_reason_opens_the_record(up: Up, portal: Any) -> None:
    archivist = portal("arsiparis")
    record_id = register(archivist, SECRET, f"Telaahan {word()} rapat pimpinan", "2024-04-01")
    patron = portal("pemustaka")
    assert patron.get(f"{P}/arsip/{record_id}").status_code == 404
    form = patron.get(f"{P}/permohonan/baru", params={"referensi": "Telaahan rapat pimpinan"})
    assert 'value="Telaahan rapat pimpinan"' in form.text
    short = patron.post(
        f"{P}/permohonan", {"reference_text": "Telaahan", "purpose": "Tesis", "requester_name": "P"}
    )
    assert short.status_code == 422 and 'data-field="purpose"' in short.text
    sent = patron.post(
        f"{P}/permohonan",
        {
            "reference_text": "Telaahan rapat pimpinan April 2024",
            "purpose": "Bahan penelitian tesis tentang tata kelola arsip daerah",
            "requester_name": "Pemustaka Demo",
        },
    )
    assert sent.status_code == 303
    path = sent.headers["location"].split("?")[0]
    assert path.rsplit("/", 1)[1] in archivist.get(f"{P}/permohonan").text  # the officer's queue
    assert 'data-testid="decision-form"' not in patron.get(path).text
    decided = archivist.post(
        f"{path}/keputusan",
        {"decision": "setuju", "reason": "Untuk penelitian; dibuka bagi pemohon", "record_id": record_id},
    )
    assert decided.status_code == 303
    mine = patron.get(path).text
    assert "Disetujui" in text_of(mine) and "Untuk penelitian; dibuka bagi pemohon" in mine
    assert patron.get(f"{P}/arsip/{record_id}").status_code == 200
    again = archivist.post(f"{path}/keputusan", {"decision": "tolak", "reason": "Sudah diputus sebelumnya"})
    assert again.status_code == 409 and 'data-reason="refuse_when_already_decided"' in again.text


def test_audit_viewer_lists_access_and_refusals_and_verifies_the_chain(up: Up, portal: Any) -> None:
    archivist = portal("arsiparis")
    record_id = register(archivist, SECRET, f"Nota {word()} pengamanan", "2024-04-02")
    archivist.get(f"{P}/arsip/{record_id}")
    assert portal("pemustaka").get(f"{P}/arsip/{record_id}").status_code == 404
    admin = portal("admin")
    page = admin.get(f"{P}/audit", params={"arsip": record_id})
    assert page.status_code == 200
    outcomes = re.findall(r'data-outcome="(\w+)"', page.text)
    assert "allowed" in outcomes and "refused" in outcomes
    refusals = admin.get(f"{P}/audit", params={"arsip": record_id, "hasil": "refused"})
    assert set(re.findall(r'data-outcome="(\w+)"', refusals.text)) == {"refused"}
    fragment = admin.get(f"{P}/audit/verifikasi", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'data-ok="true"' in fragment.text
    full = admin.get(f"{P}/audit/verifikasi")
    assert (
        "<html" in full.text and 'data-ok="true"' in full.text and 'data-testid="audit-entries"' in full.text
    )


# -- in a real browser -------------------------------------------------------------------------------


async def _shot(page: Any, name: str) -> None:
    # caret="initial": hiding the caret injects a style, which the portal's CSP (rightly) refuses
    await page.screenshot(path=f"/tmp/archive-portal-{name}.png", full_page=True, caret="initial")


async def _sign_in(page: Any, url: str, user: str, next_path: str) -> None:
    await page.goto(f"{url}/portal/login?next={next_path}")
    await page.get_by_label("Nama pengguna").fill(user)
    await page.get_by_label("Kata sandi").fill(f"pusip-demo-{user}")
    await page.get_by_role("button", name="Masuk", exact=True).click()
    await page.get_by_test_id("current-user").wait_for()


@pytest.mark.browser
async def test_archive_portal_in_chromium(up: Up, browser: Any) -> None:
    from playwright.async_api import expect

    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # the archivist registers a record, choosing its code with the search
    await _sign_in(page, up.url, "arsiparis", f"{P}/arsip/baru")
    secret = word()
    title = f"Telaahan staf {secret} tentang pengamanan depo arsip"
    await page.get_by_label("Nomor naskah").fill(f"RHS/{uuid.uuid4().hex[:6]}")
    await page.get_by_label("Perihal / judul").fill(title)
    await page.get_by_label("Tanggal naskah").fill("2024-03-01")
    await page.get_by_test_id("code-input").press_sequentially("HM.01", delay=40)
    suggestion = page.locator(f'button.ars-suggestion[data-code="{SECRET}"]')
    await suggestion.wait_for(timeout=15_000)
    await expect(suggestion.locator("[data-level]")).to_have_attribute("data-level", "RAHASIA")
    await _shot(page, "code-search")
    await suggestion.click()
    inherits = page.get_by_test_id("inherits")
    await expect(inherits).to_have_attribute("data-code", SECRET)
    await expect(inherits).to_have_attribute("data-level", "RAHASIA")
    await expect(page.get_by_test_id("code-input")).to_have_value(SECRET)
    await _shot(page, "code-chosen")
    await page.get_by_test_id("register-submit").click()
    await page.get_by_test_id("ok-message").wait_for()
    await expect(page.get_by_test_id("record-title")).to_have_text(title)
    record_id = page.url.split("/arsip/")[1].split("?")[0]
    await expect(page.get_by_test_id("record-security").locator("[data-level]")).to_have_attribute(
        "data-level", "RAHASIA"
    )

    # a file with upload progress (htmx posts it; kearsipan.js drives the progress bar)
    await page.evaluate(
        """() => { window.__uploadProgress = [];
          document.addEventListener('htmx:xhr:progress', () => {
            const bar = document.querySelector('form[data-upload] progress');
            if (bar) window.__uploadProgress.push(bar.value);
          }); }"""
    )
    body = (f"Telaahan staf {secret}. " * 120_000).encode()
    await page.set_input_files(
        "#file", files=[{"name": "telaahan.txt", "mimeType": "text/plain", "buffer": body}]
    )
    await page.get_by_role("button", name="Unggah", exact=True).click()
    await page.get_by_test_id("upload-ok").wait_for(timeout=60_000)
    await expect(page.get_by_test_id("file-list")).to_contain_text("telaahan.txt")
    progress = await page.evaluate("window.__uploadProgress")
    assert progress and max(progress) == 100, progress
    await _shot(page, "record-uploaded")
    await page.get_by_test_id("logout").click()
    await page.get_by_test_id("login-link").wait_for()

    # the archivist's own search has it indexed (so the public's miss below means something)
    async with httpx.AsyncClient(base_url=up.url, timeout=20) as api:
        token = (
            await api.post(
                "/auth/token",
                data={
                    "grant_type": "password",
                    "username": "arsiparis",
                    "password": "pusip-demo-arsiparis",
                    "client_id": "pusip-portal",
                },
            )
        ).json()["access_token"]
        deadline = time.monotonic() + 60
        while True:
            found = await api.get(
                "/api/archive/records/search",
                params={"q": secret},
                headers={"Authorization": f"Bearer {token}"},
            )
            if record_id in {i["id"] for i in found.json()["items"]}:
                break
            assert time.monotonic() < deadline, found.text
            await page.wait_for_timeout(500)

    # the public finds the BIASA seed decree ...
    await page.goto(f"{up.url}{P}")
    await page.get_by_role("searchbox").fill("arsitektur")
    await page.get_by_role("searchbox").press("Enter")
    await expect(page.get_by_test_id("result-count")).to_contain_text("1")
    hit = page.locator(".ars-hit").filter(has_text=DECREE_REFERENCE)
    await expect(hit).to_have_count(1)
    await _shot(page, "public-search")
    await hit.locator("a.ars-hit-title").click()
    await expect(page.get_by_test_id("public-record")).to_contain_text(DECREE_REFERENCE)
    await expect(page.get_by_test_id("public-files").locator("a")).to_have_count(1)
    await _shot(page, "public-record")
    # ... but not the RAHASIA record, by any of its words
    await page.goto(f"{up.url}{P}/cari")
    await page.locator("#q").fill(secret)
    await page.get_by_test_id("search-submit").click()
    await page.get_by_test_id("no-results").wait_for()
    assert record_id not in await page.content()
    await _shot(page, "public-no-secret")

    # the audit viewer: the archivist's access to the RAHASIA record is there, the chain verifies
    await _sign_in(page, up.url, "admin", f"{P}/audit?arsip={record_id}")
    await expect(
        page.get_by_test_id("audit-entries").locator('tr[data-outcome="allowed"]').first
    ).to_be_visible()
    await page.get_by_test_id("verify").click()
    result = page.get_by_test_id("verify-result")
    await expect(result).to_have_attribute("data-ok", "true")
    assert "/audit/verifikasi" not in page.url  # htmx filled it in place
    await _shot(page, "audit-verified")

    assert not errors, errors  # no CSP violations, no script errors
    await context.close()
