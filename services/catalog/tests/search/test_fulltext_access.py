"""E-resource text is searched and quoted only for who may read the file (issue #3, OPAC full text).

One record per access rule, each with a file holding a word no other file has, and one record with
a file of every rule; on Tantivy and on Elasticsearch (``services``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from catalog.config import CatalogSettings
from catalog.domain_events import TASK_RECONCILE
from catalog.main import create_app
from catalog.search.audience import ALL_FULLTEXT
from catalog.search.indexer import behind, reconcile, request_catch_up
from catalog.search.schema import CATALOG_SCHEMA
from pusip_kit.search.elasticsearch_backend import ElasticsearchIndex
from pusip_kit.search.tantivy_backend import TantivyIndex
from pusip_kit.testing.service import ServiceClient, run_service, settings_for_test, shared_test_issuer

from ..helpers import CATALOGER, LIBRARIAN, PATRON, create_record, marc, run_tasks
from .conftest import BACKENDS

pytestmark = pytest.mark.asyncio(loop_scope="module")

PUBLISHER = {"roles": ["publisher"]}
WORDS = {  # made-up words: no stemmer trims them, no title holds them
    "public": "zorvantik",
    "members": "plumbarex",
    "on_site": "gwendrolax",
    "restricted": "quintavor",
}
SHARED = "sengketa"
"""In every file: a search for it must quote only the files the searcher may read."""
ALL_RULES = tuple(WORDS)


def _text(rule: str) -> bytes:
    return f"Catatan berkas {rule}. Bab ini membahas {SHARED} lahan dan {WORDS[rule]} secara rinci.".encode()


@dataclass
class Library:
    client: ServiceClient
    ids: dict[str, str]  # rule (or "mixed") -> record id
    files: dict[str, str]  # rule -> e-resource id of the single-file record

    def headers(self, who: str) -> dict[str, str]:
        if who == "anonymous":
            return {}
        return self.client.bearer(**{"patron": PATRON, "librarian": LIBRARIAN, "publisher": PUBLISHER}[who])

    async def search(self, who: str, **params: object) -> dict:
        response = await self.client.get("/search", params={"limit": 50, **params}, headers=self.headers(who))
        assert response.status_code == 200, response.text
        return response.json()

    async def found(self, who: str, **params: object) -> set[str]:
        names = {v: k for k, v in self.ids.items()}
        return {names[h["id"]] for h in (await self.search(who, **params))["hits"]}


async def _upload(client: ServiceClient, record_id: str, rule: str) -> str:
    response = await client.post(
        f"/records/{record_id}/eresources",
        files={"file": (f"berkas-{rule}.txt", _text(rule), "text/plain")},
        data={"access": rule},
        headers=client.bearer(**CATALOGER),
    )
    assert response.status_code == 201, response.text
    assert response.json()["access"] == rule
    return str(response.json()["id"])


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=BACKENDS)
async def library(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Library]:
    overrides: dict[str, object] = {}
    if request.param == "elasticsearch":
        from pusip_kit.testing.servers import require

        overrides = {
            "search_backend": "elasticsearch",
            "elasticsearch_url": require("elasticsearch").elasticsearch_url,
            "elasticsearch_prefix": f"pusiptest-{uuid.uuid4().hex[:10]}",
        }
    settings = settings_for_test(
        CatalogSettings,
        tmp_path_factory.mktemp(f"fulltext-{request.param}"),
        shared_test_issuer(),
        **overrides,
    )
    async with run_service(create_app, settings) as client:
        try:
            ids: dict[str, str] = {}
            files: dict[str, str] = {}
            for rule in ALL_RULES:
                ids[rule] = (await create_record(client, marc(f"Arsip koleksi {rule}", year=2001)))["id"]
                files[rule] = await _upload(client, ids[rule], rule)
            ids["mixed"] = (await create_record(client, marc("Himpunan berkas campuran", year=2002)))["id"]
            for rule in ALL_RULES:
                await _upload(client, ids["mixed"], rule)
            await run_tasks(client)
            yield Library(client, ids, files)
        finally:
            if request.param == "elasticsearch":
                await client.app.state.catalog_runtime.index.drop()


READABLE = {
    "anonymous": {"public"},
    "publisher": {"public"},  # signed in, but not a reader of every members-only file (legal deposits)
    "patron": {"public", "members"},
    "librarian": set(ALL_RULES),
}


@pytest.mark.parametrize("who", list(READABLE))
@pytest.mark.parametrize("rule", ALL_RULES)
async def test_a_files_own_word_finds_it_only_for_who_may_read_it(
    library: Library, who: str, rule: str
) -> None:
    body = await library.search(who, q=WORDS[rule])
    names = {v: k for k, v in library.ids.items()}
    found = {names[h["id"]] for h in body["hits"]}
    if rule in READABLE[who]:
        assert found == {rule, "mixed"}
        for hit in body["hits"]:
            assert any(f"<mark>{WORDS[rule]}</mark>" in s for s in hit["snippets"]["fulltext"]), hit
    else:
        assert found == set() and body["total"] == 0


@pytest.mark.parametrize("who", list(READABLE))
async def test_snippets_quote_only_readable_files(library: Library, who: str) -> None:
    body = await library.search(who, q=f"{SHARED} OR " + " OR ".join(WORDS.values()))
    names = {v: k for k, v in library.ids.items()}
    assert {names[h["id"]] for h in body["hits"]} == READABLE[who] | {"mixed"}
    for hit in body["hits"]:
        quoted = json.dumps(hit["snippets"]).lower()
        assert f"<mark>{SHARED}</mark>" in quoted, hit  # the readable text is quoted ...
        for rule in set(ALL_RULES) - READABLE[who]:  # ... and nothing of any other file
            assert WORDS[rule] not in quoted and f"berkas {rule}" not in quoted, (rule, hit["snippets"])
    assert not any(k.startswith("fulltext_") for h in body["hits"] for k in h["snippets"])


@pytest.mark.parametrize("who", list(READABLE))
@pytest.mark.parametrize(
    "prefix", ["teks", "fulltext", "fulltext_members", "fulltext_staff", "FULLTEXT_STAFF"]
)
async def test_fielded_text_search_stays_within_the_readers_files(
    library: Library, who: str, prefix: str
) -> None:
    for rule in ALL_RULES:
        found = await library.found(who, q=f"{prefix}:{WORDS[rule]}")
        assert found == ({rule, "mixed"} if rule in READABLE[who] else set()), (rule, found)
    phrase = await library.found(who, q=f'{prefix}:"{SHARED} lahan" -judul:campuran')
    assert phrase == READABLE[who]


async def test_sru_and_search_export_are_public(library: Library) -> None:
    for rule in ALL_RULES:
        response = await library.client.get(
            "/sru",
            params={"operation": "searchRetrieve", "version": "1.2", "query": WORDS[rule]},
        )
        assert response.status_code == 200, response.text
        hits = 0 if "<numberOfRecords>0<" in response.text.replace("zs:", "") else 1
        assert hits == (1 if rule == "public" else 0), (rule, response.text[:500])
    export = await library.client.get("/records/export", params={"q": WORDS["restricted"], "format": "csv"})
    assert export.status_code == 200, export.text
    assert library.ids["restricted"] not in export.text and "Arsip koleksi restricted" not in export.text
    staff_export = await library.client.get(
        "/records/export",
        params={"q": WORDS["restricted"], "format": "csv"},
        headers=library.headers("librarian"),
    )
    assert "Arsip koleksi restricted" in staff_export.text


async def test_changing_a_files_access_moves_its_text(library: Library) -> None:
    client = library.client
    file_id = library.files["on_site"]
    try:
        changed = await client.patch(
            f"/eresources/{file_id}", json={"access": "public"}, headers=client.bearer(**CATALOGER)
        )
        assert changed.status_code == 200, changed.text
        await run_tasks(client)
        assert await library.found("anonymous", q=WORDS["on_site"]) == {"on_site"}
    finally:
        await client.patch(
            f"/eresources/{file_id}", json={"access": "on_site"}, headers=client.bearer(**CATALOGER)
        )
        await run_tasks(client)
    assert await library.found("anonymous", q=WORDS["on_site"]) == set()


async def test_an_index_written_before_the_split_is_rebuilt(library: Library) -> None:
    """Upgrading from one ``fulltext`` field: Tantivy opens a fresh directory (the schema's
    fingerprint changes), Elasticsearch notices the old mapping and the reconciliation rebuilds."""
    client = library.client
    index = client.app.state.catalog_runtime.index
    old_schema = CATALOG_SCHEMA.model_copy(
        update={
            "fields": tuple(f for f in CATALOG_SCHEMA.fields if f.name not in ALL_FULLTEXT - {"fulltext"})
        }
    )
    if isinstance(index, TantivyIndex):
        assert TantivyIndex.fingerprint(old_schema) != TantivyIndex.fingerprint(CATALOG_SCHEMA)
        assert not await index.outdated()
        return
    assert isinstance(index, ElasticsearchIndex)
    # what the old code left: no fingerprint in the mapping, every file's text in ``fulltext``
    await index.client.indices.put_mapping(index=index.alias, meta={})
    leaky = (await index.get(library.ids["restricted"])) or {}
    await index.index([{**leaky, "fulltext": _text("restricted").decode()}])
    await index.commit()
    assert await library.found("anonymous", q=WORDS["restricted"]) == {"restricted"}
    assert await index.outdated()

    outcome = await reconcile(index, client.sessionmaker)
    assert outcome["rebuilt"] == len(library.ids)
    assert not await index.outdated()
    assert await library.found("anonymous", q=WORDS["restricted"]) == set()
    assert await library.found("librarian", q=WORDS["restricted"]) == {"restricted", "mixed"}


async def test_an_index_found_behind_at_start_up_is_caught_up(library: Library) -> None:
    """A fresh Tantivy directory (new schema) or an emptied index: start-up asks the worker to
    reconcile at once, and a caught-up index asks nothing."""
    client = library.client
    index = client.app.state.catalog_runtime.index
    assert not await behind(index, client.sessionmaker)
    assert not await request_catch_up(index, client.sessionmaker)

    await index.clear()
    await index.commit()
    assert await library.found("librarian", q=WORDS["public"]) == set()
    assert await behind(index, client.sessionmaker)
    assert await request_catch_up(index, client.sessionmaker)

    done = await run_tasks(client)
    assert [name for name, _ in done] == [TASK_RECONCILE]
    assert done[0][1]["missing"] == len(library.ids)
    assert await library.found("anonymous", q=WORDS["public"]) == {"public", "mixed"}
    assert not await request_catch_up(index, client.sessionmaker)
