"""Classification codes over HTTP: hierarchy, validation, roles, events."""

from __future__ import annotations

from typing import Any

import pytest

from pusip_kit.testing.service import ServiceClient

ARCHIVIST = {"roles": ["archivist"]}
SCHEME = "permendagri-83-2022"


async def create_code(
    client: ServiceClient, code: str, title: str | None = None, **extra: Any
) -> dict[str, Any]:
    body = {"code": code, "title": title or f"Judul {code}", "scheme_version": SCHEME, **extra}
    response = await client.post("/classification-codes", json=body, headers=client.bearer(**ARCHIVIST))
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_hierarchy_and_get(client: ServiceClient) -> None:
    root = await create_code(client, "000", "Umum")
    child = await create_code(client, "000.1", "Lambang")
    grandchild = await create_code(client, "000.1.1", "Garuda", description="Lambang negara")
    assert (root["parent_code"], root["level"]) == (None, 1)
    assert (child["parent_code"], child["level"]) == ("000", 2)
    assert (grandchild["parent_code"], grandchild["level"]) == ("000.1", 3)
    response = await client.get(
        "/classification-codes/000.1.1", headers=client.bearer(roles=["records_creator"])
    )
    assert response.status_code == 200
    assert response.json() == grandchild


async def test_letter_codes(client: ServiceClient) -> None:
    await create_code(client, "KP", "Kepegawaian")
    await create_code(client, "kp.01", "Formasi")
    created = await create_code(client, "KP.01.02", "Pengadaan", parent_code="KP.01")
    assert created["parent_code"] == "KP.01"
    assert (
        await client.get("/classification-codes/kp.01.02", headers=client.bearer(**ARCHIVIST))
    ).status_code == 200


async def test_three_digit_decimal_hierarchy(client: ServiceClient) -> None:
    await create_code(client, "000", "Umum")
    await create_code(client, "010", "Urusan Dalam")
    created = await create_code(client, "012", "Rumah Dinas")
    assert (created["parent_code"], created["level"]) == ("010", 3)


async def test_child_without_parent_is_refused_with_a_reason(client: ServiceClient) -> None:
    response = await client.post(
        "/classification-codes",
        json={"code": "000.1.1", "title": "Garuda", "scheme_version": SCHEME},
        headers=client.bearer(**ARCHIVIST),
    )
    assert response.status_code == 409
    error = response.json()["error"]
    [reason] = error["details"]["reasons"]
    assert reason["code"] == "refuse_when_parent_missing"
    assert reason["details"] == {"code": "000.1.1", "parent_code": "000.1"}
    assert "000.1" in reason["message"] and "000.1" in reason["message_en"]
    assert await client.outbox_events() == []


async def test_child_of_inactive_parent_is_refused(client: ServiceClient) -> None:
    await create_code(client, "100", "Pemerintahan", active=False)
    response = await client.post(
        "/classification-codes",
        json={"code": "110", "title": "Pemerintahan Pusat", "scheme_version": SCHEME},
        headers=client.bearer(**ARCHIVIST),
    )
    assert response.status_code == 409
    assert response.json()["error"]["details"]["reasons"][0]["code"] == "refuse_when_parent_inactive"


async def test_parent_code_must_match_the_code(client: ServiceClient) -> None:
    await create_code(client, "000")
    await create_code(client, "100")
    response = await client.post(
        "/classification-codes",
        json={"code": "000.1", "parent_code": "100", "title": "Salah induk", "scheme_version": SCHEME},
        headers=client.bearer(**ARCHIVIST),
    )
    assert response.status_code == 422
    assert "000" in str(response.json()["error"]["details"])


@pytest.mark.parametrize(
    "body",
    [
        {"code": "0001", "title": "Empat digit", "scheme_version": SCHEME},
        {"code": "KP-01", "title": "Tanda hubung", "scheme_version": SCHEME},
        {"code": "000", "title": "", "scheme_version": SCHEME},
        {"code": "000", "title": "Tanpa skema"},
        {"code": "000", "title": "Skema aneh", "scheme_version": "!!"},
        {"code": "000", "title": "Field asing", "scheme_version": SCHEME, "retensi": 5},
    ],
)
async def test_invalid_payload_is_422(client: ServiceClient, body: dict[str, Any]) -> None:
    response = await client.post("/classification-codes", json=body, headers=client.bearer(**ARCHIVIST))
    assert response.status_code == 422, response.text


