"""The fault scenarios the driver runs: what each sets up, does (to be killed) and checks after.

Every ``work`` bumps ``progress`` at its natural steps (records read, bytes streamed, check-outs,
disposal checkpoints); the driver kills it at a seeded step. Every ``recover`` restarts on the same
files, carries on what can be carried on, and returns facts for the test to judge. The ``worker``
scenario kills a real Celery worker (``pusip worker catalog``) while it runs an import job.
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

from driver import (
    Clock,
    Scenario,
    in_child,
    load,
    reconcile_and_repair,
    result_of,
    settings_in,
    spawn,
    supervise,
)

SERVICE_MODULES = ("pusip_kit.testing.service", "pusip_kit.reconcile", "httpx", "asgi_lifespan")


def warm_issuer() -> None:
    """The test token issuer (an RSA key) made once in the driver instead of in every child."""
    from pusip_kit.testing.service import shared_test_issuer

    shared_test_issuer()


async def drained(module: str, settings: Any) -> None:
    """Relay what the setup left in the outbox, so the template reconciles clean."""
    facts = await reconcile_and_repair(module, settings)
    if facts["errors"] or facts["drift_after"]:
        raise AssertionError(f"the template does not reconcile clean: {facts}")


# -- MARC import, the importing process killed ------------------------------------------------------

IMPORT_GOOD = 28
IMPORT_BAD_EVERY = 8  # every 8th record has no title: reported, never stored
IMPORT_RECORDS = IMPORT_GOOD + IMPORT_GOOD // (IMPORT_BAD_EVERY - 1)
IMPORT_BATCH = 4
IMPORT_FILE = "records.json"


def import_records() -> bytes:
    helpers = load("services/catalog/tests/helpers.py", "catalog_test_helpers")
    bad = {"leader": "00000nam a2200000 a 4500", "fields": [{"008": helpers.f008()}]}
    records: list[dict[str, Any]] = []
    for n in range(IMPORT_GOOD):
        records.append(
            helpers.marc(
                f"Buku uji ketahanan {n}", author=f"Penulis {n % 7}", isbn=helpers.isbn13(f"978602{n:06d}")
            )
        )
        if len(records) % IMPORT_BAD_EVERY == IMPORT_BAD_EVERY - 1:
            records.append(bad)
    assert len(records) == IMPORT_RECORDS
    return bytes(helpers.json_file(records))


def catalog_settings(data_dir: Path) -> Any:
    from catalog.config import CatalogSettings

    return settings_in(CatalogSettings, data_dir, import_batch_size=IMPORT_BATCH)


async def import_books(settings: Any) -> dict[str, Any]:
    """The jobs' books and the rows on file."""
    from sqlalchemy import func, select

    from catalog.models import BibRecord, ImportJob
    from pusip_kit.db.engine import Database

    database = Database(settings.database_url, null_pool=True)
    try:
        async with database.session() as session:
            jobs = list((await session.execute(select(ImportJob))).scalars())
            return {
                "jobs": [
                    {
                        "status": j.status,
                        "read": j.records_read,
                        "stored": j.records_stored,
                        "created": j.records_created,
                        "skipped": j.records_skipped,
                        "reported": j.records_reported,
                    }
                    for j in jobs
                ],
                "rows": await session.scalar(select(func.count()).select_from(BibRecord)),
                "distinct_titles": await session.scalar(select(func.count(func.distinct(BibRecord.title)))),
            }
    finally:
        await database.dispose()


