"""Announcements CRUD: librarians at their branches, network-wide for network librarians; bilingual 4xx."""

from __future__ import annotations

from pusip_kit.testing.service import ServiceClient

from ..helpers import ADMIN, LIBRARIAN, seed_branches


def body(**overrides: object) -> dict[str, object]:
    return {
        "branch_code": "cikini",
        "title": "Jam layanan Ramadan",
        "body": "Buka 08.00-15.00 / open 8am-3pm",
        "starts_on": "2026-02-18",
        "ends_on": "2026-03-19",
        **overrides,
    }


async def test_crud_and_scope(client: ServiceClient) -> None:
    await seed_branches(client)
    staff = client.bearer(**LIBRARIAN)
    cikini_only = client.bearer(roles=["librarian"], branches=["cikini"])

    created = await client.post("/announcements", json=body(), headers=cikini_only)
    assert created.status_code == 201, created.text
    one = created.json()
    assert one["branch_code"] == "cikini" and one["created_by"]
    # A branch librarian writes for their branch only, not another nor the whole network.
    elsewhere = await client.post("/announcements", json=body(branch_code="tebet"), headers=cikini_only)
    assert elsewhere.status_code == 403 and elsewhere.json()["error"]["code"] == "branch_not_assigned"
    network = await client.post("/announcements", json=body(branch_code=None), headers=cikini_only)
    assert network.status_code == 403
    wide = await client.post(
        "/announcements", json=body(branch_code=None, title="Katalog baru"), headers=staff
    )
    assert wide.status_code == 201 and wide.json()["branch_code"] is None

    backwards = await client.post(
        "/announcements", json=body(starts_on="2026-03-20", ends_on="2026-03-19"), headers=staff
    )
    assert backwards.status_code == 400
    error = backwards.json()["error"]
    assert error["code"] == "invalid_period" and error["message"] and error["message_en"]
    unknown = await client.post("/announcements", json=body(branch_code="atlantis"), headers=staff)
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "branch_unknown"
    assert (await client.post("/announcements", json=body(title=""), headers=staff)).status_code == 422
    assert (await client.post("/announcements", json=body(extra=1), headers=staff)).status_code == 422
    patron = client.bearer(roles=["patron"])
    assert (await client.post("/announcements", json=body(), headers=patron)).status_code == 403
    assert (await client.get("/announcements", headers=patron)).status_code == 403

    showing = await client.get("/announcements", params={"on": "2026-03-01"}, headers=staff)
    assert {a["title"] for a in showing.json()["items"]} == {"Jam layanan Ramadan", "Katalog baru"}
    later = await client.get("/announcements", params={"on": "2026-03-20"}, headers=staff)
    assert later.json()["items"] == []
    only_network = await client.get("/announcements", params={"network": True}, headers=staff)
    assert [a["title"] for a in only_network.json()["items"]] == ["Katalog baru"]

    moved = await client.patch(
        f"/announcements/{one['id']}",
        json={"ends_on": "2026-03-25", "title": "Jam Ramadan"},
        headers=cikini_only,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["ends_on"] == "2026-03-25" and moved.json()["updated_by"]
    bad_move = await client.patch(
        f"/announcements/{one['id']}", json={"ends_on": "2026-01-01"}, headers=staff
    )
    assert bad_move.status_code == 400
    null_title = await client.patch(f"/announcements/{one['id']}", json={"title": None}, headers=staff)
    assert null_title.status_code == 400
    stolen = await client.patch(
        f"/announcements/{one['id']}", json={"branch_code": "tebet"}, headers=cikini_only
    )
    assert stolen.status_code == 403
    unchanged = (await client.get(f"/announcements/{one['id']}", headers=staff)).json()
    assert unchanged["branch_code"] == "cikini" and unchanged["ends_on"] == "2026-03-25"

    assert (
        await client.delete(f"/announcements/{wide.json()['id']}", headers=cikini_only)
    ).status_code == 403
    assert (
        await client.delete(f"/announcements/{one['id']}", headers=client.bearer(**ADMIN))
    ).status_code == 204
    gone = await client.get(f"/announcements/{one['id']}", headers=staff)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "announcement_not_found"
