"""Test doubles for the outbox: publishers that record or fail, and a relay-kick recorder."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pusip_kit.outbox.relay import OutgoingMessage
from pusip_kit.outbox.tables import dead_letters, outbox, processed_events
from pusip_kit.outbox.writer import register_relay_kicker, relay_kicker, wait_for_kicks


class RecordingPublisher:
    """Keeps every published message, in order (thread-safe); ``delay`` simulates a slow broker."""

    def __init__(self, delay: float = 0.0) -> None:
        self.messages: list[OutgoingMessage] = []
        self.delay = delay
        self._lock = threading.Lock()

    def publish(self, message: OutgoingMessage) -> None:
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            self.messages.append(message)

    def task_ids(self) -> Counter[str]:
        with self._lock:
            return Counter(m.task_id for m in self.messages)


class FailingPublisher(RecordingPublisher):
    """Fails every publish (``fail_first=None``) or only the first ``fail_first`` publishes."""

    def __init__(self, fail_first: int | None = None, error: str = "broker unreachable") -> None:
        super().__init__()
        self.fail_first = fail_first
        self.error = error
        self.calls = 0

    def publish(self, message: OutgoingMessage) -> None:
        self.calls += 1
        if self.fail_first is None or self.calls <= self.fail_first:
            raise ConnectionError(self.error)
        super().publish(message)


class KickRecorder:
    """Counts relay kicks per service (installed with :func:`recording_kicks`)."""

    def __init__(self) -> None:
        self.kicks: Counter[str] = Counter()

    def count(self, service: str) -> int:
        wait_for_kicks()
        return self.kicks[service]


@contextmanager
def recording_kicks(*services: str) -> Iterator[KickRecorder]:
    wait_for_kicks()  # kicks asked for earlier go to the kickers they were asked of, not counted here
    recorder = KickRecorder()
    previous = {s: relay_kicker(s) for s in services}
    for service in services:
        register_relay_kicker(service, lambda service=service: recorder.kicks.update([service]))  # type: ignore[misc]
    try:
        yield recorder
    finally:
        wait_for_kicks()
        for service, kicker in previous.items():
            register_relay_kicker(service, kicker)


async def clear_kit_tables(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Empty the outbox, processed_events and dead_letters tables (tests on a shared database)."""
    async with sessionmaker() as session:
        for table in (outbox, processed_events, dead_letters):
            await session.execute(delete(table))
        await session.commit()
