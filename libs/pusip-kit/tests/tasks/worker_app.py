"""The Celery app of a real worker started by the end-to-end tests (``celery -A worker_app worker``).

Configured entirely from the environment by the test:

``E2E_ROLE``        producer | consumer
``E2E_PRODUCER``    the producing service's name (unique per test run: queues don't collide)
``E2E_CONSUMER``    the consuming service's name
``E2E_DATABASE``    this role's database URL
``E2E_DATA_DIR``    data directory (beat schedule, SQLite broker)
``E2E_BROKER``      broker URL
``E2E_MODE``        embedded | distributed
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from pusip_kit.config import ServiceSettings
from pusip_kit.events import SUBSCRIPTIONS, Event, EventHandlers, register_event_consumer
from pusip_kit.tasks import make_celery, worker_sessionmaker

ROLE = os.environ["E2E_ROLE"]
PRODUCER = os.environ["E2E_PRODUCER"]
CONSUMER = os.environ["E2E_CONSUMER"]

# Subscriptions are data: this run's consumer listens to this run's producer.
SUBSCRIPTIONS[CONSUMER] = [f"{PRODUCER}.thing.*"]

effects_metadata = sa.MetaData()
effects = sa.Table(
    "test_effects",
    effects_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("handler", sa.String(64), nullable=False),
)


def settings_class(name: str) -> type[ServiceSettings]:
    return type(
        f"{name.title()}Settings",
        (ServiceSettings,),
        {"__annotations__": {"service_name": ClassVar[str]}, "service_name": name},
    )


def build_settings(name: str) -> ServiceSettings:
    return settings_class(name)(
        data_dir=Path(os.environ["E2E_DATA_DIR"]),
        database_url=os.environ["E2E_DATABASE"],
        broker_url=os.environ["E2E_BROKER"],
        mode=os.environ.get("E2E_MODE", "embedded"),
    )


settings = build_settings(PRODUCER if ROLE == "producer" else CONSUMER)
app = make_celery(settings, include=[], relay_interval=float(os.environ.get("E2E_RELAY_INTERVAL", "1")))

if ROLE == "consumer":
    handlers = EventHandlers()

    @handlers.on(f"{PRODUCER}.thing.*", name="record_thing")
    async def record_thing(session: AsyncSession, event: Event) -> None:
        if event.payload.get("poison"):
            raise ValueError(f"cannot apply poisoned thing {event.key}")
        await session.execute(effects.insert().values(event_id=str(event.id), handler="record_thing"))

    register_event_consumer(
        app,
        CONSUMER,
        handlers,
        lambda: worker_sessionmaker(settings),
        max_retries=2,
        retry_backoff=0.2,
        retry_backoff_max=1.0,
    )

    @app.task(name=f"{CONSUMER}.slow.touch", acks_late=True, shared=False)
    def slow_touch(path: str, seconds: float) -> None:
        """Marks its start, sleeps, then writes ``path`` (to kill a worker mid-task)."""
        Path(path + ".started").write_text(str(os.getpid()))
        time.sleep(float(seconds))
        with Path(path).open("a") as handle:
            handle.write(f"{os.getpid()}\n")
