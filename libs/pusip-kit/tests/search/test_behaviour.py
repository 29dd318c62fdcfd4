"""One behaviour suite for every search backend (see ``conftest.py`` for the corpus)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest

from pusip_kit.search import (
    All,
    AnyOf,
    Exists,
    FacetRange,
    FacetRequest,
    Not,
    Range,
    RangeFacetRequest,
    SearchIndex,
    SearchQuery,
    SearchQueryError,
    SearchResult,
    Sort,
    SortOrder,
    Term,
    Terms,
)
from pusip_kit.search.analysis import analyze_terms, sort_key

from .conftest import BOOKS, Backend

TEXT_FIELDS = ("title", "authors", "subjects", "abstract")
ALL_IDS = {b["id"] for b in BOOKS}
BY_ID = {b["id"]: b for b in BOOKS}


def ids(res: SearchResult) -> list[str]:
    return [h.id for h in res.hits]


def idset(res: SearchResult) -> set[str]:
    return set(ids(res))


def having(word: str, fields: tuple[str, ...] = TEXT_FIELDS) -> set[str]:
    """Oracle: books whose analysed text contains the analysed ``word``."""
    (term,) = analyze_terms(word)
    out = set()
    for b in BOOKS:
        for f in fields:
            values = b.get(f) or []
            for v in values if isinstance(values, list) else [values]:
                if term in analyze_terms(v):
                    out.add(b["id"])
    return out


async def search(idx: SearchIndex, **kw: Any) -> SearchResult:
    kw.setdefault("limit", 100)
    return await idx.search(SearchQuery(**kw))


# ------------------------------------------------------------------ full text


async def test_match_all(corpus: SearchIndex) -> None:
    res = await search(corpus)
    assert res.total == 30
    assert idset(res) == ALL_IDS


async def test_stemming_finds_both_ways(corpus: SearchIndex) -> None:
    perpus = idset(await search(corpus, text="perpustakaan"))
    pustaka = idset(await search(corpus, text="pustaka"))
    assert {"b03", "b04", "b19", "b26"} <= perpus  # kepustakaan, pustaka ... found by "perpustakaan"
    assert {"b01", "b02", "b21", "b29"} <= pustaka  # perpustakaan found by "pustaka"
    assert perpus == pustaka == having("pustaka")


async def test_words_are_anded_and_phrase_is_exact(corpus: SearchIndex) -> None:
    assert idset(await search(corpus, text="ilmu perpustakaan")) == {"b01", "b29"}
    assert idset(await search(corpus, text='"ilmu perpustakaan"')) == {"b01"}
    # stopwords inside a phrase keep their slot, as in Lucene
    assert idset(await search(corpus, text='"sejarah jakarta"')) == {"b05"}


async def test_or_and_grouping(corpus: SearchIndex) -> None:
    assert idset(await search(corpus, text="naskah OR filologi")) == having("naskah") | having("filologi")
    # OR binds tighter than the implicit AND
    res = await search(corpus, text="kota batavia OR metropolitan")
    assert idset(res) == having("kota") & (having("batavia") | having("metropolitan"))
    res = await search(corpus, text="(novel OR esai) jakarta")
    assert idset(res) == (having("novel") | having("esai")) & having("jakarta") == {"b23", "b27"}


async def test_exclusion(corpus: SearchIndex) -> None:
    base = having("pustaka")
    assert idset(await search(corpus, text="perpustakaan -sekolah")) == base - having("sekolah")
    assert idset(await search(corpus, text="perpustakaan NOT sekolah")) == base - having("sekolah")
    only_negative = await search(corpus, text="-novel")
    assert idset(only_negative) == ALL_IDS - having("novel")
    assert only_negative.total == 30 - len(having("novel"))
    assert idset(await search(corpus, text='sejarah -"kota tua"')) == having("sejarah") - {"b06"}


async def test_fielded_search(corpus: SearchIndex) -> None:
    assert idset(await search(corpus, text="authors:sulistyo")) == {"b01", "b08"}
    assert idset(await search(corpus, text="pengarang:pramoedya")) == {"b13", "b14"}  # alias
    assert idset(await search(corpus, text="judul:arsip")) == having("arsip", ("title",))
    assert idset(await search(corpus, text='subjects:"fiksi sejarah"')) == {"b13", "b14"}
    assert idset(await search(corpus, text="language:eng")) == {"b17", "b18"}  # KEYWORD: exact
    assert idset(await search(corpus, text="title:(batavia OR bangsa)")) == {"b05", "b06", "b14"}
    # text_fields restricts unfielded words
    res = await search(corpus, text="jakarta", text_fields=("title",))
    assert idset(res) == having("jakarta", ("title",))
    assert idset(await search(corpus, text="jakarta")) > idset(res)


async def test_accents_and_case_fold(corpus: SearchIndex) -> None:
    assert idset(await search(corpus, text="CAFE")) == {"b27"}
    assert idset(await search(corpus, text="café")) == {"b27"}
    assert idset(await search(corpus, text="dewi lestari")) == {"b27"}


async def test_relevance_prefers_boosted_title(corpus: SearchIndex) -> None:
    res = await search(corpus, text="filologi")
    assert ids(res)[0] == "b10"  # in the title (boost 3) and subjects
    assert all(h.score is not None and h.score > 0 for h in res.hits)
    scores = [h.score or 0.0 for h in res.hits]
    assert scores == sorted(scores, reverse=True)


# ------------------------------------------------------------------ filters


async def test_term_terms_filters(corpus: SearchIndex) -> None:
    assert idset(await search(corpus, filters=[Term(field="language", value="eng")])) == {"b17", "b18"}
    res = await search(corpus, filters=[Terms(field="material", values=("peta", "majalah"))])
    assert idset(res) == {"b24", "b26"}
    assert (await search(corpus, filters=[Terms(field="material", values=())])).total == 0
    res = await search(corpus, filters=[Term(field="branches", value="Jakarta Selatan")])
    assert idset(res) == {b["id"] for b in BOOKS if "Jakarta Selatan" in b["branches"]}
    res = await search(corpus, filters=[Term(field="available", value=False)])
    assert idset(res) == {"b03", "b15", "b30"}
    assert idset(await search(corpus, filters=[Term(field="year", value=1980)])) == {"b13", "b14"}
    assert idset(await search(corpus, filters=[Terms(field="year", values=(1980, 2005))])) == {
        "b02",
        "b11",
        "b13",
        "b14",
    }
    assert idset(await search(corpus, filters=[Term(field="id", value="b07")])) == {"b07"}
    # a TEXT field filter matches the analysed value as a phrase
    res = await search(corpus, filters=[Term(field="subjects", value="Fiksi Indonesia")])
    assert idset(res) == {"b11", "b12", "b15", "b16"}


async def test_range_filters(corpus: SearchIndex) -> None:
    res = await search(corpus, filters=[Range(field="year", gte=2010, lte=2015)])
    assert idset(res) == {b["id"] for b in BOOKS if 2010 <= b.get("year", 0) <= 2015}
    res = await search(corpus, filters=[Range(field="year", gt=2010, lt=2015)])
    assert idset(res) == {b["id"] for b in BOOKS if 2010 < b.get("year", 0) < 2015}
    res = await search(corpus, filters=[Range(field="year", lt=1950)])
    assert idset(res) == {"b24"}
    res = await search(corpus, filters=[Range(field="price", gte=150000.0)])
    assert idset(res) == {b["id"] for b in BOOKS if b["price"] >= 150000}
    res = await search(corpus, filters=[Range(field="price", gt=0.5, lt=30000.0)])
    assert idset(res) == {"b26", "b30"}
    res = await search(corpus, filters=[Range(field="acquired", gte=dt.date(2016, 1, 1))])
    assert idset(res) == {b["id"] for b in BOOKS if b["acquired"] >= "2016-01-01"}
    res = await search(
        corpus,
        filters=[Range(field="acquired", gte=dt.datetime(1999, 9, 9, tzinfo=dt.UTC), lt=dt.date(2000, 1, 1))],
    )
    assert idset(res) == {"b13", "b14"}


async def test_not_any_all_exists(corpus: SearchIndex) -> None:
    res = await search(corpus, filters=[Not(filter=Term(field="available", value=True))])
    assert idset(res) == {"b03", "b15", "b30"}
    res = await search(corpus, filters=[Exists(field="year")])
    assert idset(res) == ALL_IDS - {"b30"}
    res = await search(corpus, filters=[Not(filter=Exists(field="year"))])
    assert idset(res) == {"b30"}
    assert (await search(corpus, filters=[AnyOf(filters=())])).total == 0
    assert (await search(corpus, filters=[All(filters=())])).total == 30
    # an access policy: public records, or restricted ones of the reader's own unit
    policy = AnyOf(
        filters=(
            Term(field="level", value="BIASA"),
            All(filters=(Term(field="level", value="TERBATAS"), Term(field="unit", value="Koleksi Khusus"))),
        )
    )
    res = await search(corpus, filters=[policy])
    assert idset(res) == ALL_IDS - {"b25"}
    res = await search(
        corpus, text="jakarta", filters=[policy, Not(filter=Term(field="material", value="peta"))]
    )
    assert idset(res) == having("jakarta") - {"b24", "b25"}


async def test_filters_do_not_change_scores(corpus: SearchIndex) -> None:
    plain = await search(corpus, text="jakarta")
    filtered = await search(corpus, text="jakarta", filters=[Term(field="language", value="ind")])
    plain_scores = {h.id: h.score for h in plain.hits}
    for h in filtered.hits:
        assert h.score == pytest.approx(plain_scores[h.id], rel=1e-4)


async def test_unknown_or_unsuitable_fields_are_400(corpus: SearchIndex) -> None:
    bad = [
        SearchQuery(filters=[Term(field="nope", value="x")]),
        SearchQuery(filters=[Range(field="language", gte=1)]),
        SearchQuery(facets=[FacetRequest(field="abstract")]),
        SearchQuery(sort=[Sort(field="abstract")]),
        SearchQuery(text="x", text_fields=("language",)),
        SearchQuery(filters=[Term(field="year", value="not a year")]),
        SearchQuery(filters=[Range(field="year", gte=dt.date(2000, 1, 1))]),
    ]
    for q in bad:
        with pytest.raises(SearchQueryError) as err:
            await corpus.search(q)
        assert err.value.status_code == 400


# ------------------------------------------------------------------ facets


async def test_facet_counts_are_exact(corpus: SearchIndex) -> None:
    res = await search(
        corpus,
        limit=0,
        facets=[
            FacetRequest(field="language"),
            FacetRequest(field="branches"),
            FacetRequest(field="authors", size=3),
            FacetRequest(field="year", size=50),
            FacetRequest(field="available"),
        ],
    )
    assert res.hits == [] and res.total == 30

    def buckets(name: str) -> dict[Any, int]:
        return {b.value: b.count for b in res.facets[name]}

    assert buckets("language") == Counter(b["language"] for b in BOOKS)
    assert buckets("branches") == Counter(br for b in BOOKS for br in b["branches"])
    assert buckets("year") == Counter(b["year"] for b in BOOKS if "year" in b)
    assert buckets("available") == Counter(b["available"] for b in BOOKS)
    authors = res.facets["authors"]
    assert [(b.value, b.count) for b in authors[:2]] == [("Andrea Hirata", 2), ("Oman Fathurahman", 2)]
    assert len(authors) == 3
    counts = [b.count for b in res.facets["branches"]]
    assert counts == sorted(counts, reverse=True)


async def test_facets_follow_query_and_filters(corpus: SearchIndex) -> None:
    res = await search(
        corpus,
        text="jakarta",
        filters=[Term(field="level", value="BIASA")],
        facets=[FacetRequest(field="material")],
    )
    matched = [BY_ID[i] for i in having("jakarta") if BY_ID[i]["level"] == "BIASA"]
    assert res.total == len(matched)
    assert {b.value: b.count for b in res.facets["material"]} == Counter(b["material"] for b in matched)
    empty = await search(corpus, text="zzzzqqq", facets=[FacetRequest(field="material")])
    assert empty.total == 0 and empty.facets["material"] == []


async def test_range_facets(corpus: SearchIndex) -> None:
    ranges = (
        FacetRange(lt=1980),
        FacetRange(gte=1980, lt=2000),
        FacetRange(gte=2000, lt=2010),
        FacetRange(key="2010 ke atas", gte=2010),
    )
    res = await search(
        corpus, limit=0, facets=[RangeFacetRequest(field="year", ranges=ranges, name="decades")]
    )
    years = [b["year"] for b in BOOKS if "year" in b]
    assert [(b.value, b.count) for b in res.facets["decades"]] == [
        ("*-1980", sum(y < 1980 for y in years)),
        ("1980-2000", sum(1980 <= y < 2000 for y in years)),
        ("2000-2010", sum(2000 <= y < 2010 for y in years)),
        ("2010 ke atas", sum(y >= 2010 for y in years)),
    ]


# ------------------------------------------------------------------ sort & paging


async def test_sort_by_year(corpus: SearchIndex) -> None:
    for order in SortOrder:
        res = await search(corpus, sort=[Sort(field="year", order=order)])
        years = [BY_ID[i].get("year") for i in ids(res)]
        assert years[-1] is None and None not in years[:-1]  # missing last, both ways
        present = [y for y in years if y is not None]
        assert present == sorted(present, reverse=order is SortOrder.DESC)
        assert all(h.score is None for h in res.hits)


async def test_sort_by_title_and_other_types(corpus: SearchIndex) -> None:
    res = await search(corpus, sort=[Sort(field="title")])
    assert ids(res) == [b["id"] for b in sorted(BOOKS, key=lambda b: sort_key(b["title"]))]
    res = await search(corpus, sort=[Sort(field="title", order=SortOrder.DESC)], limit=3)
    assert ids(res) == [b["id"] for b in sorted(BOOKS, key=lambda b: sort_key(b["title"]), reverse=True)][:3]
    res = await search(corpus, sort=[Sort(field="price", order=SortOrder.DESC)], limit=5)
    assert ids(res) == [b["id"] for b in sorted(BOOKS, key=lambda b: -b["price"])][:5]
    res = await search(corpus, sort=[Sort(field="acquired")], limit=4)
    assert ids(res) == [b["id"] for b in sorted(BOOKS, key=lambda b: b["acquired"])][:4]
    res = await search(corpus, text="novel", sort=[Sort(field="year")])
    assert ids(res) == [
        b["id"] for b in sorted((BY_ID[i] for i in having("novel")), key=lambda b: (b["year"], b["id"]))
    ]


async def test_sort_by_several_keys(corpus: SearchIndex) -> None:
    def expected(desc_year: bool) -> list[str]:
        with_year = [b for b in BOOKS if "year" in b]
        ordered = sorted(with_year, key=lambda b: sort_key(b["title"]))
        ordered.sort(key=lambda b: b["year"], reverse=desc_year)
        return [b["id"] for b in ordered] + ["b30"]

    for order in SortOrder:
        res = await search(corpus, sort=[Sort(field="year", order=order), Sort(field="title")])
        assert ids(res) == expected(order is SortOrder.DESC)
        page = await search(
            corpus, sort=[Sort(field="year", order=order), Sort(field="title")], offset=10, limit=5
        )
        assert ids(page) == expected(order is SortOrder.DESC)[10:15]
        assert page.total == 30


async def test_paging_keeps_total_and_order(corpus: SearchIndex) -> None:
    full = ids(await search(corpus, sort=[Sort(field="title")]))
    seen: list[str] = []
    for offset in range(0, 35, 7):
        page = await search(corpus, sort=[Sort(field="title")], offset=offset, limit=7)
        assert page.total == 30
        seen.extend(ids(page))
    assert seen == full
    relevance = await search(corpus, text="perpustakaan", limit=3, offset=2)
    assert relevance.total == len(having("pustaka")) and len(relevance.hits) == 3
    beyond = await search(corpus, text="perpustakaan", offset=500)
    assert beyond.hits == [] and beyond.total == len(having("pustaka"))


# ------------------------------------------------------------------ highlights, source


async def test_highlights(corpus: SearchIndex) -> None:
    res = await search(corpus, text="perpustakaan sekolah", highlight=("title", "abstract"))
    hit = next(h for h in res.hits if h.id == "b02")
    assert "<mark>Perpustakaan</mark>" in hit.highlights["title"][0]
    assert "<mark>Sekolah</mark>" in hit.highlights["title"][0]
    assert any("<mark>perpustakaan</mark>" in f for f in hit.highlights["abstract"])
    # excluded words and fields not asked for are not marked
    res = await search(corpus, text="ilmu -sosial", highlight=("title",))
    for h in res.hits:
        assert "sosial" not in " ".join(h.highlights.get("title", [])).lower().replace("<mark>sosial", "")
    assert all(set(h.highlights) <= {"title"} for h in res.hits)
    # fielded query highlights only its field
    res = await search(corpus, text="judul:batavia", highlight=("title", "abstract"))
    assert all(set(h.highlights) <= {"title"} for h in res.hits)
    assert "<mark>Batavia</mark>" in res.hits[0].highlights["title"][0]


async def test_highlights_escape_html(empty_index: SearchIndex) -> None:
    await empty_index.index(
        [
            {
                "id": "x1",
                "title": 'Buku <script>alert("perpustakaan")</script> & Perpustakaan',
                "abstract": "a " * 200,
            }
        ]
    )
    await empty_index.commit()
    res = await search(empty_index, text="perpustakaan", highlight=("title",))
    frag = res.hits[0].highlights["title"][0]
    assert "<script>" not in frag and "&lt;script&gt;" in frag
    assert "<mark>Perpustakaan</mark>" in frag and "&amp;" in frag


async def test_get_and_source(corpus: SearchIndex) -> None:
    doc = await corpus.get("b01")
    assert doc is not None
    assert doc["title"] == "Pengantar Ilmu Perpustakaan"
    assert doc["call_number"] == "020 B01"  # STORED_ONLY comes back
    assert "internal_note" not in doc  # stored=False does not
    assert doc["authors"] == ["Sulistyo-Basuki"]
    assert await corpus.get("does-not-exist") is None
    res = await search(corpus, filters=[Term(field="internal_note", value="catatan internal")], limit=1)
    assert res.total == 30 and "internal_note" not in res.hits[0].source


async def test_count_and_all_ids(corpus: SearchIndex) -> None:
    assert await corpus.count() == 30
    assert await corpus.count(Term(field="language", value="eng")) == 2
    assert await corpus.all_ids() == ALL_IDS


# ------------------------------------------------------------------ autocomplete


async def test_autocomplete(corpus: SearchIndex) -> None:
    assert await corpus.autocomplete("pramo", ["authors"]) == ["Pramoedya Ananta Toer"]
    assert await corpus.autocomplete("Tim", ["authors"]) == ["Tim Perpusnas", "Tim Penulis"]  # by count
    assert await corpus.autocomplete("sulistyo", ["authors"]) == ["Sulistyo-Basuki"]
    perpus = await corpus.autocomplete("perpus", ["title"])
    assert set(perpus) == {
        "Pengantar Ilmu Perpustakaan",
        "Manajemen Perpustakaan Sekolah",
        "Layanan Referensi di Perpustakaan Umum",
        "Perpustakaan dan Masyarakat",
    }
    assert await corpus.autocomplete("manajemen p", ["title"]) == ["Manajemen Perpustakaan Sekolah"]
    assert await corpus.autocomplete("ilmu perpustakaan ", ["title"]) == ["Pengantar Ilmu Perpustakaan"]
    assert await corpus.autocomplete("CAFÉ S") == ["Café Sastra: Catatan dari Jalan Sabang"]
    both = await corpus.autocomplete("andrea")  # all autocomplete fields
    assert both == ["Andrea Hirata"]
    assert len(await corpus.autocomplete("p", size=3)) == 3
    assert await corpus.autocomplete("") == []
    assert await corpus.autocomplete("zzzz") == []


# ------------------------------------------------------------------ writes


async def test_index_delete_commit(empty_index: SearchIndex) -> None:
    await empty_index.index(BOOKS[:5])
    await empty_index.commit()
    assert await empty_index.count() == 5
    await empty_index.delete(["b01", "b02", "missing"])
    await empty_index.commit()
    assert await empty_index.all_ids() == {"b03", "b04", "b05"}
    assert (await search(empty_index, text="sekolah")).total == 0
    assert await empty_index.get("b01") is None
    # re-indexing an id replaces the document
    await empty_index.index([{**BOOKS[2], "title": "Kepustakaan Jawa Edisi Baru"}])
    await empty_index.commit()
    assert await empty_index.count() == 3
    doc = await empty_index.get("b03")
    assert doc is not None and doc["title"] == "Kepustakaan Jawa Edisi Baru"
    await empty_index.clear()
    await empty_index.commit()
    assert await empty_index.count() == 0
    assert await empty_index.all_ids() == set()


async def test_reader_sees_writer_commit(backend: Backend, empty_index: SearchIndex) -> None:
    name = empty_index.schema.name
    reader = backend.open(name)
    try:
        assert (await reader.search(SearchQuery())).total == 0
        await empty_index.index(BOOKS[:4])
        await empty_index.commit()
        assert (await reader.search(SearchQuery(text="jawa"))).total == 1
        assert await reader.all_ids() == {"b01", "b02", "b03", "b04"}
        await empty_index.delete(["b04"])
        await empty_index.commit()
        assert await reader.count() == 3
    finally:
        await reader.close()


async def test_sort_refines_long_common_prefixes(empty_index: SearchIndex) -> None:
    titles = [f"Pengantar Ilmu Perpustakaan Jilid {n}" for n in (3, 1, 2)] + ["Pengantar Ilmu Perpustakaan"]
    docs = [{"id": f"p{i}", "title": t, "year": 2000} for i, t in enumerate(titles)]
    await empty_index.index(docs)
    await empty_index.commit()
    res = await search(empty_index, sort=[Sort(field="year"), Sort(field="title", order=SortOrder.DESC)])
    assert [h.source["title"] for h in res.hits] == sorted(titles, key=sort_key, reverse=True)


async def test_bad_documents_are_refused(empty_index: SearchIndex) -> None:
    from pusip_kit.search import DocumentError

    with pytest.raises(DocumentError):
        await empty_index.index([{"id": "x", "year": "sekitar 1990"}])
    with pytest.raises(DocumentError):
        await empty_index.index([{"title": "tanpa id"}])


# ------------------------------------------------------------------ hostile input

HOSTILE = [
    '"',
    '"""',
    "((",
    "))",
    "(()",
    "title:",
    "title:(",
    'title:"',
    "*",
    "?",
    "-",
    "--",
    "- -",
    "NOT",
    "OR",
    "AND OR NOT",
    "a OR",
    "OR a",
    "NOT NOT perpustakaan",
    "perpustakaan OR -",
    "year:[2000 TO 2010]",
    "title:*pus*",
    "foo:bar:baz",
    ":::",
    "\\",
    "\x00",
    "🙂📚",
    "ﷺ",
    "perpus\u200btakaan",
    "Ｐｅｒｐｕｓｔａｋａａｎ",
    "(" * 500 + "jakarta" + ")" * 3,
    "jakarta " * 500,
    "a" * 10_000,
    "<script>alert(1)</script>",
    '{"query": {"match_all": {}}}',
    "title:/.*/",
    "yang dan di",
    '"yang dan"',
]


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_text_never_raises(corpus: SearchIndex, text: str) -> None:
    res = await corpus.search(
        SearchQuery(text=text, highlight=("title",), facets=[FacetRequest(field="language")])
    )
    assert 0 <= res.total <= 30
    await corpus.autocomplete(text)


