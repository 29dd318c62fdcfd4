"""Backend-specific behaviour: Tantivy files and processes, Elasticsearch versions and aliases."""

from __future__ import annotations

import asyncio
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from pusip_kit.config import ServiceSettings
from pusip_kit.search import (
    FacetRequest,
    FieldSpec,
    FieldType,
    SearchQuery,
    TantivyIndex,
    make_search_index,
)

from .conftest import BOOK_SCHEMA, BOOKS

# ------------------------------------------------------------------ Tantivy


async def test_tantivy_reader_process_sees_writer_process(tmp_path: Path) -> None:
    writer = TantivyIndex(tmp_path / "books", BOOK_SCHEMA)
    await writer.ensure()
    reader_code = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from conftest import BOOK_SCHEMA
        from pusip_kit.search import TantivyIndex, SearchQuery
        idx = TantivyIndex({str(tmp_path / "books")!r}, BOOK_SCHEMA)
        seen = []
        for line in sys.stdin:
            seen.append(idx.search_sync(SearchQuery(limit=0)).total)
            print(seen[-1], flush=True)
        """
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", reader_code, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdin is not None and proc.stdout is not None

    async def ask() -> int:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(b"?\n")
        await proc.stdin.drain()
        return int(await asyncio.wait_for(proc.stdout.readline(), 60))

    try:
        assert await ask() == 0
        await writer.index(BOOKS[:10])
        assert await ask() == 0  # not committed yet
        await writer.commit()
        assert await ask() == 10
        await writer.delete(["b01"])
        await writer.commit()
        assert await ask() == 9
    finally:
        proc.stdin.close()
        await asyncio.wait_for(proc.wait(), 30)
        await writer.close()


async def test_tantivy_second_writer_is_refused(tmp_path: Path) -> None:
    from pusip_kit.search.tantivy_backend import IndexWriterBusy

    first = TantivyIndex(tmp_path / "books", BOOK_SCHEMA)
    await first.index(BOOKS[:1])
    second = TantivyIndex(tmp_path / "books", BOOK_SCHEMA)
    with pytest.raises(IndexWriterBusy):
        await second.index(BOOKS[1:2])
    await first.close()
    await second.index(BOOKS[1:2])  # free again once the first writer closed
    await second.commit()
    assert await second.count() == 2
    await second.close()


async def test_tantivy_schema_change_opens_a_fresh_index(tmp_path: Path) -> None:
    old = TantivyIndex(tmp_path / "books", BOOK_SCHEMA)
    await old.index(BOOKS)
    await old.commit()
    await old.close()
    changed = BOOK_SCHEMA.model_copy(
        update={"fields": (*BOOK_SCHEMA.fields, FieldSpec(name="isbn", type=FieldType.KEYWORD))}
    )
    new = TantivyIndex(tmp_path / "books", changed)
    assert new.dir != old.dir
    assert await new.count() == 0  # the service rebuilds it from its database
    same = TantivyIndex(tmp_path / "books", BOOK_SCHEMA)
    assert await same.count() == 30
    await same.drop()
    assert not (tmp_path / "books").exists()


async def test_tantivy_close_keeps_pending_writes(tmp_path: Path) -> None:
    idx = TantivyIndex(tmp_path / "books", BOOK_SCHEMA)
    await idx.index(BOOKS[:3])
    await idx.close()
    again = TantivyIndex(tmp_path / "books", BOOK_SCHEMA)
    assert await again.count() == 3
    await again.close()


async def test_tantivy_many_values_facet_overflow(tmp_path: Path) -> None:
    idx = TantivyIndex(tmp_path / "books", BOOK_SCHEMA)
    many = [f"Cabang {i}" for i in range(7)]
    await idx.index([{**BOOKS[0], "branches": many}, {**BOOKS[1], "branches": [*many[3:], "Pusat", "Pusat"]}])
    await idx.commit()
    res = await idx.search(SearchQuery(facets=[FacetRequest(field="branches", size=20)]))
    counts = {b.value: b.count for b in res.facets["branches"]}
    assert counts == {**{v: 1 for v in many[:3]}, **{v: 2 for v in many[3:]}, "Pusat": 1}
    await idx.close()


@pytest.mark.parametrize(
    ("segment_size", "ask", "limit"), [(10_000, 64, 0), (1, 1, 0), (3, 1, 50), (10_000, 1, 10)]
)
async def test_tantivy_facet_counts_exact_over_segments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, segment_size: int, ask: int, limit: int
) -> None:
    """Hashed facet counts over several segments: exact when segments truncate (recounted
    unbounded), ties ordered by value when they run past the buckets asked, values named from
    the page's hits or, with none shown, from documents read back."""
    import random
    from collections import Counter

    from pusip_kit.search import tantivy_backend

    monkeypatch.setattr(tantivy_backend, "FACET_SEGMENT_SIZE", segment_size)
    monkeypatch.setattr(tantivy_backend, "FACET_ASK", ask)
    rng = random.Random(5)
    values = [f"Cabang {i:03d}" for i in range(150)]
    docs = []
    for i in range(400):
        picked = rng.sample(values[: 20 + i % 130], rng.randint(1, 7))
        docs.append({"id": f"x{i}", "title": "buku", "branches": picked, "subjects": picked[:2]})
    writer = TantivyIndex(tmp_path / "books", BOOK_SCHEMA)
    for start in range(0, 400, 100):  # four segments
        await writer.index(docs[start : start + 100])
        await writer.commit()
    await writer.close()
    idx = TantivyIndex(tmp_path / "books", BOOK_SCHEMA)  # a reader that has named no value yet
    facets = [FacetRequest(field="branches", size=5), FacetRequest(field="subjects", size=20)]
    res = await idx.search(SearchQuery(facets=facets, limit=limit))
    for field, size in (("branches", 5), ("subjects", 20)):
        counter = Counter(v for d in docs for v in d[field])
        expected = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
        assert [(b.value, b.count) for b in res.facets[field]] == expected
    await idx.close()


