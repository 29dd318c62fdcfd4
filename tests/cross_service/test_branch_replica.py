"""Catalog → circulation, for real: a branch created in catalog appears in circulation's replica.

Both applications run in this process over HTTP (their own SQLite databases, migrated on
start); each service's Celery worker runs in its own subprocess on the embedded SQLite broker.
The path under test is the production one: catalog's request commits the branch and an outbox
row together → the after-commit kick (and beat, as the safety net) runs catalog's relay → the
relay publishes ``circulation.events.handle`` → circulation's worker applies the event to its
``branches`` replica.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from catalog.config import CatalogSettings
from catalog.main import create_app as create_catalog
from circulation.config import CirculationSettings
from circulation.main import create_app as create_circulation
from pusip_kit.outbox import register_relay_kicker
from pusip_kit.testing.celery import WorkerProcess, start_worker
from pusip_kit.testing.service import ServiceClient, run_service, settings_for_test, shared_test_issuer

WAIT_SECONDS = 30.0


@dataclass
class Suite:
    catalog: ServiceClient
    circulation: ServiceClient
    workers: list[WorkerProcess]

    def logs(self) -> str:
        return "\n".join(w.log_text()[-3000:] for w in self.workers)


def worker_env(data_dir: Path) -> dict[str, str]:
    # The workers build their settings from the environment, exactly as in production.
    return {
        "PUSIP_DATA_DIR": str(data_dir),
        "PUSIP_MODE": "embedded",
        "PUSIP_ENVIRONMENT": "test",
        "PUSIP_LOG_JSON": "0",
        "PUSIP_BROKER_URL": f"sqlite:///{data_dir / 'broker.db'}",
    }


def start_workers(data_dir: Path) -> list[WorkerProcess]:
    env = worker_env(data_dir)
    started: list[WorkerProcess] = []
    try:
        for service, beat in (("catalog", True), ("circulation", False)):
            started.append(
                start_worker(
                    f"{service}.worker",
                    queues=[service],
                    log_path=data_dir / "logs" / f"{service}-worker.log",
                    env=env,
                    cwd=Path(os.getcwd()),
                    beat=beat,
                    wait=False,
                )
            )
        for worker in started:
            worker.wait_ready(60)
    except BaseException:
        for worker in started:
            worker.stop()
        raise
    return started


@pytest_asyncio.fixture
async def suite(tmp_path: Path) -> AsyncIterator[Suite]:
    issuer = shared_test_issuer()
    broker = f"sqlite:///{tmp_path / 'broker.db'}"
    catalog_settings = settings_for_test(CatalogSettings, tmp_path, issuer, broker_url=broker)
    circulation_settings = settings_for_test(CirculationSettings, tmp_path, issuer, broker_url=broker)
    try:
        async with (
            run_service(create_catalog, catalog_settings, issuer=issuer) as catalog,
            run_service(create_circulation, circulation_settings, issuer=issuer) as circulation,
        ):
            # The applications have migrated both databases; now the workers may start.
            workers = start_workers(tmp_path)
            try:
                yield Suite(catalog, circulation, workers)
            finally:
                for worker in workers:
                    worker.stop()
    finally:
        # The catalog app installed a relay kicker on this test's broker; leave none behind.
        register_relay_kicker("catalog", None)


async def eventually(check: Callable[[], Awaitable[Any]], suite: Suite, what: str) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not seen within {WAIT_SECONDS}s; worker logs:\n{suite.logs()}")
        await asyncio.sleep(0.2)


async def test_branch_created_in_catalog_appears_in_circulation(suite: Suite) -> None:
    librarian = suite.catalog.bearer(roles=["librarian"])
    code = f"perpustakaan-uji-{uuid.uuid4().hex[:6]}"
    created = await suite.catalog.post(
        "/branches",
        json={
            "code": code,
            "name": "Perpustakaan Uji Replika",
            "type": "perpustakaan_kecamatan",
            "city": "jakarta-timur",
        },
        headers=librarian,
    )
    assert created.status_code == 201, created.text

    staff = suite.circulation.bearer(roles=["librarian"])

    async def replica() -> dict[str, Any] | None:
        response = await suite.circulation.get(f"/branches/{code}", headers=staff)
        return response.json() if response.status_code == 200 else None

    seen = await eventually(replica, suite, "the created branch in circulation's replica")
    assert seen["name"] == "Perpustakaan Uji Replika"
    assert seen["city"] == "jakarta-timur"
    assert seen["active"] is True

    updated = await suite.catalog.patch(
        f"/branches/{code}",
        json={"name": "Perpustakaan Uji Replika (Baru)", "active": False},
        headers=librarian,
    )
    assert updated.status_code == 200, updated.text

    async def renamed() -> dict[str, Any] | None:
        row = await replica()
        return row if row and row["name"] == "Perpustakaan Uji Replika (Baru)" else None

    seen = await eventually(renamed, suite, "the renamed branch in circulation's replica")
    assert seen["active"] is False

    listed = await suite.circulation.get("/branches", headers=staff)
    assert listed.json()["pagination"]["total_count"] == 1
