"""Run Alembic migrations programmatically, serialised across processes.

Every service keeps its own Alembic environment (``services/<name>/migrations``); the kit's
own tables (outbox, processed events, dead letters) have a separate environment with its
own version table, applied first. Several processes (web app, worker) may start at once,
so upgrades hold a lock: an advisory lock on PostgreSQL, a file lock beside the SQLite file.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url

from pusip_kit.db.engine import is_sqlite, make_sync_url

log = logging.getLogger(__name__)

KIT_MIGRATIONS = Path(__file__).parent / "kit_migrations"
KIT_VERSION_TABLE = "kit_alembic_version"
_ADVISORY_LOCK_ID = 77_102_011


def alembic_config(script_location: Path, url: str, version_table: str = "alembic_version") -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", make_sync_url(url).replace("%", "%%"))
    cfg.attributes["version_table"] = version_table
    return cfg


@contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    if is_sqlite(url):
        database = make_url(url).database or ":memory:"
        if database == ":memory:":
            yield
            return
        lock_path = Path(f"{database}.migrate.lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    engine = create_engine(make_sync_url(url))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _ADVISORY_LOCK_ID})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _ADVISORY_LOCK_ID})
                conn.commit()
    finally:
        engine.dispose()


def upgrade(url: str, service_migrations: Path | None = None, revision: str = "head") -> None:
    """Bring a service database to ``revision``: kit tables first, then the service's own."""
    with _migration_lock(url):
        command.upgrade(alembic_config(KIT_MIGRATIONS, url, KIT_VERSION_TABLE), "head")
        if service_migrations is not None:
            command.upgrade(alembic_config(service_migrations, url), revision)
    log.info("database migrated", extra={"database": make_url(url).render_as_string(hide_password=True)})


def run_migrations_env(target_metadata: MetaData | None) -> None:
    """The whole body of every ``env.py``: online migrations, batch mode on SQLite.

    The URL and version table come from the Alembic config built by :func:`alembic_config`.
    """
    from alembic import context

    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("alembic config has no sqlalchemy.url; build it with alembic_config()")
    version_table = config.attributes.get("version_table", "alembic_version")
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=version_table,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
