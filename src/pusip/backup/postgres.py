"""PostgreSQL databases: ``pg_dump -Fc`` in one exported snapshot, ``pg_restore`` in one transaction.

The backup opens a ``REPEATABLE READ, READ ONLY`` transaction, exports its snapshot
(``pg_export_snapshot()``), counts the rows of every table and reads the Alembic revisions in that
snapshot, and runs ``pg_dump --snapshot=…`` while the transaction stays open: the dump and the
manifest's figures describe exactly the same state, whatever is written meanwhile.

The restore runs ``pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error``:
either the whole dump lands or nothing changes. Objects are owned by the restoring role.

Client programs: ``pg_dump`` must be at least the server's major version (it refuses older servers
otherwise), and ``pg_restore`` at least the major version of the ``pg_dump`` that wrote the archive.
They are looked for in ``$PUSIP_PG_BIN_DIR``, then ``/usr/lib/postgresql/<server major>/bin``
(Debian's ``postgresql-client-<major>``), then any newer ``/usr/lib/postgresql/*/bin``, then ``PATH``.
Connection details go to the programs through libpq's ``PG*`` environment variables, never on the
command line (where ``ps`` would show the password).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from pusip_kit.db.engine import make_sync_url

VERSION_TABLES = ("alembic_version", "kit_alembic_version")
PG_BIN_ENV = "PUSIP_PG_BIN_DIR"
DEBIAN_PG_ROOT = Path("/usr/lib/postgresql")
_LIBPQ_QUERY_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
}
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


class PostgresError(Exception):
    pass


@dataclass(frozen=True)
class Tool:
    path: str
    major: int
    version: str


@dataclass
class PgFacts:
    tables: dict[str, int] = field(default_factory=dict)
    alembic: dict[str, list[str]] = field(default_factory=dict)
    server_version: str = ""
    server_major: int = 0

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def database_name(url: str) -> str:
    return make_url(url).database or ""


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def libpq_env(url: str) -> dict[str, str]:
    """The ``PG*`` variables that make libpq programs connect where ``url`` points."""
    parsed = make_url(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, value in (
        ("PGHOST", parsed.host),
        ("PGPORT", parsed.port),
        ("PGUSER", parsed.username),
        ("PGPASSWORD", parsed.password),
        ("PGDATABASE", parsed.database),
    ):
        if value not in (None, ""):
            env[key] = str(value)
    for name, query_value in parsed.query.items():
        variable = _LIBPQ_QUERY_ENV.get(name)
        if variable:
            env[variable] = query_value if isinstance(query_value, str) else query_value[-1]
    return env


def _engine(url: str) -> Any:
    return create_engine(make_sync_url(url), poolclass=NullPool)


def _server_major(version_num: int) -> int:
    return version_num // 10000


def _read_facts(conn: Connection) -> PgFacts:
    facts = PgFacts()
    facts.server_version = str(conn.execute(text("SHOW server_version")).scalar_one()).split()[0]
    facts.server_major = _server_major(int(conn.execute(text("SHOW server_version_num")).scalar_one()))
    rows = conn.execute(
        text(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN :system "
            "AND table_schema NOT LIKE 'pg_temp%' ORDER BY 1, 2"
        ).bindparams(_expanding("system")),
        {"system": list(_SYSTEM_SCHEMAS)},
    ).all()
    preparer = conn.dialect.identifier_preparer
    for schema, table in rows:
        qualified = f"{preparer.quote_identifier(schema)}.{preparer.quote_identifier(table)}"
        label = table if schema == "public" else f"{schema}.{table}"
        facts.tables[label] = int(conn.execute(text(f"SELECT count(*) FROM {qualified}")).scalar_one())  # noqa: S608
        if schema == "public" and table in VERSION_TABLES:
            facts.alembic[table] = sorted(
                str(v)
                for v in conn.execute(text(f"SELECT version_num FROM {qualified}")).scalars()  # noqa: S608
            )
    return facts


def _expanding(name: str) -> Any:
    from sqlalchemy import bindparam

    return bindparam(name, expanding=True)


def describe(url: str) -> PgFacts:
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            return _read_facts(conn)
    finally:
        engine.dispose()


def server_major(url: str) -> int:
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            return _server_major(int(conn.execute(text("SHOW server_version_num")).scalar_one()))
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------- client tools


def tool_version(path: str) -> tuple[int, str]:
    """``(major, "15.18")`` from ``<tool> --version`` (``pg_dump (PostgreSQL) 15.18 (Debian …)``)."""
    try:
        out = subprocess.run(  # noqa: S603 - a path we found, no shell
            [path, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise PostgresError(f"{path} --version failed: {exc}") from exc
    match = re.search(r"\)\s+(\d+)(?:\.(\d+))?", out) or re.search(r"(\d+)\.(\d+)", out)
    if not match:
        raise PostgresError(f"cannot read the version of {path}: {out.strip()!r}")
    major = int(match.group(1))
    return major, f"{major}.{match.group(2)}" if match.group(2) else str(major)


def _candidates(name: str, prefer: int) -> Iterator[str]:
    configured = os.environ.get(PG_BIN_ENV)
    if configured:
        yield str(Path(configured) / name)
    yield str(DEBIAN_PG_ROOT / str(prefer) / "bin" / name)
    if DEBIAN_PG_ROOT.is_dir():
        majors = sorted((int(p.name) for p in DEBIAN_PG_ROOT.iterdir() if p.name.isdigit()), reverse=True)
        for major in majors:
            yield str(DEBIAN_PG_ROOT / str(major) / "bin" / name)
    found = shutil.which(name)
    if found:
        yield found


def find_tool(name: str, *, at_least: int, prefer: int) -> Tool:
    """The first ``name`` (pg_dump, pg_restore) of major version ≥ ``at_least``, preferring ``prefer``."""
    seen: list[str] = []
    for candidate in _candidates(name, prefer):
        if candidate in seen or not os.access(candidate, os.X_OK):
            continue
        major, version = tool_version(candidate)
        seen.append(f"{candidate} ({version})")
        if major >= at_least:
            return Tool(candidate, major, version)
    found = ", ".join(seen) or "none"
    raise PostgresError(
        f"{name} {at_least} or newer is needed (found: {found}). Install Debian's postgresql-client-{at_least} "
        f"(or newer) or point {PG_BIN_ENV} at a folder holding {name}."
    )


# ------------------------------------------------------------------------------------------- backup


def dump(url: str, dest: Path) -> tuple[PgFacts, Tool]:
    """``pg_dump -Fc`` of the database at ``url`` into ``dest``, with facts from the same snapshot."""
    engine = _engine(url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            conn.execute(text("SET TRANSACTION READ ONLY"))
            snapshot_id = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
            facts = _read_facts(conn)
            tool = find_tool("pg_dump", at_least=facts.server_major, prefer=facts.server_major)
            result = subprocess.run(  # noqa: S603 - no shell; connection details in the environment
                [
                    tool.path,
                    "--format=custom",
                    f"--snapshot={snapshot_id}",
                    "--no-password",
                    f"--file={dest}",
                ],
                env=libpq_env(url),
                capture_output=True,
                text=True,
                check=False,
            )
            conn.rollback()
    finally:
        engine.dispose()
    if result.returncode != 0:
        raise PostgresError(f"pg_dump of {safe_url(url)} failed: {result.stderr.strip()[-2000:]}")
    return facts, tool


# ------------------------------------------------------------------------------------------ restore


@contextmanager
def _maintenance(url: str) -> Iterator[Connection]:
    """An autocommit connection to the server's ``postgres`` database with the same credentials."""
    engine = create_engine(
        make_url(make_sync_url(url)).set(database="postgres"),
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
    )
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def exists(url: str) -> bool:
    name = database_name(url)
    with _maintenance(url) as conn:
        return bool(conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first())


