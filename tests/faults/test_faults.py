"""Fault injection: kill -9 at seeded points during a MARC import (the importing process, or the
Celery worker running the import job), an upload, a check-out storm and a disposal; after the
restart nothing is lost or half-written and ``reconcile --repair`` ends at zero drift. And kill -9 of
PostgreSQL itself (a server the test starts, ``postgres_scenarios.py``) during a check-out storm and
an import job: the service is not restarted, answers 503 while the database is gone, and loses no
acknowledged write.

Each scenario runs in one driver interpreter (``driver.py``, scenarios in ``scenarios.py``) that forks
a child per seed and SIGKILLs it at the seed's step. Every seed is printed before the run and every
result line carries its seed: rerun one with ``PUSIP_FAULT_SEEDS=<seed> uv run pytest tests/faults
-k <scenario>``. ``PUSIP_FAULT_RUNS`` sets how many seeds each scenario runs (default: 32 in all).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]

HERE = Path(__file__).parent
DEFAULT_RUNS = {
    "import": 8,
    "worker": 4,
    "deposit": 7,
    "storm": 6,
    "disposal": 7,
    "pg-storm": 4,
    "pg-import": 3,
}
"""Seeds per scenario: 39 runs, 28 of them on the four operations, 4 Celery-worker kills and 7
PostgreSQL kills."""


def seeds(scenario: str) -> list[int]:
    chosen = os.environ.get("PUSIP_FAULT_SEEDS")
    if chosen:
        return [int(s) for s in chosen.split(",")]
    runs = int(os.environ.get("PUSIP_FAULT_RUNS") or DEFAULT_RUNS[scenario])
    base = int(os.environ.get("PUSIP_FAULT_BASE_SEED", "20260501"))
    rng = random.Random(f"{base}:{scenario}")
    return [rng.randrange(1, 2**31) for _ in range(runs)]


def driver_environment() -> dict[str, str]:
    """The driver sees no ``PUSIP_*`` setting of the caller but its own ``PUSIP_FAULT_*`` (its
    children set theirs).

    Bytecode is cached outside the checkout: the driver imports most of the suite, and compiling it
    afresh (``PYTHONDONTWRITEBYTECODE``) costs more CPU than a seed does.
    """
    env = {k: v for k, v in os.environ.items() if k.startswith("PUSIP_FAULT_") or not k.startswith("PUSIP_")}
    env["PUSIP_LOG_JSON"] = "0"
    if env.pop("PYTHONDONTWRITEBYTECODE", None) is not None and "PYTHONPYCACHEPREFIX" not in env:
        env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / f"pusip-pycache-{os.getuid()}")
    return env


def run(scenario: str, tmp_path: Path) -> list[dict[str, Any]]:
    chosen = seeds(scenario)
    print(f"{scenario}: seeds {','.join(map(str, chosen))} (PUSIP_FAULT_SEEDS=… to replay)", flush=True)
    process = subprocess.run(
        [sys.executable, str(HERE / "driver.py"), scenario, str(tmp_path), *map(str, chosen)],
        capture_output=True,
        timeout=840,
        env=driver_environment(),
        cwd=HERE,
    )
    lines = [json.loads(line) for line in process.stdout.decode().splitlines() if line.startswith("{")]
    for line in lines:
        print(json.dumps(line))
    done = [line["seed"] for line in lines]
    assert process.returncode == 0 and done == chosen, (
        f"{scenario}: seeds done {done} of {chosen}; the first one missing failed:\n"
        + process.stderr.decode()[-6000:]
    )
    return lines


def assert_reconciled(line: dict[str, Any]) -> None:
    facts = line["reconcile"]
    assert facts["errors"] == [], f"seed {line['seed']}: reconcile errors {line}"
    assert facts["drift_after"] == {}, f"seed {line['seed']}: drift remains {line}"
    assert facts["repaired"] >= sum(n for kinds in facts["drift_before"].values() for n in kinds.values())


def assert_import_balances(line: dict[str, Any]) -> None:
    """One import job, completed: every record read is stored or reported, none twice."""
    (job,) = line["final"]["jobs"]
    assert job["status"] == "completed", line
    assert job["read"] == job["stored"] + job["skipped"] + job["reported"], line
    assert job["reported"] == line["expected_reported"], line
    final = line["final"]
    assert final["rows"] == job["created"] == final["distinct_titles"] == line["expected_rows"], line
    # the resumed job re-indexed what the crash lost: only unrelayed events are left to reconcile
    assert set(line["reconcile"]["drift_before"]) <= {"outbox"}, line
    assert_reconciled(line)


def test_a_killed_marc_import_resumes_and_balances(tmp_path: Path) -> None:
    lines = run("import", tmp_path)
    assert sum(line["killed"] for line in lines) >= (len(lines) + 1) // 2  # the kills landed mid-import
    for line in lines:
        # at the crash the job's books equal the rows on file (a batch is all or nothing)
        crash = line["at_crash"]
        assert crash["rows"] == sum(j["stored"] for j in crash["jobs"]), line
        assert_import_balances(line)


def test_a_killed_celery_worker_gives_its_import_back_and_it_completes(tmp_path: Path) -> None:
    lines = run("worker", tmp_path)
    mid_job = [line for line in lines if line["killed"] and line["status_at_kill"] == "running"]
    assert len(mid_job) >= (len(lines) + 1) // 2, lines  # the kills landed while the task ran
    for line in lines:
        crash = line["at_crash"]
        assert crash["rows"] == sum(j["stored"] for j in crash["jobs"]), line
        # the restarted worker took the unacknowledged task again, finished it and acknowledged it
        assert line["task_messages_left"] == 0, line
        assert_import_balances(line)


def test_a_killed_upload_leaves_no_partial_deposit_and_no_orphan(tmp_path: Path) -> None:
    lines = run("deposit", tmp_path)
    assert sum(line["killed"] for line in lines) >= (len(lines) + 1) // 2
    for line in lines:
        # the earlier deposit survives; the interrupted one exists whole or not at all
        assert line["deposits"] in (1, 2), line
        assert line["digital_without_files"] == 0, line
        assert all(size <= line["full_size"] for size in line["file_sizes"]), line
        if line["deposits"] == 2:
            assert line["full_size"] in line["file_sizes"], line
        assert_reconciled(line)
        drift = line["reconcile"]["drift_before"]
        assert set(drift) <= {"objects:deposit-files", "objects:deposit-documents", "outbox"}, line
        for bucket in ("objects:deposit-files", "objects:deposit-documents"):
            assert set(drift.get(bucket, {})) <= {"orphan_object"}, line
        assert line["parts_after"] == 0, line  # interrupted writes cleaned up by the repair


def test_a_killed_checkout_storm_keeps_one_loan_per_item(tmp_path: Path) -> None:
    lines = run("storm", tmp_path)
    assert any(line["loans"] > 0 for line in lines)
    assert sum(line["killed"] for line in lines) >= (len(lines) + 1) // 2
    for line in lines:
        assert line["loans"] == line["distinct_items"], line
        assert line["max_per_patron"] <= line["limit"], line
        assert line["loans_without_event"] == 0, line  # every loan's event committed with it
        assert set(line["reconcile"]["drift_before"]) <= {"outbox"}, line
        assert_reconciled(line)


def test_a_killed_disposal_never_loses_an_object_off_the_record(tmp_path: Path) -> None:
    lines = run("disposal", tmp_path)
    assert sum(line["killed"] for line in lines) >= (len(lines) + 1) // 2
    for line in lines:
        crash, final = line["after_crash"], line["final"]
        if crash["statuses"] == ["musnah"]:
            assert crash["documents"] == 2, line  # berita acara and its list, with the destruction
            assert final["objects_present"] == 0, line  # reconcile finished the purge
        else:
            assert crash["statuses"] == ["inaktif"], line  # nothing was destroyed, nothing deleted
            assert crash["documents"] == 0 and crash["objects_gone_unrecorded"] == 0, line
            assert crash["objects_present"] == final["objects_present"] == line["records"], line
        assert final["objects_gone_unrecorded"] == 0, line
        assert_reconciled(line)


# -- PostgreSQL killed ---------------------------------------------------------------------------------


def assert_outage_answers(line: dict[str, Any]) -> None:
    """No 500 ever; while the database is gone a bilingual 503 with Retry-After; once it is back, no 5xx."""
    for a in line["work"]["answers"]:
        assert a["status"] != 500, f"seed {line['seed']}: a 500 {a}"
        if a["status"] == 503:
            assert a["code"] == "database_unavailable" and a["bilingual"] and a["retry_after"], a
            assert a["sent"] != 2, f"seed {line['seed']}: 503 after the restart {a}"  # 2: the server is back
        elif a["status"] == 409:
            assert a["code"] == "refused", a  # item on loan or the patron at the limit
        else:
            assert a["status"] == 201, a


def test_postgres_killed_mid_checkout_storm_loses_no_acknowledged_loan(tmp_path: Path) -> None:
    lines = run("pg-storm", tmp_path)
    assert all(line["killed"] and line["processes_killed"] > 1 for line in lines), lines
    # the kills landed mid-storm: requests met the dead server and were refused with 503
    assert sum(any(a["status"] == 503 for a in line["work"]["answers"]) for line in lines) >= len(lines) // 2
    for line in lines:
        assert_outage_answers(line)
        acknowledged = [a["loan"] for a in line["work"]["answers"] if a["status"] == 201]
        stored = line["loan_ids"]
        assert len(stored) == len(set(stored)), line
        assert set(acknowledged) <= set(stored), f"seed {line['seed']}: acknowledged loans lost {line}"
        assert len(acknowledged) == len(set(acknowledged)), line
        # a 503 whose commit did land shows as a loan with no 201; its retry then met the loan (409)
        assert len(stored) - len(acknowledged) <= sum(a["status"] == 503 for a in line["work"]["answers"])
        assert len(stored) == line["distinct_items"] == line["items"], (
            line
        )  # retried to the end, one per item
        assert line["max_per_patron"] <= line["limit"], line
        assert line["loans_without_event"] == 0, line
        assert line["work"]["unresolved"] == [], line
        assert line["work"]["ready_after"] == 200 and line["work"]["dry_run_after"] == 200, line
        assert set(line["reconcile"]["drift_before"]) <= {"outbox"}, line
        assert_reconciled(line)


def test_postgres_killed_mid_import_job_resumes_and_balances(tmp_path: Path) -> None:
    lines = run("pg-import", tmp_path)
    interrupted = [line for line in lines if "raised" in line["work"]["runs"][0]]
    assert len(interrupted) >= (len(lines) + 1) // 2, lines  # the kills landed while the job ran
    for line in interrupted:
        first = line["work"]["runs"][0]
        crash = first["at_restart"]  # after crash recovery, before the retry
        (job,) = crash["jobs"]
        assert job["status"] in ("running", "failed"), line  # resumable, or marked failed
        assert crash["rows"] == job["stored"], line  # a batch is all or nothing, across the crash too
        assert job["read"] == job["stored"] + job["skipped"] + job["reported"], line
    for line in lines:
        assert_import_balances(line)
