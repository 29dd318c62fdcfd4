"""Worked examples per library type: the grade follows the instrument's weights and bands exactly.

Sub-district (umum-kecamatan, published weights), 2 indicators per component, points a5…e1:
  KOLEKSI a a 10/10 × 20 = 20.00 · SARANA a b 9/10 × 15 = 13.50 · PELAYANAN a a 10/10 × 25 = 25.00
  TENAGA a b 9/10 × 20 = 18.00 · PENYELENGGARAAN a a 10/10 × 15 = 15.00 · PENGUATAN b b 8/10 × 5 = 4.00
  total 95.50 → A

University (perguruan-tinggi, published weights), 3 indicators per component, points a4 b3 c2 d1 e0:
  KOLEKSI b b b 9/12 × 20 = 15.00 · SARANA c c c 6/12 × 15 = 7.50 · PELAYANAN a b c 9/12 × 25 = 18.75
  TENAGA e e e 0/12 × 20 = 0.00 · PENYELENGGARAAN a a a 12/12 × 15 = 15.00 · PENGUATAN e e e 0/12 × 5 = 0.00
  total 56.25 → below 60: not accredited, no certificate

School (sekolah: weights editable, set to 25/15/20/20/15/5), 1 indicator per component, a5…e1,
yearly pre-measurement (graded at submission, never certified):
  KOLEKSI b 4/5 × 25 = 20.00 · SARANA b 4/5 × 15 = 12.00 · PELAYANAN a 5/5 × 20 = 20.00
  TENAGA c 3/5 × 20 = 12.00 · PENYELENGGARAAN a 5/5 × 15 = 15.00 · PENGUATAN a 5/5 × 5 = 5.00
  total 84.00 → B
"""

from __future__ import annotations

from typing import Any

from pusip_kit.testing.service import ServiceClient

from ..helpers import (
    ASSESSOR,
    OFFICER,
    answers_for,
    create_library,
    library_admin_of,
    publish_instrument,
    reason_codes,
    seeded_instrument,
)

SIX = ("KOLEKSI", "SARANA", "PELAYANAN", "TENAGA", "PENYELENGGARAAN", "PENGUATAN")


async def run_to_grade(
    client: ServiceClient, code: str, choices: dict[str, str], mode: str = "akreditasi"
) -> dict[str, Any]:
    admin = client.bearer(**library_admin_of(code))
    created = await client.post("/assessments", json={"library": code, "mode": mode}, headers=admin)
    assert created.status_code == 201, created.text
    url = f"/assessments/{created.json()['id']}"
    assert (await client.put(f"{url}/answers", json=answers_for(choices), headers=admin)).status_code == 200
    submitted = await client.post(f"{url}/submit", headers=admin)
    assert submitted.status_code == 200, submitted.text
    if mode == "akreditasi":
        verified = await client.post(f"{url}/verify", headers=client.bearer(**OFFICER))
        assert verified.status_code == 200, verified.text
        graded = await client.post(f"{url}/complete-visit", headers=client.bearer(**ASSESSOR))
        assert graded.status_code == 200, graded.text
    return (await client.get(url, headers=admin)).json()


def scores(detail: dict[str, Any]) -> list[str]:
    return [c["score"] for c in detail["score"]["components"]]


async def test_sub_district_worked_example_grade_a(client: ServiceClient) -> None:
    await create_library(client, code="perpustakaan-kecamatan-contoh", type="umum-kecamatan", npp=None)
    await publish_instrument(client, "umum-kecamatan", dict.fromkeys(SIX, 2))
    detail = await run_to_grade(
        client,
        "perpustakaan-kecamatan-contoh",
        {
            "KOLEKSI": "aa",
            "SARANA": "ab",
            "PELAYANAN": "aa",
            "TENAGA": "ab",
            "PENYELENGGARAAN": "aa",
            "PENGUATAN": "bb",
        },
    )
    assert scores(detail) == ["20.00", "13.50", "25.00", "18.00", "15.00", "4.00"]
    assessment = detail["assessment"]
    assert (assessment["total"], assessment["grade"], assessment["grade_label"]) == (
        "95.50",
        "A",
        "Terakreditasi A (Amat Baik)",
    )
    certified = await client.post(
        f"/assessments/{assessment['id']}/certify", headers=client.bearer(**OFFICER)
    )
    assert certified.status_code == 200 and certified.json()["status"] == "certified"


