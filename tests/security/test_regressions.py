"""Regression tests for the bugs the security runs found (each names the run that found it).

* The authorization matrix called ``POST /api/accreditation/literacy/branches/sync`` as two
  officers at once on a fresh suite: both read "no such branch", both inserted, the second died
  on the unique key with a 500. Now the loser gets a 409 ``branch_sync_conflict``.
* schemathesis asked ``GET /api/archive/records/search?page=<huge>``: the offset passed the search
  model's bound and the archive answered 500. Now a 422 ``page_too_deep`` (the public search too).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from accreditation.literacy.service import literacy_service
from accreditation.main import MIGRATIONS_DIR
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.db.engine import Database
from pusip_kit.db.migrate import upgrade
from pusip_kit.errors import Conflict

from .suite import Suite

pytestmark = pytest.mark.timeout(300)

OFFICER = AuthSubject(subject="petugas", username="petugas", roles=frozenset({"accreditation_officer"}))
BRANCHES = [
    SimpleNamespace(code="cabang-uji-1", city="Jakarta Pusat", name="Cabang Uji 1"),
    SimpleNamespace(code="cabang-uji-2", city="Jakarta Barat", name="Cabang Uji 2"),
]


async def test_concurrent_branch_syncs_conflict_instead_of_failing(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'accreditation.db'}"
    await asyncio.to_thread(upgrade, url, MIGRATIONS_DIR)
    database = Database(url)
    try:
        async with database.sessionmaker() as first, database.sessionmaker() as second:
            await literacy_service.sync_branches(first, OFFICER, branches=BRANCHES)  # inserted, not committed
            racing = asyncio.create_task(literacy_service.sync_branches(second, OFFICER, branches=BRANCHES))
            await asyncio.sleep(0.5)  # the second has read "no such branch" and waits for the write lock
            await first.commit()
            with pytest.raises(Conflict) as refused:
                await racing
            assert refused.value.status_code == 409 and refused.value.code == "branch_sync_conflict"
            assert refused.value.message != refused.value.message_en
        async with database.sessionmaker() as check:
            rows = await literacy_service.sync_branches(check, OFFICER, branches=BRANCHES)
            assert sorted(r.code for r in rows) == ["cabang-uji-1", "cabang-uji-2"]
    finally:
        await database.dispose()


def test_a_search_page_past_the_index_window_is_a_422(suite: Suite) -> None:
    with httpx.Client(base_url=suite.url, timeout=60, headers=suite.headers("arsiparis")) as client:
        for path in ("/api/archive/records/search", "/api/archive/public/records"):
            deep = client.get(path, params={"q": "arsip", "page": 400_000, "limit": 50})
            assert deep.status_code == 422, (path, deep.status_code, deep.text[:300])
            error = deep.json()["error"]
            assert error["code"] == "page_too_deep" and error["message"] != error["message_en"], error
            assert client.get(path, params={"q": "arsip", "page": 2}).status_code == 200, path
