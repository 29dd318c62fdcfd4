"""A serverless Kombu transport on one SQLite file: the embedded-mode Celery broker.

Why not Kombu's own ``sqla+sqlite://`` transport? Measured with kombu 5.7 / SQLAlchemy 2.1:

* its ``polling_interval`` transport option is forwarded to ``create_engine()`` and raises
  ``TypeError``, so it polls at the 1 s default (up to a second of latency per hop);
* delivered messages are only flagged ``visible=False`` and never deleted, so the file grows
  without bound;
* an unacknowledged message lives only in the worker's memory: a worker killed hard loses it
  (``acks_late`` cannot help);
* it uses the ORM ``noload`` strategy, deprecated in SQLAlchemy 2.1 (warning on every start), a
  pooled engine inherited across ``fork`` and SQLite's rollback journal (readers block writers).

This transport keeps the same idea (the broker is one SQLite file shared by every service on the
machine, no server) and fixes those points with the standard-library ``sqlite3`` module:

* WAL journal, ``busy_timeout`` and ``synchronous=FULL`` (a published message survives a power cut);
* a message is *reserved* on delivery (``reserved_until`` = now + visibility timeout) and deleted
  only on acknowledgement, so ``acks_late`` is real: a message whose worker died becomes visible
  again after the visibility timeout, or immediately when the next consumer starts on the same
  machine and finds the reserving process gone;
* connections are per thread and per process (safe with prefork, threads and ``celery -B``);
* a short polling interval (0.1 s by default, ``polling_interval`` transport option).

Measured here (celery 5.7, kombu 5.7, SQLAlchemy 2.1, 2 vCPU; one threads-pool worker, 20 spaced
messages, then a burst of 300):

==================  ===================  =================  ======================  ==============
transport           idle latency avg/max  300 publishes      burst drained            rows left
==================  ===================  =================  ======================  ==============
kombu ``sqla+``     0.50 s / 0.95 s       2.69 s             3.69 s                   320 (all)
kombu filesystem    0.02 s / 0.07 s       0.18 s             2.62 s                   0
this transport      0.05 s / 0.11 s       0.17 s             0.96 s                   0
==================  ===================  =================  ======================  ==============

The filesystem transport was not chosen: a reader can take a message file while its writer is
still writing it (the reader neither locks nor checks completeness), it lists and sorts the whole
directory on every poll, and it has no acknowledgement (a taken file is gone).

URL: ``sqlite:////absolute/path/broker.db`` (registered as the ``sqlite`` Kombu alias when
:mod:`pusip_kit.tasks` is imported). Only direct/topic exchanges are supported (no fanout), so
Celery's remote control and gossip are off, as with Kombu's SQL transport.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from pathlib import Path
from queue import Empty
from typing import Any

from kombu.transport import virtual
from kombu.utils.objects import cached_property

DEFAULT_POLLING_INTERVAL = 0.1
DEFAULT_VISIBILITY_TIMEOUT = 3600.0
BUSY_TIMEOUT_MS = 30_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS pusip_broker_message (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    payload TEXT NOT NULL,
    delivery_tag TEXT,
    created_at REAL NOT NULL,
    reserved_until REAL,
    reserved_host TEXT,
    reserved_pid INTEGER,
    deliveries INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ix_pusip_broker_message_queue ON pusip_broker_message (queue, id);
CREATE INDEX IF NOT EXISTS ix_pusip_broker_message_tag ON pusip_broker_message (delivery_tag);
"""

_SQL_PEEK = (
    "SELECT 1 FROM pusip_broker_message"
    " WHERE queue = ? AND (reserved_until IS NULL OR reserved_until < ?) LIMIT 1"
)
_SQL_RESERVE = (
    "UPDATE pusip_broker_message SET reserved_until = ?, reserved_host = ?, reserved_pid = ?,"
    " deliveries = deliveries + 1"
    " WHERE id = (SELECT id FROM pusip_broker_message"
    " WHERE queue = ? AND (reserved_until IS NULL OR reserved_until < ?) ORDER BY id LIMIT 1)"
    " RETURNING payload, deliveries"
)
_SQL_RELEASE = (
    "UPDATE pusip_broker_message SET reserved_until = NULL, reserved_host = NULL, reserved_pid = NULL"
    " WHERE delivery_tag = ?"
)


