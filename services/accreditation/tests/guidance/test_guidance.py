"""Guidance activities: planned and published by officers, registrations with named refusals,
attendance, materials, the public page and the iCalendar feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from accreditation.guidance.ical import escape_text, fold
from pusip_kit.testing.service import ServiceClient

from ..helpers import OFFICER, create_library, library_admin_of, reason_codes

CODE = "perpustakaan-sd-contoh-01"


def activity_payload(**overrides: Any) -> dict[str, Any]:
    starts = (datetime.now(UTC) + timedelta(days=10)).replace(hour=2, minute=0, second=0, microsecond=0)
    body: dict[str, Any] = {
        "title": "Bimtek Pengolahan Koleksi; Sekolah, Tingkat Dasar",
        "description": "Katalogisasi dan klasifikasi DDC\nuntuk perpustakaan sekolah",
        "kind": "bimtek",
        "segment": "sekolah",
        "level": "kota",
        "city": "jakarta-timur",
        "venue": "Aula Suku Dinas Perpustakaan Jakarta Timur",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=6)).isoformat(),
        "capacity": 2,
    }
    body.update(overrides)
    return body


async def published_activity(client: ServiceClient, **overrides: Any) -> dict[str, Any]:
    officer = client.bearer(**OFFICER)
    created = await client.post("/guidance", json=activity_payload(**overrides), headers=officer)
    assert created.status_code == 201, created.text
    published = await client.post(f"/guidance/{created.json()['id']}/publish", headers=officer)
    assert published.status_code == 200, published.text
    return published.json()


async def test_drafts_are_the_offices_own_and_times_are_checked(client: ServiceClient) -> None:
    officer = client.bearer(**OFFICER)
    draft = (await client.post("/guidance", json=activity_payload(), headers=officer)).json()
    assert draft["status"] == "draft"
    assert (
        await client.get(f"/guidance/{draft['id']}", headers=client.bearer(**library_admin_of(CODE)))
    ).status_code == 404
    assert (await client.get(f"/public/guidance/{draft['id']}")).status_code == 404
    backwards = activity_payload(ends_at=activity_payload()["starts_at"])
    assert (await client.post("/guidance", json=backwards, headers=officer)).status_code == 422
    assert (
        await client.post("/guidance", json=activity_payload(city=None), headers=officer)
    ).status_code == 422
    assert (
        await client.post(
            "/guidance", json=activity_payload(), headers=client.bearer(**library_admin_of(CODE))
        )
    ).status_code == 403
    moved = await client.patch(
        f"/guidance/{draft['id']}", json={"capacity": 30, "venue": "Daring"}, headers=officer
    )
    assert moved.json()["capacity"] == 30
    inconsistent = await client.patch(
        f"/guidance/{draft['id']}", json={"ends_at": draft["starts_at"]}, headers=officer
    )
    assert inconsistent.status_code == 422


async def test_registration_refusals_and_attendance(client: ServiceClient) -> None:
    await create_library(client)
    await create_library(client, code="kedua", npp=None)
    staff = await client.post(
        f"/libraries/{CODE}/staff",
        json={"name": "Rina Pustakawati", "role": "pustakawan"},
        headers=client.bearer(**OFFICER),
    )
    activity = await published_activity(client)
    url = f"/guidance/{activity['id']}/registrations"
    admin = client.bearer(**library_admin_of(CODE))
    first = await client.post(url, json={"library": CODE, "staff_id": staff.json()["id"]}, headers=admin)
    assert first.status_code == 201, first.text
    assert (first.json()["participant_name"], first.json()["library_code"]) == ("Rina Pustakawati", CODE)
    duplicate = await client.post(
        url, json={"library": CODE, "participant_name": "rina pustakawati"}, headers=admin
    )
    assert duplicate.status_code == 409 and reason_codes(duplicate) == ["refuse_when_already_registered"]
    foreign = await client.post(url, json={"library": "kedua", "participant_name": "Siapa"}, headers=admin)
    assert foreign.status_code == 403
    second = await client.post(url, json={"library": CODE, "participant_name": "Budi"}, headers=admin)
    assert second.status_code == 201
    check = await client.post(
        url,
        params={"dry_run": "true"},
        json={"library": "kedua", "participant_name": "Cici"},
        headers=client.bearer(**library_admin_of("kedua")),
    )
    assert check.status_code == 200 and [r["code"] for r in check.json()["reasons"]] == [
        "refuse_when_activity_full"
    ]
    # Cancelling frees a seat.
    assert (await client.delete(f"{url}/{second.json()['id']}", headers=admin)).json()[
        "status"
    ] == "cancelled"
    third = await client.post(
        url,
        json={"library": "kedua", "participant_name": "Cici"},
        headers=client.bearer(**library_admin_of("kedua")),
    )
    assert third.status_code == 201
    # A library admin sees their own registrations only; officers see all and record attendance.
    assert [r["participant_name"] for r in (await client.get(url, headers=admin)).json()] == [
        "Rina Pustakawati",
        "Budi",
    ]
    attendance = await client.post(
        f"/guidance/{activity['id']}/attendance",
        json={"present": [first.json()["id"], third.json()["id"]]},
        headers=client.bearer(**OFFICER),
    )
    assert attendance.status_code == 200, attendance.text
    assert sorted(r["participant_name"] for r in attendance.json() if r["attended"]) == [
        "Cici",
        "Rina Pustakawati",
    ]
    cancelled = await client.post(
        f"/guidance/{activity['id']}/attendance",
        json={"present": [second.json()["id"]]},
        headers=client.bearer(**OFFICER),
    )
    assert cancelled.status_code == 422
    counts = (await client.get(f"/guidance/{activity['id']}", headers=client.bearer(**OFFICER))).json()
    assert (counts["registered"], counts["attended"]) == (2, 2)


async def test_closed_or_cancelled_activities_take_no_registrations(client: ServiceClient) -> None:
    await create_library(client)
    past = datetime.now(UTC) - timedelta(days=1)
    closed = await published_activity(
        client, starts_at=past.isoformat(), ends_at=(past + timedelta(days=3)).isoformat(), capacity=None
    )
    admin = client.bearer(**library_admin_of(CODE))
    response = await client.post(
        f"/guidance/{closed['id']}/registrations",
        json={"library": CODE, "participant_name": "A B"},
        headers=admin,
    )
    assert reason_codes(response) == ["refuse_when_registration_closed"]
    other = await published_activity(client)
    await client.post(
        f"/guidance/{other['id']}/cancel", json={"note": "Ditunda"}, headers=client.bearer(**OFFICER)
    )
    response = await client.post(
        f"/guidance/{other['id']}/registrations",
        json={"library": CODE, "participant_name": "A B"},
        headers=admin,
    )
    assert reason_codes(response) == ["refuse_when_activity_not_published"]
    assert [e["name"] for e in await client.outbox_events() if "guidance" in e["name"]][
        -1
    ] == "accreditation.guidance.cancelled"


async def test_public_page_materials_and_calendar(client: ServiceClient) -> None:
    activity = await published_activity(client, capacity=None)
    officer = client.bearer(**OFFICER)
    slides = await client.post(
        f"/guidance/{activity['id']}/materials",
        files={"file": ("materi.pdf", b"%PDF-1.7 materi bimtek", "application/pdf")},
        data={"title": "Materi Bimtek", "public": "true"},
        headers=officer,
    )
    assert slides.status_code == 201, slides.text
    assert (slides.json()["title"], slides.json()["content_type"]) == ("Materi Bimtek", "application/pdf")
    internal = await client.post(
        f"/guidance/{activity['id']}/materials",
        params={"filename": "daftar-hadir.csv", "title": "Daftar hadir", "public": "false"},
        content=b"nama,hadir\n",
        headers={**officer, "Content-Type": "text/csv"},
    )
    assert internal.status_code == 201, internal.text

    listed = (await client.get("/public/guidance", params={"segment": "sekolah"})).json()
    assert listed["pagination"]["total_count"] == 1
    assert (await client.get("/public/guidance", params={"segment": "khusus"})).json()["pagination"][
        "total_count"
    ] == 0
    page = (await client.get(f"/public/guidance/{activity['id']}")).json()
    assert page["registration_open"] is True and page["seats_left"] is None
    [material] = page["materials"]
    download = await client.get(material["url"])
    assert download.status_code == 200 and download.content == b"%PDF-1.7 materi bimtek"
    assert (
        await client.get(f"/public/guidance/{activity['id']}/materials/{internal.json()['id']}")
    ).status_code == 404
    assert (
        await client.get(f"/guidance/{activity['id']}/materials/{internal.json()['id']}", headers=officer)
    ).content == b"nama,hadir\n"

    feed = await client.get("/public/guidance/calendar.ics")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    text = feed.text
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    unfolded = text.replace("\r\n ", "")
    assert f"UID:{activity['id']}@" in unfolded
    assert "SUMMARY:Bimtek Pengolahan Koleksi\\; Sekolah\\, Tingkat Dasar\r\n" in unfolded
    assert "DESCRIPTION:Katalogisasi dan klasifikasi DDC\\nuntuk perpustakaan sekolah\r\n" in unfolded
    starts = datetime.fromisoformat(activity["starts_at"]).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{starts}\r\n" in unfolded and "STATUS:CONFIRMED" in unfolded
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    single = await client.get(f"/public/guidance/{activity['id']}/calendar.ics")
    assert single.text.count("BEGIN:VEVENT") == 1


def test_ical_escaping_and_folding() -> None:
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = fold("DESCRIPTION:" + "é" * 80)
    lines = folded.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert all(line.startswith(" ") for line in lines[1:])
    assert "".join(line[1:] if i else line for i, line in enumerate(lines)) == "DESCRIPTION:" + "é" * 80
