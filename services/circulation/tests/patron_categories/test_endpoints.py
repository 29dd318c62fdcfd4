"""Patron categories over HTTP: create, list, get, update, validation, roles and events."""

from __future__ import annotations

from typing import Any

import pytest

from pusip_kit.testing.service import ServiceClient

LIBRARIAN = {"roles": ["librarian"]}


def category_payload(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "pelajar",
        "name": "Pelajar",
        "name_en": "School student",
        "min_age": 6,
        "max_age": 21,
        "membership_validity_months": 12,
    }
    body.update(overrides)
    return body


async def create_category(client: ServiceClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        "/patron-categories", json=category_payload(**overrides), headers=client.bearer(**LIBRARIAN)
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_then_get(client: ServiceClient) -> None:
    created = await create_category(client, code=" Pelajar ")
    assert created["code"] == "pelajar"
    assert created["active"] is True
    response = await client.get("/patron-categories/pelajar")
    assert response.status_code == 200
    assert response.json() == created


async def test_create_emits_event_once(client: ServiceClient) -> None:
    created = await create_category(client)
    events = await client.outbox_events("circulation.patron_category.created")
    assert [e["payload"]["id"] for e in events] == [created["id"]]
    assert events[0]["key"] == "pelajar"


async def test_failed_requests_emit_no_event(client: ServiceClient) -> None:
    await create_category(client)
    assert (
        await client.post("/patron-categories", json=category_payload(), headers=client.bearer(**LIBRARIAN))
    ).status_code == 409
    assert (
        await client.patch(
            "/patron-categories/pelajar", json={"min_age": 30}, headers=client.bearer(**LIBRARIAN)
        )
    ).status_code == 409
    assert (
        await client.post(
            "/patron-categories", json=category_payload(code="x"), headers=client.bearer(**LIBRARIAN)
        )
    ).status_code == 422
    assert len(await client.outbox_events()) == 1


async def test_duplicate_code_is_409(client: ServiceClient) -> None:
    await create_category(client)
    response = await client.post(
        "/patron-categories", json=category_payload(name="Siswa"), headers=client.bearer(**LIBRARIAN)
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "patron_category_code_taken"


@pytest.mark.parametrize(
    "overrides",
    [
        {"code": "bukan slug"},
        {"min_age": 30, "max_age": 20},
        {"min_age": -1},
        {"max_age": 200},
        {"membership_validity_months": 0},
        {"membership_validity_months": 121},
        {"name_en": ""},
        {"extra": True},
    ],
)
async def test_invalid_payload_is_422(client: ServiceClient, overrides: dict[str, Any]) -> None:
    response = await client.post(
        "/patron-categories", json=category_payload(**overrides), headers=client.bearer(**LIBRARIAN)
    )
    assert response.status_code == 422, response.text


async def test_unknown_category_is_404(client: ServiceClient) -> None:
    response = await client.get("/patron-categories/tidak-ada")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "patron_category_not_found"
    response = await client.patch(
        "/patron-categories/tidak-ada", json={"name": "Baru"}, headers=client.bearer(**LIBRARIAN)
    )
    assert response.status_code == 404


async def test_write_without_token_is_401(client: ServiceClient) -> None:
    assert (await client.post("/patron-categories", json=category_payload())).status_code == 401
    assert (await client.patch("/patron-categories/pelajar", json={"name": "X Y"})).status_code == 401


@pytest.mark.parametrize("roles", [["patron"], ["cataloger"], ["deposit_officer"]])
async def test_write_with_wrong_role_is_403(client: ServiceClient, roles: list[str]) -> None:
    response = await client.post(
        "/patron-categories", json=category_payload(), headers=client.bearer(roles=roles)
    )
    assert response.status_code == 403
    await create_category(client)
    response = await client.patch(
        "/patron-categories/pelajar", json={"name": "Siswa"}, headers=client.bearer(roles=roles)
    )
    assert response.status_code == 403


async def test_update_and_event(client: ServiceClient) -> None:
    await create_category(client)
    response = await client.patch(
        "/patron-categories/pelajar",
        json={"max_age": 25, "membership_validity_months": 24},
        headers=client.bearer(roles=["admin"]),
    )
    assert response.status_code == 200, response.text
    assert response.json()["max_age"] == 25
    events = await client.outbox_events("circulation.patron_category.updated")
    assert len(events) == 1
    assert events[0]["payload"]["changed"] == ["max_age", "membership_validity_months"]


async def test_update_refuses_inverted_age_range_with_a_named_reason(client: ServiceClient) -> None:
    await create_category(client)
    response = await client.patch(
        "/patron-categories/pelajar", json={"min_age": 30}, headers=client.bearer(**LIBRARIAN)
    )
    assert response.status_code == 409
    reasons = response.json()["error"]["details"]["reasons"]
    assert [r["code"] for r in reasons] == ["refuse_when_age_range_inverted"]
    # Clearing the maximum makes the range open-ended, which is fine.
    response = await client.patch(
        "/patron-categories/pelajar",
        json={"min_age": 30, "max_age": None},
        headers=client.bearer(**LIBRARIAN),
    )
    assert response.status_code == 200
    assert response.json()["max_age"] is None


async def test_retired_category_visible_to_staff_only(client: ServiceClient) -> None:
    await create_category(client, active=False)
    assert (await client.get("/patron-categories/pelajar")).status_code == 404
    assert (
        await client.get("/patron-categories/pelajar", headers=client.bearer(**LIBRARIAN))
    ).status_code == 200
    assert (await client.get("/patron-categories")).json()["items"] == []


async def test_list_paginates_and_filters(client: ServiceClient) -> None:
    await create_category(client, code="anak", name="Anak", name_en="Child", min_age=0, max_age=12)
    await create_category(client, code="pelajar")
    await create_category(
        client, code="umum", name="Umum", name_en="General public", min_age=17, max_age=None
    )
    await create_category(client, code="lansia", name="Lansia", name_en="Senior", min_age=60, max_age=None)

    page = (await client.get("/patron-categories", params={"limit": 3})).json()
    assert [c["code"] for c in page["items"]] == ["anak", "lansia", "pelajar"]
    assert page["pagination"]["max_page"] == 2
    page2 = (await client.get("/patron-categories", params={"limit": 3, "page": 2})).json()
    assert [c["code"] for c in page2["items"]] == ["umum"]

    async def codes(**params: Any) -> list[str]:
        response = await client.get("/patron-categories", params=params)
        assert response.status_code == 200
        return [c["code"] for c in response.json()["items"]]

    assert await codes(age=10) == ["anak", "pelajar"]
    assert await codes(age=65) == ["lansia", "umum"]
    assert await codes(q="senior") == ["lansia"]