async def test_hostile_input_degrades_sensibly(corpus: SearchIndex) -> None:
    assert (await search(corpus, text='"ilmu perpustakaan')).total == len(having("ilmu") & having("pustaka"))
    assert (await search(corpus, text="yang dan di")).total == 30  # only stopwords: everything
    assert (await search(corpus, text="Ｐｅｒｐｕｓｔａｋａａｎ")).total == len(having("pustaka"))
    assert (await search(corpus, text="(" * 500 + "jakarta")).total == len(having("jakarta"))


# ------------------------------------------------------------------ documents encoded elsewhere


async def test_encoded_documents_search_like_indexed_ones(
    empty_index: SearchIndex, corpus: SearchIndex
) -> None:
    import pickle

    encode = pickle.loads(pickle.dumps(empty_index.document_encoder()))  # as a parse process gets it
    encoded = [pickle.loads(pickle.dumps(encode(doc))) for doc in BOOKS]
    assert await empty_index.index_encoded(encoded, new=True) == len(BOOKS)
    await empty_index.commit()
    assert await empty_index.count() == len(BOOKS)
    facets = (FacetRequest(field="branches"), FacetRequest(field="subjects"))
    for text in ("perpustakaan", '"sejarah jakarta"', "judul:pustaka -arsip", None):
        q = SearchQuery(text=text, facets=facets, limit=50)
        got, want = await empty_index.search(q), await corpus.search(q)
        assert got.total == want.total and got.total
        assert {h.id for h in got.hits} == {h.id for h in want.hits}
        assert got.facets == want.facets
    assert await empty_index.autocomplete("sej") == await corpus.autocomplete("sej")
    # replacing (new=False) keeps one document per id
    await empty_index.index_encoded(encoded[:3])
    await empty_index.commit()
    assert await empty_index.count() == len(BOOKS)
