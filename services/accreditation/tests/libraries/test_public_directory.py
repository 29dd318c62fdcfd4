"""The public library directory: no token, active libraries only, the grade in force, no internals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pusip_kit.testing.service import ServiceClient

from ..helpers import OFFICER, create_library


async def test_directory_needs_no_token_and_shows_the_grade_in_force(client: ServiceClient) -> None:
    await create_library(client, code="perpus-a", name="Perpustakaan Anggrek", city="jakarta-timur")
    await create_library(
        client,
        code="perpus-b",
        name="Perpustakaan Bougenvil",
        npp=None,
        city="jakarta-barat",
        type="umum-desa",
    )
    await create_library(client, code="perpus-c", name="Perpustakaan Cempaka", npp=None, active=False)
    today = datetime.now(UTC).date()
    for code, grade, valid_until in (
        ("perpus-a", "B", today + timedelta(days=300)),
        ("perpus-b", "A", today - timedelta(days=1)),  # expired: no grade in force
    ):
        response = await client.post(
            f"/libraries/{code}/accreditations",
            json={
                "grade": grade,
                "accredited_on": (valid_until - timedelta(days=5 * 365)).isoformat(),
                "valid_until": valid_until.isoformat(),
            },
            headers=client.bearer(**OFFICER),
        )
        assert response.status_code == 201, response.text

    response = await client.get("/public/libraries")
    assert response.status_code == 200, response.text
    page = response.json()
    assert [x["code"] for x in page["items"]] == ["perpus-a", "perpus-b"]  # the inactive one is left out
    assert page["pagination"]["total_count"] == 2
    first, second = page["items"]
    assert first["grade"] == "B" and first["accredited_until"] == (today + timedelta(days=300)).isoformat()
    assert second["grade"] is None and second["accredited_until"] is None
    for internal in ("id", "npp", "head_name", "data_confirmed_at", "active"):
        assert internal not in first

    filtered = (await client.get("/public/libraries", params={"city": "jakarta-barat"})).json()
    assert [x["code"] for x in filtered["items"]] == ["perpus-b"]
    by_type = (await client.get("/public/libraries", params={"type": "umum-desa", "q": "bougen"})).json()
    assert [x["code"] for x in by_type["items"]] == ["perpus-b"]
    assert (await client.get("/public/libraries", params={"city": "bogor"})).status_code == 422