async def test_tantivy_facet_ties_ordered_by_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pusip_kit.search import tantivy_backend

    monkeypatch.setattr(tantivy_backend, "FACET_ASK", 1)  # the tie runs past every first answer
    monkeypatch.setattr(tantivy_backend, "FACET_TIE_MAX", 10_000)
    names = [f"Penulis {i:04d}" for i in range(900)]
    docs = [{"id": f"t{i}", "title": "buku", "authors": [n]} for i, n in enumerate(reversed(names))]
    docs.append({"id": "t-pop", "title": "buku", "authors": [names[500], names[700]]})
    idx = TantivyIndex(tmp_path / "books", BOOK_SCHEMA)
    await idx.index(docs)
    await idx.commit()
    res = await idx.search(SearchQuery(facets=[FacetRequest(field="authors", size=4)], limit=0))
    assert [(b.value, b.count) for b in res.facets["authors"]] == [
        (names[500], 2),
        (names[700], 2),
        (names[0], 1),
        (names[1], 1),
    ]
    await idx.close()


async def test_tantivy_facet_on_a_field_not_stored(tmp_path: Path) -> None:
    hidden = BOOK_SCHEMA.model_copy(
        update={
            "fields": (
                *BOOK_SCHEMA.fields,
                FieldSpec(name="shelf", type=FieldType.KEYWORD, facet=True, stored=False),
            )
        }
    )
    idx = TantivyIndex(tmp_path / "books", hidden)
    await idx.index([{**b, "shelf": f"Rak {i % 3}"} for i, b in enumerate(BOOKS)])
    await idx.commit()
    res = await idx.search(SearchQuery(facets=[FacetRequest(field="shelf")], limit=1))
    assert [(b.value, b.count) for b in res.facets["shelf"]] == [("Rak 0", 10), ("Rak 1", 10), ("Rak 2", 10)]
    assert "shelf" not in res.hits[0].source
    await idx.close()


