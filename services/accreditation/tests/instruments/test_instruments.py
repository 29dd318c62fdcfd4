"""Instruments as data: seeded per type with the published weights, indicator texts loaded from a
file with every problem itemised, publishing with named refusals, versions."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import Workbook

from pusip_kit.testing.service import ServiceClient

from ..helpers import OFFICER, indicators_file, publish_instrument, seeded_instrument

SIX = {"KOLEKSI": 1, "SARANA": 1, "PELAYANAN": 1, "TENAGA": 1, "PENYELENGGARAAN": 1, "PENGUATAN": 1}
HEADER = [
    "component",
    "code",
    "text",
    "a",
    "b",
    "c",
    "d",
    "e",
    "points_a",
    "points_b",
    "points_c",
    "points_d",
    "points_e",
    "evidence",
    "evidence_required",
]


def csv_bytes(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


async def test_seeded_instruments_carry_the_published_weights(client: ServiceClient) -> None:
    listed = (await client.get("/instruments", headers=client.bearer(**OFFICER))).json()
    assert sorted(i["library_type"] for i in listed) == sorted(
        ["umum-provinsi", "umum-kota", "umum-kecamatan", "umum-desa", "sekolah", "perguruan-tinggi", "khusus"]
    )
    assert {i["library_type"] for i in listed if i["weights_published"]} == {
        "umum-desa",
        "umum-kecamatan",
        "perguruan-tinggi",
    }
    assert all(i["status"] == "draft" and i["validity_years"] == 5 for i in listed)
    village = (
        await client.get(
            f"/instruments/{(await seeded_instrument(client, 'umum-desa'))['id']}",
            headers=client.bearer(**OFFICER),
        )
    ).json()
    assert [(c["code"], c["weight"]) for c in village["components"]] == [
        ("KOLEKSI", "20.00"),
        ("SARANA", "15.00"),
        ("PELAYANAN", "25.00"),
        ("TENAGA", "20.00"),
        ("PENYELENGGARAAN", "15.00"),
        ("PENGUATAN", "5.00"),
    ]
    assert [(b["grade"], b["minimum"]) for b in village["bands"]] == [
        ("A", "91"),
        ("B", "76"),
        ("C", "60"),
        ("TIDAK_TERAKREDITASI", "0"),
    ]
    assert village["indicator_count"] == 0


async def test_csv_problems_are_itemised_by_row(client: ServiceClient) -> None:
    instrument = await seeded_instrument(client, "umum-desa")
    url = f"/instruments/{instrument['id']}/indicators"
    data = csv_bytes(
        [
            [
                "KOLEKSI",
                "KOLEKSI.1",
                "Jumlah koleksi",
                "> 1000",
                "500-1000",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            ["KOLEKSI", "KOLEKSI.2", "", "", "", "", "", "", "", "", "", "", "", "", ""],
            ["SARANA", "SARANA.1", "Luas ruang", "", "", "", "", "", "lima", "", "", "", "", "", ""],
        ]
    )
    response = await client.put(
        url, files={"file": ("instrumen.csv", data, "text/csv")}, headers=client.bearer(**OFFICER)
    )
    assert response.status_code == 422
    problems = response.json()["error"]["details"]["problems"]
    assert [(p["location"], p["code"]) for p in problems] == [
        ("baris 3", "string_too_short"),
        ("baris 4", "points_invalid"),
    ]
    # Rows valid in themselves, but components missing or unknown: itemised too (dry run: 200).
    data = csv_bytes(
        [
            ["KOLEKSI", "KOLEKSI.1", "Jumlah koleksi", "", "", "", "", "", "", "", "", "", "", "", ""],
            ["RUANG", "RUANG.1", "Ruang baca", "", "", "", "", "", "", "", "", "", "", "", ""],
        ]
    )
    report = (
        await client.put(url, params={"dry_run": "true"}, content=data, headers=client.bearer(**OFFICER))
    ).json()
    assert report["valid"] is False
    assert [(p["location"], p["code"]) for p in report["problems"]] == [
        ("component RUANG", "unknown_component"),
        ("component SARANA", "component_without_indicators"),
        ("component PELAYANAN", "component_without_indicators"),
        ("component TENAGA", "component_without_indicators"),
        ("component PENYELENGGARAAN", "component_without_indicators"),
        ("component PENGUATAN", "component_without_indicators"),
    ]


async def test_xlsx_load_with_default_points_and_evidence(client: ServiceClient) -> None:
    instrument = await seeded_instrument(client, "umum-kota")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for code in SIX:
        sheet.append([code, f"{code}.1", f"Indikator {code}", "Sangat baik", "Baik", "Cukup", "Kurang", "Tidak ada",
                      None, None, None, None, None, "Foto", "ya" if code == "KOLEKSI" else "tidak"])  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    response = await client.put(
        f"/instruments/{instrument['id']}/indicators",
        content=out.getvalue(),
        headers=client.bearer(**OFFICER),
    )
    assert response.status_code == 200, response.text
    assert (response.json()["valid"], response.json()["indicators"]) == (True, 6)
    loaded = (await client.get(f"/instruments/{instrument['id']}", headers=client.bearer(**OFFICER))).json()
    koleksi = loaded["components"][0]["indicators"][0]
    assert koleksi["options"]["a"] == {"points": 5, "text": "Sangat baik"}
    assert koleksi["options"]["e"] == {"points": 1, "text": "Tidak ada"}
    assert (koleksi["evidence_required"], loaded["components"][1]["indicators"][0]["evidence_required"]) == (
        True,
        False,
    )
    template = await client.get(
        f"/instruments/{instrument['id']}/indicators/template",
        params={"format": "csv"},
        headers=client.bearer(**OFFICER),
    )
    assert template.text.splitlines()[0] == ",".join(HEADER)
    assert len(template.text.splitlines()) == 7


async def test_json_shape_problems_have_paths(client: ServiceClient) -> None:
    instrument = await seeded_instrument(client, "umum-desa")
    body = indicators_file(SIX)
    body["components"][0]["indicators"][0]["options"] = {"a": {"points": 5}}
    body["components"][1]["indicators"][0]["options"]["z"] = {"points": 1}
    body["components"][2]["indicators"][0]["code"] = body["components"][3]["indicators"][0]["code"] = "DUA.1"
    response = await client.put(
        f"/instruments/{instrument['id']}/indicators",
        params={"dry_run": "true"},
        content=json.dumps(body),
        headers={**client.bearer(**OFFICER), "Content-Type": "application/json"},
    )
    report = response.json()
    assert [p["location"] for p in report["problems"]] == [
        "components[0].indicators[0].options",
        "components[1].indicators[0].options",
    ]
    del (
        body["components"][0]["indicators"][0]["options"],
        body["components"][1]["indicators"][0]["options"]["z"],
    )
    body["components"][0]["indicators"][0]["options"] = {"a": {"points": 1}, "b": {"points": 0}}
    report = (
        await client.put(
            f"/instruments/{instrument['id']}/indicators",
            params={"dry_run": "true"},
            content=json.dumps(body),
            headers={**client.bearer(**OFFICER), "Content-Type": "application/json"},
        )
    ).json()
    assert [(p["location"], p["code"]) for p in report["problems"]] == [
        ("indicator DUA.1", "duplicate_indicator")
    ]


async def test_publish_refusals_and_versions(client: ServiceClient) -> None:
    instrument = await seeded_instrument(client, "khusus")
    officer = client.bearer(**OFFICER)
    check = (
        await client.post(
            f"/instruments/{instrument['id']}/publish", params={"dry_run": "true"}, headers=officer
        )
    ).json()
    assert [r["code"] for r in check["reasons"]] == ["refuse_when_component_has_no_indicators"]
    bad_weights = await client.put(
        f"/instruments/{instrument['id']}/weights", json={"weights": {"KOLEKSI": 30}}, headers=officer
    )
    assert bad_weights.status_code == 422
    assert bad_weights.json()["error"]["details"]["problems"][0]["code"] == "weights_sum"
    first = await publish_instrument(client, "khusus", SIX)
    assert first["status"] == "published"
    assert (
        await client.put(
            f"/instruments/{first['id']}/weights", json={"weights": {"KOLEKSI": 20}}, headers=officer
        )
    ).status_code == 409
    copy = await client.post(
        f"/instruments/{first['id']}/versions", json={"version": "2026"}, headers=officer
    )
    assert copy.status_code == 201, copy.text
    second = copy.json()
    assert (second["status"], second["indicator_count"]) == ("draft", 6)
    published = await client.post(f"/instruments/{second['id']}/publish", headers=officer)
    assert published.status_code == 200
    current = (
        await client.get("/instruments/current", params={"library_type": "khusus"}, headers=officer)
    ).json()
    assert current["version"] == "2026"
    old = (await client.get(f"/instruments/{first['id']}", headers=officer)).json()
    assert old["status"] == "retired"
    assert [
        e["payload"]["version"] for e in await client.outbox_events("accreditation.instrument.published")
    ] == ["2022", "2026"]


async def test_new_instrument_definition_is_checked(client: ServiceClient) -> None:
    body = {
        "library_type": "sekolah",
        "version": "2027",
        "title": "Instrumen uji",
        "legal_basis": "Uji",
        "bands": [{"grade": "A", "minimum": 80, "label": "A", "label_en": "A"}],
        "components": [
            {"code": "K", "name": "Koleksi", "weight": 60},
            {"code": "K", "name": "Lagi", "weight": 30},
        ],
    }
    response = await client.post("/instruments", json=body, headers=client.bearer(**OFFICER))
    assert response.status_code == 422
    assert [p["code"] for p in response.json()["error"]["details"]["problems"]] == [
        "no_lowest_band",
        "duplicate_component",
        "weights_sum",
    ]
    assert (
        await client.post("/instruments", json=body, headers=client.bearer(roles=["library_admin"]))
    ).status_code == 403
    body["bands"].append({"grade": "X", "minimum": 0, "label": "Tidak", "label_en": "No"})
    body["components"][1] = {"code": "L", "name": "Layanan", "weight": 40}
    created = await client.post("/instruments", json=body, headers=client.bearer(**OFFICER))
    assert created.status_code == 201, created.text
    assert created.json()["components"][1]["weight"] == "40.00"
    again = await client.post("/instruments", json=body, headers=client.bearer(**OFFICER))
    assert again.status_code == 409 and again.json()["error"]["code"] == "instrument_version_taken"
