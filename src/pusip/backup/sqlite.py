"""SQLite databases: consistent copies with the online backup API, and restores through it.

:func:`snapshot` copies a live database (the suite may be running) with ``sqlite3.Connection.backup``
in one step: the copy is one read transaction, so it is a consistent snapshot; in WAL mode writers
carry on meanwhile, and committed pages still in the ``-wal`` file are included (copying the
``.db`` file alone would miss them). The copy is switched to the rollback journal so it is one
self-contained file, and checked with ``PRAGMA quick_check``.

:func:`restore` goes the other way through the same API into the target path, so a target that
exists (``--force``) is replaced page by page under SQLite's own locking, with its ``-wal`` and
``-shm`` files kept coherent, instead of a file being swapped under an open connection.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

BUSY_TIMEOUT_MS = 30_000
VERSION_TABLES = ("alembic_version", "kit_alembic_version")
BROKER_TABLE = "pusip_broker_message"


class SqliteError(Exception):
    pass


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite…:///path`` URL (SQLAlchemy or Kombu style), else ``None``."""
    scheme = url.split(":", 1)[0]
    if "sqlite" not in scheme:
        return None
    if scheme.startswith("sqla+"):
        url = url[len("sqla+") :]
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    return Path(database)


@contextlib.contextmanager
def _connect(path: Path, *, mode: str = "rw") -> Iterator[sqlite3.Connection]:
    """Open an existing database (never creates one unless ``mode='rwc'``)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        yield conn
    finally:
        conn.close()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class SqliteFacts:
    """What the manifest says about one database copy."""

    tables: dict[str, int] = field(default_factory=dict)
    alembic: dict[str, list[str]] = field(default_factory=dict)
    journal_mode: str = "delete"
    sqlite_version: str = sqlite3.sqlite_version

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def describe(path: Path) -> SqliteFacts:
    """Row counts per table and the Alembic revisions recorded in the database at ``path``."""
    with _connect(path, mode="ro") as conn:
        return _describe(conn)


def _describe(conn: sqlite3.Connection) -> SqliteFacts:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    facts = SqliteFacts()
    for name in names:
        facts.tables[name] = int(conn.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0])  # noqa: S608
    for table in VERSION_TABLES:
        if table in facts.tables:
            facts.alembic[table] = sorted(
                str(row[0])
                for row in conn.execute(f"SELECT version_num FROM {_quote(table)}")  # noqa: S608
            )
    facts.journal_mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    return facts


def snapshot(source: Path, dest: Path) -> SqliteFacts:
    """Copy the live database ``source`` to the new file ``dest`` and describe the copy.

    The returned facts carry the *source's* journal mode (so a restore can put it back).
    """
    if dest.exists():
        raise SqliteError(f"{dest} exists")
    with _connect(source) as src:
        journal_mode = str(src.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        target = sqlite3.connect(dest)
        try:
            src.backup(target)  # all pages in one step: one read transaction, one snapshot
            target.execute("PRAGMA journal_mode=DELETE")
            check = target.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise SqliteError(f"the copy of {source} fails its integrity check: {check}")
            facts = _describe(target)
        finally:
            target.close()
    facts.journal_mode = journal_mode
    return facts


def is_empty(path: Path) -> bool:
    """A target counts as empty when the file is missing or holds no table at all."""
    if not path.exists():
        return True
    try:
        with _connect(path, mode="ro") as conn:
            row = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchone()
    except sqlite3.DatabaseError:
        return False
    return int(row[0]) == 0


def restore(source: Path, target: Path, *, journal_mode: str = "wal", reset_broker: bool = False) -> None:
    """Replace the database at ``target`` (created if missing) with the copy at ``source``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with _connect(source, mode="ro") as src, _connect(target, mode="rwc") as dst:
        src.backup(dst)
        mode = journal_mode if journal_mode in ("wal", "delete", "truncate", "persist") else "wal"
        dst.execute(f"PRAGMA journal_mode={mode.upper()}")
        if (
            reset_broker
            and dst.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (BROKER_TABLE,)
            ).fetchone()
        ):
            # Whoever had reserved a message is gone: make every restored message deliverable now.
            with dst:
                dst.execute(
                    f"UPDATE {BROKER_TABLE} SET reserved_until = NULL, reserved_host = NULL, "  # noqa: S608
                    "reserved_pid = NULL WHERE reserved_until IS NOT NULL"
                )
        check = dst.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise SqliteError(f"the restored database {target} fails its integrity check: {check}")