async def test_make_search_index_by_settings(tmp_path: Path) -> None:
    class CatalogSettings(ServiceSettings):
        service_name = "catalog"

    embedded = CatalogSettings(data_dir=tmp_path, mode="embedded")
    idx = make_search_index(embedded, BOOK_SCHEMA)
    assert isinstance(idx, TantivyIndex)
    assert idx.root == tmp_path / "catalog" / "index" / "books"
    distributed = CatalogSettings(
        data_dir=tmp_path, mode="distributed", elasticsearch_url="http://127.0.0.1:1"
    )
    es = make_search_index(distributed, BOOK_SCHEMA)
    from pusip_kit.search.elasticsearch_backend import ElasticsearchIndex

    assert isinstance(es, ElasticsearchIndex) and es.alias == "pusip-books"
    await es.close()
    with pytest.raises(ValueError, match="unknown search backend"):
        make_search_index(CatalogSettings(data_dir=tmp_path, search_backend="solr"), BOOK_SCHEMA)


# ------------------------------------------------------------------ Elasticsearch


@pytest.fixture
async def es_books():
    from pusip_kit.search.elasticsearch_backend import ElasticsearchIndex
    from pusip_kit.testing.servers import require

    url = require("elasticsearch").elasticsearch_url
    idx = ElasticsearchIndex(url, BOOK_SCHEMA, prefix=f"pusiptest-{uuid.uuid4().hex[:10]}")
    await idx.ensure()
    await idx.index(BOOKS)
    await idx.commit()
    yield idx
    await idx.drop()
    await idx.close()


@pytest.mark.services
async def test_es_template_alias_and_versions(es_books) -> None:
    assert await es_books.current_index() == f"{es_books.alias}-v1"
    tpl = await es_books.client.indices.get_index_template(name=es_books.template)
    meta = tpl.body["index_templates"][0]["index_template"]["_meta"]
    assert meta["pusip_fingerprint"] == es_books.fingerprint()
    await es_books.ensure()  # idempotent
    assert await es_books.current_index() == f"{es_books.alias}-v1"
    # the analyzer the template declares stems like the embedded analysis
    res = await es_books.client.indices.analyze(
        index=es_books.alias, analyzer="pusip_indonesian", text="Perpustakaan dan Kearsipan"
    )
    tokens = [(t["token"], t["position"]) for t in res.body["tokens"]]
    assert tokens == [("pustaka", 0), ("arsip", 2)]


@pytest.mark.services
async def test_es_reindex_into_new_version_without_downtime(es_books) -> None:
    stop = asyncio.Event()
    totals: list[int] = []

    async def keep_searching() -> None:
        while not stop.is_set():
            totals.append((await es_books.search(SearchQuery(text="perpustakaan", limit=1))).total)
            await asyncio.sleep(0)

    searcher = asyncio.create_task(keep_searching())
    try:
        new = await es_books.reindex_into_new_version()
        assert new == f"{es_books.alias}-v2"
        assert await es_books.current_index() == new
        assert await es_books.all_ids() == {b["id"] for b in BOOKS}
        # a rebuild from "the database", with a changed record
        changed = [{**b, "title": b["title"] + " (revisi)"} if b["id"] == "b01" else b for b in BOOKS]
        newer = await es_books.reindex_into_new_version(changed)
        assert newer == f"{es_books.alias}-v3"
        doc = await es_books.get("b01")
        assert doc is not None and doc["title"].endswith("(revisi)")
    finally:
        stop.set()
        await searcher
    expected = totals[0]
    assert len(totals) > 3 and all(t == expected for t in totals)
    old = await es_books.client.indices.exists(index=f"{es_books.alias}-v1")
    assert not old.body


async def test_tantivy_one_sort_key_schema_sorts_by_one_and_refuses_two(tmp_path: Path) -> None:
    from pusip_kit.search import Sort, SortOrder
    from pusip_kit.search.model import SearchQueryError

    schema = BOOK_SCHEMA.model_copy(update={"multi_key_sort": False})
    assert TantivyIndex.fingerprint(schema) != TantivyIndex.fingerprint(BOOK_SCHEMA)
    idx = TantivyIndex(tmp_path / "one-key", schema)
    await idx.index(BOOKS)
    await idx.commit()
    by_year = await idx.search(SearchQuery(sort=(Sort(field="year", order=SortOrder.DESC),), limit=5))
    years = [h.source.get("year") for h in by_year.hits]
    assert years == sorted(years, reverse=True)
    with pytest.raises(SearchQueryError):
        await idx.search(SearchQuery(sort=(Sort(field="year"), Sort(field="title")), limit=5))
    await idx.close()
