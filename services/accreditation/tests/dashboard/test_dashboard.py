"""Dashboard data over the demo data: tables with chart data, and the same tables as CSV/XLSX."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from accreditation.demo import load_demo_data
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work

from ..helpers import OFFICER


async def test_dashboards_over_demo_data(client: ServiceClient) -> None:
    async with unit_of_work(client.sessionmaker) as session:
        await load_demo_data(session)
    officer = client.bearer(**OFFICER)

    libraries = (await client.get("/dashboard/libraries")).json()  # public
    assert libraries["columns"][0] == "type" and libraries["columns"][-1] == "total"
    rows = {r[0]: r for r in libraries["rows"]}
    assert rows["umum-desa"][-1] == 3 and rows["jumlah"][-1] == 7
    assert rows["umum-desa"][libraries["columns"].index("kepulauan-seribu")] == 1
    assert libraries["chart"]["labels"] == libraries["columns"][1:-1]
    assert {d["label"] for d in libraries["chart"]["datasets"]} == {
        "umum-provinsi",
        "umum-kecamatan",
        "umum-desa",
        "sekolah",
        "khusus",
    }

    grades = (await client.get("/dashboard/grades")).json()
    total = {r[0]: r for r in grades["rows"]}["jumlah"]
    assert dict(zip(grades["columns"], total, strict=True)) == {
        "type": "jumlah",
        "A": 0,
        "B": 0,
        "C": 1,
        "TIDAK_TERAKREDITASI": 0,
        "BELUM": 6,
        "total": 7,
    }
    assert grades["chart"]["datasets"][0]["data"] == [0, 0, 1, 0, 6]

    assert (await client.get("/dashboard/assessments")).status_code == 401
    progress = (await client.get("/dashboard/assessments", headers=officer)).json()
    by_city = {(r[0], r[1]): dict(zip(progress["columns"], r, strict=True)) for r in progress["rows"]}
    assert by_city[("akreditasi", "kepulauan-seribu")]["certified"] == 1
    assert by_city[("akreditasi", "jakarta-pusat")]["draft"] == 1

    literacy = (await client.get("/dashboard/literacy")).json()
    seribu = next(r for r in literacy["rows"] if r[:2] == [2025, "kepulauan-seribu"])
    assert seribu[2:] == [47.6, "Sedang", 10, 58.77, "Sedang"]
    assert literacy["chart"]["labels"] == ["2025"]
    assert "IPLM dki-jakarta" in {d["label"] for d in literacy["chart"]["datasets"]}

    csv_export = await client.get("/dashboard/literacy", params={"format": "csv"})
    assert csv_export.headers["content-disposition"] == 'attachment; filename="dasbor-literacy.csv"'
    assert "2025,kepulauan-seribu,47.6,Sedang,10,58.77,Sedang" in csv_export.text.splitlines()
    xlsx_export = await client.get("/dashboard/grades", params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx_export.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == grades["columns"]

    summary = (await client.get("/dashboard/summary", headers=officer)).json()
    assert (summary["libraries"], summary["accredited"], summary["assessments_open"]) == (7, 1, 1)
    assert summary["upcoming_activities"] == 1 and summary["certified_staff"] == 1
