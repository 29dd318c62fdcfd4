"""Libraries over HTTP: officers manage all, a library admin only their own library's profile."""

from __future__ import annotations

from typing import Any

import pytest

from pusip_kit.testing.service import ServiceClient

OFFICER = {"roles": ["accreditation_officer"]}


def library_payload(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "perpustakaan-sd-contoh-01",
        "name": "Perpustakaan SD Contoh 01",
        "type": "sekolah",
        "npp": "3171-0123-4567-0001",
        "owner_agency": "SD Negeri Contoh 01",
        "city": "jakarta-timur",
        "address": "Jakarta Timur",
        "collection_size": 2500,
    }
    body.update(overrides)
    return body


async def create_library(client: ServiceClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        "/libraries", json=library_payload(**overrides), headers=client.bearer(**OFFICER)
    )
    assert response.status_code == 201, response.text
    return response.json()


def library_admin_of(code: str) -> dict[str, Any]:
    return {"roles": ["library_admin"], "unit": code}


async def test_create_then_get(client: ServiceClient) -> None:
    created = await create_library(client)
    assert created["npp"] == "3171012345670001"
    assert created["active"] is True
    response = await client.get(
        "/libraries/perpustakaan-sd-contoh-01", headers=client.bearer(roles=["assessor"])
    )
    assert response.status_code == 200
    assert response.json() == created


async def test_npp_is_optional(client: ServiceClient) -> None:
    created = await create_library(client, npp=None, code="tanpa-npp")
    assert created["npp"] is None
    other = await create_library(client, code="tanpa-npp-2")
    assert other["npp"] == "3171012345670001"


async def test_create_emits_event_and_failures_do_not(client: ServiceClient) -> None:
    created = await create_library(client)
    again = await client.post("/libraries", json=library_payload(), headers=client.bearer(**OFFICER))
    assert again.status_code == 409
    invalid = await client.post(
        "/libraries", json=library_payload(type="toko"), headers=client.bearer(**OFFICER)
    )
    assert invalid.status_code == 422
    [event] = await client.outbox_events()
    assert event["name"] == "accreditation.library.created"
    assert event["payload"]["id"] == created["id"]
    assert event["key"] == "perpustakaan-sd-contoh-01"


async def test_duplicate_code_or_npp_is_409(client: ServiceClient) -> None:
    await create_library(client)
    same_code = await client.post(
        "/libraries", json=library_payload(npp=None), headers=client.bearer(**OFFICER)
    )
    assert same_code.status_code == 409
    assert same_code.json()["error"]["code"] == "library_code_taken"
    same_npp = await client.post(
        "/libraries",
        json=library_payload(code="lain", npp="3171012345670001"),
        headers=client.bearer(**OFFICER),
    )
    assert same_npp.status_code == 409
    assert same_npp.json()["error"]["code"] == "library_npp_taken"


@pytest.mark.parametrize(
    "overrides",
    [
        {"code": "Perpus SD"},
        {"type": "umum"},
        {"city": "depok"},
        {"npp": "12"},
        {"npp": "3171/0123"},
        {"collection_size": -1},
        {"name": "x"},
        {"accredited": True},
    ],
)
async def test_invalid_payload_is_422(client: ServiceClient, overrides: dict[str, Any]) -> None:
    response = await client.post(
        "/libraries", json=library_payload(**overrides), headers=client.bearer(**OFFICER)
    )
    assert response.status_code == 422, response.text


async def test_not_found_is_404(client: ServiceClient) -> None:
    response = await client.get("/libraries/tidak-ada", headers=client.bearer(**OFFICER))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "library_not_found"
    response = await client.patch(
        "/libraries/tidak-ada", json={"collection_size": 1}, headers=client.bearer(**OFFICER)
    )
    assert response.status_code == 404


async def test_no_token_is_401(client: ServiceClient) -> None:
    assert (await client.get("/libraries")).status_code == 401
    assert (await client.post("/libraries", json=library_payload())).status_code == 401
    assert (await client.patch("/libraries/x", json={"collection_size": 1})).status_code == 401


@pytest.mark.parametrize("roles", [["assessor"], ["librarian"], ["library_admin"]])
async def test_create_with_wrong_role_is_403(client: ServiceClient, roles: list[str]) -> None:
    response = await client.post(
        "/libraries",
        json=library_payload(),
        headers=client.bearer(roles=roles, unit="perpustakaan-sd-contoh-01"),
    )
    assert response.status_code == 403


