"""Leak probe: for random viewers, search returns exactly what direct reads allow — on both engines."""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.access import AccessCategory, PolicyTier, RecordFacts, Viewer, can_read, readable
from archive.access.search import POLICY_FIELDS, policy_fields, to_search_filter
from pusip_kit.auth.subject import SecurityLevel
from pusip_kit.search import IndexSchema, SearchQuery, TantivyIndex
from pusip_kit.search.model import FieldSpec, FieldType
from pusip_kit.testing.servers import require

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


async def _fill(index) -> None:  # type: ignore[no-untyped-def]
    await index.ensure()
    await index.index({"id": r.id, "title": f"arsip surat {r.id}", **policy_fields(r)} for r in RECORDS)
    await index.commit()


@pytest_asyncio.fixture(
    scope="module",
    loop_scope="module",
    params=["tantivy", pytest.param("elasticsearch", marks=pytest.mark.services)],
)
async def probe_index(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    if request.param == "tantivy":
        index = TantivyIndex(Path(tmp_path_factory.mktemp("probe")), SCHEMA)
    else:
        from pusip_kit.search import ElasticsearchIndex

        servers = require("elasticsearch")
        index = ElasticsearchIndex(servers.elasticsearch_url, SCHEMA, prefix=f"probe-{uuid.uuid4().hex[:8]}")
    await _fill(index)
    yield index
    if request.param == "elasticsearch":
        await index.drop()
    await index.close()


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
async def test_search_never_returns_what_a_direct_read_refuses(probe_index, viewer: Viewer) -> None:
    q = SearchQuery(text="arsip", filters=(to_search_filter(readable(viewer)),), limit=1000)
    found = {hit.id for hit in (await probe_index.search(q)).hits}
    allowed = {r.id for r in RECORDS if can_read(viewer, r)}
    assert found == allowed


@pytest.mark.asyncio(loop_scope="module")
async def test_every_category_unit_tier_and_clearance_sees_exactly_what_it_may(probe_index) -> None:
    """Exhaustive over the structural dimensions; the hypothesis test above varies grants and cases."""
    checked = 0
    for category in AccessCategory:
        for unit in [None, *UNITS]:
            for tier in [None, *PolicyTier]:
                for clearance in SecurityLevel:
                    viewer = Viewer(category, unit, tier, clearance, frozenset({"PKR-2"}), frozenset({"r5"}))
                    q = SearchQuery(filters=(to_search_filter(readable(viewer)),), limit=1000)
                    found = {hit.id for hit in (await probe_index.search(q)).hits}
                    assert found == {r.id for r in RECORDS if can_read(viewer, r)}, viewer
                    checked += 1
    assert checked == len(AccessCategory) * 7 * 4 * 4
