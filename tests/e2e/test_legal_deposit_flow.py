"""Issue 5's acceptance, over HTTP through the gateway, against ``pusip up --only gateway,catalog,deposit``.

The demo publisher (``penerbit``) deposits a seed article — the Pontianak KUBE literature review,
whose obligation the demo data leaves overdue — as a PDF generated here from the shared corpus
text; gets a numbered receipt (a PDF); the deposit officer (``petugas-deposit``) accepts it. The
deposit's worker extracts the text and publishes ``deposit.deposit.accepted``; the catalog's worker
catalogues it (record in the regional bibliography, a members-only e-resource linked to the deposit
service) and fetches its full text with the catalog's own service token. A patron's OPAC search for
``diberdayakan`` — a form that never occurs in the article, which says *pemberdayaan*, *berdaya*,
*memberdayakan* — finds it with a snippet, and the publisher's compliance rate rises.

Then the refused uploads, each through the gateway: oversized, wrong type, zero bytes, a
path-traversal file name and an interrupted body. Each gets a clear 4xx (or, interrupted, no
answer at all) and leaves no deposit and no object behind.
"""

from __future__ import annotations

import io
import json
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import httpx
import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate

from pusip_kit.testing.suite import Up, running

CATALOGUE_TIMEOUT = 120.0
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "seeds"
SEED = "kube-pontianak-tinjauan-pustaka.txt"
TITLE = "Kelompok Usaha Bersama (KUBE) di Pontianak: Tinjauan Pustaka"  # the demo data's overdue obligation
KAMPUS = "[DEMO] Penerbit Kampus Contoh"
FILENAME = "Tinjauan Pustaka KUBE Pontianak.pdf"
QUERY = "diberdayakan"  # stems to "daya", like the article's "pemberdayaan"; never in the article itself
MAX_DIGITAL = 1024 * 1024  # the deposit service's size limit for this run (PUSIP_DEPOSIT_MAX_SIZE_DIGITAL)

pytestmark = pytest.mark.timeout(420)


# -- the suite, started for real ----------------------------------------------------------------------


@dataclass
class Stack(Up):
    def deposit_objects(self) -> list[str]:
        """Every file in the deposit service's object folder (temporary parts included)."""
        root = self.data_dir / "deposit" / "objects"
        return (
            sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []
        )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not (SEEDS / SEED).is_file():
        pytest.skip(f"the shared corpus is not beside this checkout ({SEEDS})")
    env = {
        "PUSIP_CORPUS_DIR": str(SEEDS.parent),
        "PUSIP_DEPOSIT_MAX_SIZE_DIGITAL": str(MAX_DIGITAL),
        "PUSIP_DEPOSIT_MAIL_ENABLED": "0",
    }
    root = tmp_path_factory.mktemp("legal-deposit")
    with running(root, "/api/deposit/readyz", only="gateway,catalog,deposit", env=env, cls=Stack) as handle:
        yield handle


@pytest.fixture(scope="module")
def http(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=60) as client:
        yield client


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