class MarcImport(Scenario):
    """``pusip catalog import`` (the CLI path: SQLite writer and Tantivy writer in one process)."""

    name = "import"
    preload = (*SERVICE_MODULES, "catalog.imports.cli", "catalog.reconcile", "catalog.search.indexer")

    def setup(self, template: Path) -> dict[str, Any]:
        from catalog.main import MIGRATIONS_DIR
        from pusip_kit.db.migrate import upgrade

        (template / IMPORT_FILE).write_bytes(import_records())
        upgrade(catalog_settings(template).database_url, MIGRATIONS_DIR)
        return {"file": IMPORT_FILE}

    def target(self, rng: random.Random, info: dict[str, Any]) -> int:
        return rng.randrange(1, IMPORT_RECORDS)

    def work(self, data_dir: Path, info: dict[str, Any], progress: Any) -> Any:
        from catalog.imports.cli import import_file

        def seen(p: Any) -> None:
            progress.value = p.records_read

        result = import_file(
            data_dir / info["file"],
            catalog_settings(data_dir),
            progress_callback=seen,
            index_mode="direct",
            migrate=False,
        )
        return result["counts"]

    def recover(self, data_dir: Path, info: dict[str, Any]) -> dict[str, Any]:
        return asyncio.run(self._recover(data_dir, info))

    async def _recover(self, data_dir: Path, info: dict[str, Any]) -> dict[str, Any]:
        from catalog.imports.runner import IndexMode, run_job
        from catalog.models import ImportJob, ImportStatus
        from catalog.runtime import acquire_runtime, release_runtime
        from pusip_kit.db.engine import Database

        settings = catalog_settings(data_dir)
        at_crash = await import_books(settings)
        database = Database(settings.database_url, null_pool=True)
        runtime = acquire_runtime(settings)
        try:
            async with database.session() as session:
                from sqlalchemy import select

                running = list(
                    (
                        await session.execute(
                            select(ImportJob.id).where(ImportJob.status == ImportStatus.RUNNING.value)
                        )
                    ).scalars()
                )
            for job_id in running:  # an interrupted job resumes after its last committed batch
                await run_job(
                    runtime.index,
                    database.sessionmaker,
                    job_id,
                    data_dir / info["file"],
                    index_mode=IndexMode.DIRECT,
                    batch_size=IMPORT_BATCH,
                )
        finally:
            await release_runtime(runtime)
            await database.dispose()
        return {
            "at_crash": at_crash,
            "final": await import_books(settings),
            "expected_rows": IMPORT_GOOD,
            "expected_reported": IMPORT_RECORDS - IMPORT_GOOD,
            "reconcile": await reconcile_and_repair("catalog.reconcile", settings),
        }


# -- the catalog's Celery worker killed while it runs an import job --------------------------------


def job_state(database: Path) -> tuple[str, int] | None:
    """The import job's status and records read, read straight from the SQLite file (no lock held)."""
    try:
        conn = sqlite3.connect(database, timeout=2)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT status, records_read FROM import_jobs").fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return None if row is None else (str(row[0]), int(row[1]))


def broker_messages(broker: Path, task: str) -> int:
    conn = sqlite3.connect(broker, timeout=5)
    try:
        row = conn.execute(
            "SELECT count(*) FROM pusip_broker_message WHERE payload LIKE ?", (f'%"{task}"%',)
        ).fetchone()
    finally:
        conn.close()
    return int(row[0])


def run_catalog_worker(data_dir: Path) -> Any:
    """``pusip worker catalog --no-beat --quiet`` on ``data_dir``, in this (forked, warm) process."""
    level = os.environ.get("PUSIP_FAULT_WORKER_LOG", "WARNING")
    for key in [k for k in os.environ if k.startswith("PUSIP_")]:
        del os.environ[key]
    os.environ.update(
        {
            "PUSIP_DATA_DIR": str(data_dir),
            "PUSIP_ENVIRONMENT": "test",
            "PUSIP_LOG_JSON": "0",
            "PUSIP_CATALOG_IMPORT_BATCH_SIZE": str(IMPORT_BATCH),
        }
    )
    from pusip.cli import worker

    try:
        worker(
            "catalog",
            beat=False,
            pool=None,
            concurrency=None,
            loglevel=level,
            quiet=True,
        )
    except SystemExit as stopped:  # Celery's warm shutdown
        return stopped.code
    return None


RESTART_TIMEOUT = 120.0  # a worker must take the task and finish the job within this


