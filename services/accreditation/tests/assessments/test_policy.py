"""Who may do what with an assessment, and how bad input is refused."""

from __future__ import annotations

from pusip_kit.testing.service import ServiceClient

from ..helpers import ASSESSOR, OFFICER, create_library, library_admin_of, publish_instrument, reason_codes

CODE = "perpustakaan-kelurahan-satu"
COUNTS = {"KOLEKSI": 1, "SARANA": 1, "PELAYANAN": 1, "TENAGA": 1, "PENYELENGGARAAN": 1, "PENGUATAN": 1}


async def setup(client: ServiceClient) -> str:
    await create_library(client, code=CODE, type="umum-desa", npp=None)
    await create_library(client, code="perpustakaan-lain", type="umum-desa", npp=None)
    await publish_instrument(client, "umum-desa", COUNTS)
    response = await client.post(
        "/assessments", json={"library": CODE}, headers=client.bearer(**library_admin_of(CODE))
    )
    assert response.status_code == 201, response.text
    return f"/assessments/{response.json()['id']}"


async def test_no_published_instrument_is_refused(client: ServiceClient) -> None:
    await create_library(client, code=CODE, type="khusus", npp=None)
    response = await client.post(
        "/assessments", json={"library": CODE}, headers=client.bearer(**library_admin_of(CODE))
    )
    assert response.status_code == 409 and reason_codes(response) == ["refuse_when_no_published_instrument"]


async def test_one_open_accreditation_per_library(client: ServiceClient) -> None:
    url = await setup(client)
    again = await client.post("/assessments", json={"library": CODE}, headers=client.bearer(**OFFICER))
    assert again.status_code == 409 and reason_codes(again) == ["refuse_when_assessment_open"]
    cancelled = await client.post(
        f"{url}/cancel", json={"note": "salah daftar"}, headers=client.bearer(**library_admin_of(CODE))
    )
    assert cancelled.json()["status"] == "cancelled"
    assert (
        await client.post("/assessments", json={"library": CODE}, headers=client.bearer(**OFFICER))
    ).status_code == 201


async def test_library_admins_only_see_and_edit_their_own(client: ServiceClient) -> None:
    url = await setup(client)
    other = client.bearer(**library_admin_of("perpustakaan-lain"))
    assert (await client.get(url, headers=other)).status_code == 403
    answer = {"answers": {"KOLEKSI.1": {"option": "a"}}}
    assert (await client.put(f"{url}/answers", json=answer, headers=other)).status_code == 403
    foreign = await client.post("/assessments", json={"library": CODE}, headers=other)
    assert foreign.status_code == 403 and foreign.json()["error"]["code"] == "not_your_library"
    listed = (await client.get("/assessments", headers=other)).json()
    assert listed["pagination"]["total_count"] == 0
    assert (await client.get("/assessments", headers=client.bearer(**library_admin_of(CODE)))).json()[
        "pagination"
    ]["total_count"] == 1
    # Assessors read, but do not fill in the self-assessment; the public sees nothing.
    assert (await client.get(url, headers=client.bearer(**ASSESSOR))).status_code == 200
    assert (
        await client.put(f"{url}/answers", json=answer, headers=client.bearer(**ASSESSOR))
    ).status_code == 403
    assert (await client.get(url)).status_code == 401


async def test_bad_answers_are_itemised(client: ServiceClient) -> None:
    url = await setup(client)
    response = await client.put(
        f"{url}/answers",
        json={
            "answers": {"KOLEKSI.1": {"option": "a"}, "NOPE.9": {"option": "a"}, "SARANA.1": {"option": "a"}}
        },
        headers=client.bearer(**library_admin_of(CODE)),
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "answers_invalid"
    assert [(p["indicator"], p["code"]) for p in error["details"]["problems"]] == [
        ("NOPE.9", "unknown_indicator")
    ]
    shape = await client.put(
        f"{url}/answers",
        json={"answers": {"KOLEKSI.1": {"option": "f"}}},
        headers=client.bearer(**library_admin_of(CODE)),
    )
    assert shape.status_code == 422


async def test_verification_needs_a_submission_and_a_note_to_return(client: ServiceClient) -> None:
    url = await setup(client)
    officer = client.bearer(**OFFICER)
    check = (await client.post(f"{url}/verify", params={"dry_run": "true"}, headers=officer)).json()
    assert check["allowed"] is False and check["reasons"][0]["code"] == "refuse_when_status_not_allowed"
    assert (await client.post(f"{url}/verify", headers=officer)).status_code == 409
    assert (await client.post(f"{url}/return", headers=officer)).status_code == 422
    assert (
        await client.post(f"{url}/verify", headers=client.bearer(**library_admin_of(CODE)))
    ).status_code == 403
    visit = await client.put(
        f"{url}/visit-scores",
        json={"answers": {"KOLEKSI.1": {"option": "a"}}},
        headers=client.bearer(**ASSESSOR),
    )
    assert visit.status_code == 409 and reason_codes(visit) == ["refuse_when_status_not_allowed"]


async def test_evidence_only_for_known_indicators_and_own_library(client: ServiceClient) -> None:
    url = await setup(client)
    admin = client.bearer(**library_admin_of(CODE))
    unknown = await client.post(
        f"{url}/evidence",
        params={"indicator": "NOPE.1", "filename": "x.txt"},
        content=b"hello",
        headers=admin,
    )
    assert unknown.status_code == 422
    raw = await client.post(
        f"{url}/evidence",
        params={"indicator": "koleksi.1", "filename": "foto.jpg"},
        content=b"\xff\xd8\xff\xe0" + b"0" * 100,
        headers={**admin, "Content-Type": "application/octet-stream"},
    )
    assert raw.status_code == 201, raw.text
    evidence = raw.json()
    assert (evidence["indicator_code"], evidence["content_type"], evidence["filename"]) == (
        "KOLEKSI.1",
        "image/jpeg",
        "foto.jpg",
    )
    other = client.bearer(**library_admin_of("perpustakaan-lain"))
    assert (await client.get(f"{url}/evidence/{evidence['id']}", headers=other)).status_code == 403
    empty = await client.post(
        f"{url}/evidence", params={"indicator": "KOLEKSI.1"}, content=b"", headers=admin
    )
    assert empty.status_code == 422
    deleted = await client.delete(f"{url}/evidence/{evidence['id']}", headers=admin)
    assert deleted.status_code == 204
    assert (await client.get(f"{url}/evidence", headers=admin)).json() == []
