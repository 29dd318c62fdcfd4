"""The policy tree against direct reads, and the SQL compilation against the tree (a leak probe)."""

from __future__ import annotations

import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, String, Table, create_engine, exists, select

from archive.access import AccessCategory, PolicyTier, RecordFacts, Viewer, can_read, readable
from archive.access.sql import SqlCompiler
from pusip_kit.auth.subject import AuthSubject, SecurityLevel

L = SecurityLevel
UNITS = [
    "dispusip",
    "dispusip/bidang-layanan",
    "dispusip/bidang-layanan/seksi-a",
    "dispusip/bidang-arsip",
    "dinkes",
]


def rec(level: SecurityLevel, unit: str, rid: str = "r1", cases: frozenset[str] = frozenset()) -> RecordFacts:
    return RecordFacts(rid, level, unit, cases)


def test_public_sees_only_biasa() -> None:
    public = Viewer(AccessCategory.PUBLIK)
    assert can_read(public, rec(L.BIASA, "dinkes"))
    for level in (L.TERBATAS, L.RAHASIA, L.SANGAT_RAHASIA):
        assert not can_read(public, rec(level, "dinkes"))


def test_processor_sees_own_unit_within_clearance_only() -> None:
    v = Viewer(AccessCategory.PENGOLAH, unit="dispusip/bidang-arsip", clearance=L.RAHASIA)
    assert can_read(v, rec(L.RAHASIA, "dispusip/bidang-arsip"))
    assert not can_read(v, rec(L.SANGAT_RAHASIA, "dispusip/bidang-arsip"))
    assert not can_read(v, rec(L.RAHASIA, "dispusip/bidang-layanan"))  # a peer unit
    assert not can_read(v, rec(L.RAHASIA, "dispusip"))  # the superior unit


def test_policy_makers_see_their_unit_and_below_not_peers_or_superiors() -> None:
    head = Viewer(
        AccessCategory.PENENTU_KEBIJAKAN,
        unit="dispusip/bidang-layanan",
        tier=PolicyTier.TINGGI,
        clearance=L.SANGAT_RAHASIA,
    )
    assert can_read(head, rec(L.RAHASIA, "dispusip/bidang-layanan/seksi-a"))
    assert not can_read(head, rec(L.RAHASIA, "dispusip/bidang-arsip"))
    assert not can_read(head, rec(L.RAHASIA, "dispusip"))
    top = Viewer(
        AccessCategory.PENENTU_KEBIJAKAN,
        unit="dispusip",
        tier=PolicyTier.TERTINGGI,
        clearance=L.SANGAT_RAHASIA,
    )
    assert can_read(top, rec(L.SANGAT_RAHASIA, "dispusip/bidang-arsip"))
    assert not can_read(top, rec(L.RAHASIA, "dinkes"))
    # unit prefixes are whole path segments: "dispusip" does not lead "dispusip-lama"
    assert not can_read(top, rec(L.RAHASIA, "dispusip-lama"))


def test_auditors_see_all_within_clearance_and_law_enforcement_only_their_cases() -> None:
    auditor = Viewer(AccessCategory.PENGAWAS_INTERNAL, clearance=L.SANGAT_RAHASIA)
    assert can_read(auditor, rec(L.SANGAT_RAHASIA, "dinkes"))
    police = Viewer(AccessCategory.PENEGAK_HUKUM, clearance=L.SANGAT_RAHASIA, cases=frozenset({"PKR-1"}))
    assert can_read(police, rec(L.RAHASIA, "dinkes", cases=frozenset({"PKR-1", "PKR-9"})))
    assert not can_read(police, rec(L.RAHASIA, "dinkes", cases=frozenset({"PKR-9"})))


def test_an_explicit_grant_opens_one_record() -> None:
    v = Viewer(AccessCategory.PUBLIK, granted_records=frozenset({"r7"}))
    assert can_read(v, rec(L.RAHASIA, "dinkes", rid="r7"))
    assert not can_read(v, rec(L.RAHASIA, "dinkes", rid="r8"))


def test_viewer_from_token_subject() -> None:
    s = AuthSubject("u1", unit="dispusip", clearance=L.RAHASIA, access_category="penentu_kebijakan:tinggi")
    v = Viewer.from_subject(s)
    assert (v.category, v.tier, v.unit) == (AccessCategory.PENENTU_KEBIJAKAN, PolicyTier.TINGGI, "dispusip")
    assert (
        Viewer.from_subject(AuthSubject("u2", access_category="nonsense")).category is AccessCategory.PUBLIK
    )


# --------------------------------------------------------------------------- SQL leak probe

metadata = MetaData()
records = Table(
    "records",
    metadata,
    Column("id", String, primary_key=True),
    Column("level", String),
    Column("unit", String),
)
record_cases = Table("record_cases", metadata, Column("record_id", String), Column("case_id", String))


def _case_match(values: frozenset[str]):
    return exists().where(
        record_cases.c.record_id == records.c.id, record_cases.c.case_id.in_(sorted(values))
    )


COMPILER = SqlCompiler(
    id_column=records.c.id, level_column=records.c.level, unit_column=records.c.unit, case_match=_case_match
)

record_st = st.builds(
    lambda i, level, unit, cases: RecordFacts(f"r{i}", level, unit, frozenset(cases)),
    st.integers(0, 10_000),
    st.sampled_from(list(SecurityLevel)),
    st.sampled_from([*UNITS, "dispusip_x", "dispusip%"]),
    st.sets(st.sampled_from(["PKR-1", "PKR-2", "PKR-3"]), max_size=2),
)
viewer_st = st.builds(
    Viewer,
    category=st.sampled_from(list(AccessCategory)),
    unit=st.sampled_from([None, *UNITS]),
    tier=st.sampled_from([None, *PolicyTier]),
    clearance=st.sampled_from(list(SecurityLevel)),
    cases=st.frozensets(st.sampled_from(["PKR-1", "PKR-2", "PKR-3"]), max_size=2),
    granted_records=st.frozensets(st.builds(lambda i: f"r{i}", st.integers(0, 10_000)), max_size=3),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(record_st, min_size=1, max_size=40, unique_by=lambda r: r.id), viewer_st)
def test_sql_filter_returns_exactly_what_direct_reads_allow(rows: list[RecordFacts], viewer: Viewer) -> None:
    engine = create_engine("sqlite://", module=sqlite3)
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(records.insert(), [{"id": r.id, "level": r.level.value, "unit": r.unit} for r in rows])
        links = [{"record_id": r.id, "case_id": c} for r in rows for c in r.cases]
        if links:
            conn.execute(record_cases.insert(), links)
        listed = set(conn.scalars(select(records.c.id).where(COMPILER.compile(readable(viewer)))))
    assert listed == {r.id for r in rows if can_read(viewer, r)}
