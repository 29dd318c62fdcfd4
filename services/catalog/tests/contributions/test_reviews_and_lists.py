"""Patron contributions: reviews and ratings with moderation, reading lists to read, create and share."""

from __future__ import annotations

from pusip_kit.testing.service import ServiceClient

from ..helpers import CATALOGER, LIBRARIAN, create_record, marc


def patron(client: ServiceClient, sub: str, name: str) -> dict[str, str]:
    return client.bearer(roles=["patron"], sub=sub, name=name, username=sub)


async def test_reviews_are_moderated_and_ratings_count_approved_ones(client: ServiceClient) -> None:
    record = await create_record(client, marc("Bumi manusia", author="Toer, Pramoedya Ananta", year=1980))
    rid = record["id"]
    siti, budi = patron(client, "siti", "Siti Aminah"), patron(client, "budi", "Budi")
    librarian = client.bearer(**LIBRARIAN, sub="pustakawan", username="pustakawan")

    assert (await client.put(f"/records/{rid}/reviews/mine", json={"rating": 5})).status_code == 401
    bad = await client.put(f"/records/{rid}/reviews/mine", json={"rating": 6}, headers=siti)
    assert bad.status_code == 422

    written = await client.put(
        f"/records/{rid}/reviews/mine",
        json={"rating": 5, "text": "Novel sejarah yang memikat."},
        headers=siti,
    )
    assert written.status_code == 201, written.text
    assert (written.json()["status"], written.json()["author_name"]) == ("pending", "Siti Aminah")
    rating_only = await client.put(f"/records/{rid}/reviews/mine", json={"rating": 3}, headers=budi)
    assert rating_only.json()["status"] == "approved"  # nothing to moderate

    # only approved reviews are public; the pending one is the author's to see
    public = (await client.get(f"/records/{rid}/reviews")).json()
    assert [r["author_name"] for r in public["items"]] == ["Budi"] and "status" not in public["items"][0]
    rating = (await client.get(f"/records/{rid}/rating")).json()
    assert (rating["count"], rating["average"], rating["reviews"]) == (1, 3.0, 0)
    mine = (await client.get(f"/records/{rid}/reviews/mine", headers=siti)).json()
    assert mine["status"] == "pending" and mine["mine"] is True

    # the moderation queue: staff only, pending first (oldest first), with the title
    assert (await client.get("/reviews", headers=siti)).status_code == 403
    queue = (await client.get("/reviews", headers=librarian)).json()
    assert [(r["author_name"], r["record_title"]) for r in queue["items"]] == [
        ("Siti Aminah", "Bumi manusia")
    ]
    review_id = queue["items"][0]["id"]

    # hiding needs a reason (dry run first), and names it to the author
    dry = await client.post(f"/reviews/{review_id}/hide", params={"dry_run": "true"}, headers=librarian)
    assert dry.status_code == 200 and [r["code"] for r in dry.json()["reasons"]] == ["hide_reason_required"]
    hidden = await client.post(
        f"/reviews/{review_id}/hide", json={"reason": "Memuat data pribadi"}, headers=librarian
    )
    assert hidden.status_code == 200 and hidden.json()["status"] == "hidden"
    assert (await client.get(f"/records/{rid}/reviews/mine", headers=siti)).json()["moderation_reason"] == (
        "Memuat data pribadi"
    )
    twice = await client.post(f"/reviews/{review_id}/hide", json={"reason": "lagi"}, headers=librarian)
    assert (
        twice.status_code == 409
        and twice.json()["error"]["details"]["reasons"][0]["code"] == "review_already_hidden"
    )

    # the author edits: back to the queue; a librarian approves it
    edited = await client.put(
        f"/records/{rid}/reviews/mine",
        json={"rating": 4, "text": "Novel sejarah yang memikat sekali."},
        headers=siti,
    )
    assert (
        edited.status_code == 200
        and edited.json()["status"] == "pending"
        and edited.json()["moderation_reason"] is None
    )
    approved = await client.post(f"/reviews/{review_id}/approve", headers=librarian)
    assert approved.status_code == 200 and approved.json()["moderated_by"] == "pustakawan"
    again = await client.post(f"/reviews/{review_id}/approve", headers=librarian)
    assert again.json()["error"]["details"]["reasons"][0]["code"] == "review_already_approved"

    rating = (await client.get(f"/records/{rid}/rating")).json()
    assert (rating["count"], rating["average"], rating["reviews"]) == (2, 3.5, 1)
    assert rating["distribution"] == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 0}
    public = (await client.get(f"/records/{rid}/reviews")).json()["items"]
    assert {r["author_name"] for r in public} == {"Siti Aminah", "Budi"}

    # nobody moderates their own review
    own = await client.put(
        f"/records/{rid}/reviews/mine", json={"rating": 2, "text": "Kurang cocok."}, headers=librarian
    )
    refused = await client.post(f"/reviews/{own.json()['id']}/approve", headers=librarian)
    assert (
        refused.status_code == 409
        and refused.json()["error"]["details"]["reasons"][0]["code"] == "own_review"
    )
    assert (await client.delete(f"/records/{rid}/reviews/mine", headers=budi)).status_code == 204
    assert (await client.get(f"/records/{rid}/rating")).json()["count"] == 1


