"""GET /me/for-you: recommendations by category and (opt-in) history, announcements of the patron's branches."""

from __future__ import annotations

from datetime import date
from typing import Any

from circulation import clock
from circulation.tasks import handlers
from pusip_kit.events import deliver_event
from pusip_kit.testing.service import ServiceClient

from ..helpers import (
    LIBRARIAN,
    catalog_event,
    checkout,
    counter_patron,
    make_nik,
    online_patron,
    seed_item,
    setup_library,
)

DAY = date(2026, 10, 5)


async def record_event(
    client: ServiceClient, record_id: str, title: str, authors: list[str], year: Any
) -> None:
    event = catalog_event(
        "catalog.record.updated", {"id": record_id, "title": title, "authors": authors, "year": year}
    )
    result = await deliver_event(client.sessionmaker, handlers, event)
    assert result.ok, result.failed


async def announce(
    client: ServiceClient, branch: str | None, title: str, start: str, end: str
) -> dict[str, Any]:
    body = {"branch_code": branch, "title": title, "body": f"Isi {title}", "starts_on": start, "ends_on": end}
    response = await client.post("/announcements", json=body, headers=client.bearer(**LIBRARIAN))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_recommendations_and_announcements(client: ServiceClient) -> None:
    await setup_library(client)
    copies = {
        "rec-a": 2,
        "rec-co": 1,
        "rec-pop1": 4,
        "rec-pop2": 2,
        "rec-open": 2,
        "rec-student": 1,
        "rec-author": 1,
    }
    for record_id, n in copies.items():
        for k in range(n):
            await seed_item(client, f"{record_id}-{k}", record_id=record_id, title=f"Judul {record_id}")
    await seed_item(client, "rec-pop2-tebet", record_id="rec-pop2", branch="tebet", title="Judul rec-pop2")
    await record_event(client, "rec-a", "Anak Semua Bangsa", ["Pramoedya Ananta Toer"], 1980)
    await record_event(
        client, "rec-author", "Bumi Manusia", ["Pramoedya Ananta Toer", "Lain"], "1980 [cet. 3]"
    )
    await record_event(client, "rec-pop2", "Laut Bercerita", ["Leila S. Chudori"], None)

    reader, sub = await online_patron(client, reading_history=True, home_branch="kuningan")
    plain, plain_sub = await online_patron(client)
    p1, p2, p3 = [await counter_patron(client) for _ in range(3)]
    student, student_sub = await online_patron(
        client, category="pelajar", nik=make_nik(born="150310", female=True)
    )
    with clock.frozen(DAY):
        for card, barcode in [
            (reader["card_number"], "rec-a-0"),
            (reader["card_number"], "rec-open-0"),
            (p1["card_number"], "rec-a-1"),
            (p1["card_number"], "rec-co-0"),
            (p1["card_number"], "rec-pop1-0"),
            (p2["card_number"], "rec-pop1-1"),
            (p2["card_number"], "rec-pop2-0"),
            (p3["card_number"], "rec-pop1-2"),
            (p3["card_number"], "rec-pop2-1"),
            (p3["card_number"], "rec-open-1"),
            (plain["card_number"], "rec-pop1-3"),
            (student["card_number"], "rec-student-0"),
        ]:
            assert (await checkout(client, card, barcode)).status_code == 201, barcode
        # The reader returned rec-a (history kept: opted in); it stays "read".
        back = await client.post(
            "/returns", json={"item": "rec-a-0", "branch": "cikini"}, headers=client.bearer(**LIBRARIAN)
        )
        assert back.status_code == 200, back.text

        network = await announce(client, None, "Libur nasional", "2026-10-01", "2026-10-31")
        home = await announce(client, "kuningan", "Pojok baca Kuningan", "2026-10-05", "2026-10-05")
        borrowed = await announce(client, "cikini", "Lomba resensi", "2026-09-01", "2026-12-31")
        await announce(client, "tebet", "Kelas menulis Tebet", "2026-10-01", "2026-10-31")
        await announce(client, "cikini", "Sudah lewat", "2026-09-01", "2026-10-04")
        await announce(client, None, "Belum mulai", "2026-10-06", "2026-10-31")

        mine = await client.get("/me/for-you", headers=client.bearer(roles=["patron"], sub=sub))
        assert mine.status_code == 200, mine.text
        body = mine.json()
        assert set(body) == {"recommendations", "announcements"}
        picks = [(r["record_id"], r["reason"]["code"]) for r in body["recommendations"]]
        # Co-borrowers: p1 (rec-a) and p3 (rec-open) both took rec-pop1; then the reader's author.
        assert picks == [
            ("rec-pop1", "borrowed_together"),
            ("rec-co", "borrowed_together"),
            ("rec-pop2", "borrowed_together"),
            ("rec-author", "same_author"),
        ]
        first = body["recommendations"][0]
        assert set(first) == {"record_id", "title", "authors", "year", "reason", "available_branches"}
        by_id = {r["record_id"]: r for r in body["recommendations"]}
        assert by_id["rec-author"]["title"] == "Bumi Manusia" and by_id["rec-author"]["year"] == 1980
        assert by_id["rec-author"]["authors"] == ["Pramoedya Ananta Toer", "Lain"]
        assert by_id["rec-pop2"]["available_branches"] == ["tebet"] and by_id["rec-pop2"]["year"] is None
        assert by_id["rec-pop1"]["available_branches"] == [] and by_id["rec-co"]["title"] == "Judul rec-co"
        assert by_id["rec-co"]["authors"] == [] and by_id["rec-co"]["available_branches"] == []
        assert by_id["rec-author"]["reason"]["label"] and by_id["rec-author"]["reason"]["label_en"]
        titles = {a["title"] for a in body["announcements"]}
        assert titles == {network["title"], home["title"], borrowed["title"]}
        assert set(body["announcements"][0]) == {"id", "branch_code", "title", "body", "starts_on", "ends_on"}

        two = (
            await client.get(
                "/me/for-you", params={"limit": 2}, headers=client.bearer(roles=["patron"], sub=sub)
            )
        ).json()
        assert [r["record_id"] for r in two["recommendations"]] == ["rec-pop1", "rec-co"]

        # No opt-in: category popularity only, never what is on loan; only network-wide news.
        others = (
            await client.get("/me/for-you", headers=client.bearer(roles=["patron"], sub=plain_sub))
        ).json()
        assert [(r["record_id"], r["reason"]["code"]) for r in others["recommendations"]] == [
            ("rec-a", "popular_in_category"),
            ("rec-open", "popular_in_category"),
            ("rec-pop2", "popular_in_category"),
            ("rec-co", "popular_in_category"),
        ]
        assert {a["title"] for a in others["announcements"]} == {network["title"], borrowed["title"]}
        young = (
            await client.get("/me/for-you", headers=client.bearer(roles=["patron"], sub=student_sub))
        ).json()
        assert young["recommendations"] == []  # the only pelajar title is on their own loan

        assert (
            await client.get(
                "/me/for-you", params={"limit": 0}, headers=client.bearer(roles=["patron"], sub=sub)
            )
        ).status_code == 422
        stranger = await client.get("/me/for-you", headers=client.bearer(roles=["patron"], sub="nobody-here"))
        assert stranger.status_code == 404 and stranger.json()["error"]["code"] == "patron_not_registered"
        assert (await client.get("/me/for-you")).status_code == 401
