"""Branches over HTTP: create, list, get, update, validation, roles and events."""

from __future__ import annotations

from typing import Any

import pytest

from pusip_kit.testing.service import ServiceClient

LIBRARIAN = {"roles": ["librarian"]}


def branch_payload(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "perpustakaan-kecamatan-tebet",
        "name": "Perpustakaan Kecamatan Tebet",
        "type": "perpustakaan_kecamatan",
        "city": "jakarta-selatan",
        "address": "Kecamatan Tebet, Jakarta Selatan",
        "phone": "(021) 555-0101",
        "email": "Tebet@Perpustakaan.example",
        "opening_hours": [
            {"day": "senin", "opens": "08:00", "closes": "12:00"},
            {"day": "senin", "opens": "13:00", "closes": "16:00"},
        ],
    }
    body.update(overrides)
    return body


async def create_branch(client: ServiceClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        "/branches", json=branch_payload(**overrides), headers=client.bearer(**LIBRARIAN)
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_then_get(client: ServiceClient) -> None:
    created = await create_branch(client)
    assert created["code"] == "perpustakaan-kecamatan-tebet"
    assert created["email"] == "tebet@perpustakaan.example"
    assert created["active"] is True
    assert created["opening_hours"][1] == {"day": "senin", "opens": "13:00:00", "closes": "16:00:00"}

    response = await client.get("/branches/perpustakaan-kecamatan-tebet")  # public read
    assert response.status_code == 200
    assert response.json()["id"] == created["id"]


async def test_create_writes_event_in_same_transaction(client: ServiceClient) -> None:
    created = await create_branch(client)
    events = await client.outbox_events("catalog.branch.created")
    assert len(events) == 1
    event = events[0]
    assert event["key"] == "perpustakaan-kecamatan-tebet"
    assert event["producer"] == "catalog"
    assert event["payload"]["id"] == created["id"]
    assert event["payload"]["name"] == "Perpustakaan Kecamatan Tebet"
    assert event["payload"]["active"] is True


async def test_failed_create_writes_no_event(client: ServiceClient) -> None:
    await create_branch(client)
    duplicate = await client.post("/branches", json=branch_payload(), headers=client.bearer(**LIBRARIAN))
    assert duplicate.status_code == 409
    invalid = await client.post(
        "/branches", json=branch_payload(code="x", city="bandung"), headers=client.bearer(**LIBRARIAN)
    )
    assert invalid.status_code == 422
    assert len(await client.outbox_events()) == 1


async def test_duplicate_code_is_409(client: ServiceClient) -> None:
    await create_branch(client)
    response = await client.post(
        "/branches", json=branch_payload(name="Lain"), headers=client.bearer(**LIBRARIAN)
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "branch_code_taken"
    assert "sudah dipakai" in error["message"]
    assert "already taken" in error["message_en"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"code": "Bukan Slug!"},
        {"code": "a"},
        {"type": "perpustakaan_bulan"},
        {"city": "bandung"},
        {"email": "bukan-email"},
        {"phone": "telepon"},
        {"name": ""},
        {"opening_hours": [{"day": "senin", "opens": "16:00", "closes": "08:00"}]},
        {"opening_hours": [{"day": "funday", "opens": "08:00", "closes": "16:00"}]},
        {
            "opening_hours": [
                {"day": "rabu", "opens": "08:00", "closes": "12:00"},
                {"day": "rabu", "opens": "11:00", "closes": "15:00"},
            ]
        },
        {"unknown_field": 1},
    ],
)
async def test_invalid_payload_is_422(client: ServiceClient, overrides: dict[str, Any]) -> None:
    response = await client.post(
        "/branches", json=branch_payload(**overrides), headers=client.bearer(**LIBRARIAN)
    )
    assert response.status_code == 422, response.text
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    assert body["message"] == "Isian tidak valid"


async def test_missing_required_field_is_422(client: ServiceClient) -> None:
    body = branch_payload()
    del body["city"]
    response = await client.post("/branches", json=body, headers=client.bearer(**LIBRARIAN))
    assert response.status_code == 422


async def test_unknown_branch_is_404(client: ServiceClient) -> None:
    response = await client.get("/branches/tidak-ada")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "branch_not_found"
    response = await client.patch(
        "/branches/tidak-ada", json={"name": "X Y"}, headers=client.bearer(**LIBRARIAN)
    )
    assert response.status_code == 404


async def test_write_without_token_is_401(client: ServiceClient) -> None:
    response = await client.post("/branches", json=branch_payload())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_required"
    response = await client.patch("/branches/abc", json={"name": "Nama Baru"})
    assert response.status_code == 401


async def test_bad_token_is_401_even_on_public_read(client: ServiceClient) -> None:
    response = await client.get("/branches", headers={"Authorization": "Bearer not.a.token"})
    assert response.status_code == 401


