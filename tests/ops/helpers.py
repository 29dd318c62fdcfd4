"""Snapshots of an installation's data (every table's rows, every object's bytes) and their differences."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, select
from sqlalchemy.pool import NullPool

from pusip.backup import objects as objects_mod
from pusip.backup.core import current_installation
from pusip_kit.auth.issuer import RETIRED_KEY_DIR, SigningKey, load_or_create_signing_key
from pusip_kit.db.engine import make_sync_url
from pusip_kit.storage import make_object_store

MiB = 1024 * 1024
BROKER_RESERVATION = ("reserved_until", "reserved_host", "reserved_pid")

Rows = dict[str, list[tuple[Any, ...]]]


@contextmanager
def environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for ``None``, unset) environment variables for the block."""
    saved = dict(os.environ)
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def table_rows(url: str, *, blank: Mapping[str, tuple[str, ...]] | None = None) -> Rows:
    """Every row of every table (SQLAlchemy reflection), ordered by primary key.

    ``blank`` names columns (per table) whose values are replaced by ``None`` before comparing.
    """
    engine = create_engine(make_sync_url(url), poolclass=NullPool)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        rows: Rows = {}
        with engine.connect() as conn:
            for name, table in sorted(metadata.tables.items()):
                statement = select(table)
                keys = list(table.primary_key.columns)
                if keys:
                    statement = statement.order_by(*keys)
                result = conn.execute(statement)
                columns = list(result.keys())
                hidden = {columns.index(c) for c in (blank or {}).get(name, ()) if c in columns}
                found = [
                    tuple(None if i in hidden else value for i, value in enumerate(row)) for row in result
                ]
                rows[name] = found if keys else sorted(found, key=repr)
        return rows
    finally:
        engine.dispose()


def row_differences(expected: Rows, actual: Rows, label: str) -> list[str]:
    problems = []
    for table in sorted(set(expected) | set(actual)):
        if table not in actual:
            problems.append(f"{label}.{table}: table missing")
        elif table not in expected:
            problems.append(f"{label}.{table}: unexpected table")
        elif expected[table] != actual[table]:
            problems.append(
                f"{label}.{table}: rows differ ({len(expected[table])} expected, {len(actual[table])} found)"
            )
    return problems


def database_urls() -> dict[str, str]:
    """Label → SQLAlchemy URL of every database of the current installation."""
    urls = {}
    for slot in current_installation().databases:
        if slot.engine == "sqlite":
            if slot.path.exists():
                urls[f"{slot.component}-{slot.role}"] = f"sqlite:///{slot.path}"
        else:
            urls[f"{slot.component}-{slot.role}"] = slot.location
    return urls


def all_rows() -> dict[str, Rows]:
    return {
        label: table_rows(
            url, blank={"pusip_broker_message": BROKER_RESERVATION} if "broker" in label else None
        )
        for label, url in database_urls().items()
    }


async def _objects() -> dict[tuple[str, str, str], tuple[Any, ...]]:
    found: dict[tuple[str, str, str], tuple[Any, ...]] = {}
    for name, settings in current_installation().services.items():
        for bucket in objects_mod.service_buckets(settings):
            store = make_object_store(settings, bucket)
            try:
                async for obj in store.list():
                    data = await store.read_bytes(obj.key)
                    found[(name, bucket, obj.key)] = (
                        obj.size,
                        obj.sha256,
                        hashlib.sha256(data).hexdigest(),
                        obj.content_type,
                        dict(obj.metadata),
                    )
            finally:
                await store.close()
    return found


def all_objects() -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """(service, bucket, key) → size, recorded SHA-256, SHA-256 of the bytes read, type, metadata."""
    return asyncio.run(_objects())


def object_differences(expected: dict[Any, Any], actual: dict[Any, Any]) -> list[str]:
    problems = [f"object missing: {key}" for key in sorted(set(expected) - set(actual))]
    problems += [f"unexpected object: {key}" for key in sorted(set(actual) - set(expected))]
    problems += [
        f"object differs: {key}"
        for key in sorted(set(expected) & set(actual))
        if expected[key] != actual[key]
    ]
    for key, (size, recorded, read, *_rest) in actual.items():
        if recorded != read:
            problems.append(f"object bytes do not match their SHA-256: {key} ({size} bytes)")
    return problems


