"""kill -9 of PostgreSQL itself, mid-write, in distributed mode (the services on PostgreSQL).

Each scenario starts a PostgreSQL server of its own (:class:`pusip_kit.testing.postgres.ScratchPostgres`:
initdb in a temporary directory, a free port; never the shared dev server) and builds its world in a
template database; every seed works on a copy (``CREATE DATABASE … TEMPLATE``). The work child runs the
service and its workload; the driver SIGKILLs the postmaster and every backend at the seed's step,
keeps the server down for a seeded moment, and starts it on the same data directory (crash recovery).
The service is not restarted: its pool must reconnect by itself. The broker, index and object store stay
embedded (SQLite broker, Tantivy, local disk): the database is what is under test.

* ``pg-storm``: a check-out storm through the circulation API. Every answer is recorded with the
  server's state when it was sent; answers of 503 are retried as a desk client would.
* ``pg-import``: a catalog import job run as the Celery task runs it; when the database goes away the
  job raises, and is run again (the task's autoretry) once the server is back.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import time
import uuid
from pathlib import Path
from typing import Any

from driver import POLL, SLOW_TIMEOUT, Clock, Scenario, in_child, load, reconcile_and_repair, result_of, spawn
from scenarios import (
    IMPORT_BATCH,
    IMPORT_FILE,
    IMPORT_GOOD,
    IMPORT_RECORDS,
    SERVICE_MODULES,
    drained,
    import_books,
    import_records,
    settings_in,
    storm_outcome,
    storm_world,
    warm_issuer,
)

from pusip_kit.testing.postgres import ScratchPostgres

UP, DOWN, BACK = 0, 1, 2  # the server's state, as the work child sees it
OUTAGE = (0.05, 0.6)  # seconds the server stays down before its restart begins
RETRY_DEADLINE = 60.0  # a 503'd request must succeed again within this after the restart
TEMPLATE_DB = "template_world"


def distributed(settings_cls: type, data_dir: Path, database_url: str, **overrides: Any) -> Any:
    """Distributed-mode settings on ``database_url``; broker, index and objects embedded."""
    return settings_in(
        settings_cls,
        data_dir,
        mode="distributed",
        database_url=database_url,
        search_backend="tantivy",
        storage_backend="local",
        **overrides,
    )


class PostgresScenario(Scenario):
    """The frame: a server per driver run, a database per seed, the kill and restart by the driver."""

    def __init__(self) -> None:
        super().__init__()
        self.state = multiprocessing.Value("i", UP, lock=False)
        self.server: ScratchPostgres | None = None

    def open(self, base: Path) -> None:
        self.server = ScratchPostgres()
        self.server.start()

    def close(self) -> None:
        if self.server is not None:
            self.server.cleanup()

    @property
    def pg(self) -> ScratchPostgres:
        assert self.server is not None
        return self.server

    def setup(self, template: Path) -> dict[str, Any]:
        warm_issuer()
        url = self.pg.create_database(TEMPLATE_DB)
        return asyncio.run(self.build(template, url))

    async def build(self, template: Path, url: str) -> dict[str, Any]:
        raise NotImplementedError

    def work_on(self, data_dir: Path, url: str, info: dict[str, Any], progress: Any, state: Any) -> Any:
        raise NotImplementedError

    def recover_on(self, data_dir: Path, url: str, info: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def run_seed(self, run_dir: Path, info: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        clock = Clock()
        url = self.pg.create_database(run_dir.name.replace("-", "_"), template=TEMPLATE_DB)
        kill_at = self.target(rng, info)
        jitter = rng.uniform(0.0, 0.02)
        outage = rng.uniform(*OUTAGE)
        counter, state = self.counter, self.state
        counter.value, state.value = 0, UP
        log = run_dir / "work.log"
        pid, reader = spawn(lambda: self.work_on(run_dir, url, info, counter, state), log)
        deadline = time.monotonic() + SLOW_TIMEOUT
        while counter.value < kill_at and time.monotonic() < deadline:
            if _ended(pid):
                break
            time.sleep(POLL)
        time.sleep(jitter)
        reached = int(counter.value)
        down_at = time.monotonic()
        killed = self.pg.kill()  # the postmaster and every backend, at once
        state.value = DOWN
        time.sleep(outage)
        restart = self.pg.start()  # crash recovery on the same data directory
        state.value = BACK
        back_at = time.monotonic()
        while not _ended(pid):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the work child did not finish in {SLOW_TIMEOUT:.0f} s; see {log}")
            time.sleep(0.02)
        work = result_of(reader, log, killed=False)
        clock.lap("work")
        facts = in_child(
            lambda: self.recover_on(run_dir, url, info), run_dir / "recover.log", timeout=SLOW_TIMEOUT
        )["result"]
        clock.lap("recover")
        return {
            "phases": clock.laps,
            "kill_at": kill_at,
            "jitter": round(jitter, 4),
            "progress": reached,
            "killed": killed > 0,
            "processes_killed": killed,
            "outage": outage_facts(work, down_at, back_at, outage, restart),
            "work": work,
            **facts,
        }


async def until_back(state: Any) -> None:
    """Wait for the driver to report the server back (a value shared across processes: polled)."""
    while state.value != BACK:  # noqa: ASYNC110 - no asyncio.Event reaches across processes
        await asyncio.sleep(0.02)


def outage_facts(work: Any, down_at: float, back_at: float, down: float, restart: float) -> dict[str, Any]:
    """How long the server was gone, and (for answered requests) when answers came right again."""
    facts: dict[str, Any] = {
        "down": round(down, 3),  # killed → restart begun (seeded)
        "restart": round(restart, 3),  # pg_ctl start: crash recovery until it accepts connections
        "unavailable": round(back_at - down_at, 3),
    }
    answers = work.get("answers") if isinstance(work, dict) else None
    if answers:
        ok = [a["t"] for a in answers if a["status"] < 500 and a["t"] >= back_at]
        failed = [a["t"] for a in answers if a["status"] >= 500]
        facts["first_answer_after_restart"] = round(min(ok) - back_at, 3) if ok else None
        facts["last_503_after_kill"] = round(max(failed) - down_at, 3) if failed else None
    return facts


def _ended(pid: int) -> bool:
    import os

    done, status = os.waitpid(pid, os.WNOHANG)
    if done and (not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0):
        raise RuntimeError(f"the work child ended with status {status}")
    return bool(done)


def answer(response: Any, sent_in: int, state: Any) -> dict[str, Any]:
    """One answer, with what matters for judging it (5xx: the error shape and Retry-After)."""
    out: dict[str, Any] = {
        "status": response.status_code,
        "sent": sent_in,
        "got": int(state.value),
        "t": time.monotonic(),  # CLOCK_MONOTONIC: comparable with the driver's kill and restart times
    }
    if response.status_code == 201:
        out["loan"] = response.json()["id"]
    elif response.status_code >= 400:
        try:
            error = response.json()["error"]
        except (ValueError, KeyError, TypeError):
            error = {}
        out["code"] = error.get("code")
        out["bilingual"] = bool(error.get("message")) and bool(error.get("message_en"))
        out["retry_after"] = response.headers.get("retry-after")
    return out


# -- a check-out storm while PostgreSQL dies --------------------------------------------------------

PG_STORM_ITEMS = 24
PG_STORM_PATRONS = 6
PG_STORM_LIMIT = 4  # 6 patrons × 4 = 24 loans: every item can end on loan
PG_STORM_ATTEMPTS = 48  # two attempts on each item, by two patrons
PG_STORM_AT_ONCE = 6
PG_STORM_PACE = 0.02  # between batches: the storm outlasts a seeded kill


def pg_circulation(data_dir: Path, url: str) -> Any:
    from circulation.config import CirculationSettings

    return distributed(CirculationSettings, data_dir, url, portal_url="http://portal.test")


class PostgresCheckoutStorm(PostgresScenario):
    name = "pg-storm"
    preload = (*SERVICE_MODULES, "circulation.main", "circulation.reconcile", "psycopg")

    async def build(self, template: Path, url: str) -> dict[str, Any]:
        settings = pg_circulation(template, url)
        return await storm_world(
            settings, prefix="P", items=PG_STORM_ITEMS, patrons=PG_STORM_PATRONS, limit=PG_STORM_LIMIT
        )

    def target(self, rng: random.Random, info: dict[str, Any]) -> int:
        return rng.randrange(1, PG_STORM_ATTEMPTS - PG_STORM_AT_ONCE)

    def work_on(self, data_dir: Path, url: str, info: dict[str, Any], progress: Any, state: Any) -> Any:
        return asyncio.run(self._work(data_dir, url, info, progress, state))

    async def _work(self, data_dir: Path, url: str, info: dict[str, Any], progress: Any, state: Any) -> Any:
        from circulation.main import create_app
        from pusip_kit.testing.service import run_service

        helpers = load("services/circulation/tests/helpers.py", "circulation_test_helpers")
        cards, barcodes = info["cards"], info["barcodes"]
        attempts = [
            (cards[k % len(cards)], barcodes[(k // 2) % len(barcodes)]) for k in range(PG_STORM_ATTEMPTS)
        ]
        answers: list[dict[str, Any]] = []
        async with run_service(create_app, pg_circulation(data_dir, url)) as client:

            async def one(k: int) -> dict[str, Any]:
                sent = int(state.value)
                try:
                    response = await helpers.checkout(client, *attempts[k])
                    out = answer(response, sent, state)
                except Exception as exc:  # a 500 surfaces here (the transport raises the app's error)
                    out = {"status": 500, "sent": sent, "got": int(state.value), "t": time.monotonic()}
                    out["error"] = repr(exc)[:300]
                progress.value += 1
                return {"attempt": k, **out}

            for start in range(0, PG_STORM_ATTEMPTS, PG_STORM_AT_ONCE):
                batch = range(start, min(start + PG_STORM_AT_ONCE, PG_STORM_ATTEMPTS))
                answers += await asyncio.gather(*(one(k) for k in batch))
                await asyncio.sleep(PG_STORM_PACE)
            # a desk client retries what was refused for the outage, until the service answers
            pending = sorted({a["attempt"] for a in answers if a["status"] == 503})
            deadline = time.monotonic() + RETRY_DEADLINE
            while pending and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
                retried = await asyncio.gather(*(one(k) for k in pending))
                answers += retried
                pending = [a["attempt"] for a in retried if a["status"] == 503]
            await until_back(state)
            ready = await client.get("/readyz")
            dry = await client.post(
                "/loans/dry-run",
                json={"patron": cards[0], "item": barcodes[0], "branch": "cikini"},
                headers=client.bearer(**helpers.LIBRARIAN),
            )
        return {
            "answers": answers,
            "unresolved": pending,
            "ready_after": ready.status_code,
            "dry_run_after": dry.status_code,
        }

    def recover_on(self, data_dir: Path, url: str, info: dict[str, Any]) -> dict[str, Any]:
        return asyncio.run(self._recover(data_dir, url))

    async def _recover(self, data_dir: Path, url: str) -> dict[str, Any]:
        settings = pg_circulation(data_dir, url)
        loans, per_patron, on_loan = await storm_outcome(settings)
        return {
            "loan_ids": [str(i) for i, _ in loans],
            "distinct_items": len({b for _, b in loans}),
            "max_per_patron": max(per_patron, default=0),
            "limit": PG_STORM_LIMIT,
            "items": PG_STORM_ITEMS,
            "loans_without_event": len({b for _, b in loans} - on_loan),
            "reconcile": await reconcile_and_repair("circulation.reconcile", settings),
        }


# -- a catalog import job while PostgreSQL dies -----------------------------------------------------


def pg_catalog(data_dir: Path, url: str) -> Any:
    from catalog.config import CatalogSettings

    return distributed(CatalogSettings, data_dir, url, import_batch_size=IMPORT_BATCH)


class PostgresImport(PostgresScenario):
    """The import job of the API, run as ``catalog.imports.run`` runs it (autoretry on any error)."""

    name = "pg-import"
    preload = (*SERVICE_MODULES, "catalog.main", "catalog.imports.runner", "catalog.reconcile", "psycopg")

    async def build(self, template: Path, url: str) -> dict[str, Any]:
        from catalog.main import create_app
        from pusip_kit.testing.service import run_service

        helpers = load("services/catalog/tests/helpers.py", "catalog_test_helpers")
        data = import_records()
        (template / IMPORT_FILE).write_bytes(data)
        settings = pg_catalog(template, url)
        async with run_service(create_app, settings) as client:
            response = await helpers.upload_import(client, data, filename="buku.json")
            assert response.status_code == 202, response.text
        await drained("catalog.reconcile", settings)
        return {"job": response.json()["id"]}

    def target(self, rng: random.Random, info: dict[str, Any]) -> int:
        return rng.randrange(0, IMPORT_RECORDS - IMPORT_BATCH)

    def work_on(self, data_dir: Path, url: str, info: dict[str, Any], progress: Any, state: Any) -> Any:
        return asyncio.run(self._work(data_dir, url, info, progress, state))

    async def _work(self, data_dir: Path, url: str, info: dict[str, Any], progress: Any, state: Any) -> Any:
        from catalog.imports.runner import IndexMode, run_job
        from catalog.runtime import acquire_runtime, release_runtime
        from pusip_kit.db.engine import Database

        settings = pg_catalog(data_dir, url)
        database = Database(settings.database_url)  # a worker's pooled engine, kept across the outage
        runtime = acquire_runtime(settings)
        runs: list[dict[str, Any]] = []

        def seen(p: Any) -> None:
            progress.value = p.records_read
            time.sleep(0.01)  # room for the kill to land between and inside batches

        try:
            while True:
                sent = int(state.value)
                try:
                    job = await run_job(
                        runtime.index,
                        database.sessionmaker,
                        uuid.UUID(info["job"]),
                        data_dir / IMPORT_FILE,
                        index_mode=IndexMode.DIRECT,
                        batch_size=IMPORT_BATCH,
                        progress=seen,
                    )
                except Exception as exc:  # the task's autoretry: run again once the server is back
                    runs.append({"sent": sent, "raised": type(exc).__name__})
                    await until_back(state)
                    if "at_restart" not in runs[0]:  # the books as crash recovery left them
                        runs[0]["at_restart"] = await import_books(settings)
                    if len(runs) > 10:
                        raise
                    continue
                runs.append({"sent": sent, "status": job.status, "error": job.error_code})
                if state.value == BACK:
                    break
                progress.value = 10**6  # done before the kill: the driver kills now, nothing to resume
                await until_back(state)
                break
        finally:
            await release_runtime(runtime)
            await database.dispose()
        return {"runs": runs}

    def recover_on(self, data_dir: Path, url: str, info: dict[str, Any]) -> dict[str, Any]:
        return asyncio.run(self._recover(data_dir, url))

    async def _recover(self, data_dir: Path, url: str) -> dict[str, Any]:
        settings = pg_catalog(data_dir, url)
        return {
            "final": await import_books(settings),
            "expected_rows": IMPORT_GOOD,
            "expected_reported": IMPORT_RECORDS - IMPORT_GOOD,
            "reconcile": await reconcile_and_repair("catalog.reconcile", settings),
        }


POSTGRES_SCENARIOS: dict[str, type[Scenario]] = {s.name: s for s in (PostgresCheckoutStorm, PostgresImport)}
