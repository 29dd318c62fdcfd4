"""The embedded broker: Kombu's virtual transport on one SQLite file, with real acknowledgements."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from queue import Empty

import pytest
from kombu import Connection

from pusip_kit.tasks.sqlite_transport import database_path


def _rows(path: Path) -> list[tuple[str, object]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT queue, reserved_until FROM pusip_broker_message ORDER BY id").fetchall()


def _connection(path: Path, **options: object) -> Connection:
    import pusip_kit.tasks  # noqa: F401  (registers the ``sqlite`` transport alias)

    return Connection(f"sqlite:///{path}", transport_options={"polling_interval": 0.01, **options})


def test_url_forms() -> None:
    assert database_path("sqlite:////var/pusip/broker.db") == Path("/var/pusip/broker.db")
    assert database_path("sqla+sqlite:////var/pusip/broker.db") == Path("/var/pusip/broker.db")
    assert database_path("sqlite:///relative/broker.db") == Path("relative/broker.db")
    with pytest.raises(ValueError):
        database_path("sqlite://")


def test_put_get_ack_deletes_the_row(tmp_path: Path) -> None:
    path = tmp_path / "broker.db"
    with _connection(path) as conn:
        queue = conn.SimpleQueue("katalog")
        queue.put({"judul": "Sejarah Betawi"})
        queue.put({"judul": "Kamus Dialek Jakarta"})
        first = queue.get(timeout=1)
        assert first.payload == {"judul": "Sejarah Betawi"}
        assert len(_rows(path)) == 2 and _rows(path)[0][1] is not None  # reserved, not deleted
        first.ack()
        assert [r[0] for r in _rows(path)] == ["katalog"]
        second = queue.get(timeout=1)
        assert second.payload == {"judul": "Kamus Dialek Jakarta"}
        with pytest.raises(Empty):
            queue.get(block=False)  # the only message left is reserved
        second.ack()
        assert _rows(path) == []
        queue.close()


def test_unacked_messages_return_on_close_and_reject_requeues(tmp_path: Path) -> None:
    path = tmp_path / "broker.db"
    with _connection(path) as conn:
        queue = conn.SimpleQueue("sirkulasi")
        queue.put({"n": 1})
        queue.put({"n": 2})
        message = queue.get(timeout=1)
        message.reject(requeue=True)  # visible again, no copy
        assert len(_rows(path)) == 2
        again = queue.get(timeout=1)
        assert again.payload == {"n": 1}
        other = queue.get(timeout=1)
        other.reject()  # dropped
        assert len(_rows(path)) == 1
        queue.close()  # "again" was never acknowledged: released for the next consumer
    assert [r[1] for r in _rows(path)] == [None]
    with _connection(path) as conn:
        queue = conn.SimpleQueue("sirkulasi")
        message = queue.get(timeout=1)
        assert message.payload == {"n": 1}
        message.ack()
        queue.close()
    assert _rows(path) == []


def test_visibility_timeout_redelivers(tmp_path: Path) -> None:
    path = tmp_path / "broker.db"
    with _connection(path, visibility_timeout=0.2) as first, _connection(path) as second:
        q1 = first.SimpleQueue("arsip")
        q1.put({"n": 1})
        taken = q1.get(timeout=1)
        assert taken.delivery_info.get("redelivered") in (None, False)
        q2 = second.SimpleQueue("arsip")
        with pytest.raises(Empty):
            q2.get(block=False)
        time.sleep(0.3)
        redelivered = q2.get(timeout=1)
        assert redelivered.payload == {"n": 1}
        assert redelivered.properties.get("delivery_tag") == taken.properties.get("delivery_tag")
        redelivered.ack()
        assert _rows(path) == []
        q1.channel.qos._delivered.clear()  # the first consumer "died"; nothing to restore
        q1.close()
        q2.close()


def test_concurrent_consumers_never_share_a_message(tmp_path: Path) -> None:
    path = tmp_path / "broker.db"
    with _connection(path) as conn:
        queue = conn.SimpleQueue("deposit")
        for n in range(200):
            queue.put({"n": n})
        queue.close()

    received: list[int] = []
    lock = threading.Lock()

    def consume() -> None:
        with _connection(path) as conn:
            queue = conn.SimpleQueue("deposit")
            while True:
                try:
                    message = queue.get(timeout=0.3)
                except Empty:
                    break
                with lock:
                    received.append(message.payload["n"])
                message.ack()
            queue.close()

    threads = [threading.Thread(target=consume) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(received) == list(range(200))
    assert _rows(path) == []


def test_queues_are_separate(tmp_path: Path) -> None:
    path = tmp_path / "broker.db"
    with _connection(path) as conn:
        a, b = conn.SimpleQueue("catalog"), conn.SimpleQueue("circulation")
        a.put({"to": "catalog"})
        with pytest.raises(Empty):
            b.get(block=False)
        assert b.qsize() == 0 and a.qsize() == 1
        message = a.get(timeout=1)
        assert message.payload == {"to": "catalog"}
        message.ack()
        a.close()
        b.close()
