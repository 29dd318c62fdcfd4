"""Kit migrations: the kit tables, idempotent and concurrent upgrades, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from pusip_kit.db.engine import make_sync_url
from pusip_kit.db.migrate import KIT_VERSION_TABLE, upgrade
from pusip_kit.testing.db import DB_BACKENDS, temporary_database

pytestmark = pytest.mark.parametrize("backend", DB_BACKENDS)


def _inspect(url: str) -> dict[str, object]:
    engine = create_engine(make_sync_url(url))
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            tables = set(insp.get_table_names())
            indexes = {t: {i["name"] for i in insp.get_indexes(t)} for t in tables}
            versions = [r[0] for r in conn.execute(text(f"SELECT version_num FROM {KIT_VERSION_TABLE}"))]
            service_versions = (
                [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
                if "alembic_version" in tables
                else []
            )
    finally:
        engine.dispose()
    return {"tables": tables, "indexes": indexes, "versions": versions, "service_versions": service_versions}


def _service_migrations(root: Path) -> Path:
    """A minimal service Alembic directory with one table, like services/<name>/migrations."""
    (root / "versions").mkdir(parents=True)
    (root / "env.py").write_text(
        "from pusip_kit.db.migrate import run_migrations_env\n\nrun_migrations_env(None)\n"
    )
    (root / "script.py.mako").write_text("")
    (root / "versions" / "0001_widgets.py").write_text(
        textwrap.dedent(
            """
            import sqlalchemy as sa
            from alembic import op

            revision = "svc_0001"
            down_revision = None
            branch_labels = None
            depends_on = None


            def upgrade():
                op.create_table("widgets", sa.Column("id", sa.Integer, primary_key=True))


            def downgrade():
                op.drop_table("widgets")
            """
        )
    )
    return root


def _check_migrated(url: str, *, service: bool = False) -> None:
    info = _inspect(url)
    tables = info["tables"]
    assert isinstance(tables, set)
    assert {"outbox", "processed_events", "dead_letters", KIT_VERSION_TABLE} <= tables
    indexes = info["indexes"]
    assert isinstance(indexes, dict)
    assert {"ix_outbox_status_next_attempt_at", "ix_outbox_created_at"} <= indexes["outbox"]
    assert info["versions"] == ["kit_0001"]
    if service:
        assert "widgets" in tables
        assert info["service_versions"] == ["svc_0001"]


def test_upgrade_creates_kit_tables_and_is_idempotent(backend: str, tmp_path: Path) -> None:
    with temporary_database(backend, tmp_path) as url:
        upgrade(url)
        _check_migrated(url)
        upgrade(url)
        upgrade(url)
        _check_migrated(url)


def test_kit_tables_come_before_service_migrations(backend: str, tmp_path: Path) -> None:
    migrations = _service_migrations(tmp_path / "migrations")
    with temporary_database(backend, tmp_path) as url:
        upgrade(url, migrations)
        upgrade(url, migrations)
        _check_migrated(url, service=True)


def test_concurrent_upgrades_in_threads(backend: str, tmp_path: Path) -> None:
    migrations = _service_migrations(tmp_path / "migrations")
    with temporary_database(backend, tmp_path) as url:
        errors: list[BaseException] = []
        barrier = threading.Barrier(4)

        def run() -> None:
            try:
                barrier.wait()
                upgrade(url, migrations)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        _check_migrated(url, service=True)


_UPGRADE_SCRIPT = """
import sys, time
from pathlib import Path
from pusip_kit.db.migrate import upgrade
go = Path(sys.argv[3])
Path(sys.argv[4]).touch()  # imported and waiting
while not go.exists():
    time.sleep(0.005)
upgrade(sys.argv[1], Path(sys.argv[2]))
"""


def test_concurrent_upgrades_in_processes(backend: str, tmp_path: Path) -> None:
    migrations = _service_migrations(tmp_path / "migrations")
    go = tmp_path / "go"
    with temporary_database(backend, tmp_path) as url:
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _UPGRADE_SCRIPT,
                    url,
                    str(migrations),
                    str(go),
                    str(tmp_path / f"ready{n}"),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for n in range(2)
        ]
        deadline = time.monotonic() + 60
        while not all((tmp_path / f"ready{n}").exists() for n in range(2)) and time.monotonic() < deadline:
            time.sleep(0.02)
        go.touch()  # both start upgrading at the same moment
        outputs = [p.communicate(timeout=90)[0].decode() for p in processes]
        assert [p.returncode for p in processes] == [0, 0], outputs
        _check_migrated(url, service=True)