async def test_reading_lists_read_create_and_share(client: ServiceClient) -> None:
    novel = await create_record(client, marc("Bumi manusia", author="Toer, Pramoedya Ananta", year=1980))
    poems = await create_record(client, marc("Deru campur debu", author="Anwar, Chairil", year=1949))
    siti, budi = patron(client, "siti", "Siti Aminah"), patron(client, "budi", "Budi")

    created = await client.post(
        "/reading-lists", json={"name": "Sastra wajib baca", "description": "Untuk klub buku"}, headers=siti
    )
    assert created.status_code == 201, created.text
    list_id = created.json()["id"]
    assert created.json()["public"] is False and created.json()["mine"] is True
    for record, note in ((novel, "Mulai dari sini"), (poems, None)):
        added = await client.put(
            f"/reading-lists/{list_id}/entries/{record['id']}",
            json={"note": note} if note else None,
            headers=siti,
        )
        assert added.status_code == 201, added.text
    assert (
        await client.put(f"/reading-lists/{list_id}/entries/{novel['id']}", headers=siti)
    ).status_code == 200

    # private: only the owner, not even staff
    assert (await client.get(f"/reading-lists/{list_id}")).status_code == 404
    assert (
        await client.get(f"/reading-lists/{list_id}", headers=client.bearer(**CATALOGER))
    ).status_code == 404
    assert (
        await client.put(f"/reading-lists/{list_id}/entries/{poems['id']}", headers=budi)
    ).status_code == 404
    assert (await client.get(f"/records/{novel['id']}/reading-lists")).json()["items"] == []

    # shared: anyone with the address reads it; it shows on the record's page
    shared = await client.patch(f"/reading-lists/{list_id}", json={"public": True}, headers=siti)
    assert shared.status_code == 200
    read = (await client.get(f"/reading-lists/{list_id}")).json()
    assert read["mine"] is False and read["owner_name"] == "Siti Aminah"
    assert [(i["title"], i["note"]) for i in read["items"]] == [
        ("Bumi manusia", "Mulai dari sini"),
        ("Deru campur debu", None),
    ]
    on_record = (await client.get(f"/records/{novel['id']}/reading-lists")).json()["items"]
    assert [(li["name"], li["entries"]) for li in on_record] == [("Sastra wajib baca", 2)]
    assert (await client.get("/reading-lists")).json()["pagination"]["total_count"] == 1
    mine = (await client.get("/reading-lists/mine", params={"record_id": poems["id"]}, headers=siti)).json()
    assert [li["id"] for li in mine["items"]] == [list_id]
    assert (await client.get("/reading-lists/mine", headers=budi)).json()["items"] == []
    assert (
        await client.patch(f"/reading-lists/{list_id}", json={"name": "Curian"}, headers=budi)
    ).status_code == 404

    assert (
        await client.delete(f"/reading-lists/{list_id}/entries/{poems['id']}", headers=siti)
    ).status_code == 204
    assert (await client.get(f"/reading-lists/{list_id}")).json()["entries"] == 1
    dry = await client.post("/reading-lists", params={"dry_run": "true"}, json={"name": "x"}, headers=siti)
    assert dry.status_code == 200 and dry.json()["allowed"] is True
    system = client.bearer(roles=["agency_system"])
    refused = await client.post("/reading-lists", json={"name": "bot"}, headers=system)
    assert (
        refused.status_code == 409
        and refused.json()["error"]["details"]["reasons"][0]["code"] == "people_only"
    )
    assert (await client.delete(f"/reading-lists/{list_id}", headers=siti)).status_code == 204
    assert (await client.get(f"/reading-lists/{list_id}")).status_code == 404
