"""The service application factory: every service is built the same way.

``create_service_app`` wires settings, logging, request ids, metrics, error handlers,
health/readiness, token validation, the database (migrated on start) and the service's
routers. Service-specific resources (search index, object store, clients) are opened by
``on_startup`` hooks and kept on ``app.state``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path

import anyio
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry

from pusip_kit.config import ServiceSettings
from pusip_kit.db.engine import Database
from pusip_kit.db.migrate import upgrade
from pusip_kit.errors import install_error_handlers
from pusip_kit.forwarded import ForwardedHeadersMiddleware
from pusip_kit.observability import Health, RequestContextMiddleware, configure_logging, metrics_payload

Hook = Callable[[FastAPI], Awaitable[None]]

KEEP_ALIVE_SECONDS = 75
"""How long a service's server keeps an idle connection open (uvicorn's ``timeout_keep_alive``):
longer than the gateway keeps idle upstream connections (30 s), so the gateway always closes one
first and never sends a request on a connection the service is closing at that moment."""


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    migrations_dir: Path | None,
    on_startup: Sequence[Hook] = (),
    on_shutdown: Sequence[Hook] = (),
    migrate_on_start: bool = True,
    configure_logs: bool = True,
) -> FastAPI:
    name = settings.service_name
    registry = CollectorRegistry()
    health = Health(name)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if configure_logs:
            configure_logging(name, level=settings.log_level, json_logs=settings.log_json)
        if migrate_on_start:
            await anyio.to_thread.run_sync(upgrade, settings.database_url, migrations_dir)
        database = Database.from_settings(settings)
        app.state.database = database
        app.state.sessionmaker = database.sessionmaker
        health.add("database", database.ping)
        _configure_auth(app, settings)
        _install_relay_kicker(settings)
        for hook in on_startup:
            await hook(app)
        try:
            yield
        finally:
            for hook in reversed(on_shutdown):
                await hook(app)
            await database.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.health = health
    app.state.metrics_registry = registry
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, service=name, registry=registry)
    # outermost: the request id, logs and handlers see the caller's address, not the gateway's
    app.add_middleware(ForwardedHeadersMiddleware, trusted=settings.trusted_proxies)

    ops = APIRouter(tags=["operasional / operations"])

    @ops.get("/healthz", summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"service": name, "status": "ok"}

    @ops.get("/readyz", summary="Readiness of every dependency")
    async def readyz(request: Request) -> JSONResponse:
        ok, body = await request.app.state.health.readiness()
        return JSONResponse(body, status_code=200 if ok else 503)

    @ops.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        payload, content_type = metrics_payload(registry)
        return Response(payload, media_type=content_type)

    app.include_router(ops)
    for router in routers:
        app.include_router(router)
    return app


def _configure_auth(app: FastAPI, settings: ServiceSettings) -> None:
    from pusip_kit.auth.fastapi import configure_auth
    from pusip_kit.auth.tokens import TokenValidator

    if getattr(app.state, "token_validator", None) is None:
        configure_auth(
            app,
            TokenValidator(
                issuer=settings.oidc_issuer, jwks_url=settings.oidc_jwks_url, audience=settings.oidc_audience
            ),
        )


def _install_relay_kicker(settings: ServiceSettings) -> None:
    """After-commit outbox rows kick this service's relay (else beat sends them within seconds)."""
    from pusip_kit.tasks import install_relay_kicker

    install_relay_kicker(settings)
