"""The Celery app factory every service uses, and the glue between Celery and async code.

``make_celery(settings, include=[...])`` builds a service's Celery app:

* broker: ``settings.broker_url`` — Redis in distributed mode; in embedded mode one SQLite file
  shared by all services (``<data_dir>/broker.db``) through the kit's serverless transport
  (:mod:`pusip_kit.tasks.sqlite_transport`; ``sqla+sqlite://`` URLs are served by it too);
* each service consumes its own queue, named after the service; tasks named ``<service>.…`` are
  routed to that service's queue wherever they are sent from;
* JSON only, ``task_acks_late``, ``worker_prefetch_multiplier=1``, results ignored;
* the kit tasks ``<service>.outbox.relay`` (kicked after each commit, and run by beat every few
  seconds as a safety net) and ``<service>.outbox.purge`` (hourly housekeeping).

Tasks are synchronous Celery functions; async service code runs through :func:`run_async` on one
event loop per worker process, with the database from :func:`worker_sessionmaker`.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from datetime import timedelta
from typing import Any, TypeVar

from celery import Celery
from kombu import Queue
from kombu.transport import TRANSPORT_ALIASES
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pusip_kit.config import Mode, ServiceSettings
from pusip_kit.db.engine import Database
from pusip_kit.outbox.relay import OutgoingMessage, RelayConfig, purge_outbox, relay_outbox
from pusip_kit.outbox.writer import register_relay_kicker
from pusip_kit.tasks.sqlite_transport import DEFAULT_POLLING_INTERVAL, database_path

log = logging.getLogger(__name__)

T = TypeVar("T")

SQLITE_TRANSPORT = "pusip_kit.tasks.sqlite_transport:Transport"
TRANSPORT_ALIASES.setdefault("sqlite", SQLITE_TRANSPORT)

RELAY_INTERVAL_SECONDS = 5.0
PURGE_INTERVAL_SECONDS = 3600.0

SessionmakerFactory = Callable[[], async_sessionmaker[AsyncSession]]


# -- one event loop per process ---------------------------------------------------------------------


class _LoopThread:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="pusip-async-loop", daemon=True)
        self.thread.start()
        self.ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self.ready.set)
        self.loop.run_forever()


_loop_thread: _LoopThread | None = None
_loop_lock = threading.Lock()


def _runner() -> _LoopThread:
    global _loop_thread
    runner = _loop_thread
    if runner is None or runner.pid != os.getpid() or not runner.thread.is_alive():
        with _loop_lock:
            runner = _loop_thread
            if runner is None or runner.pid != os.getpid() or not runner.thread.is_alive():
                runner = _loop_thread = _LoopThread()
    return runner


def run_async(awaitable: Awaitable[T], *, timeout: float | None = None) -> T:
    """Run ``awaitable`` on this process's background event loop and wait for its result.

    Usable from any Celery pool (prefork child, threads, solo): every task of the process shares
    the loop, so async engines and their pooled connections are reused safely.
    """
    runner = _runner()
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is runner.loop:
        if inspect.iscoroutine(awaitable):
            awaitable.close()
        raise RuntimeError("run_async() called from the loop it runs on; await the coroutine instead")

    async def wait() -> T:
        return await awaitable

    future: Future[T] = asyncio.run_coroutine_threadsafe(wait(), runner.loop)
    return future.result(timeout)


_databases: dict[tuple[int, str], Database] = {}
_databases_lock = threading.Lock()


def worker_database(database_url: str) -> Database:
    """The process-wide :class:`Database` for ``database_url`` (one per process, made after fork)."""
    key = (os.getpid(), database_url)
    with _databases_lock:
        database = _databases.get(key)
        if database is None:
            database = _databases[key] = Database(database_url)
    return database


def worker_sessionmaker(settings_or_url: ServiceSettings | str) -> async_sessionmaker[AsyncSession]:
    url = settings_or_url if isinstance(settings_or_url, str) else settings_or_url.database_url
    return worker_database(url).sessionmaker


async def dispose_worker_databases() -> None:
    pid = os.getpid()
    for key in [k for k in _databases if k[0] == pid]:
        await _databases.pop(key).dispose()


# -- publishing -------------------------------------------------------------------------------------


class CeleryPublisher:
    """Publishes outbox messages through a Celery app (its broker connection pool)."""

    def __init__(self, app: Celery, *, max_retries: int = 1) -> None:
        self.app = app
        self.max_retries = max_retries

    def publish(self, message: OutgoingMessage) -> None:
        self.app.send_task(
            message.task_name,
            args=message.args,
            queue=message.queue,
            task_id=message.task_id,
            retry=True,
            retry_policy={
                "max_retries": self.max_retries,
                "interval_start": 0,
                "interval_step": 0.5,
                "interval_max": 1,
            },
        )


# -- the app factory --------------------------------------------------------------------------------


def broker_url_for(settings: ServiceSettings) -> str:
    """The broker URL to use: embedded SQLite URLs are served by the kit's SQLite transport."""
    url = settings.broker_url
    if not url and settings.mode is Mode.EMBEDDED:
        url = f"sqlite:///{settings.data_dir / 'broker.db'}"
    if url.startswith(("sqla+sqlite:", "sqlalchemy+sqlite:", "sqlite:")):
        return f"sqlite:///{database_path(url)}"
    return url


