"""The registry beyond the basic profile: segment, opening hours, staff with certification status,
accreditation history, the yearly data refresh with reminders, CSV/XLSX import and export."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook, load_workbook

from accreditation.libraries.service import library_service
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work

from ..helpers import OFFICER, create_library, library_admin_of

CODE = "perpustakaan-sd-contoh-01"


async def test_profile_fields_and_opening_hours(client: ServiceClient) -> None:
    created = await create_library(
        client,
        segment="sekolah",
        district="Cakung",
        village="Pulo Gebang",
        email="Perpus@SD-Contoh.sch.id",
        opening_hours="Sen-Jum 07:00-15:00; Sab 08.00-11.00",
    )
    assert created["segment"] == "sekolah" and created["email"] == "perpus@sd-contoh.sch.id"
    assert created["opening_hours"] == [
        *({"day": d, "opens": "07:00", "closes": "15:00"} for d in range(1, 6)),
        {"day": 6, "opens": "08:00", "closes": "11:00"},
    ]
    admin = client.bearer(**library_admin_of(CODE))
    response = await client.patch(
        f"/libraries/{CODE}",
        json={"opening_hours": [{"day": 1, "opens": "08:00", "closes": "12:00"}], "head_name": "Ibu Kepala"},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    assert response.json()["opening_hours"] == [{"day": 1, "opens": "08:00", "closes": "12:00"}]
    for bad in ("Sen 16:00-08:00", "Senin pagi", [{"day": 1, "opens": "08:00", "closes": "09:00"}] * 2):
        assert (
            await client.patch(f"/libraries/{CODE}", json={"opening_hours": bad}, headers=admin)
        ).status_code == 422
    segment = await client.patch(f"/libraries/{CODE}", json={"segment": "madrasah"}, headers=admin)
    assert segment.status_code == 403 and segment.json()["error"]["details"]["fields"] == ["segment"]
    assert [
        x["code"]
        for x in (await client.get("/libraries", params={"segment": "sekolah"}, headers=admin)).json()[
            "items"
        ]
    ] == [CODE]


async def test_staff_and_certification(client: ServiceClient) -> None:
    await create_library(client)
    admin = client.bearer(**library_admin_of(CODE))
    certified = await client.post(
        f"/libraries/{CODE}/staff",
        json={
            "name": "Rina Pustakawati",
            "role": "pustakawan",
            "library_science": True,
            "certification_status": "bersertifikat",
            "certification_number": "SK-123",
            "certified_on": "2022-01-10",
            "certified_until": "2099-01-10",
        },
        headers=admin,
    )
    assert certified.status_code == 201, certified.text
    assert certified.json()["certification_valid"] is True
    expired = await client.post(
        f"/libraries/{CODE}/staff",
        json={
            "name": "Budi",
            "role": "pustakawan",
            "certification_status": "bersertifikat",
            "certified_until": "2020-01-01",
        },
        headers=admin,
    )
    assert expired.json()["certification_valid"] is False
    inconsistent = await client.post(
        f"/libraries/{CODE}/staff",
        json={
            "name": "Cici",
            "role": "tenaga-teknis",
            "certification_status": "belum",
            "certification_number": "X-1",
        },
        headers=admin,
    )
    assert inconsistent.status_code == 422
    staff_id = expired.json()["id"]
    update = await client.patch(
        f"/libraries/{CODE}/staff/{staff_id}", json={"certified_until": "2099-12-31"}, headers=admin
    )
    assert update.json()["certification_valid"] is True
    rina = certified.json()["id"]
    bad = await client.patch(
        f"/libraries/{CODE}/staff/{rina}", json={"certification_status": "belum"}, headers=admin
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "staff_inconsistent"
    await create_library(client, code="lain", npp=None)
    other = client.bearer(**library_admin_of("lain"))
    assert (await client.get(f"/libraries/{CODE}/staff", headers=other)).status_code == 403
    assert (
        await client.post(f"/libraries/{CODE}/staff", json={"name": "X Y", "role": "lainnya"}, headers=other)
    ).status_code == 403
    assert (await client.delete(f"/libraries/{CODE}/staff/{staff_id}", headers=admin)).status_code == 204
    profile = (
        await client.get(f"/libraries/{CODE}/profile", headers=client.bearer(roles=["assessor"]))
    ).json()
    assert profile["staff_summary"] == {"total": 1, "librarians": 1, "certified": 1, "library_science": 1}
    assert profile["staff"][0]["certification_status"] == "bersertifikat"
    assert profile["refresh_due"] is True and profile["current_accreditation"] is None


async def test_accreditation_history_and_due_dates(client: ServiceClient) -> None:
    await create_library(client)
    officer = client.bearer(**OFFICER)
    record = {
        "grade": "B",
        "total": "82.5",
        "accredited_on": "2021-06-01",
        "valid_until": "2026-06-01",
        "issuer": "Perpustakaan Nasional RI",
    }
    response = await client.post(f"/libraries/{CODE}/accreditations", json=record, headers=officer)
    assert response.status_code == 201, response.text
    assert response.json()["source"] == "manual"
    assert (
        await client.post(
            f"/libraries/{CODE}/accreditations", json=record, headers=client.bearer(**library_admin_of(CODE))
        )
    ).status_code == 403
    backwards = {**record, "valid_until": "2020-01-01"}
    assert (
        await client.post(f"/libraries/{CODE}/accreditations", json=backwards, headers=officer)
    ).status_code == 422
    due = (
        await client.get("/libraries/accreditation-due", params={"within_days": 3650}, headers=officer)
    ).json()
    assert [(d["code"], d["grade"], d["valid_until"]) for d in due] == [(CODE, "B", "2026-06-01")]


async def test_yearly_refresh_confirmation_and_reminders(client: ServiceClient) -> None:
    await create_library(client, email="perpus@contoh.sch.id")
    await create_library(client, code="kedua", npp=None)
    await create_library(client, code="nonaktif", npp=None, active=False)
    async with unit_of_work(client.sessionmaker) as session:
        assert (
            await library_service.send_refresh_reminders(session, today=date(2026, 1, 15), start_month=2) == 0
        )
    async with unit_of_work(client.sessionmaker) as session:
        assert (
            await library_service.send_refresh_reminders(session, today=date(2026, 2, 1), start_month=2) == 2
        )
    async with unit_of_work(client.sessionmaker) as session:  # idempotent: once per library and year
        assert (
            await library_service.send_refresh_reminders(session, today=date(2026, 2, 2), start_month=2) == 0
        )
    events = await client.outbox_events("accreditation.library.refresh_requested")
    assert sorted((e["payload"]["code"], e["payload"]["year"]) for e in events) == [
        ("kedua", 2026),
        (CODE, 2026),
    ]
    confirmed = await client.post(
        f"/libraries/{CODE}/confirm", headers=client.bearer(**library_admin_of(CODE))
    )
    assert confirmed.status_code == 200 and confirmed.json()["data_confirmed_at"] is not None
    assert (
        await client.post("/libraries/kedua/confirm", headers=client.bearer(**library_admin_of(CODE)))
    ).status_code == 403
    this_year = date.today().year
    due = (
        await client.get(
            "/libraries/refresh-due", params={"year": this_year}, headers=client.bearer(**OFFICER)
        )
    ).json()
    assert [d["code"] for d in due] == ["kedua"]


async def test_export_then_import_round_trip_with_row_results(client: ServiceClient) -> None:
    await create_library(client, opening_hours="Sen-Jum 07:00-15:00", segment="sekolah")
    officer = client.bearer(**OFFICER)
    exported = await client.get("/libraries/export", params={"format": "csv"}, headers=officer)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.splitlines()
    assert lines[0].startswith("code,name,type,segment,npp")
    assert "Sen-Jum 07:00-15:00" in lines[1] and lines[1].endswith(",ya")
    # Re-importing the export changes nothing.
    report = (await client.post("/libraries/import", content=exported.content, headers=officer)).json()
    assert (report["total"], report["unchanged"], report["errors"]) == (1, 1, 0)

    csv_text = (
        "code;name;type;city;npp;collection_size;opening_hours;active\n"
        f"{CODE};;;;;3000;;\n"
        "perpustakaan-baru;Perpustakaan Baru;umum-desa;jakarta-utara;;10;Sen 08:00-12:00;ya\n"
        "salah-jenis;Perpustakaan Salah;toko;jakarta-utara;;;;\n"
        "npp-dobel;Perpustakaan Dobel;khusus;jakarta-barat;3171-0123-4567-0001;;;\n"
        ";Tanpa Kode;khusus;jakarta-barat;;;;\n"
        "perpustakaan-baru;Dua Kali;khusus;jakarta-barat;;;;\n"
    )
    dry = (
        await client.post(
            "/libraries/import", params={"dry_run": "true"}, content=csv_text.encode(), headers=officer
        )
    ).json()
    assert [(r["row"], r["status"]) for r in dry["rows"]] == [
        (2, "updated"),
        (3, "created"),
        (4, "error"),
        (5, "error"),
        (6, "error"),
        (7, "error"),
    ]
    assert dry["rows"][0]["changed"] == ["collection_size"]
    assert dry["rows"][2]["errors"][0]["field"] == "type"
    assert dry["rows"][3]["errors"][0]["field"] == "npp"
    assert (await client.get("/libraries/perpustakaan-baru", headers=officer)).status_code == 404
    report = (await client.post("/libraries/import", content=csv_text.encode(), headers=officer)).json()
    assert (report["created"], report["updated"], report["errors"]) == (1, 1, 4)
    new = (await client.get("/libraries/perpustakaan-baru", headers=officer)).json()
    assert new["opening_hours"] == [{"day": 1, "opens": "08:00", "closes": "12:00"}]
    assert (await client.get(f"/libraries/{CODE}", headers=officer)).json()["collection_size"] == 3000
    assert (
        await client.post(
            "/libraries/import", content=csv_text.encode(), headers=client.bearer(**library_admin_of(CODE))
        )
    ).status_code == 403


async def test_xlsx_import_and_export(client: ServiceClient) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Code", "Name", "Type", "City", "Collection_Size", "Active"])
    sheet.append(["perpus-xlsx", "Perpustakaan dari XLSX", "khusus", "jakarta-selatan", 1500, "ya"])
    sheet.append(["perpus-xlsx-2", "Perpustakaan Kedua", "khusus", "bogor", 10, "ya"])
    out = io.BytesIO()
    workbook.save(out)
    officer = client.bearer(**OFFICER)
    report = (
        await client.post(
            "/libraries/import",
            files={"file": ("perpustakaan.xlsx", out.getvalue(), "application/octet-stream")},
            headers=officer,
        )
    ).json()
    assert [(r["row"], r["status"]) for r in report["rows"]] == [(2, "created"), (3, "error")]
    exported = await client.get(
        "/libraries/export", params={"format": "xlsx", "city": "jakarta-selatan"}, headers=officer
    )
    assert exported.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][:3] == ("code", "name", "type")
    assert rows[1][0] == "perpus-xlsx" and rows[1][13] == 1500
    garbage = await client.post(
        "/libraries/import", content=b"PK\x03\x04 not really a workbook", headers=officer
    )
    assert garbage.status_code == 422 and garbage.json()["error"]["code"] == "table_unreadable"