async def test_officer_updates_any_field(client: ServiceClient) -> None:
    await create_library(client)
    response = await client.patch(
        "/libraries/perpustakaan-sd-contoh-01",
        json={"type": "umum-desa", "city": "jakarta-pusat", "active": False, "npp": None},
        headers=client.bearer(**OFFICER),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["type"], body["city"], body["active"], body["npp"]) == (
        "umum-desa",
        "jakarta-pusat",
        False,
        None,
    )
    [event] = await client.outbox_events("accreditation.library.updated")
    assert event["payload"]["changed"] == ["active", "city", "npp", "type"]


async def test_library_admin_updates_own_profile(client: ServiceClient) -> None:
    await create_library(client)
    response = await client.patch(
        "/libraries/perpustakaan-sd-contoh-01",
        json={"collection_size": 3100, "address": "Jl. Contoh, Jakarta Timur"},
        headers=client.bearer(**library_admin_of("perpustakaan-sd-contoh-01")),
    )
    assert response.status_code == 200, response.text
    assert response.json()["collection_size"] == 3100
    assert len(await client.outbox_events("accreditation.library.updated")) == 1


async def test_library_admin_cannot_touch_another_library(client: ServiceClient) -> None:
    await create_library(client)
    await create_library(client, code="perpustakaan-lain", npp=None)
    response = await client.patch(
        "/libraries/perpustakaan-lain",
        json={"collection_size": 1},
        headers=client.bearer(**library_admin_of("perpustakaan-sd-contoh-01")),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_your_library"
    no_unit = await client.patch(
        "/libraries/perpustakaan-lain",
        json={"collection_size": 1},
        headers=client.bearer(roles=["library_admin"]),
    )
    assert no_unit.status_code == 403
    assert await client.outbox_events("accreditation.library.updated") == []


async def test_library_admin_cannot_change_officer_fields(client: ServiceClient) -> None:
    await create_library(client)
    response = await client.patch(
        "/libraries/perpustakaan-sd-contoh-01",
        json={"type": "perguruan-tinggi", "npp": "99999999", "collection_size": 5},
        headers=client.bearer(**library_admin_of("perpustakaan-sd-contoh-01")),
    )
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "field_not_editable"
    assert error["details"]["fields"] == ["npp", "type"]
    unchanged = (
        await client.get("/libraries/perpustakaan-sd-contoh-01", headers=client.bearer(**OFFICER))
    ).json()
    assert unchanged["collection_size"] == 2500


async def test_update_npp_conflict_and_nulls(client: ServiceClient) -> None:
    await create_library(client)
    await create_library(client, code="kedua", npp="31710000000002")
    taken = await client.patch(
        "/libraries/kedua", json={"npp": "3171012345670001"}, headers=client.bearer(**OFFICER)
    )
    assert taken.status_code == 409
    for body in ({"code": "baru"}, {"name": None}, {"collection_size": None}):
        response = await client.patch("/libraries/kedua", json=body, headers=client.bearer(**OFFICER))
        assert response.status_code == 422, body


async def test_list_filters_and_paginates(client: ServiceClient) -> None:
    await create_library(
        client,
        code="prov",
        name="Perpustakaan Provinsi",
        type="umum-provinsi",
        city="jakarta-pusat",
        npp="11111111",
    )
    await create_library(
        client,
        code="kec-koja",
        name="Perpustakaan Kecamatan Koja",
        type="umum-kecamatan",
        city="jakarta-utara",
        npp=None,
    )
    await create_library(
        client,
        code="sd-01",
        name="Perpustakaan SD 01",
        type="sekolah",
        city="jakarta-utara",
        npp="22222222",
        owner_agency="SDN Koja 01",
    )
    await create_library(
        client,
        code="pt-01",
        name="Perpustakaan Universitas Contoh",
        type="perguruan-tinggi",
        city="jakarta-selatan",
        npp=None,
        active=False,
    )

    async def codes(**params: Any) -> list[str]:
        response = await client.get(
            "/libraries", params=params, headers=client.bearer(roles=["library_admin"])
        )
        assert response.status_code == 200, response.text
        return sorted(x["code"] for x in response.json()["items"])

    assert await codes(city="jakarta-utara") == ["kec-koja", "sd-01"]
    assert await codes(type="sekolah") == ["sd-01"]
    assert await codes(has_npp="true") == ["prov", "sd-01"]
    assert await codes(has_npp="false") == ["kec-koja", "pt-01"]
    assert await codes(active="false") == ["pt-01"]
    assert await codes(q="koja") == ["kec-koja", "sd-01"]
    assert await codes(q="22222222") == ["sd-01"]
    page = (
        await client.get("/libraries", params={"limit": 3, "page": 2}, headers=client.bearer(**OFFICER))
    ).json()
    assert page["pagination"] == {"total_count": 4, "page": 2, "limit": 3, "max_page": 2}
    assert len(page["items"]) == 1
