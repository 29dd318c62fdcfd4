"""Fixity: stored objects are re-hashed; changed, missing and re-labelled objects are reported as data."""

from __future__ import annotations

import uuid
from typing import Any

from archive.fixity.service import run_fixity
from archive.models import RecordFile
from pusip_kit.testing.service import ServiceClient


async def test_the_fixity_check_reports_what_no_longer_matches(client: ServiceClient, archive: Any) -> None:
    await archive.instruments()
    records = [await archive.record() for _ in range(3)]
    files = [
        (await archive.upload(r["id"], f"Isi naskah {i}\n".encode() * 100)).json()
        for i, r in enumerate(records)
    ]
    run = await run_fixity(client.sessionmaker, archive.runtime)
    assert (run.checked, run.ok, run.problems) == (3, 3, 0)

    store = archive.runtime.files
    async with client.session() as session:
        keys = {f["id"]: (await session.get(RecordFile, uuid.UUID(f["id"]))).object_key for f in files}
    # bit rot: the bytes on disk change behind the store's back
    path = store.path_for(keys[files[0]["id"]])  # type: ignore[attr-defined]
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    await store.delete(keys[files[1]["id"]])  # lost
    await store.put(keys[files[2]["id"]], b"isi lain sama sekali")  # replaced: the store's own hash changed

    queued = await client.post("/fixity/runs", headers=archive.archivist)
    assert queued.status_code == 202
    ran = dict(await archive.run_tasks())
    assert ran["archive.fixity.run"]["problems"] == 3
    runs = (await client.get("/fixity/runs", headers=archive.archivist)).json()["items"]
    assert [r["problems"] for r in runs] == [3, 0]
    detail = (await client.get(f"/fixity/runs/{runs[0]['id']}", headers=archive.archivist)).json()
    assert {i["object_id"]: i["kind"] for i in detail["issues"]} == {
        files[0]["id"]: "mismatch",
        files[1]["id"]: "missing",
        files[2]["id"]: "checksum_differs",
    }
    assert (await client.get("/fixity/issues", params={"kind": "missing"}, headers=archive.archivist)).json()[
        "total"
    ] == 1
    events = await client.outbox_events("archive.fixity.problem")
    assert len(events) == 3
    assert (await client.get("/fixity/runs", headers=archive.headers(roles=["patron"]))).status_code == 403