def is_empty(url: str) -> bool:
    """Missing, or without a single table outside the system schemas."""
    try:
        engine = _engine(url)
        try:
            with engine.connect() as conn:
                count = conn.execute(
                    text(
                        "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN :system "
                        "AND table_schema NOT LIKE 'pg_temp%'"
                    ).bindparams(_expanding("system")),
                    {"system": list(_SYSTEM_SCHEMAS)},
                ).scalar_one()
        finally:
            engine.dispose()
    except OperationalError:
        if not exists(url):
            return True
        raise
    return int(count) == 0


def create_if_missing(url: str) -> bool:
    if exists(url):
        return False
    name = database_name(url)
    with _maintenance(url) as conn:
        quoted = conn.dialect.identifier_preparer.quote_identifier(name)
        conn.execute(text(f"CREATE DATABASE {quoted}"))
    return True


def restore(url: str, source: Path, *, archive_major: int) -> Tool:
    """``pg_restore`` the custom-format dump ``source`` into the database at ``url``, atomically."""
    major = server_major(url)
    tool = find_tool("pg_restore", at_least=max(archive_major, 1), prefer=major)
    result = subprocess.run(  # noqa: S603 - no shell; connection details in the environment
        [
            tool.path,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={database_name(url)}",
            str(source),
        ],
        env=libpq_env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise PostgresError(
            f"pg_restore into {safe_url(url)} failed (nothing was changed: one transaction): "
            f"{result.stderr.strip()[-2000:]}"
        )
    return tool
