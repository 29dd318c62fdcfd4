"""``pusip migrate`` and ``pusip demo-data`` on a fresh data directory."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from pusip.cli import app
from pusip.demo import DEMO_CLIENT, SERVICE_CLIENTS, demo_accounts
from pusip_kit.auth.accounts import AccountStore
from pusip_kit.config import SERVICE_NAMES


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_migrate_creates_every_database(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    for name in SERVICE_NAMES:
        db = data_dir / name / f"{name}.db"
        assert db.is_file(), f"{name}: {result.output}"
        tables = _tables(db)
        assert "alembic_version" in tables, name
        assert "kit_alembic_version" in tables, name
        assert len(tables - {"alembic_version", "kit_alembic_version"}) > 1, name
        assert f"✓ {name}" in result.output
    identity = data_dir / "gateway" / "identity.db"
    assert {"accounts", "clients"} <= _tables(identity)

    again = runner.invoke(app, ["migrate"])  # a second run changes nothing and does not fail
    assert again.exit_code == 0, again.output


def test_migrate_selected_components(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(app, ["migrate", "catalog"])
    assert result.exit_code == 0, result.output
    assert (data_dir / "catalog" / "catalog.db").is_file()
    assert not (data_dir / "archive" / "archive.db").exists()

    result = runner.invoke(app, ["migrate", "nonsense"])
    assert result.exit_code == 1
    assert "komponen tidak dikenal" in result.output


def _verify_all(data_dir: Path) -> tuple[int, int]:
    async def run() -> tuple[int, int]:
        store = AccountStore(f"sqlite+aiosqlite:///{data_dir / 'gateway' / 'identity.db'}")
        try:
            for account in demo_accounts():
                info = await store.verify_password(account.username, account.password)
                assert account.role in info.roles
            client = await store.verify_client(DEMO_CLIENT.client_id, DEMO_CLIENT.secret)
            assert client.roles == ("agency_system",) and client.unit == "dinas-demo"
            return len(await store.list_accounts()), len(await store.list_clients())
        finally:
            await store.dispose()

    return asyncio.run(run())


def test_demo_data_is_idempotent(runner: CliRunner, data_dir: Path) -> None:
    first = runner.invoke(app, ["demo-data"])
    assert first.exit_code == 0, first.output
    marker = json.loads((data_dir / "demo-data.json").read_text())
    assert set(marker["services"]) == set(SERVICE_NAMES)
    assert _verify_all(data_dir) == (len(demo_accounts()), 1 + len(SERVICE_CLIENTS))
    for account in demo_accounts():
        assert account.username in first.output and account.password in first.output

    archivist = next(a for a in demo_accounts() if a.username == "arsiparis")
    assert (archivist.unit, archivist.clearance, archivist.access_category) == (
        "dispusip",
        "RAHASIA",
        "pengolah",
    )
    librarian = next(a for a in demo_accounts() if a.username == "pustakawan")
    assert librarian.branches  # the catalog's demo branch

    # Without --force a second run only says it was done.
    second = runner.invoke(app, ["demo-data"])
    assert second.exit_code == 0, second.output
    assert "sudah dimuat" in second.output

    # With --force it runs again: same accounts, services add nothing new.
    runner.invoke(app, ["users", "passwd", "admin", "--password", "changed-by-someone"])
    runner.invoke(app, ["users", "disable", "pemustaka"])
    third = runner.invoke(app, ["demo-data", "--force"])
    assert third.exit_code == 0, third.output
    assert _verify_all(data_dir) == (
        len(demo_accounts()),
        1 + len(SERVICE_CLIENTS),
    )  # passwords reset, account re-enabled
    marker_after = json.loads((data_dir / "demo-data.json").read_text())
    for service, counts in marker_after["services"].items():
        assert set(counts) == set(marker["services"][service]), service


def test_demo_data_keeps_other_accounts(runner: CliRunner, data_dir: Path) -> None:
    runner.invoke(app, ["users", "add", "tamu", "-r", "patron", "--password", "tamu-12345"])
    result = runner.invoke(app, ["demo-data", "--only", "catalog"])
    assert result.exit_code == 0, result.output
    accounts = json.loads(runner.invoke(app, ["users", "list", "--json"]).output)["accounts"]
    assert "tamu" in {a["username"] for a in accounts}
    assert len(accounts) == len(demo_accounts()) + 1
    assert set(json.loads((data_dir / "demo-data.json").read_text())["services"]) == {"catalog"}

    # A later run without --only loads what is still missing instead of saying "already loaded".
    rest = runner.invoke(app, ["demo-data"])
    assert rest.exit_code == 0, rest.output
    assert "sudah dimuat" not in rest.output
    assert set(json.loads((data_dir / "demo-data.json").read_text())["services"]) == set(SERVICE_NAMES)
    assert "sudah dimuat" in runner.invoke(app, ["demo-data"]).output