async def test_university_worked_example_not_accredited(client: ServiceClient) -> None:
    await create_library(client, code="perpustakaan-universitas-contoh", type="perguruan-tinggi", npp=None)
    await publish_instrument(
        client, "perguruan-tinggi", dict.fromkeys(SIX, 3), points={"a": 4, "b": 3, "c": 2, "d": 1, "e": 0}
    )
    detail = await run_to_grade(
        client,
        "perpustakaan-universitas-contoh",
        {
            "KOLEKSI": "bbb",
            "SARANA": "ccc",
            "PELAYANAN": "abc",
            "TENAGA": "eee",
            "PENYELENGGARAAN": "aaa",
            "PENGUATAN": "eee",
        },
    )
    assert scores(detail) == ["15.00", "7.50", "18.75", "0.00", "15.00", "0.00"]
    assessment = detail["assessment"]
    assert (assessment["total"], assessment["grade"]) == ("56.25", "TIDAK_TERAKREDITASI")
    url = f"/assessments/{assessment['id']}"
    check = (
        await client.post(f"{url}/certify", params={"dry_run": "true"}, headers=client.bearer(**OFFICER))
    ).json()
    assert check["allowed"] is False and [r["code"] for r in check["reasons"]] == [
        "refuse_when_not_accredited"
    ]
    refused = await client.post(f"{url}/certify", headers=client.bearer(**OFFICER))
    assert refused.status_code == 409 and reason_codes(refused) == ["refuse_when_not_accredited"]
    assert (await client.get(f"{url}/certificate.pdf", headers=client.bearer(**OFFICER))).status_code == 404


async def test_school_pre_measurement_with_edited_weights(client: ServiceClient) -> None:
    await create_library(client, code="perpustakaan-smp-contoh", type="sekolah", npp=None)
    weights = {
        "KOLEKSI": 25,
        "SARANA": 15,
        "PELAYANAN": 20,
        "TENAGA": 20,
        "PENYELENGGARAAN": 15,
        "PENGUATAN": 5,
    }
    instrument = await publish_instrument(client, "sekolah", dict.fromkeys(SIX, 1), weights=weights)
    assert [c["weight"] for c in instrument["components"]] == [
        "25.00",
        "15.00",
        "20.00",
        "20.00",
        "15.00",
        "5.00",
    ]
    detail = await run_to_grade(
        client,
        "perpustakaan-smp-contoh",
        {
            "KOLEKSI": "b",
            "SARANA": "b",
            "PELAYANAN": "a",
            "TENAGA": "c",
            "PENYELENGGARAAN": "a",
            "PENGUATAN": "a",
        },
        mode="pengukuran-awal",
    )
    assert scores(detail) == ["20.00", "12.00", "20.00", "12.00", "15.00", "5.00"]
    assessment = detail["assessment"]
    assert (assessment["status"], assessment["total"], assessment["grade"]) == ("graded", "84.00", "B")
    assert assessment["number"].startswith("PRA-")
    refused = await client.post(f"/assessments/{assessment['id']}/certify", headers=client.bearer(**OFFICER))
    assert refused.status_code == 409
    assert reason_codes(refused) == ["refuse_when_pre_measurement"]
    # One pre-measurement per library and year.
    again = await client.post(
        "/assessments",
        json={"library": "perpustakaan-smp-contoh", "mode": "pengukuran-awal"},
        headers=client.bearer(**library_admin_of("perpustakaan-smp-contoh")),
    )
    assert again.status_code == 409 and reason_codes(again) == ["refuse_when_pre_measurement_done"]


async def test_published_weights_cannot_be_edited(client: ServiceClient) -> None:
    for library_type in ("umum-desa", "umum-kecamatan", "perguruan-tinggi"):
        instrument = await seeded_instrument(client, library_type)
        assert instrument["weights_published"] is True
        response = await client.put(
            f"/instruments/{instrument['id']}/weights",
            json={"weights": {"KOLEKSI": 25, "PELAYANAN": 20}},
            headers=client.bearer(**OFFICER),
        )
        assert response.status_code == 409
        assert reason_codes(response) == ["refuse_when_weights_published"]