def route_by_service(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **kw: Any) -> Any:
    """Tasks named ``<service>.…`` go to that service's queue."""
    if options.get("queue"):
        return None
    if "." in name and not name.startswith("celery."):
        return {"queue": name.split(".", 1)[0]}
    return None


def celery_config(
    settings: ServiceSettings, *, relay_interval: float = RELAY_INTERVAL_SECONDS
) -> dict[str, Any]:
    """The Celery configuration of ``settings``' service (see :func:`make_celery`)."""
    service = settings.service_name
    broker = broker_url_for(settings)
    conf: dict[str, Any] = {
        "broker_url": broker,
        "result_backend": None,
        "task_ignore_result": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "event_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": service,
        "task_queues": (Queue(service),),
        "task_create_missing_queues": True,
        "task_routes": (route_by_service,),
        "broker_connection_retry_on_startup": True,
        "worker_send_task_events": False,
        "timezone": "UTC",
        "enable_utc": True,
        "beat_schedule_filename": str(settings.service_dir / "celerybeat-schedule"),
        "beat_schedule": {
            f"{service}.outbox.relay": {
                "task": f"{service}.outbox.relay",
                "schedule": relay_interval,
                "options": {"queue": service, "expires": max(relay_interval * 2, 5.0)},
            },
            f"{service}.outbox.purge": {
                "task": f"{service}.outbox.purge",
                "schedule": PURGE_INTERVAL_SECONDS,
                "options": {"queue": service, "expires": 600},
            },
        },
    }
    if broker.startswith("sqlite:"):
        conf.update(
            broker_transport=SQLITE_TRANSPORT,
            broker_transport_options={"polling_interval": DEFAULT_POLLING_INTERVAL},
            # One machine: a small thread pool per service; async work shares the process loop.
            worker_pool="threads",
            worker_concurrency=4,
        )
    else:
        conf.update(
            broker_transport_options={"visibility_timeout": 3600, "socket_connect_timeout": 5},
            broker_connection_timeout=5,
        )
    return conf


def make_celery(
    settings: ServiceSettings,
    *,
    include: list[str],
    sessionmaker_factory: SessionmakerFactory | None = None,
    relay_config: RelayConfig | None = None,
    relay_interval: float = RELAY_INTERVAL_SECONDS,
) -> Celery:
    """A service's Celery app: its own queue, JSON, late acks, the outbox relay on beat.

    ``sessionmaker_factory`` (default: the process-wide database of ``settings.database_url``) is
    what the kit tasks use in the worker. The app is also registered as this process's way to
    kick the service's relay after a commit that wrote outbox rows.
    """
    service = settings.service_name
    app = Celery(service, include=include)
    app.conf.update(celery_config(settings, relay_interval=relay_interval))
    factory = sessionmaker_factory or (lambda: worker_sessionmaker(settings))
    register_kit_tasks(app, service, factory, relay_config=relay_config)
    register_relay_kicker(service, _relay_kick(app, service))
    return app


def install_relay_kicker(settings: ServiceSettings) -> None:
    """Let a web process kick its service's relay after commits (the app factory calls this).

    A bare Celery app on the service's broker, used only to publish ``<service>.outbox.relay``
    (replacing any kicker installed earlier in this process, e.g. by a previous test's app).
    """
    service = settings.service_name
    app = Celery(f"{service}-kicker", set_as_current=False)
    app.conf.update(celery_config(settings))
    register_relay_kicker(service, _relay_kick(app, service))


def _relay_kick(app: Celery, service: str) -> Callable[[], None]:
    def kick() -> None:
        app.send_task(f"{service}.outbox.relay", queue=service, expires=60, retry=False)

    return kick


def register_kit_tasks(
    app: Celery,
    service: str,
    sessionmaker_factory: SessionmakerFactory,
    *,
    relay_config: RelayConfig | None = None,
) -> None:
    """``<service>.outbox.relay`` and ``<service>.outbox.purge`` on ``app``."""
    publisher = CeleryPublisher(app)

    @app.task(name=f"{service}.outbox.relay", ignore_result=True, acks_late=False, shared=False)
    def relay() -> dict[str, int]:
        stats = run_async(relay_outbox(sessionmaker_factory(), publisher, config=relay_config))
        return stats.as_dict()

    @app.task(name=f"{service}.outbox.purge", ignore_result=True, shared=False)
    def purge() -> dict[str, int]:
        return run_async(purge_outbox(sessionmaker_factory(), sent_older_than=timedelta(days=7)))

    del relay, purge


__all__ = [
    "CeleryPublisher",
    "broker_url_for",
    "celery_config",
    "dispose_worker_databases",
    "install_relay_kicker",
    "make_celery",
    "register_kit_tasks",
    "run_async",
    "worker_database",
    "worker_sessionmaker",
]