def key_files(keys_dir: Path) -> dict[str, tuple[bytes, int]]:
    if not keys_dir.is_dir():
        return {}
    return {
        path.relative_to(keys_dir).as_posix(): (path.read_bytes(), path.stat().st_mode & 0o777)
        for path in sorted(keys_dir.rglob("*.pem"))
    }


def snapshot() -> dict[str, Any]:
    inst = current_installation()
    marker = inst.root / "demo-data.json"
    return {
        "rows": all_rows(),
        "objects": all_objects(),
        "keys": key_files(inst.keys_dir) if inst.keys_dir else {},
        "marker": marker.read_bytes() if marker.exists() else None,
    }


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for label in sorted(set(expected["rows"]) | set(actual["rows"])):
        if label not in actual["rows"]:
            problems.append(f"database missing: {label}")
        elif label not in expected["rows"]:
            problems.append(f"unexpected database: {label}")
        else:
            problems += row_differences(expected["rows"][label], actual["rows"][label], label)
    problems += object_differences(expected["objects"], actual["objects"])
    if expected["keys"] != actual["keys"]:
        problems.append(f"signing keys differ: {sorted(expected['keys'])} vs {sorted(actual['keys'])}")
    if expected["marker"] != actual["marker"]:
        problems.append("demo-data.json differs")
    return problems


# ----------------------------------------------------------------------------------- test data


async def _put_objects(variant: str) -> int:
    inst = current_installation()
    catalog = make_object_store(inst.services["catalog"], "catalog-eresources")
    accreditation = make_object_store(inst.services["accreditation"], "accreditation-files")
    payload = os.urandom(3 * MiB + 17)
    try:
        await catalog.put(
            f"ebooks/{variant}/sejarah-jakarta.pdf",
            b"%PDF-1.4\n" + b"Sejarah Jakarta " * 2000,
            content_type="application/pdf",
            metadata={"judul": "Sejarah Jakarta — Batavia", "isbn": "9786020000000"},
        )
        await catalog.put(f"ebooks/{variant}/kosong.txt", b"", content_type="text/plain; charset=utf-8")
        await catalog.put(f"scans/{variant}/besar.bin", payload)
        await accreditation.put(
            f"evidence/{variant}/foto_ruang baca.jpg".replace(" ", "-"),
            b"\xff\xd8\xff" + os.urandom(50_000),
            content_type="image/jpeg",
            metadata={"keterangan": "Ruang baca anak, Cikini"},
        )
    finally:
        await catalog.close()
        await accreditation.close()
    return 4


def add_objects(variant: str = "a") -> int:
    return asyncio.run(_put_objects(variant))


def add_signing_keys() -> None:
    keys_dir = current_installation().keys_dir
    assert keys_dir is not None
    load_or_create_signing_key(keys_dir)
    retired = keys_dir / RETIRED_KEY_DIR
    retired.mkdir(mode=0o700, exist_ok=True)
    old = SigningKey.generate()
    path = retired / f"{old.kid}.pem"
    path.write_bytes(old.pem())
    path.chmod(0o600)


def add_broker_messages() -> None:
    """A broker file with one waiting and one reserved message (as a running worker leaves it)."""
    from pusip_kit.tasks.sqlite_transport import SCHEMA

    inst = current_installation()
    slot = inst.slot("broker", "broker")
    assert slot is not None
    with sqlite3.connect(slot.path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)
        conn.execute(
            "INSERT INTO pusip_broker_message (queue, payload, created_at) VALUES ('catalog', '{\"a\": 1}', 1.0)"
        )
        conn.execute(
            "INSERT INTO pusip_broker_message (queue, payload, delivery_tag, created_at, reserved_until, "
            "reserved_host, reserved_pid, deliveries) VALUES ('archive', '{\"b\": 2}', 'tag-1', 2.0, 9e12, "
            "'elsewhere', 4242, 1)"
        )
    conn.close()


def broker_reservations(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT reserved_until, reserved_host, reserved_pid FROM pusip_broker_message ORDER BY id"
        ).fetchall()
    conn.close()
    return rows
