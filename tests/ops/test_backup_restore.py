"""``pusip backup`` / ``pusip restore`` in embedded mode (SQLite, local objects, built-in issuer).

One installation is built once (``pusip migrate`` + ``pusip demo-data`` + objects, signing keys and
broker messages), backed up as a tar and as a folder; the tests restore those backups into fresh
data directories and compare every table's rows and every object's bytes with the original.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import tarfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pusip.backup import sqlite as sqlite_backup
from pusip.cli import app

from .helpers import (
    add_broker_messages,
    add_objects,
    add_signing_keys,
    broker_reservations,
    differences,
    environment,
    snapshot,
)

pytestmark = pytest.mark.timeout(900)

EMBEDDED = {
    "PUSIP_MODE": "embedded",
    "PUSIP_ENVIRONMENT": "test",
    "PUSIP_PORT_BASE": None,
    "PUSIP_OIDC_ISSUER": None,
    "PUSIP_GATEWAY_URL": None,
    "PUSIP_BROKER_URL": None,
    "PUSIP_STORAGE_BACKEND": None,
    "PUSIP_SEARCH_BACKEND": None,
}


@dataclass
class Source:
    root: Path
    tar: Path
    folder: Path
    expected: dict[str, Any]
    manifest: dict[str, Any]


def run(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    return result


def at(root: Path) -> Any:
    """The environment of the installation whose data directory is ``root``."""
    return environment({**EMBEDDED, "PUSIP_DATA_DIR": str(root)})


@pytest.fixture(autouse=True)
def _restore_environment() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Source:
    base = tmp_path_factory.mktemp("backup")
    root = base / "var"
    with at(root):
        for command in (("migrate",), ("demo-data",)):
            result = run("--data-dir", str(root), *command)
            assert result.exit_code == 0, result.output
        assert add_objects("a") == 4
        add_signing_keys()
        add_broker_messages()
        expected = snapshot()
        tar_result = run("backup", "--data-dir", str(root), "--out", str(base / "out"))
        assert tar_result.exit_code == 0, tar_result.output
        dir_result = run("backup", "--data-dir", str(root), "--out", str(base / "out"), "--format", "dir")
        assert dir_result.exit_code == 0, dir_result.output
        assert snapshot() == expected, "a backup must not change what it backs up"
    tars = sorted((base / "out").glob("*.tar"))
    folders = sorted(p for p in (base / "out").iterdir() if p.is_dir())
    assert len(tars) == 1 and len(folders) == 1, list((base / "out").iterdir())
    assert not list((base / "out").glob("*.partial")) and not list((base / "out").glob(".*"))
    assert tars[0].stat().st_mode & 0o077 == 0, "a backup holds secrets: owner-only"
    with tarfile.open(tars[0]) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/manifest.json"))
        handle = tar.extractfile(member)
        assert handle is not None
        manifest = json.loads(handle.read())
    return Source(root, tars[0], folders[0], expected, manifest)


def test_manifest_describes_the_backup(source: Source) -> None:
    manifest = source.manifest
    assert manifest["format"] == "pusip-backup" and manifest["format_version"] == 1
    assert manifest["mode"] == "embedded"
    assert {"pusip", "pusip-kit", "python", "sqlite", "alembic"} <= set(manifest["versions"])
    roles = {(d["component"], d["role"]) for d in manifest["databases"]}
    assert roles == {
        ("catalog", "service"),
        ("circulation", "service"),
        ("deposit", "service"),
        ("archive", "service"),
        ("accreditation", "service"),
        ("gateway", "identity"),
        ("broker", "broker"),
    }
    for database in manifest["databases"]:
        assert database["engine"] == "sqlite"
        assert len(database["sha256"]) == 64 and database["size"] > 0
        assert database["rows"] == sum(database["tables"].values())
        if database["role"] == "service":
            assert database["alembic"]["alembic_version"] and database["alembic"]["kit_alembic_version"]
    expected_rows = sum(len(rows) for rows in source.expected["rows"]["catalog-service"].values())
    catalog = next(d for d in manifest["databases"] if d["component"] == "catalog")
    assert catalog["rows"] == expected_rows
    kinds = {f["kind"] for f in manifest["files"]}
    assert kinds == {"database", "object", "key", "state"}
    assert manifest["totals"]["objects"] == len(source.expected["objects"])
    assert manifest["totals"]["files"] == len(manifest["files"])
    assert manifest["totals"]["bytes"] == sum(f["size"] for f in manifest["files"])
    for entry in manifest["files"]:
        assert len(entry["sha256"]) == 64
        if entry["kind"] == "object":
            assert entry["size"] == entry["object_size"] + 4096


def test_round_trip_has_zero_differences(source: Source, tmp_path: Path) -> None:
    for label, backup in (("tar", source.tar), ("dir", source.folder)):
        target = tmp_path / label
        with at(target):
            result = run("restore", "--data-dir", str(target), str(backup))
            assert result.exit_code == 0, result.output
            assert "search index rebuilt" in result.output
            assert differences(source.expected, snapshot()) == [], label
            # the restored broker messages are reserved by no one (whoever held them is gone)
            assert broker_reservations(target / "broker.db") == [(None, None, None), (None, None, None)]
            for service in ("catalog", "archive"):
                assert (target / service / "index").is_dir(), f"{service}: search index not rebuilt"
            keys = target / "gateway" / "keys"
            assert (keys / "signing-key.pem").stat().st_mode & 0o777 == 0o600


def _object_member(tar_path: Path) -> tarfile.TarInfo:
    with tarfile.open(tar_path) as tar:
        return next(m for m in tar.getmembers() if "/objects/" in m.name and m.isfile() and m.size > 5000)


def _flip_byte(path: Path, offset: int) -> None:
    with path.open("r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0x01]))


def test_tampered_archives_are_refused_before_anything_is_touched(source: Source, tmp_path: Path) -> None:
    # one flipped bit in an object inside the tar
    tampered = tmp_path / "tampered.tar"
    shutil.copyfile(source.tar, tampered)
    member = _object_member(tampered)
    _flip_byte(tampered, member.offset_data + 4096 + 10)
    target = tmp_path / "target"
    with at(target):
        result = run("restore", "--data-dir", str(target), str(tampered))
        assert result.exit_code == 1
        assert "damaged or was altered" in result.output
        assert member.name.split("/", 1)[1] in result.output
        checked = run("restore", "--data-dir", str(target), "--verify-only", str(tampered))
        assert checked.exit_code == 1
    assert not target.exists(), "a refused restore must not touch the target"

    # a folder backup: an altered manifest, a truncated database, a file slipped in
    cases = {
        "manifest": lambda d: (d / "manifest.json").write_text(
            (d / "manifest.json").read_text().replace('"rows": ', '"rows": 1', 1)
        ),
        "database": lambda d: os.truncate(d / "databases" / "catalog.sqlite", 4096),
        "extra": lambda d: (d / "objects" / "catalog" / "catalog-eresources" / "extra.bin").write_bytes(b"x"),
    }
    for name, damage in cases.items():
        folder = tmp_path / f"folder-{name}"
        shutil.copytree(source.folder, folder)
        damage(folder)
        with at(target):
            result = run("restore", "--data-dir", str(target), str(folder))
        assert result.exit_code == 1, (name, result.output)
        assert not target.exists(), name
    with at(target):
        fine = run("restore", "--data-dir", str(target), "--verify-only", str(source.folder))
    assert fine.exit_code == 0, fine.output
    assert not target.exists()


def test_non_empty_targets_need_force(source: Source, tmp_path: Path) -> None:
    target = tmp_path / "target"
    with at(target):
        assert run("restore", "--data-dir", str(target), "--no-reindex", str(source.tar)).exit_code == 0
        # the installation lives on: new objects, changed rows, a new signing key
        add_objects("b")
        with sqlite3.connect(target / "catalog" / "catalog.db") as conn:
            conn.execute("DELETE FROM outbox")
        conn.close()
        keys = target / "gateway" / "keys"
        (keys / "signing-key.pem").unlink()
        add_signing_keys()
        changed = snapshot()
        assert differences(source.expected, changed) != []

        refused = run("restore", "--data-dir", str(target), str(source.tar))
        assert refused.exit_code == 1
        assert "not empty" in refused.output and "--force" in refused.output
        assert differences(changed, snapshot()) == [], "refused: nothing overwritten"

        forced = run("restore", "--data-dir", str(target), "--force", str(source.tar))
        assert forced.exit_code == 0, forced.output
        assert "removed" in forced.output
        assert differences(source.expected, snapshot()) == []


def test_restore_refuses_while_pusip_up_runs(source: Source, tmp_path: Path) -> None:
    target = tmp_path / "target"
    (target / "run").mkdir(parents=True)
    with (target / "run" / "up.lock").open("a+") as lock, at(target):
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run("restore", "--data-dir", str(target), str(source.tar))
        assert result.exit_code == 1
        assert "is running" in result.output
    assert sorted(p.name for p in target.iterdir()) == ["run"]


def test_a_damaged_object_stops_the_backup(source: Source, tmp_path: Path) -> None:
    root = tmp_path / "var"
    shutil.copytree(source.root, root)
    victim = next(p for p in (root / "catalog" / "objects").rglob("*.pdf"))
    _flip_byte(victim, 4096 + 100)
    out = tmp_path / "out"
    with at(root):
        result = run("backup", "--data-dir", str(root), "--out", str(out))
    assert result.exit_code == 1
    assert "Damaged objects" in result.output
    assert victim.name in result.output
    assert list(out.iterdir()) == [], "no archive, partial or temporary file is left behind"


def test_sqlite_snapshot_is_consistent_while_a_writer_commits(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    with sqlite3.connect(live) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, batch INTEGER, payload TEXT)")
    conn.close()
    stop = threading.Event()
    batches = 0

    def writer() -> None:
        nonlocal batches
        db = sqlite3.connect(live, timeout=30)
        try:
            while not stop.is_set():
                with db:  # ten rows per transaction
                    db.executemany(
                        "INSERT INTO t (batch, payload) VALUES (?, ?)", [(batches, "x" * 500)] * 10
                    )
                batches += 1
        finally:
            db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while batches < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        copies = []
        for n in range(3):
            dest = tmp_path / f"copy-{n}.db"
            facts = sqlite_backup.snapshot(live, dest)
            copies.append((dest, facts))
    finally:
        stop.set()
        thread.join()
    for dest, facts in copies:
        assert facts.journal_mode == "wal"
        rows = facts.tables["t"]
        assert rows > 0 and rows % 10 == 0, "a copy holds whole transactions only"
        with sqlite3.connect(dest) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == rows
        conn.close()
        assert not Path(f"{dest}-wal").exists()


def _catalog_at(root: Path, revision: str) -> None:
    from pusip.components import COMPONENTS
    from pusip_kit.db.migrate import upgrade

    comp = COMPONENTS["catalog"]
    upgrade(comp.settings().database_url, comp.migrations_dir(), revision=revision)


def test_an_older_backup_is_migrated_and_a_newer_one_refused(tmp_path: Path) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from pusip.components import COMPONENTS

    config = Config()
    config.set_main_option("script_location", str(COMPONENTS["catalog"].migrations_dir()))
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    base = script.get_base()
    assert head and base and head != base

    old = tmp_path / "old"
    with at(old):
        _catalog_at(old, base)  # a backup made by an older Pusip: catalog at its first revision
        made = run("backup", "--data-dir", str(old), "--out", str(tmp_path / "out-old"))
        assert made.exit_code == 0, made.output
    target = tmp_path / "target"
    with at(target):
        restored = run("restore", "--data-dir", str(target), str(next((tmp_path / "out-old").glob("*.tar"))))
        assert restored.exit_code == 0, restored.output
        assert "migrated to this code's head" in restored.output
        assert "catalog: indeks pencarian dibangun ulang" in restored.output
    with sqlite3.connect(target / "catalog" / "catalog.db") as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]
    conn.close()

    new = tmp_path / "new"
    with at(new):
        _catalog_at(new, "head")
    with sqlite3.connect(new / "catalog" / "catalog.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.close()
    with at(new):
        made = run("backup", "--data-dir", str(new), "--out", str(tmp_path / "out-new"))
        assert made.exit_code == 0, made.output
    fresh = tmp_path / "fresh"
    with at(fresh):
        refused = run("restore", "--data-dir", str(fresh), str(next((tmp_path / "out-new").glob("*.tar"))))
    assert refused.exit_code == 1
    assert "9999_from_the_future" in refused.output and "newer Pusip" in refused.output
    assert not fresh.exists()