def seed_pdf(title: str, path: Path) -> bytes:
    """A real PDF, with an extractable text layer, of a seed article (paragraphs on blank lines)."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title)
    story = [Paragraph(escape(title), styles["Title"])]
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        text = " ".join(re.sub(r"[*_`#]+", "", line).strip() for line in block.splitlines() if line.strip())
        if text:
            story.append(Paragraph(escape(text), styles["BodyText"]))
    document.build(story)
    return buffer.getvalue()


def kampus(http: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    mine = http.get("/api/deposit/me/depositors", headers=headers)
    assert mine.status_code == 200, mine.text
    return next(m["depositor"] for m in mine.json() if m["depositor"]["name"] == KAMPUS)


def compliance(http: httpx.Client, headers: dict[str, str], depositor_id: str) -> dict[str, Any]:
    response = http.get(
        f"/api/deposit/compliance/depositors/{depositor_id}",
        params={"start": "2000-01-01", "end": "2099-12-31"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["rate"])


def upload(
    http: httpx.Client, headers: dict[str, str], metadata: dict[str, Any], filename: str, content: bytes
) -> httpx.Response:
    return http.post(
        "/api/deposit/deposits/digital",
        data={"metadata": json.dumps(metadata)},
        files={"file": (filename, content, "application/octet-stream")},
        headers=headers,
    )


def wait_for(check: Any, timeout: float, what: str, stack: Stack) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(1)
    pytest.fail(f"{what} not seen within {timeout:.0f} s (last: {last!r}):\n{stack.tail()}")


# -- the acceptance -----------------------------------------------------------------------------------


def test_a_deposited_article_is_found_in_the_opac_and_counts_for_compliance(
    stack: Stack, http: httpx.Client
) -> None:
    publisher, officer, patron = (bearer(http, u) for u in ("penerbit", "petugas-deposit", "pemustaka"))
    depositor = kampus(http, publisher)
    obligations = http.get(
        "/api/deposit/obligations", params={"depositor_id": depositor["id"], "q": "KUBE"}, headers=publisher
    ).json()["items"]
    (obligation,) = [o for o in obligations if o["title"] == TITLE]
    assert obligation["status"] in ("due", "overdue")
    before = compliance(http, publisher, depositor["id"])
    assert before["due"] >= 1

    text = (SEEDS / SEED).read_text(encoding="utf-8").lower()
    assert "pemberdayaan" in text and QUERY not in text  # the query is inflected differently
    pdf = seed_pdf(TITLE, SEEDS / SEED)
    metadata = {
        "depositor_id": depositor["id"],
        "obligation_id": obligation["id"],
        "kind": "karya_digital",
        "title": TITLE,
        "creators": ["Penulis Skripsi Contoh"],
        "year": 2023,
        "published_on": "2023-01-15",
        "language": "ind",
        "publisher": "Universitas Tanjungpura (literatur kelabu)",
        "place": "Pontianak",
        "description": "Tinjauan pustaka tentang Kelompok Usaha Bersama (KUBE) dan pemberdayaan keluarga miskin.",
    }
    submitted = upload(http, publisher, metadata, FILENAME, pdf)
    assert submitted.status_code == 201, submitted.text
    deposit = submitted.json()
    assert deposit["status"] == "submitted" and re.fullmatch(
        r"TT/[A-Z0-9.\-]+/\d{4}/\d{6}", deposit["receipt_number"]
    )
    (file,) = deposit["files"]
    assert file["content_type"] == "application/pdf" and file["size"] == len(pdf)

    receipt = http.get(f"/api/deposit/deposits/{deposit['id']}/receipt", headers=publisher)
    assert receipt.status_code == 200 and receipt.headers["content-type"] == "application/pdf"
    receipt_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.content)).pages)
    assert deposit["receipt_number"] in receipt_text

    accepted = http.post(
        f"/api/deposit/deposits/{deposit['id']}/accept", json={"note": "lengkap"}, headers=officer
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"

    # The catalog catalogues it and indexes its full text (worker → event → worker → text over HTTP).
    # The demo catalogue holds this article too (an ordinary record of another PDF of it): the hit
    # wanted is the record holding the deposited file.
    def deposited_here(record_id: str) -> bool:
        files = http.get(f"/api/catalog/records/{record_id}/eresources", headers=patron)
        return files.status_code == 200 and any(f["filename"] == FILENAME for f in files.json())

    def found() -> dict[str, Any] | None:
        response = http.get("/api/catalog/search", params={"q": QUERY, "limit": 50}, headers=patron)
        if response.status_code != 200:
            return None
        for hit in response.json()["hits"]:
            # a snippet from inside the file (the description, indexed first, quotes the word too)
            title, text_snippets = hit["title"], (hit.get("snippets") or {}).get("fulltext")
            if title.startswith("Kelompok Usaha Bersama") and text_snippets and deposited_here(hit["id"]):
                return dict(hit)
        return None

    hit = wait_for(
        found, CATALOGUE_TIMEOUT, "the deposited article in the OPAC with a full-text snippet", stack
    )
    snippets = json.dumps(hit["snippets"]["fulltext"], ensure_ascii=False).lower()
    assert "berdaya" in snippets, hit["snippets"]

    record = http.get(f"/api/catalog/records/{hit['id']}", headers=patron).json()
    assert record["source"] == "legal_deposit" and record["regional"] is True
    oai = http.get(
        "/api/catalog/oai",
        params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "regional-bibliography"},
    )
    assert oai.status_code == 200 and hit["id"] in oai.text

    # Its file is members-only and read through the deposit service: logged and watermarked.
    (eresource,) = http.get(f"/api/catalog/records/{hit['id']}/eresources", headers=patron).json()
    assert eresource["access"] == "members" and eresource["text_status"] == "extracted"
    assert (
        http.get(
            f"/api/catalog/eresources/{eresource['id']}/download", params={"redirect": "false"}
        ).status_code
        == 401
    )
    link = http.get(
        f"/api/catalog/eresources/{eresource['id']}/download", params={"redirect": "false"}, headers=patron
    ).json()["url"]
    assert link.endswith(f"/api/deposit/deposits/{deposit['id']}/files/{file['id']}/download")
    read = http.get(link, headers=patron)
    assert read.status_code == 200 and read.content.startswith(b"%PDF")
    assert read.content != pdf  # stamped with the reader and the time
    log = http.get(f"/api/deposit/deposits/{deposit['id']}/access-log", headers=officer).json()["items"]
    assert {e["action"] for e in log} >= {"text", "download"}

    after = compliance(http, publisher, depositor["id"])
    assert after["due"] == before["due"] and after["fulfilled"] == before["fulfilled"] + 1
    assert float(after["rate"]) > float(before["rate"] or 0)
    fulfilled = http.get(f"/api/deposit/obligations/{obligation['id']}", headers=publisher).json()
    assert fulfilled["status"] == "fulfilled"


# -- refused uploads leave nothing behind ---------------------------------------------------------------


def _count(http: httpx.Client, headers: dict[str, str], depositor_id: str) -> int:
    return int(
        http.get("/api/deposit/deposits", params={"depositor_id": depositor_id}, headers=headers).json()[
            "pagination"
        ]["total_count"]
    )


@pytest.mark.parametrize(
    ("case", "filename", "content", "status", "codes"),
    [
        (
            "oversized",
            "besar.pdf",
            b"%PDF-1.4\n" + b"0" * (MAX_DIGITAL + 512 * 1024),
            413,
            {"payload_too_large"},
        ),
        (
            "wrong type",
            "artikel.pdf",
            b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 64,
            415,
            {"unsupported_file_type"},
        ),
        ("zero bytes", "kosong.pdf", b"", 422, {"empty_file", "file_empty"}),
        ("path traversal", "../../../etc/passwd.pdf", b"%PDF-1.4\n%%EOF\n", 400, {"invalid_filename"}),
    ],
)
def test_refused_uploads_leave_nothing_behind(
    stack: Stack, http: httpx.Client, case: str, filename: str, content: bytes, status: int, codes: set[str]
) -> None:
    publisher = bearer(http, "penerbit")
    depositor = kampus(http, publisher)
    objects, deposits = stack.deposit_objects(), _count(http, publisher, depositor["id"])
    metadata = {"depositor_id": depositor["id"], "kind": "karya_digital", "title": f"Uji {case}",
                "creators": ["Penguji"], "year": 2024, "language": "ind", "publisher": "Penerbit Uji"}  # fmt: skip
    response = upload(http, publisher, metadata, filename, content)
    assert response.status_code == status, (case, response.status_code, response.text[:500])
    error = response.json()["error"]
    assert error["code"] in codes and error["message"] and error["message_en"], error
    assert stack.deposit_objects() == objects
    assert _count(http, publisher, depositor["id"]) == deposits


def test_an_interrupted_upload_leaves_nothing_behind(stack: Stack, http: httpx.Client) -> None:
    publisher = bearer(http, "penerbit")
    depositor = kampus(http, publisher)
    objects, deposits = stack.deposit_objects(), _count(http, publisher, depositor["id"])
    metadata = {"depositor_id": depositor["id"], "kind": "karya_digital", "title": "Uji terputus",
                "creators": ["Penguji"], "year": 2024, "language": "ind", "publisher": "Penerbit Uji"}  # fmt: skip
    boundary = "pusip-e2e-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{json.dumps(metadata)}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="terputus.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    promised = len(head) + 600 * 1024
    with socket.create_connection(("127.0.0.1", stack.base), timeout=10) as sock:
        request = (
            "POST /api/deposit/deposits/digital HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{stack.base}\r\n"
            f"Authorization: {publisher['Authorization']}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {promised}\r\n\r\n"
        ).encode()
        sock.sendall(request + head + b"%PDF-1.4\n" + b"1" * (200 * 1024))
        time.sleep(1.0)  # the service is now streaming the file into storage
    # the connection is gone mid-file: whatever was stored is removed, and no deposit exists
    wait_for(lambda: stack.deposit_objects() == objects, 30, "the partial upload removed", stack)
    assert _count(http, publisher, depositor["id"]) == deposits
    # the service still answers
    assert http.get("/api/deposit/readyz").status_code == 200
