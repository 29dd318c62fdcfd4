"""A crash mid-disposal leaves either the records with no berita acara, or both — never a deleted
object whose destruction is not on record. Faults are raised in-process at each checkpoint, and the
process is killed (SIGKILL) for real in a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from archive.lifecycle import disposal
from archive.models import Document, RecordFile
from pusip_kit.testing.service import ServiceClient


async def prepared(
    client: ServiceClient, archive: Any, n: int = 2
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    await archive.instruments()
    records = [await archive.record() for _ in range(n)]
    files = []
    for record in records:
        uploaded = await archive.upload(record["id"], b"Naskah yang akan dimusnahkan\n" * 20)
        files.append((record["id"], uploaded.json()["id"]))
    await archive.transfer([r["id"] for r in records])
    return await archive.decreed_disposal([r["id"] for r in records]), files


async def state(
    client: ServiceClient, archive: Any, proposal_id: str, files: list[tuple[str, str]]
) -> dict[str, Any]:
    async with client.session() as session:
        minutes = await session.scalar(
            select(func.count())
            .select_from(Document)
            .where(Document.kind == "berita_acara_pemusnahan", Document.subject_id == uuid.UUID(proposal_id))
        )
        file_ids = [uuid.UUID(file_id) for _, file_id in files]
        keys = (
            (
                await session.execute(
                    select(RecordFile.object_key)
                    .where(RecordFile.id.in_(file_ids))
                    .order_by(RecordFile.created_at)
                )
            )
            .scalars()
            .all()
        )
    statuses = {
        (await client.get(f"/records/{r}", headers=archive.archivist)).json()["status"] for r, _ in files
    }
    objects = [await archive.runtime.files.exists(k) for k in keys]
    proposal = (await client.get(f"/disposals/{proposal_id}", headers=archive.archivist)).json()
    return {"statuses": statuses, "minutes": minutes, "objects": objects, "proposal": proposal["status"]}


def consistent(s: dict[str, Any]) -> None:
    """The invariant: an object is gone only if its destruction and berita acara are on record."""
    if not all(s["objects"]):
        assert s["statuses"] == {"musnah"} and s["minutes"] == 1, s
    if s["statuses"] == {"musnah"}:
        assert s["minutes"] == 1 and s["proposal"] == "dimusnahkan", s
    else:
        assert s["statuses"] == {"inaktif"} and s["minutes"] == 0 and s["proposal"] == "ditetapkan", s


class Crash(RuntimeError):
    pass


@pytest.mark.parametrize("checkpoint", ["records_marked", "documents_stored", "before_commit"])
async def test_a_fault_mid_disposal_leaves_nothing_destroyed(
    client: ServiceClient, archive: Any, checkpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposal, files = await prepared(client, archive)

    def fault(name: str) -> None:
        if name == checkpoint:
            raise Crash(name)

    monkeypatch.setattr(disposal, "fault_hook", fault)
    with pytest.raises(Crash):  # the in-process transport re-raises what the server answered 500 for
        await client.post(
            f"/disposals/{proposal['id']}/execute", json=archive.EXECUTION, headers=archive.archivist
        )
    before = await state(client, archive, proposal["id"], files)
    assert before == {
        "statuses": {"inaktif"},
        "minutes": 0,
        "objects": [True, True],
        "proposal": "ditetapkan",
    }
    assert "archive.disposal.purge" not in [name for name, _ in await archive.run_tasks()]
    for record_id, file_id in files:
        assert (
            await client.get(f"/records/{record_id}/files/{file_id}", headers=archive.archivist)
        ).status_code == 200

    monkeypatch.setattr(disposal, "fault_hook", None)
    done = await client.post(
        f"/disposals/{proposal['id']}/execute", json=archive.EXECUTION, headers=archive.archivist
    )
    assert done.status_code == 200
    committed = await state(client, archive, proposal["id"], files)
    assert committed == {
        "statuses": {"musnah"},
        "minutes": 1,
        "objects": [True, True],
        "proposal": "dimusnahkan",
    }
    await archive.run_tasks()
    purged = await state(client, archive, proposal["id"], files)
    assert purged["objects"] == [False, False] and purged["minutes"] == 1
    consistent(purged)


async def test_the_purge_refuses_without_a_berita_acara(client: ServiceClient, archive: Any) -> None:
    proposal, files = await prepared(client, archive, n=1)
    result = await disposal.purge_destroyed_files(
        client.sessionmaker, archive.runtime, uuid.UUID(proposal["id"])
    )
    assert result == {"purged": 0, "skipped": 1}
    consistent(await state(client, archive, proposal["id"], files))


KILLER = textwrap.dedent(
    """
    import asyncio, os, signal, sys, uuid
    from datetime import date
    from pathlib import Path

    from archive.config import ArchiveSettings
    from archive.lifecycle import disposal
    from archive.runtime import acquire_runtime
    from pusip_kit.auth.subject import AuthSubject, Role
    from pusip_kit.config import Environment
    from pusip_kit.db.engine import Database
    from pusip_kit.uow import unit_of_work

    data_dir = Path(sys.argv[1])

    async def main(proposal_id, checkpoint):
        def die(name):
            if name == checkpoint:
                os.kill(os.getpid(), signal.SIGKILL)

        settings = ArchiveSettings(environment=Environment.TEST, data_dir=data_dir, log_json=False,
                                   database_url=f"sqlite+aiosqlite:///{data_dir / 'archive' / 'archive.db'}")
        runtime = acquire_runtime(settings)
        database = Database(settings.database_url)
        subject = AuthSubject(subject="crash-test", username="arsiparis", roles=frozenset({Role.ARCHIVIST}),
                              unit="dispusip", clearance="SANGAT_RAHASIA", access_category="penentu_kebijakan:tertinggi")
        disposal.fault_hook = die
        async with unit_of_work(database.sessionmaker) as session:
            await disposal.disposal_service.execute(
                session, subject, runtime, proposal_id=proposal_id, executed_on=date(2026, 7, 1),
                method="pencacahan", place="Depo", executor={"name": "Petugas", "position": "Arsiparis"},
                witnesses=[{"name": "Saksi A", "nip": None, "position": "Auditor"},
                           {"name": "Saksi B", "nip": None, "position": "Analis"}])
        # the purge of a real worker, killed right after its first deleted object
        original = runtime.files.delete
        async def delete_then_die(key):
            await original(key)
            die("purge_first_object")
        runtime.files.delete = delete_then_die
        await disposal.purge_destroyed_files(database.sessionmaker, runtime, proposal_id)

    # One interpreter (imports are the slow part), one forked child per scenario, each killed.
    for argument in sys.argv[2:]:
        proposal_id, checkpoint = argument.split("=")
        child = os.fork()
        if child == 0:
            asyncio.run(main(uuid.UUID(proposal_id), checkpoint))
            os._exit(0)
        _, status = os.waitpid(child, 0)
        print(checkpoint, os.WTERMSIG(status) if os.WIFSIGNALED(status) else -os.WEXITSTATUS(status))
    """
)


async def test_a_killed_process_mid_disposal_never_loses_an_object_without_its_record(
    client: ServiceClient, archive: Any, tmp_path: Path
) -> None:
    await archive.instruments()
    scenarios: dict[str, tuple[dict[str, Any], list[tuple[str, str]]]] = {}
    for checkpoint in ("documents_stored", "purge_first_object"):
        records = [await archive.record() for _ in range(2)]
        files = []
        for record in records:
            uploaded = await archive.upload(record["id"], b"Naskah yang akan dimusnahkan\n" * 20)
            files.append((record["id"], uploaded.json()["id"]))
        await archive.transfer([r["id"] for r in records])
        scenarios[checkpoint] = (await archive.decreed_disposal([r["id"] for r in records]), files)
    process = subprocess.run(  # noqa: ASYNC221 - the test waits for the processes it kills
        [
            sys.executable,
            "-c",
            KILLER,
            str(tmp_path),
            *(f"{proposal['id']}={checkpoint}" for checkpoint, (proposal, _) in scenarios.items()),
        ],
        capture_output=True,
        timeout=180,
        env={**os.environ, "PUSIP_LOG_JSON": "0"},
    )
    killed = dict(line.split() for line in process.stdout.decode().splitlines())
    assert killed == {c: str(int(signal.SIGKILL)) for c in scenarios}, process.stderr.decode()[-3000:]

    for checkpoint, (proposal, files) in scenarios.items():
        after = await state(client, archive, proposal["id"], files)
        consistent(after)
        if checkpoint == "documents_stored":  # killed inside the transaction: nothing happened
            assert after["statuses"] == {"inaktif"} and after["objects"] == [True, True]
            retried = await client.post(
                f"/disposals/{proposal['id']}/execute", json=archive.EXECUTION, headers=archive.archivist
            )
            assert retried.status_code == 200
        else:  # killed inside the purge, after the commit: one object gone, its record and minutes kept
            assert after["statuses"] == {"musnah"} and after["objects"].count(False) == 1
            from archive.tasks import run_task

            await run_task(
                "archive.disposal.purge",
                [proposal["id"]],
                sessionmaker=client.sessionmaker,
                runtime=archive.runtime,
            )
    await archive.run_tasks()
    for proposal, files in scenarios.values():  # whatever was interrupted, carrying on completed it
        final = await state(client, archive, proposal["id"], files)
        assert (
            final["statuses"] == {"musnah"} and final["minutes"] == 1 and final["objects"] == [False, False]
        )
