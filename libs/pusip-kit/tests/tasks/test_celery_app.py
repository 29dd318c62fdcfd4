"""make_celery: the configuration every service worker gets, and run_async."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

import pytest

from pusip_kit.config import Mode, ServiceSettings
from pusip_kit.outbox import relay_kicker
from pusip_kit.tasks import SQLITE_TRANSPORT, broker_url_for, make_celery, route_by_service, run_async


class CirculationSettings(ServiceSettings):
    service_name: ClassVar[str] = "circulation"


def test_embedded_app(tmp_path: Path) -> None:
    settings = CirculationSettings(data_dir=tmp_path, mode=Mode.EMBEDDED)
    assert settings.broker_url.startswith("sqla+sqlite:")
    app = make_celery(settings, include=["circulation.tasks"])
    conf = app.conf
    assert conf.broker_url == f"sqlite:///{tmp_path / 'broker.db'}"
    assert conf.broker_transport == SQLITE_TRANSPORT
    assert conf.broker_transport_options["polling_interval"] <= 0.2
    assert conf.task_serializer == "json" and list(conf.accept_content) == ["json"]
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_ignore_result is True
    assert conf.task_default_queue == "circulation"
    assert [q.name for q in conf.task_queues] == ["circulation"]
    relay = conf.beat_schedule["circulation.outbox.relay"]
    assert relay["task"] == "circulation.outbox.relay" and relay["schedule"] <= 10
    assert Path(conf.beat_schedule_filename).parent == tmp_path / "circulation"
    assert {"circulation.outbox.relay", "circulation.outbox.purge"} <= set(app.tasks.keys())
    assert relay_kicker("circulation") is not None
    assert conf.include == ["circulation.tasks"] or list(conf.include) == ["circulation.tasks"]


def test_distributed_app(tmp_path: Path) -> None:
    settings = CirculationSettings(
        data_dir=tmp_path, mode=Mode.DISTRIBUTED, broker_url="redis://127.0.0.1:56379/0"
    )
    app = make_celery(settings, include=[])
    assert app.conf.broker_url == "redis://127.0.0.1:56379/0"
    assert app.conf.broker_transport is None
    assert app.conf.task_acks_late is True
    assert broker_url_for(settings) == "redis://127.0.0.1:56379/0"


def test_routing_by_service_prefix() -> None:
    assert route_by_service("catalog.search.reindex", (), {}, {}) == {"queue": "catalog"}
    assert route_by_service("catalog.search.reindex", (), {}, {"queue": "special"}) is None
    assert route_by_service("celery.chord_unlock", (), {}, {}) is None


def test_run_async_from_sync_code_and_refuses_its_own_loop() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert run_async(answer()) == 42
    assert run_async(answer()) == 42

    async def nested() -> None:
        run_async(answer())

    with pytest.raises(RuntimeError):
        run_async(nested())


async def test_run_async_from_another_loop() -> None:
    import anyio

    async def loop_id() -> int:
        return id(asyncio.get_running_loop())

    other = await anyio.to_thread.run_sync(lambda: run_async(loop_id()))
    assert other != id(asyncio.get_running_loop())