@pytest.mark.parametrize("roles", [["patron"], ["cataloger"], ["archivist"], []])
async def test_write_with_wrong_role_is_403(client: ServiceClient, roles: list[str]) -> None:
    response = await client.post("/branches", json=branch_payload(), headers=client.bearer(roles=roles))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "missing_role"


async def test_admin_may_write(client: ServiceClient) -> None:
    response = await client.post("/branches", json=branch_payload(), headers=client.bearer(roles=["admin"]))
    assert response.status_code == 201


async def test_update_changes_fields_and_emits_event(client: ServiceClient) -> None:
    await create_branch(client)
    response = await client.patch(
        "/branches/perpustakaan-kecamatan-tebet",
        json={"name": "Perpustakaan Kecamatan Tebet (Renovasi)", "active": False},
        headers=client.bearer(**LIBRARIAN),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "Perpustakaan Kecamatan Tebet (Renovasi)"
    assert body["active"] is False
    assert body["code"] == "perpustakaan-kecamatan-tebet"

    events = await client.outbox_events("catalog.branch.updated")
    assert len(events) == 1
    assert events[0]["payload"]["changed"] == ["active", "name"]
    assert events[0]["payload"]["active"] is False


async def test_update_without_change_emits_nothing(client: ServiceClient) -> None:
    created = await create_branch(client)
    response = await client.patch(
        "/branches/perpustakaan-kecamatan-tebet",
        json={"name": created["name"]},
        headers=client.bearer(**LIBRARIAN),
    )
    assert response.status_code == 200
    assert await client.outbox_events("catalog.branch.updated") == []


async def test_update_refuses_code_change_and_nulls(client: ServiceClient) -> None:
    await create_branch(client)
    for body in ({"code": "kode-baru"}, {"name": None}, {"city": "bandung"}):
        response = await client.patch(
            "/branches/perpustakaan-kecamatan-tebet", json=body, headers=client.bearer(**LIBRARIAN)
        )
        assert response.status_code == 422, body


async def test_update_with_wrong_role_is_403(client: ServiceClient) -> None:
    await create_branch(client)
    response = await client.patch(
        "/branches/perpustakaan-kecamatan-tebet",
        json={"name": "Nama Baru"},
        headers=client.bearer(roles=["patron"]),
    )
    assert response.status_code == 403


async def test_inactive_branch_hidden_from_public_but_not_staff(client: ServiceClient) -> None:
    await create_branch(client, active=False)
    assert (await client.get("/branches/perpustakaan-kecamatan-tebet")).status_code == 404
    public = await client.get("/branches")
    assert public.json()["pagination"]["total_count"] == 0
    staff = await client.get("/branches/perpustakaan-kecamatan-tebet", headers=client.bearer(**LIBRARIAN))
    assert staff.status_code == 200
    listed = await client.get("/branches", params={"active": "false"}, headers=client.bearer(**LIBRARIAN))
    assert [b["code"] for b in listed.json()["items"]] == ["perpustakaan-kecamatan-tebet"]


async def test_list_paginates(client: ServiceClient) -> None:
    for i in range(5):
        await create_branch(client, code=f"cabang-{i}", name=f"Cabang {i}")
    first = await client.get("/branches", params={"limit": 2})
    body = first.json()
    assert [b["code"] for b in body["items"]] == ["cabang-0", "cabang-1"]
    assert body["pagination"] == {"total_count": 5, "page": 1, "limit": 2, "max_page": 3}
    last = await client.get("/branches", params={"limit": 2, "page": 3})
    assert [b["code"] for b in last.json()["items"]] == ["cabang-4"]
    assert (await client.get("/branches", params={"limit": 1000})).status_code == 422
    assert (await client.get("/branches", params={"page": 0})).status_code == 422


async def test_list_filters(client: ServiceClient) -> None:
    await create_branch(
        client,
        code="kota-utara",
        name="Perpustakaan Kota Jakarta Utara",
        type="perpustakaan_kota",
        city="jakarta-utara",
    )
    await create_branch(client, code="kec-koja", name="Perpustakaan Kecamatan Koja", city="jakarta-utara")
    await create_branch(
        client, code="rptra-kalijodo", name="RPTRA Kalijodo", type="rptra", city="jakarta-barat"
    )

    async def codes(**params: str) -> list[str]:
        response = await client.get("/branches", params=params)
        assert response.status_code == 200, response.text
        return sorted(b["code"] for b in response.json()["items"])

    assert await codes(city="jakarta-utara") == ["kec-koja", "kota-utara"]
    assert await codes(type="rptra") == ["rptra-kalijodo"]
    assert await codes(city="jakarta-utara", type="perpustakaan_kota") == ["kota-utara"]
    assert await codes(q="koja") == ["kec-koja"]
    assert await codes(q="KALIJODO") == ["rptra-kalijodo"]
    assert (await client.get("/branches", params={"city": "bandung"})).status_code == 422