class WorkerImport(Scenario):
    """An import job uploaded through the API, run by the catalog's Celery worker, which is killed.

    The task is acknowledged late: the broker keeps the message reserved by the dead worker, and the
    restarted worker takes it again, so the job resumes after its last committed batch.
    """

    name = "worker"
    preload = (
        *SERVICE_MODULES,
        "catalog.main",
        "catalog.tasks",
        "catalog.reconcile",
        "pusip.cli",
        "aiosqlite",
        "anyio._backends._asyncio",
        "kombu.pidbox",
        "pusip_kit.tasks.sqlite_transport",
        *(
            f"celery.{m}"
            for m in (
                "apps.worker",
                "app.amqp",
                "app.control",
                "app.log",
                "app.routes",
                "backends.base",
                "bin.celery",
                "bin.worker",
                "concurrency.thread",
                "events.dispatcher",
                "fixups.django",
                "worker.autoscale",
                "worker.components",
                "worker.consumer",
                "worker.control",
                "worker.loops",
                "worker.pidbox",
                "worker.request",
                "worker.strategy",
            )
        ),
    )
    task = "catalog.imports.run"

    def setup(self, template: Path) -> dict[str, Any]:
        warm_issuer()
        return asyncio.run(self._setup(template))

    async def _setup(self, template: Path) -> dict[str, Any]:
        from catalog.main import create_app
        from pusip_kit.testing.service import run_service

        helpers = load("services/catalog/tests/helpers.py", "catalog_test_helpers")
        settings = catalog_settings(template)
        async with run_service(create_app, settings) as client:
            response = await helpers.upload_import(client, import_records(), filename="buku.json")
            assert response.status_code == 202, response.text
        await drained("catalog.reconcile", settings)  # the task is now a message on the broker
        assert broker_messages(template / "broker.db", self.task) == 1
        return {"job": response.json()["id"]}

    def run_seed(self, run_dir: Path, info: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        database = run_dir / "catalog" / "catalog.db"
        kill_at = rng.randrange(0, IMPORT_RECORDS)  # records read; 0: as soon as the job runs
        jitter = rng.uniform(0.0, 0.02)

        def progress() -> int:
            state = job_state(database)
            if state is None or state[0] == "queued":
                return -1
            return state[1] if state[0] == "running" else 10**9

        clock = Clock()
        # 1. the worker takes the task and is SIGKILLed mid-job
        log = run_dir / "worker-1.log"
        pid, reader = spawn(lambda: run_catalog_worker(run_dir), log)
        killed = supervise(pid, progress=progress, kill_at=kill_at, jitter=jitter, timeout=RESTART_TIMEOUT)
        os.close(reader)
        clock.lap("work")
        state = job_state(database)
        at_crash = in_child(
            lambda: asyncio.run(import_books(catalog_settings(run_dir))), run_dir / "crash.log"
        )["result"]
        clock.lap("at_crash")

        # 2. a new worker starts on the same files; it must take the task again and finish the job
        log = run_dir / "worker-2.log"
        pid, reader = spawn(lambda: run_catalog_worker(run_dir), log)

        def finished() -> bool:
            current = job_state(database)
            return current is not None and current[0] in ("completed", "failed")

        supervise(pid, stop_when=finished, timeout=RESTART_TIMEOUT)
        result_of(reader, log, killed=True)
        clock.lap("restart")
        facts = in_child(lambda: asyncio.run(self._recover(run_dir)), run_dir / "recover.log")["result"]
        clock.lap("recover")
        return {
            "kill_at": kill_at,
            "jitter": round(jitter, 4),
            "killed": killed,
            "status_at_kill": state[0] if state else None,
            "progress": state[1] if state else None,
            "at_crash": at_crash,
            "phases": clock.laps,
            **facts,
        }

    async def _recover(self, run_dir: Path) -> dict[str, Any]:
        settings = catalog_settings(run_dir)
        return {
            "final": await import_books(settings),
            "expected_rows": IMPORT_GOOD,
            "expected_reported": IMPORT_RECORDS - IMPORT_GOOD,
            "task_messages_left": broker_messages(run_dir / "broker.db", self.task),
            "reconcile": await reconcile_and_repair("catalog.reconcile", settings),
        }


# -- deposit upload, the service process killed mid-stream -------------------------------------------

UPLOAD_CHUNK = 32 * 1024
UPLOAD_CHUNKS = 24  # a 768 KiB PDF
UPLOAD_PACE = 0.005


def deposit_settings(data_dir: Path) -> Any:
    from deposit.config import DepositSettings

    return settings_in(DepositSettings, data_dir)


def leftover_parts(data_dir: Path, service: str) -> int:
    """Temporary files of interrupted object writes (``<bucket>/.tmp/*.part``) still on disk."""
    root = data_dir / service / "objects"
    return sum(1 for _ in root.glob("*/.tmp/*")) if root.exists() else 0


class DepositUpload(Scenario):
    name = "deposit"
    preload = (*SERVICE_MODULES, "deposit.main", "deposit.reconcile")

    def setup(self, template: Path) -> dict[str, Any]:
        warm_issuer()
        load("services/deposit/tests/helpers.py", "deposit_test_helpers")
        return asyncio.run(self._setup(template))

    async def _setup(self, template: Path) -> dict[str, Any]:
        from deposit.main import create_app
        from pusip_kit.testing.service import run_service

        helpers = load("services/deposit/tests/helpers.py", "deposit_test_helpers")
        settings = deposit_settings(template)
        async with run_service(create_app, settings) as client:
            depositor = await helpers.create_depositor(client)
            first = await helpers.submit_pdf(client, depositor["id"])  # one deposit already on file
        await drained("deposit.reconcile", settings)
        return {"depositor": depositor["id"], "baseline": first["id"]}

    def target(self, rng: random.Random, info: dict[str, Any]) -> int:
        # chunks streamed, or (one seed in five) UPLOAD_CHUNKS + 1: the body is sent, the service
        # is storing and committing
        return min(rng.randrange(1, UPLOAD_CHUNKS + 7), UPLOAD_CHUNKS + 1)

    def work(self, data_dir: Path, info: dict[str, Any], progress: Any) -> Any:
        return asyncio.run(self._work(data_dir, info, progress))

    async def _work(self, data_dir: Path, info: dict[str, Any], progress: Any) -> Any:
        from deposit.main import create_app
        from pusip_kit.testing.service import run_service

        helpers = load("services/deposit/tests/helpers.py", "deposit_test_helpers")
        pdf = helpers.small_pdf("Naskah uji ketahanan unggahan.")
        pdf = pdf + b"%" + b"x" * (UPLOAD_CHUNK * UPLOAD_CHUNKS - len(pdf) - 1)  # padded after %%EOF
        head, content_type = helpers.multipart(helpers.metadata(info["depositor"]), [("besar.pdf", b"\0")])
        before, _, after = head.partition(b"\0")

        async def body() -> Any:
            yield before
            for n in range(UPLOAD_CHUNKS):
                progress.value = n + 1
                yield pdf[n * UPLOAD_CHUNK : (n + 1) * UPLOAD_CHUNK]
                await asyncio.sleep(UPLOAD_PACE)  # a client on a network, so kills land mid-stream
            yield after
            progress.value = UPLOAD_CHUNKS + 1

        async with run_service(create_app, deposit_settings(data_dir)) as client:
            response = await client.post(
                "/deposits/digital",
                content=body(),
                headers={**client.bearer(**helpers.PUBLISHER), "Content-Type": content_type},
            )
            progress.value = UPLOAD_CHUNKS + 2
            return {"status": response.status_code}

    def recover(self, data_dir: Path, info: dict[str, Any]) -> dict[str, Any]:
        return asyncio.run(self._recover(data_dir, info))

    async def _recover(self, data_dir: Path, info: dict[str, Any]) -> dict[str, Any]:
        from sqlalchemy import func, select

        from deposit.main import create_app
        from deposit.models import Deposit, DepositFile
        from pusip_kit.testing.service import run_service

        settings = deposit_settings(data_dir)
        # the restart runs the app's startup
        async with run_service(create_app, settings) as client, client.session() as session:
            deposits = await session.scalar(select(func.count()).select_from(Deposit))
            files = list((await session.execute(select(DepositFile.deposit_id, DepositFile.size))).all())
            without_files = await session.scalar(
                select(func.count())
                .select_from(Deposit)
                .where(~Deposit.id.in_(select(DepositFile.deposit_id)))
                .where(Deposit.kind == "karya_digital")
            )
        parts = leftover_parts(data_dir, "deposit")
        facts = await reconcile_and_repair("deposit.reconcile", settings)
        return {
            "deposits": deposits,
            "file_sizes": sorted(size for _, size in files),
            "digital_without_files": without_files,
            "full_size": UPLOAD_CHUNK * UPLOAD_CHUNKS,
            "parts_at_crash": parts,
            "parts_after": leftover_parts(data_dir, "deposit"),
            "reconcile": facts,
        }


# -- a check-out storm, the circulation process killed --------------------------------------------------


async def storm_world(settings: Any, *, prefix: str, items: int, patrons: int, limit: int) -> dict[str, Any]:
    """A branch, the categories, one rule (``limit`` loans), ``items`` items and ``patrons`` patrons;
    the outbox drained. Returns the patrons' cards and the items' barcodes."""
    from circulation.main import create_app
    from pusip_kit.testing.service import run_service

    helpers = load("services/circulation/tests/helpers.py", "circulation_test_helpers")
    async with run_service(create_app, settings) as client:
        await helpers.seed_branches(client, "cikini")
        await helpers.seed_categories(client)
        await helpers.activate_rules(
            client, [{"loan_days": 14, "max_loans": limit}], version=f"storm-{prefix}"
        )
        barcodes = [f"{prefix}{n:04d}" for n in range(items)]
        for n, barcode in enumerate(barcodes):
            await helpers.seed_item(client, barcode, record_id=f"rec-{n}", title=f"Judul {n}")
        cards = [(await helpers.counter_patron(client))["card_number"] for _ in range(patrons)]
    await drained("circulation.reconcile", settings)
    return {"cards": cards, "barcodes": barcodes}


STORM_ITEMS = 12
STORM_PATRONS = 4
STORM_LIMIT = 3  # 4 patrons × 3 = 12 loans at most: patrons reach their limit as items run out
STORM_ATTEMPTS = 32  # two attempts at once on each item, then a second round on the first four
STORM_AT_ONCE = 8  # each patron twice in every batch


def circulation_settings(data_dir: Path) -> Any:
    from circulation.config import CirculationSettings

    return settings_in(CirculationSettings, data_dir, portal_url="http://portal.test")


class CheckoutStorm(Scenario):
    name = "storm"
    preload = (*SERVICE_MODULES, "circulation.main", "circulation.reconcile")

    def setup(self, template: Path) -> dict[str, Any]:
        warm_issuer()
        load("services/circulation/tests/helpers.py", "circulation_test_helpers")
        return asyncio.run(self._setup(template))

    async def _setup(self, template: Path) -> dict[str, Any]:
        return await storm_world(
            circulation_settings(template),
            prefix="F",
            items=STORM_ITEMS,
            patrons=STORM_PATRONS,
            limit=STORM_LIMIT,
        )

    def target(self, rng: random.Random, info: dict[str, Any]) -> int:
        return rng.randrange(1, STORM_ATTEMPTS)

    def work(self, data_dir: Path, info: dict[str, Any], progress: Any) -> Any:
        return asyncio.run(self._work(data_dir, info, progress))

    async def _work(self, data_dir: Path, info: dict[str, Any], progress: Any) -> Any:
        from circulation.main import create_app
        from pusip_kit.testing.service import run_service

        helpers = load("services/circulation/tests/helpers.py", "circulation_test_helpers")
        cards, barcodes = info["cards"], info["barcodes"]
        attempts = [
            (cards[k % len(cards)], barcodes[(k // 2) % len(barcodes)]) for k in range(STORM_ATTEMPTS)
        ]
        async with run_service(create_app, circulation_settings(data_dir)) as client:

            async def one(card: str, barcode: str) -> int:
                response = await helpers.checkout(client, card, barcode)
                progress.value += 1
                return int(response.status_code)

            statuses: list[int] = []
            for start in range(0, len(attempts), STORM_AT_ONCE):
                batch = attempts[start : start + STORM_AT_ONCE]
                statuses += await asyncio.gather(*(one(c, b) for c, b in batch))
        return {"created": statuses.count(201), "statuses": sorted(set(statuses))}

    def recover(self, data_dir: Path, info: dict[str, Any]) -> dict[str, Any]:
        return asyncio.run(self._recover(data_dir, info))

    async def _recover(self, data_dir: Path, info: dict[str, Any]) -> dict[str, Any]:
        settings = circulation_settings(data_dir)
        loans, per_patron, on_loan = await storm_outcome(settings)
        return {
            "loans": len(loans),
            "distinct_items": len({b for _, b in loans}),
            "max_per_patron": max(per_patron, default=0),
            "limit": STORM_LIMIT,
            "loans_without_event": len({b for _, b in loans} - on_loan),
            "reconcile": await reconcile_and_repair("circulation.reconcile", settings),
        }


async def storm_outcome(settings: Any) -> tuple[list[tuple[Any, str]], list[int], set[str]]:
    """After a storm: every loan (id, item), the loans per patron, and the items an on_loan event names."""
    from sqlalchemy import func, select

    from circulation.items.service import EVENT_STATUS_CHANGED
    from circulation.main import create_app
    from circulation.models import Loan
    from circulation.models.item import ITEM_ON_LOAN
    from pusip_kit.outbox import outbox
    from pusip_kit.testing.service import run_service

    async with run_service(create_app, settings) as client, client.session() as session:
        loans = [(i, b) for i, b in (await session.execute(select(Loan.id, Loan.item_barcode))).all()]
        per_patron = list(
            (await session.execute(select(func.count()).select_from(Loan).group_by(Loan.patron_id))).scalars()
        )
        events = (
            await session.execute(
                select(outbox.c.key, outbox.c.payload).where(outbox.c.name == EVENT_STATUS_CHANGED)
            )
        ).all()
    # a check-out tells the catalog in its own transaction: the item's status → on_loan
    on_loan = {key for key, payload in events if (payload or {}).get("status") == ITEM_ON_LOAN}
    return loans, per_patron, on_loan


# -- a disposal, the archive process killed at a seeded point --------------------------------------------

DISPOSAL_RECORDS = 3
DISPOSAL_STEPS = (
    "start",
    "records_marked",
    "documents_stored",
    "before_commit",
    "purge:0",
    "purge:1",
    "purge:2",
)


def archive_settings(data_dir: Path) -> Any:
    from archive.config import ArchiveSettings

    return settings_in(ArchiveSettings, data_dir)


async def archive_state(settings: Any, sessionmaker: Any, proposal_id: uuid.UUID) -> dict[str, Any]:
    """Record statuses, the disposal's documents, and which record files are still stored."""
    from sqlalchemy import func, select

    from archive.models import Document, Record, RecordFile
    from archive.runtime import acquire_runtime, release_runtime

    runtime = acquire_runtime(settings)
    try:
        async with sessionmaker() as session:
            statuses = set((await session.execute(select(Record.status))).scalars())
            minutes = await session.scalar(
                select(func.count()).select_from(Document).where(Document.subject_id == proposal_id)
            )
            files = list((await session.execute(select(RecordFile.object_key, RecordFile.purged_at))).all())
        present = [await runtime.files.exists(k) for k, _ in files]
    finally:
        await release_runtime(runtime)
    return {
        "statuses": sorted(statuses),
        "documents": minutes,
        "objects_present": sum(present),
        "objects_gone_unrecorded": sum(
            1 for (_, purged), there in zip(files, present, strict=True) if not there and purged is None
        ),
    }


class Disposal(Scenario):
    name = "disposal"
    preload = (*SERVICE_MODULES, "archive.main", "archive.reconcile", "archive.lifecycle.disposal")

    def setup(self, template: Path) -> dict[str, Any]:
        warm_issuer()
        load("services/archive/tests/conftest.py", "archive_test_conftest")
        return asyncio.run(self._setup(template))

    async def _setup(self, template: Path) -> dict[str, Any]:
        from archive.main import create_app
        from pusip_kit.testing.service import run_service

        conftest = load("services/archive/tests/conftest.py", "archive_test_conftest")
        settings = archive_settings(template)
        async with run_service(create_app, settings) as client:
            archive = conftest.Archive(client)
            await archive.instruments()
            records = [await archive.record() for _ in range(DISPOSAL_RECORDS)]
            for record in records:
                await archive.upload(record["id"], b"Naskah yang akan dimusnahkan\n" * 50)
            await archive.transfer([r["id"] for r in records])
            proposal = await archive.decreed_disposal([r["id"] for r in records])
            await archive.run_tasks()
        await drained("archive.reconcile", settings)
        return {
            "proposal": proposal["id"],
            "records": [r["id"] for r in records],
            "execution": conftest.EXECUTION,
        }

    def target(self, rng: random.Random, info: dict[str, Any]) -> int:
        return rng.randrange(1, len(DISPOSAL_STEPS) + 1)

    def work(self, data_dir: Path, info: dict[str, Any], progress: Any) -> Any:
        return asyncio.run(self._work(data_dir, info, progress))

    async def _work(self, data_dir: Path, info: dict[str, Any], progress: Any) -> Any:
        from archive.lifecycle import disposal
        from archive.main import create_app
        from archive.runtime import acquire_runtime, release_runtime
        from pusip_kit.testing.service import run_service

        def step(name: str) -> None:
            progress.value += 1
            time.sleep(0.03)  # room for the driver's kill to land here

        disposal.fault_hook = step
        conftest = load("services/archive/tests/conftest.py", "archive_test_conftest")
        settings = archive_settings(data_dir)
        async with run_service(create_app, settings) as client:
            archive = conftest.Archive(client)
            response = await client.post(
                f"/disposals/{info['proposal']}/execute", json=info["execution"], headers=archive.archivist
            )
            runtime = acquire_runtime(settings)
            original = runtime.files.delete

            async def delete(key: str) -> None:
                await original(key)
                step("purge")

            runtime.files.delete = delete  # type: ignore[method-assign]
            try:
                await disposal.purge_destroyed_files(
                    client.sessionmaker, runtime, uuid.UUID(info["proposal"])
                )
            finally:
                await release_runtime(runtime)
            return {"status": response.status_code}

    def recover(self, data_dir: Path, info: dict[str, Any]) -> dict[str, Any]:
        return asyncio.run(self._recover(data_dir, info))

    async def _recover(self, data_dir: Path, info: dict[str, Any]) -> dict[str, Any]:
        from archive.main import create_app
        from pusip_kit.db.engine import Database
        from pusip_kit.testing.service import run_service

        settings = archive_settings(data_dir)
        proposal_id = uuid.UUID(info["proposal"])
        async with run_service(create_app, settings) as client:  # the restart runs the app's startup
            after_crash = await archive_state(settings, client.sessionmaker, proposal_id)
        reconcile = await reconcile_and_repair("archive.reconcile", settings)
        database = Database(settings.database_url, null_pool=True)
        try:
            final = await archive_state(settings, database.sessionmaker, proposal_id)
        finally:
            await database.dispose()
        return {
            "after_crash": after_crash,
            "final": final,
            "records": DISPOSAL_RECORDS,
            "reconcile": reconcile,
        }


SCENARIOS: dict[str, type[Scenario]] = {
    s.name: s for s in (MarcImport, WorkerImport, DepositUpload, CheckoutStorm, Disposal)
}
