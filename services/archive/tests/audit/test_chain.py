"""The audit chain: appended in order, verified from the database, and any tampering is found."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from sqlalchemy import delete, text, update

from archive.audit import GENESIS, AuditDraft, append, append_many, canonical, chain_hash, verify
from archive.models import AuditEntry, AuditHead
from pusip_kit.testing.service import ServiceClient
from pusip_kit.uow import unit_of_work


async def _fill(client: ServiceClient, n: int = 6) -> None:
    async with unit_of_work(client.sessionmaker) as session:
        await append_many(
            session,
            [
                AuditDraft(
                    actor=f"u{i}",
                    action="read",
                    outcome="allowed",
                    record_id=f"r{i}",
                    level="RAHASIA",
                    details={"unit": "dispusip"},
                )
                for i in range(n)
            ],
        )


async def test_entries_chain_onto_each_other(client: ServiceClient) -> None:
    await _fill(client, 3)
    async with client.session() as session:
        rows = (await session.execute(text("SELECT * FROM audit_log ORDER BY seq"))).mappings().all()
        result = await verify(session)
    assert [r["seq"] for r in rows] == [1, 2, 3]
    assert rows[0]["prev_hash"] == GENESIS
    for before, after in itertools.pairwise(rows):
        assert after["prev_hash"] == before["hash"]
    first = dict(rows[0])
    first["details"] = {"unit": "dispusip"}
    assert rows[0]["hash"] == chain_hash(GENESIS, first)
    assert canonical(first).startswith('{"action":"read","actor":"u0"')
    assert result.ok and result.entries == 3 and result.last_seq == 3 and result.last_hash == rows[-1]["hash"]


async def test_a_changed_entry_is_found(client: ServiceClient) -> None:
    await _fill(client)
    async with unit_of_work(client.sessionmaker) as session:
        await session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(level="BIASA"))
    async with client.session() as session:
        result = await verify(session)
    assert not result.ok
    assert [(p["seq"], p["kind"]) for p in result.problems] == [(3, "hash_mismatch")]


async def test_a_rehashed_entry_still_breaks_the_next_link(client: ServiceClient) -> None:
    await _fill(client)
    async with unit_of_work(client.sessionmaker) as session:
        entry = await session.get(AuditEntry, 2)
        assert entry is not None
        row = {
            c: getattr(entry, c)
            for c in (
                "seq",
                "at",
                "actor",
                "actor_category",
                "action",
                "record_id",
                "level",
                "outcome",
                "details",
            )
        }
        row["actor"] = "orang-lain"
        entry.actor = "orang-lain"
        entry.hash = chain_hash(entry.prev_hash, row)  # a forger recomputes this entry's hash…
    async with client.session() as session:
        result = await verify(session)
    assert [(p["seq"], p["kind"]) for p in result.problems] == [
        (3, "broken_link")
    ]  # …but not every later one


async def test_removed_entries_are_found(client: ServiceClient) -> None:
    await _fill(client)
    async with unit_of_work(client.sessionmaker) as session:
        await session.execute(delete(AuditEntry).where(AuditEntry.seq == 4))
    async with client.session() as session:
        kinds = [(p["seq"], p["kind"]) for p in (await verify(session)).problems]
    assert kinds == [(5, "sequence_gap"), (5, "broken_link")]
    async with unit_of_work(client.sessionmaker) as session:
        await session.execute(delete(AuditEntry).where(AuditEntry.seq >= 4))
    async with client.session() as session:
        result = await verify(session)
    assert [p["kind"] for p in result.problems] == ["head_mismatch"]  # truncation at the end


async def test_concurrent_appends_stay_one_chain(client: ServiceClient) -> None:
    async def writer(i: int) -> None:
        for j in range(5):
            async with unit_of_work(client.sessionmaker) as session:
                await append(
                    session, AuditDraft(actor=f"w{i}", action="read", outcome="allowed", record_id=f"{i}-{j}")
                )

    await asyncio.gather(*(writer(i) for i in range(6)))
    async with client.session() as session:
        result = await verify(session)
        head = await session.get(AuditHead, 1)
    assert result.ok and result.entries == 30
    assert head is not None and (head.seq, head.hash) == (30, result.last_hash)


async def test_a_refusal_is_logged_even_though_the_request_rolls_back(
    client: ServiceClient, archive: Any
) -> None:
    await archive.instruments()
    record = await archive.record(level="SANGAT_RAHASIA")
    stranger = archive.headers(
        roles=["patron"], unit="dinkes", category="pengolah", clearance="BIASA", sub="orang-asing"
    )
    assert (
        await client.get(f"/records/{record['id']}/files/{record['id']}", headers=stranger)
    ).status_code == 404
    log = (await client.get("/audit", params={"actor": "orang-asing"}, headers=archive.admin)).json()["items"]
    assert [(e["action"], e["outcome"], e["record_id"], e["level"]) for e in log] == [
        ("download", "refused", record["id"], "SANGAT_RAHASIA")
    ]
    verified = (await client.get("/audit/verify", headers=archive.admin)).json()
    assert verified["ok"] is True
    async with unit_of_work(client.sessionmaker) as session:
        await session.execute(update(AuditEntry).where(AuditEntry.seq == 1).values(outcome="allowed"))
    tampered = (await client.get("/audit/verify", headers=archive.admin)).json()
    assert tampered["ok"] is False and tampered["problems"][0]["kind"] == "hash_mismatch"