async def test_duplicate_code_is_409(client: ServiceClient) -> None:
    await create_code(client, "000")
    response = await client.post(
        "/classification-codes",
        json={"code": " 000 ", "title": "Lagi", "scheme_version": SCHEME},
        headers=client.bearer(**ARCHIVIST),
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "classification_code_taken"


async def test_not_found_is_404(client: ServiceClient) -> None:
    for path in ("/classification-codes/999", "/classification-codes/bukan kode"):
        response = await client.get(path, headers=client.bearer(**ARCHIVIST))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "classification_code_not_found"
    response = await client.patch(
        "/classification-codes/999", json={"title": "X Y"}, headers=client.bearer(**ARCHIVIST)
    )
    assert response.status_code == 404


async def test_reads_need_a_token_writes_need_archivist(client: ServiceClient) -> None:
    assert (await client.get("/classification-codes")).status_code == 401
    assert (await client.get("/classification-codes/000")).status_code == 401
    body = {"code": "000", "title": "Umum", "scheme_version": SCHEME}
    assert (await client.post("/classification-codes", json=body)).status_code == 401
    for roles in (["records_creator"], ["librarian"], ["patron"]):
        response = await client.post("/classification-codes", json=body, headers=client.bearer(roles=roles))
        assert response.status_code == 403
    assert (
        await client.post("/classification-codes", json=body, headers=client.bearer(roles=["admin"]))
    ).status_code == 201
    response = await client.patch(
        "/classification-codes/000", json={"title": "X Y"}, headers=client.bearer(roles=["patron"])
    )
    assert response.status_code == 403


async def test_events_on_create_and_update(client: ServiceClient) -> None:
    created = await create_code(client, "000", "Umum")
    [event] = await client.outbox_events("archive.classification_code.created")
    assert event["key"] == "000"
    assert event["payload"]["id"] == created["id"]
    response = await client.patch(
        "/classification-codes/000",
        json={"title": "UMUM", "description": "Pokok masalah umum"},
        headers=client.bearer(**ARCHIVIST),
    )
    assert response.status_code == 200
    assert response.json()["title"] == "UMUM"
    [update] = await client.outbox_events("archive.classification_code.updated")
    assert update["payload"]["changed"] == ["description", "title"]
    again = await client.patch(
        "/classification-codes/000", json={"title": "UMUM"}, headers=client.bearer(**ARCHIVIST)
    )
    assert again.status_code == 200
    assert len(await client.outbox_events("archive.classification_code.updated")) == 1


async def test_update_cannot_change_code_or_parent(client: ServiceClient) -> None:
    await create_code(client, "000")
    for body in ({"code": "001"}, {"parent_code": "100"}, {"title": None}):
        response = await client.patch(
            "/classification-codes/000", json=body, headers=client.bearer(**ARCHIVIST)
        )
        assert response.status_code == 422, body


async def test_deactivating_a_code_with_active_children_is_refused(client: ServiceClient) -> None:
    await create_code(client, "000")
    await create_code(client, "000.1")
    response = await client.patch(
        "/classification-codes/000", json={"active": False}, headers=client.bearer(**ARCHIVIST)
    )
    assert response.status_code == 409
    assert response.json()["error"]["details"]["reasons"][0]["code"] == "refuse_when_children_active"
    assert (
        await client.patch(
            "/classification-codes/000.1", json={"active": False}, headers=client.bearer(**ARCHIVIST)
        )
    ).status_code == 200
    assert (
        await client.patch(
            "/classification-codes/000", json={"active": False}, headers=client.bearer(**ARCHIVIST)
        )
    ).status_code == 200


async def test_list_filters_and_paginates(client: ServiceClient) -> None:
    for code, title in [
        ("000", "Umum"),
        ("001", "Lambang"),
        ("010", "Urusan Dalam"),
        ("100", "Pemerintahan"),
        ("110", "Pemerintahan Pusat"),
        ("KP", "Kepegawaian"),
        ("KP.01", "Formasi Pegawai"),
    ]:
        await create_code(client, code, title)

    async def codes(**params: Any) -> list[str]:
        response = await client.get(
            "/classification-codes", params=params, headers=client.bearer(roles=["records_creator"])
        )
        assert response.status_code == 200, response.text
        return [c["code"] for c in response.json()["items"]]

    assert await codes(root="true") == ["000", "100", "KP"]
    assert await codes(parent_code="000") == ["001", "010"]
    assert await codes(parent_code="kp") == ["KP.01"]
    assert await codes(level=2) == ["001", "010", "110", "KP.01"]
    assert await codes(q="pemerintahan") == ["100", "110"]
    assert await codes(q="kp") == ["KP", "KP.01"]
    assert await codes(limit=3, page=3) == ["KP.01"]
    page = (
        await client.get("/classification-codes", params={"limit": 3}, headers=client.bearer(**ARCHIVIST))
    ).json()
    assert page["pagination"] == {"total_count": 7, "page": 1, "limit": 3, "max_page": 3}
