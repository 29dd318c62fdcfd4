"""The acceptance flow: a village library registers, self-assesses, submits; an officer verifies; an
assessor scores; the grade and certificate follow the published weights and bands exactly.

Worked example, village instrument (umum-desa, published weights 20/15/25/20/15/5), indicators per
component 4/3/5/3/4/2 with points a5 b4 c3 d2 e1 (so maxima 20/15/25/15/20/10):

  self-assessment                          assessor override          final
  KOLEKSI          a a b c = 17            KOLEKSI.1 a→b             16/20 × 20 = 16.00
  SARANA           b b c   = 11                                      11/15 × 15 = 11.00
  PELAYANAN        a a b b c = 21          PELAYANAN.5 c→a           23/25 × 25 = 23.00
  TENAGA           b c c   = 10            TENAGA.1 b→d               8/15 × 20 = 10.67
  PENYELENGGARAAN  a b b c = 16                                      16/20 × 15 = 12.00
  PENGUATAN        c d     = 5                                        5/10 ×  5 =  2.50
                                                                     total        75.17 → C

(The self-assessment alone would give 17 + 11 + 21 + 13.33 + 12 + 2.50 = 76.83 → B: the assessor's
answers decide.)
"""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from pusip_kit.testing.service import ServiceClient

from ..helpers import (
    ASSESSOR,
    OFFICER,
    answers_for,
    create_library,
    library_admin_of,
    publish_instrument,
    reason_codes,
)

VILLAGE = "perpustakaan-kelurahan-contoh"
VILLAGE_COUNTS = {
    "KOLEKSI": 4,
    "SARANA": 3,
    "PELAYANAN": 5,
    "TENAGA": 3,
    "PENYELENGGARAAN": 4,
    "PENGUATAN": 2,
}
SELF = {
    "KOLEKSI": "aabc",
    "SARANA": "bbc",
    "PELAYANAN": "aabbc",
    "TENAGA": "bcc",
    "PENYELENGGARAAN": "abbc",
    "PENGUATAN": "cd",
}


