"""Depositors over HTTP: self-registration, review by a deposit officer, visibility, events."""

from __future__ import annotations

from typing import Any

import pytest

from pusip_kit.testing.service import ServiceClient

PUBLISHER = {"roles": ["publisher"], "sub": "penerbit-1"}
OTHER_PUBLISHER = {"roles": ["publisher"], "sub": "penerbit-2"}
OFFICER = {"roles": ["deposit_officer"], "sub": "petugas-1", "username": "petugas.serahsimpan"}


def depositor_payload(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "penerbit",
        "name": "Penerbit Uji Coba",
        "legal_identity_kind": "nib",
        "legal_identity_number": "1234 5678 90123",
        "domicile_province": "DKI Jakarta",
        "domicile_city": "Jakarta Selatan",
        "email": "Redaksi@UjiCoba.example",
        "contacts": [{"name": "Sari", "position": "Redaktur", "phone": "+62 21 5550101"}],
        "isbn_prefixes": ["978-623-7654"],
    }
    body.update(overrides)
    return body


async def register(
    client: ServiceClient, who: dict[str, Any] = PUBLISHER, **overrides: Any
) -> dict[str, Any]:
    response = await client.post(
        "/depositors", json=depositor_payload(**overrides), headers=client.bearer(**who)
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_self_registration_is_pending_and_owned(client: ServiceClient) -> None:
    created = await register(client)
    assert created["status"] == "pending"
    assert created["owner_subject"] == "penerbit-1"
    assert created["legal_identity_number"] == "1234567890123"
    assert created["email"] == "redaksi@ujicoba.example"
    assert created["isbn_prefixes"] == ["978-623-7654"]
    assert created["ismn_prefixes"] == []
    response = await client.get(f"/depositors/{created['id']}", headers=client.bearer(**PUBLISHER))
    assert response.status_code == 200
    assert response.json() == created


async def test_registration_emits_event(client: ServiceClient) -> None:
    created = await register(client)
    [event] = await client.outbox_events("deposit.depositor.registered")
    assert event["payload"]["id"] == created["id"]
    assert event["payload"]["status"] == "pending"
    assert event["payload"]["isbn_prefixes"] == ["978-623-7654"]


async def test_failed_registrations_emit_no_event(client: ServiceClient) -> None:
    await register(client)
    again = await client.post("/depositors", json=depositor_payload(), headers=client.bearer(**PUBLISHER))
    assert again.status_code == 409
    bad = await client.post(
        "/depositors", json=depositor_payload(isbn_prefixes=["978-602-8"]), headers=client.bearer(**PUBLISHER)
    )
    assert bad.status_code == 422
    assert len(await client.outbox_events()) == 1


async def test_duplicate_legal_identity_is_409(client: ServiceClient) -> None:
    await register(client)
    response = await client.post(
        "/depositors",
        json=depositor_payload(name="Nama Lain", legal_identity_number="1234567890123", isbn_prefixes=[]),
        headers=client.bearer(**OTHER_PUBLISHER),
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "depositor_identity_taken"


async def test_prefix_of_another_depositor_is_409(client: ServiceClient) -> None:
    await register(client)
    response = await client.post(
        "/depositors",
        json=depositor_payload(legal_identity_number="9876543210987", isbn_prefixes=["978-623-7654"]),
        headers=client.bearer(**OTHER_PUBLISHER),
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "depositor_prefix_taken"
    assert error["details"]["prefixes"] == ["978-623-7654"]


async def test_a_prefix_repeated_counts_once(client: ServiceClient) -> None:
    response = await client.post(
        "/depositors",
        json=depositor_payload(isbn_prefixes=["978-623-7654", "978-623-7654"], ismn_prefixes=["979-0-2306"]),
        headers=client.bearer(**PUBLISHER),
    )
    assert response.status_code == 201  # the same prefix twice is one prefix
    assert response.json()["isbn_prefixes"] == ["978-623-7654"]
    assert response.json()["ismn_prefixes"] == ["979-0-2306"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"type": "toko_buku"},
        {"legal_identity_kind": "nik"},  # a publisher is not identified by a person's NIK
        {"legal_identity_number": "12345"},  # NIB has 13 digits
        {"type": "perorangan", "legal_identity_kind": "nib"},
        {"type": "perorangan", "legal_identity_kind": "nik", "legal_identity_number": "317101"},
        {"isbn_prefixes": ["9786237654"]},
        {"isbn_prefixes": ["979-0-2306"]},
        {"ismn_prefixes": ["978-623-7654"]},
        {"email": "bukan email"},
        {"website": "ftp://contoh"},
        {"contacts": [{"position": "tanpa nama"}]},
        {"domicile_city": ""},
        {"status": "approved"},  # clients cannot choose the status
    ],
)
async def test_invalid_payload_is_422(client: ServiceClient, overrides: dict[str, Any]) -> None:
    response = await client.post(
        "/depositors", json=depositor_payload(**overrides), headers=client.bearer(**PUBLISHER)
    )
    assert response.status_code == 422, response.text


async def test_individual_registers_with_nik(client: ServiceClient) -> None:
    created = await register(
        client,
        type="perorangan",
        name="Budi Penulis",
        legal_identity_kind="nik",
        legal_identity_number="3171-0101-0101-0001",
        isbn_prefixes=[],
    )
    assert created["legal_identity_number"] == "3171010101010001"


async def test_unknown_or_foreign_depositor_is_404(client: ServiceClient) -> None:
    created = await register(client)
    response = await client.get(f"/depositors/{created['id']}", headers=client.bearer(**OTHER_PUBLISHER))
    assert response.status_code == 404
    response = await client.get(
        "/depositors/00000000-0000-0000-0000-000000000000", headers=client.bearer(**OFFICER)
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "depositor_not_found"
    assert (await client.get("/depositors/bukan-uuid", headers=client.bearer(**OFFICER))).status_code == 422


async def test_no_token_is_401_and_wrong_role_is_403(client: ServiceClient) -> None:
    assert (await client.post("/depositors", json=depositor_payload())).status_code == 401
    assert (await client.get("/depositors")).status_code == 401
    response = await client.post(
        "/depositors", json=depositor_payload(), headers=client.bearer(roles=["patron"])
    )
    assert response.status_code == 403
    created = await register(client)
    approve = await client.post(f"/depositors/{created['id']}/approve", headers=client.bearer(**PUBLISHER))
    assert approve.status_code == 403


async def test_publishers_see_only_their_own_officers_see_all(client: ServiceClient) -> None:
    await register(client)
    await register(
        client,
        who=OTHER_PUBLISHER,
        name="Penerbit Kedua",
        legal_identity_number="9876543210987",
        isbn_prefixes=["978-602-1234"],
    )
    mine = (await client.get("/depositors", headers=client.bearer(**PUBLISHER))).json()
    assert [d["name"] for d in mine["items"]] == ["Penerbit Uji Coba"]
    everyone = (await client.get("/depositors", headers=client.bearer(**OFFICER))).json()
    assert everyone["pagination"]["total_count"] == 2


async def test_list_filters_and_paginates(client: ServiceClient) -> None:
    await register(client, name="Alpha Pustaka", isbn_prefixes=["978-602-1234"])
    b = await register(
        client,
        name="Beta Rekam",
        type="produsen_karya_rekam",
        legal_identity_number="2222222222222",
        isbn_prefixes=[],
        ismn_prefixes=["979-0-2306"],
    )
    await register(
        client,
        name="Gamma Media",
        legal_identity_number="3333333333333",
        isbn_prefixes=[],
        domicile_province="Jawa Barat",
        domicile_city="Bandung",
    )
    await client.post(f"/depositors/{b['id']}/approve", headers=client.bearer(**OFFICER))

    async def names(**params: Any) -> list[str]:
        response = await client.get("/depositors", params=params, headers=client.bearer(**OFFICER))
        assert response.status_code == 200, response.text
        return [d["name"] for d in response.json()["items"]]

    assert await names(status="approved") == ["Beta Rekam"]
    assert await names(status="pending") == ["Alpha Pustaka", "Gamma Media"]
    assert await names(type="produsen_karya_rekam") == ["Beta Rekam"]
    assert await names(province="jawa barat") == ["Gamma Media"]
    assert await names(q="978-602") == ["Alpha Pustaka"]
    assert await names(q="gamma") == ["Gamma Media"]
    assert await names(limit=2, page=2) == ["Gamma Media"]
    assert (
        await client.get("/depositors", params={"status": "done"}, headers=client.bearer(**OFFICER))
    ).status_code == 422


async def test_officer_approves_pending_registration(client: ServiceClient) -> None:
    created = await register(client)
    response = await client.post(
        f"/depositors/{created['id']}/approve",
        json={"note": "dokumen lengkap"},
        headers=client.bearer(**OFFICER),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "approved"
    assert body["decided_by"] == "petugas.serahsimpan"
    assert body["decided_at"] is not None
    [event] = await client.outbox_events("deposit.depositor.approved")
    assert event["payload"]["status"] == "approved"


async def test_approving_twice_is_refused_by_name(client: ServiceClient) -> None:
    created = await register(client)
    assert (
        await client.post(f"/depositors/{created['id']}/approve", headers=client.bearer(**OFFICER))
    ).status_code == 200
    again = await client.post(f"/depositors/{created['id']}/approve", headers=client.bearer(**OFFICER))
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "refused"
    [reason] = error["details"]["reasons"]
    assert reason["code"] == "refuse_when_depositor_not_pending"
    assert "approved" in reason["message_en"]
    reject = await client.post(
        f"/depositors/{created['id']}/reject",
        json={"reason": "terlambat ditolak"},
        headers=client.bearer(**OFFICER),
    )
    assert reject.status_code == 409
    assert len(await client.outbox_events("deposit.depositor.approved")) == 1
    assert await client.outbox_events("deposit.depositor.rejected") == []


async def test_dry_run_reports_reasons_without_changing(client: ServiceClient) -> None:
    created = await register(client)
    check = await client.post(
        f"/depositors/{created['id']}/approve", params={"dry_run": "true"}, headers=client.bearer(**OFFICER)
    )
    assert check.status_code == 200
    assert check.json() == {
        "depositor_id": created["id"],
        "action": "approve",
        "allowed": True,
        "reasons": [],
    }
    still = await client.get(f"/depositors/{created['id']}", headers=client.bearer(**OFFICER))
    assert still.json()["status"] == "pending"
    await client.post(
        f"/depositors/{created['id']}/reject",
        json={"reason": "NIB tidak terbaca"},
        headers=client.bearer(**OFFICER),
    )
    check = await client.post(
        f"/depositors/{created['id']}/approve", params={"dry_run": "true"}, headers=client.bearer(**OFFICER)
    )
    assert check.json()["allowed"] is False
    assert [r["code"] for r in check.json()["reasons"]] == ["refuse_when_depositor_not_pending"]
    assert await client.outbox_events("deposit.depositor.approved") == []


async def test_officer_cannot_decide_own_registration(client: ServiceClient) -> None:
    created = await register(client, who=OFFICER)
    response = await client.post(f"/depositors/{created['id']}/approve", headers=client.bearer(**OFFICER))
    assert response.status_code == 409
    assert [r["code"] for r in response.json()["error"]["details"]["reasons"]] == [
        "refuse_when_deciding_own_registration"
    ]


async def test_reject_needs_a_reason_and_resubmission_returns_to_pending(client: ServiceClient) -> None:
    created = await register(client)
    url = f"/depositors/{created['id']}"
    assert (await client.post(f"{url}/reject", headers=client.bearer(**OFFICER))).status_code == 422
    assert (
        await client.post(f"{url}/reject", json={"reason": "x"}, headers=client.bearer(**OFFICER))
    ).status_code == 422
    rejected = await client.post(
        f"{url}/reject", json={"reason": "Nomor NIB tidak sesuai"}, headers=client.bearer(**OFFICER)
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_reason"] == "Nomor NIB tidak sesuai"
    [event] = await client.outbox_events("deposit.depositor.rejected")
    assert event["payload"]["reason"] == "Nomor NIB tidak sesuai"

    fixed = await client.patch(
        url, json={"name": "Penerbit Uji Coba (Perbaikan)"}, headers=client.bearer(**PUBLISHER)
    )
    assert fixed.status_code == 200
    assert fixed.json()["status"] == "pending"
    [update] = await client.outbox_events("deposit.depositor.updated")
    assert update["payload"]["resubmitted"] is True


async def test_owner_cannot_edit_after_approval_officer_can(client: ServiceClient) -> None:
    created = await register(client)
    url = f"/depositors/{created['id']}"
    await client.post(f"{url}/approve", headers=client.bearer(**OFFICER))
    refused = await client.patch(url, json={"name": "Nama Baru"}, headers=client.bearer(**PUBLISHER))
    assert refused.status_code == 409
    assert (
        refused.json()["error"]["details"]["reasons"][0]["code"] == "refuse_when_depositor_already_approved"
    )
    ok = await client.patch(
        url, json={"isbn_prefixes": ["978-623-7654", "978-602-1234"]}, headers=client.bearer(**OFFICER)
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["isbn_prefixes"] == ["978-602-1234", "978-623-7654"]
    assert ok.json()["status"] == "approved"


async def test_other_publisher_cannot_edit(client: ServiceClient) -> None:
    created = await register(client)
    response = await client.patch(
        f"/depositors/{created['id']}", json={"name": "Dibajak"}, headers=client.bearer(**OTHER_PUBLISHER)
    )
    assert response.status_code == 404


async def test_update_validation_and_prefix_conflicts(client: ServiceClient) -> None:
    created = await register(client)
    await register(
        client,
        who=OTHER_PUBLISHER,
        name="Lain",
        legal_identity_number="9876543210987",
        isbn_prefixes=["978-602-1234"],
    )
    url = f"/depositors/{created['id']}"
    assert (
        await client.patch(url, json={"type": "perorangan"}, headers=client.bearer(**PUBLISHER))
    ).status_code == 422
    assert (
        await client.patch(url, json={"name": None}, headers=client.bearer(**PUBLISHER))
    ).status_code == 422
    taken = await client.patch(
        url, json={"isbn_prefixes": ["978-602-1234"]}, headers=client.bearer(**PUBLISHER)
    )
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "depositor_prefix_taken"
    unchanged = await client.patch(
        url, json={"isbn_prefixes": ["978-623-7654"]}, headers=client.bearer(**PUBLISHER)
    )
    assert unchanged.status_code == 200
    assert await client.outbox_events("deposit.depositor.updated") == []
