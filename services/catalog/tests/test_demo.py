"""The demo loader: the Jakarta network, real MARC records with copies, the seed publications as
full-text e-resources, the PDS H.B. Jassin collection, reviews and a reading list — once."""

from __future__ import annotations

import hashlib
import time

from sqlalchemy import func, select

from catalog.demo import (
    DEMO_BRANCHES,
    JASSIN,
    SEED_PUBLICATIONS,
    SEED_WORK_BY_FILE,
    corpus_dir,
    load_demo_data,
)
from catalog.models import BibRecord, EResource, Item
from pusip_kit.documents.seeds import seed_pdf
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work

from .helpers import run_tasks


async def test_demo_data_is_idempotent_and_searchable(client: ServiceClient) -> None:
    started = time.monotonic()
    async with unit_of_work(client.sessionmaker) as session:
        first = await load_demo_data(session, client.settings)
    elapsed = time.monotonic() - started
    assert elapsed < 30, elapsed
    assert first["branches"] == len(DEMO_BRANCHES)
    assert first["records"] >= 80, first
    assert first["items"] >= first["records"]
    assert first["eresources"] == len(SEED_PUBLICATIONS) + 2
    assert (first["special_collections"], first["documents"], first["reviews"], first["reading_lists"]) == (
        1,
        2,
        3,
        1,
    )
    async with unit_of_work(client.sessionmaker) as session:
        again = await load_demo_data(session, client.settings)
    assert set(again) == set(first) and not any(again.values()), again

    listed = (await client.get("/branches", params={"limit": 100})).json()
    assert listed["pagination"]["total_count"] == len(DEMO_BRANCHES)
    codes = {b["code"] for b in listed["items"]}
    assert {"perpustakaan-jakarta-cikini", JASSIN} <= codes
    assert {b["city"] for b in listed["items"]} == {
        "jakarta-pusat", "jakarta-utara", "jakarta-barat", "jakarta-selatan", "jakarta-timur", "kepulauan-seribu",
    }  # fmt: skip
    assert len(await client.outbox_events("catalog.branch.created")) == len(DEMO_BRANCHES)

    await run_tasks(client, rounds=20)
    # an inflected Indonesian word finds a seed publication by its full text, with a snippet
    found = (await client.get("/search", params={"q": "memasarkan"})).json()
    assert found["total"] >= 1
    hit = next(h for h in found["hits"] if h["eresources"])
    assert any("<mark>" in s for s in hit["snippets"].get("fulltext", []))
    # the real MARC records are spread over several branches
    facets = (await client.get("/search", params={"q": "pride"})).json()["facets"]["branch"]
    assert len(facets) >= 3
    collection = (await client.get(f"/special-collections/{JASSIN}")).json()
    assert (collection["records"], collection["documents"]) == (2, 2)
    assert set(collection["conservation"]) == {"rusak_ringan", "rusak_berat"}
    public_lists = (await client.get("/reading-lists")).json()
    assert public_lists["pagination"]["total_count"] == 1 and public_lists["items"][0]["entries"] == 4
    queue = (await client.get("/reviews", headers=client.bearer(roles=["librarian"]))).json()
    assert queue["pagination"]["total_count"] == 1  # one written review waits for moderation


async def test_seed_publications_are_the_digital_collection_not_legal_deposits(client: ServiceClient) -> None:
    """Only an accepted deposit makes a seed a legal deposit; the catalogue holds the deposit demo's PDFs."""
    async with unit_of_work(client.sessionmaker) as session:
        await load_demo_data(session, client.settings)
    async with client.session() as session:
        rows = (
            await session.execute(
                select(BibRecord, EResource)
                .join(EResource, EResource.record_id == BibRecord.id)
                .where(BibRecord.source_ref.like("demo:seed:%"))
            )
        ).all()
        deposit_items = await session.scalar(
            select(func.count()).select_from(Item).where(Item.acquisition_source == "legal_deposit")
        )
    assert len(rows) == len(SEED_PUBLICATIONS) and deposit_items == 0
    seeds = corpus_dir() / "seeds"
    for record, eresource in rows:
        seed = record.source_ref.removeprefix("demo:seed:")
        assert record.source == "cataloging", seed
        # not in the regional bibliography unless its imprint is Jakarta (the catalogue's own rule)
        assert record.regional is (SEED_WORK_BY_FILE[seed].place == "Jakarta"), seed
        assert eresource.sha256 == hashlib.sha256(seed_pdf(seeds, SEED_WORK_BY_FILE[seed])).hexdigest(), seed
    pontianak = next(r for r, _ in rows if "pontianak" in (r.source_ref or ""))
    assert pontianak.regional is False  # its deposit is the demo's overdue obligation
    regional_set = (
        await client.get(
            "/oai",
            params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "regional-bibliography"},
        )
    ).text
    assert str(pontianak.id) not in regional_set