async def test_village_library_accreditation_end_to_end(client: ServiceClient) -> None:
    await create_library(
        client, code=VILLAGE, name="Perpustakaan Kelurahan Contoh", type="umum-desa", npp=None
    )
    await publish_instrument(
        client, "umum-desa", VILLAGE_COUNTS, evidence_required=frozenset({"KOLEKSI.1", "TENAGA.1"})
    )
    admin = client.bearer(**library_admin_of(VILLAGE))

    # The library admin registers for accreditation and saves the self-assessment in two goes.
    response = await client.post("/assessments", json={"library": VILLAGE}, headers=admin)
    assert response.status_code == 201, response.text
    assessment = response.json()
    assert (assessment["status"], assessment["mode"], assessment["instrument_version"]) == (
        "draft",
        "akreditasi",
        "2022",
    )
    url = f"/assessments/{assessment['id']}"
    first_half = {k: SELF[k] for k in ("KOLEKSI", "SARANA", "PELAYANAN")}
    response = await client.put(f"{url}/answers", json=answers_for(first_half), headers=admin)
    assert response.status_code == 200, response.text
    progress = response.json()["progress"]
    assert (progress["indicators"], progress["answered"]) == (21, 12)

    # Submitting now is refused, for every reason at once; the dry run says the same.
    check = await client.post(f"{url}/submit", params={"dry_run": "true"}, headers=admin)
    assert check.status_code == 200
    assert check.json()["allowed"] is False
    refused = await client.post(f"{url}/submit", headers=admin)
    assert refused.status_code == 409
    assert reason_codes(refused) == ["refuse_when_incomplete", "refuse_when_required_evidence_missing"]
    assert refused.json()["error"]["details"]["reasons"][1]["details"]["indicators"] == [
        "KOLEKSI.1",
        "TENAGA.1",
    ]

    response = await client.put(f"{url}/answers", json=answers_for(SELF), headers=admin)
    assert response.json()["progress"]["answered"] == 21
    provisional = response.json()["score"]
    assert provisional["provisional"] is True
    assert (provisional["total"], provisional["grade"]) == ("76.83", "B")

    for indicator in ("KOLEKSI.1", "TENAGA.1"):
        upload = await client.post(
            f"{url}/evidence",
            params={"indicator": indicator},
            files={
                "file": (f"bukti-{indicator}.pdf", b"%PDF-1.4 bukti " + indicator.encode(), "application/pdf")
            },
            headers=admin,
        )
        assert upload.status_code == 201, upload.text
        assert upload.json()["content_type"] == "application/pdf"
    evidence = upload.json()
    download = await client.get(f"{url}/evidence/{evidence['id']}", headers=client.bearer(**ASSESSOR))
    assert download.status_code == 200 and download.content == b"%PDF-1.4 bukti TENAGA.1"

    response = await client.post(f"{url}/submit", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "submitted"
    assert (
        await client.put(f"{url}/answers", json=answers_for({"PENGUATAN": "aa"}), headers=admin)
    ).status_code == 409

    # The officer returns it once with a note, the library resubmits, the officer verifies.
    response = await client.post(
        f"{url}/return", json={"note": "Lengkapi foto ruang baca"}, headers=client.bearer(**OFFICER)
    )
    assert response.json()["status"] == "returned"
    assert (await client.post(f"{url}/submit", headers=admin)).json()["status"] == "submitted"
    response = await client.post(
        f"{url}/verify",
        json={"note": "Lengkap", "assessor": ASSESSOR["username"], "visit_date": "2026-03-10"},
        headers=client.bearer(**OFFICER),
    )
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["assessor"]) == ("verified", "asesor-satu")

    # Only the assigned assessor scores; the assessor's answers override the self-assessment.
    other = await client.put(
        f"{url}/visit-scores",
        json=answers_for({"KOLEKSI": "b"}),
        headers=client.bearer(roles=["assessor"], username="lain"),
    )
    assert other.status_code == 409 and reason_codes(other) == ["refuse_when_not_assigned_assessor"]
    overrides = {
        "answers": {
            "KOLEKSI.1": {"option": "b", "note": "Koleksi belum diolah seluruhnya"},
            "PELAYANAN.5": {"option": "a", "note": "Layanan keliling berjalan"},
            "TENAGA.1": {"option": "d", "note": "Kepala perpustakaan belum diklat"},
        }
    }
    response = await client.put(f"{url}/visit-scores", json=overrides, headers=client.bearer(**ASSESSOR))
    assert response.status_code == 200, response.text
    response = await client.post(
        f"{url}/complete-visit", json={"note": "Visitasi selesai"}, headers=client.bearer(**ASSESSOR)
    )
    assert response.status_code == 200, response.text
    graded = response.json()
    assert (graded["status"], graded["total"], graded["grade"]) == ("graded", "75.17", "C")
    assert graded["grade_label"] == "Terakreditasi C (Cukup Baik)"

    result = (await client.get(f"{url}/result", headers=admin)).json()
    assert result["provisional"] is False
    assert [(c["code"], c["points"], c["maximum"], c["score"]) for c in result["components"]] == [
        ("KOLEKSI", 16, 20, "16.00"),
        ("SARANA", 11, 15, "11.00"),
        ("PELAYANAN", 23, 25, "23.00"),
        ("TENAGA", 8, 15, "10.67"),
        ("PENYELENGGARAAN", 16, 20, "12.00"),
        ("PENGUATAN", 5, 10, "2.50"),
    ]

    form = (await client.get(f"{url}/form", headers=admin)).json()
    koleksi_1 = form["components"][0]["indicators"][0]
    assert koleksi_1["answer"] == {
        "self_option": "a",
        "self_note": None,
        "assessor_option": "b",
        "assessor_note": "Koleksi belum diolah seluruhnya",
        "final_option": "b",
        "points": 4,
    }
    assert len(koleksi_1["evidence_files"]) == 1

    # The officer certifies: certificate number, re-accreditation due after the instrument's 5 years.
    response = await client.post(
        f"{url}/certify", json={"certified_on": "2026-03-20"}, headers=client.bearer(**OFFICER)
    )
    assert response.status_code == 200, response.text
    certified = response.json()
    assert certified["status"] == "certified"
    assert certified["certificate_number"] == "SERT-AKR/2026/0001"
    assert certified["valid_until"] == "2031-03-20"

    pdf = await client.get(f"{url}/certificate.pdf", headers=admin)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in (
        "SERTIFIKAT AKREDITASI PERPUSTAKAAN",
        "SERT-AKR/2026/0001",
        "75.17",
        "Terakreditasi C",
        "10.67",
    ):
        assert expected in text, expected

    history = (await client.get(f"/libraries/{VILLAGE}/accreditations", headers=admin)).json()
    assert [(h["grade"], h["total"], h["valid_until"], h["source"]) for h in history] == [
        ("C", "75.17", "2031-03-20", "assessment")
    ]
    due = (
        await client.get("/libraries/accreditation-due", params={"within_days": 3650}, headers=admin)
    ).json()
    assert [(d["code"], d["valid_until"]) for d in due] == [(VILLAGE, "2031-03-20")]

    events = [
        e["name"] for e in await client.outbox_events() if e["name"].startswith("accreditation.assessment")
    ]
    assert events == [
        "accreditation.assessment.submitted",
        "accreditation.assessment.returned",
        "accreditation.assessment.submitted",
        "accreditation.assessment.verified",
        "accreditation.assessment.graded",
        "accreditation.assessment.certified",
    ]
    steps = [s["action"] for s in (await client.get(url, headers=admin)).json()["steps"]]
    assert steps == [
        "created",
        "submitted",
        "returned",
        "submitted",
        "verified",
        "visit_completed",
        "certified",
    ]
    assert date.fromisoformat(certified["certified_on"]) == date(2026, 3, 20)
