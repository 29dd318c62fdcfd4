"""Leak probe: for random viewers, search returns exactly what direct reads allow — on both engines.

The index lives on one event loop in a background thread for the whole module, so the async
Elasticsearch client always sees the loop it was made on; the tests submit searches to it.
"""

from __future__ import annotations

import asyncio
import random
import threading
import uuid
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.access import AccessCategory, PolicyTier, RecordFacts, Viewer, can_read, readable
from archive.access.search import POLICY_FIELDS, policy_fields, to_search_filter
from pusip_kit.auth.subject import SecurityLevel
from pusip_kit.search import IndexSchema, SearchIndex, SearchQuery, TantivyIndex
from pusip_kit.search.model import FieldSpec, FieldType
from pusip_kit.testing.servers import require

T = TypeVar("T")
UNITS = [
    "dispusip",
    "dispusip/bidang-layanan",
    "dispusip/bidang-layanan/seksi-a",
    "dispusip/bidang-arsip",
    "dinkes",
    "dispusip-lama",
]
CASES = ["PKR-1", "PKR-2", "PKR-3"]
SCHEMA = IndexSchema(
    name="archive_probe",
    fields=(
        FieldSpec(name="id", type=FieldType.KEYWORD),
        FieldSpec(name="title", type=FieldType.TEXT),
        *POLICY_FIELDS,
    ),
)


def _records() -> list[RecordFacts]:
    rng = random.Random(20261121)
    return [
        RecordFacts(
            f"r{i}",
            rng.choice(list(SecurityLevel)),
            rng.choice(UNITS),
            frozenset(rng.sample(CASES, rng.randint(0, 2))),
        )
        for i in range(300)
    ]


RECORDS = _records()


class LoopThread:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=120)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


class Probe:
    def __init__(self, index: SearchIndex, loop: LoopThread) -> None:
        self.index, self.loop = index, loop

    def found(self, viewer: Viewer, text: str | None = None) -> set[str]:
        q = SearchQuery(text=text, filters=(to_search_filter(readable(viewer)),), limit=1000)
        return {hit.id for hit in self.loop.run(self.index.search(q)).hits}


@pytest.fixture(scope="module", params=["tantivy", pytest.param("elasticsearch", marks=pytest.mark.services)])
def probe(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Probe]:
    loop = LoopThread()

    async def build() -> SearchIndex:
        if request.param == "tantivy":
            index: SearchIndex = TantivyIndex(Path(tmp_path_factory.mktemp("probe")), SCHEMA)
        else:
            from pusip_kit.search import ElasticsearchIndex

            servers = require("elasticsearch")
            index = ElasticsearchIndex(
                servers.elasticsearch_url, SCHEMA, prefix=f"probe-{uuid.uuid4().hex[:8]}"
            )
        await index.ensure()
        await index.index({"id": r.id, "title": f"arsip surat {r.id}", **policy_fields(r)} for r in RECORDS)
        await index.commit()
        return index

    index = loop.run(build())
    try:
        yield Probe(index, loop)
    finally:
        if request.param == "elasticsearch":
            loop.run(index.drop())
        loop.run(index.close())
        loop.stop()


viewer_st = st.builds(
    Viewer,
    category=st.sampled_from(list(AccessCategory)),
    unit=st.sampled_from([None, *UNITS]),
    tier=st.sampled_from([None, *PolicyTier]),
    clearance=st.sampled_from(list(SecurityLevel)),
    cases=st.frozensets(st.sampled_from(CASES), max_size=2),
    granted_records=st.frozensets(st.sampled_from([r.id for r in RECORDS]), max_size=3),
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(viewer=viewer_st)
def test_search_never_returns_what_a_direct_read_refuses(probe: Probe, viewer: Viewer) -> None:
    assert probe.found(viewer, "arsip") == {r.id for r in RECORDS if can_read(viewer, r)}


def test_every_category_unit_tier_and_clearance_sees_exactly_what_it_may(probe: Probe) -> None:
    """Exhaustive over the structural dimensions; the hypothesis test above varies grants and cases."""
    checked = 0
    for category in AccessCategory:
        for unit in [None, *UNITS]:
            for tier in [None, *PolicyTier]:
                for clearance in SecurityLevel:
                    viewer = Viewer(category, unit, tier, clearance, frozenset({"PKR-2"}), frozenset({"r5"}))
                    assert probe.found(viewer) == {r.id for r in RECORDS if can_read(viewer, r)}, viewer
                    checked += 1
    assert checked == len(AccessCategory) * 7 * 4 * 4