def database_path(url_or_path: str) -> Path:
    """``sqlite:////abs/broker.db`` (or ``sqla+sqlite:///…``, or a bare path) → the file path."""
    value = url_or_path
    for prefix in ("sqla+", "sqlalchemy+"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    if value.startswith("sqlite://"):
        value = value[len("sqlite://") :]
        # sqlite:///relative or sqlite:////absolute, as SQLAlchemy spells them
        if value.startswith("/"):
            value = value[1:]
    if not value or value == ":memory:":
        raise ValueError(
            "Broker SQLite memerlukan berkas, bukan memori / the SQLite broker needs a file, not :memory:"
        )
    return Path(value)


def connect(path: Path) -> sqlite3.Connection:
    """Open the broker file (autocommit; every statement is its own transaction)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def ensure_schema(path: Path) -> None:
    conn = connect(path)
    try:
        conn.executescript(SCHEMA)
    finally:
        conn.close()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class QoS(virtual.QoS):
    """Acknowledge = delete the stored row; reject/restore = make it visible again (no copies)."""

    channel: Channel

    def ack(self, delivery_tag: str) -> None:
        self.channel._delete_message(delivery_tag)
        super().ack(delivery_tag)

    def reject(self, delivery_tag: str, requeue: bool = False) -> None:
        if requeue:
            self.channel._release_messages([delivery_tag])
        else:
            self.channel._delete_message(delivery_tag)
        self._quick_ack(delivery_tag)

    def restore_unacked(self) -> list[Any]:
        self._flush()
        tags = [tag for tag in list(self._delivered) if tag not in self._dirty]
        self._delivered.clear()
        errors: list[Any] = []
        try:
            self.channel._release_messages(tags)
        except Exception as exc:  # pragma: no cover - the rows become visible after the timeout anyway
            errors.append((exc, None))
        return errors


class Channel(virtual.Channel):
    QoS = QoS
    supports_fanout = False
    do_restore = True

    def __init__(self, connection: Any, **kwargs: Any) -> None:
        super().__init__(connection, **kwargs)
        self._local = threading.local()
        self._path = database_path(self.connection.client.hostname or "")
        ensure_schema(self._path)
        self._host = socket.gethostname()
        self._released_orphans = False

    # -- connections ----------------------------------------------------------------------------
    @property
    def _conn(self) -> sqlite3.Connection:
        local = self._local
        pid = os.getpid()
        if getattr(local, "pid", None) != pid:
            local.conn = connect(self._path)
            local.pid = pid
        conn: sqlite3.Connection = local.conn
        return conn

    @cached_property
    def visibility_timeout(self) -> float:
        return float(self.transport_options.get("visibility_timeout", DEFAULT_VISIBILITY_TIMEOUT))

    @property
    def transport_options(self) -> dict[str, Any]:
        options: dict[str, Any] = self.connection.client.transport_options
        return options

    # -- virtual channel interface ----------------------------------------------------------------
    def _new_queue(self, queue: str, **kwargs: Any) -> None:
        if not self._released_orphans:
            self._released_orphans = True
            self._release_orphans()

    def _has_queue(self, queue: str, **kwargs: Any) -> bool:
        return True

    def _put(self, queue: str, message: dict[str, Any], **kwargs: Any) -> None:
        tag = message.get("properties", {}).get("delivery_tag")
        self._conn.execute(
            "INSERT INTO pusip_broker_message (queue, payload, delivery_tag, created_at) VALUES (?, ?, ?, ?)",
            (queue, json.dumps(message), tag, time.time()),
        )

    def _get(self, queue: str, timeout: float | None = None) -> dict[str, Any]:
        conn = self._conn
        now = time.time()
        # A read first: in WAL mode it takes no lock, so idle polling never blocks publishers.
        if conn.execute(_SQL_PEEK, (queue, now)).fetchone() is None:
            raise Empty()
        row = conn.execute(
            _SQL_RESERVE, (now + self.visibility_timeout, self._host, os.getpid(), queue, now)
        ).fetchone()
        if row is None:
            raise Empty()
        payload: dict[str, Any] = json.loads(row[0])
        if row[1] > 1:
            payload["redelivered"] = True
        return payload

    def _purge(self, queue: str) -> int:
        cursor = self._conn.execute(
            "DELETE FROM pusip_broker_message WHERE queue = ? AND reserved_until IS NULL", (queue,)
        )
        return cursor.rowcount

    def _size(self, queue: str) -> int:
        row = self._conn.execute(
            "SELECT count(*) FROM pusip_broker_message WHERE queue = ? AND reserved_until IS NULL", (queue,)
        ).fetchone()
        return int(row[0])

    def _delete(self, queue: str, *args: Any, **kwargs: Any) -> None:
        super()._delete(queue, *args, **kwargs)

    # -- acknowledgement --------------------------------------------------------------------------
    def _delete_message(self, delivery_tag: str) -> None:
        self._conn.execute("DELETE FROM pusip_broker_message WHERE delivery_tag = ?", (delivery_tag,))

    def _release_messages(self, delivery_tags: list[str]) -> None:
        if not delivery_tags:
            return
        self._conn.executemany(_SQL_RELEASE, [(tag,) for tag in delivery_tags])

    def _release_orphans(self) -> None:
        """Make visible the messages reserved by consumers on this machine that no longer run."""
        rows = self._conn.execute(
            "SELECT DISTINCT reserved_pid FROM pusip_broker_message"
            " WHERE reserved_until IS NOT NULL AND reserved_host = ?",
            (self._host,),
        ).fetchall()
        dead = [pid for (pid,) in rows if pid is not None and pid != os.getpid() and not _pid_alive(pid)]
        for pid in dead:
            self._conn.execute(
                "UPDATE pusip_broker_message SET reserved_until = NULL, reserved_host = NULL,"
                " reserved_pid = NULL WHERE reserved_host = ? AND reserved_pid = ?",
                (self._host, pid),
            )

    def close(self) -> None:
        super().close()
        conn = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            conn.close()
            self._local.conn = None
            self._local.pid = None


class Transport(virtual.Transport):
    Channel = Channel

    can_parse_url = True
    polling_interval = DEFAULT_POLLING_INTERVAL
    driver_type = "sqlite"
    driver_name = "sqlite3"
    connection_errors = (sqlite3.OperationalError,)
    channel_errors = (sqlite3.OperationalError,)

    implements = virtual.Transport.implements.extend(
        asynchronous=False, exchange_type=frozenset(["direct", "topic"]), heartbeats=False
    )

    def driver_version(self) -> str:
        return sqlite3.sqlite_version
