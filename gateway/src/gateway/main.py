"""The gateway application: the suite's public edge and web portal.

``uvicorn --factory gateway.main:create_app`` (port 8000). Routes:

``/api/<service>/<path>``   the services, proxied and streamed (catalog, circulation, deposit,
                            archive, accreditation)
``/api/health``, ``/readyz`` every service's readiness, aggregated; ``/healthz`` liveness
``/openapi.json``, ``/docs`` the merged OpenAPI document and Swagger UI
``/auth/…``                 the embedded OIDC issuer (embedded mode)
``/``, ``/portal/…``        the web portal
``/metrics``                Prometheus
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from prometheus_client import CollectorRegistry
from starlette.routing import Route

from gateway.config import GatewaySettings
from gateway.edge import EdgeMiddleware
from gateway.health import HealthAggregator
from gateway.openapi import OpenAPIMerger
from gateway.portal.accreditation import register as register_accreditation_pages
from gateway.portal.catalog import register as register_catalog_pages
from gateway.portal.core import STATIC_PATH, Portal
from gateway.portal.deposit import register as register_deposit_pages
from gateway.portal.login import EmbeddedLogin, LoginClient, OidcLogin
from gateway.portal.routes import mount_portal
from gateway.proxy import ProxyApp, ProxyMetrics, UpstreamClient, make_upstream_client
from gateway.ratelimit import ClientRateLimiter
from pusip_kit.auth.accounts import AccountStore
from pusip_kit.auth.fastapi import configure_auth
from pusip_kit.auth.issuer import EmbeddedIssuer
from pusip_kit.auth.issuer_router import make_issuer_router
from pusip_kit.auth.tokens import TokenValidator
from pusip_kit.errors import install_error_handlers
from pusip_kit.observability import RequestContextMiddleware, configure_logging, metrics_payload

SWAGGER_HTML = """<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pusip API — dokumentasi / documentation</title>
<link rel="stylesheet" href="{static}/swagger/swagger-ui.css">
<link rel="icon" href="{static}/favicon.svg" type="image/svg+xml">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{static}/swagger/swagger-ui-bundle.js"></script>
<script src="{static}/docs-init.js"></script>
</body>
</html>
"""


class GatewayState:
    """What the lifespan opens: reached through callables so the edge can be built first."""

    def __init__(self) -> None:
        self.client: UpstreamClient | None = None
        self.validator: TokenValidator | None = None
        self.limiter: ClientRateLimiter | None = None
        self.login: LoginClient | None = None

    def upstream(self) -> UpstreamClient:
        if self.client is None:
            raise RuntimeError("the gateway's upstream client is not open (lifespan not started)")
        return self.client


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    registry = CollectorRegistry()
    state = GatewayState()

    issuer: EmbeddedIssuer | None = None
    if settings.embedded_issuer:
        settings.identity_dir.mkdir(parents=True, exist_ok=True)
        issuer = EmbeddedIssuer(
            settings.oidc_issuer,
            AccountStore(f"sqlite+aiosqlite:///{settings.identity_db_path}"),
            settings.keys_dir,
            audience=settings.oidc_audience,
            public_clients=(settings.portal_client_id,),
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging("gateway", level=settings.log_level, json_logs=settings.log_json)
        state.client = make_upstream_client(settings)
        state.limiter = ClientRateLimiter(settings)
        if issuer is not None:
            await issuer.store.create_all()
            state.validator = issuer.validator()
            state.login = EmbeddedLogin(issuer, settings.portal_client_id)
        else:
            state.validator = TokenValidator(
                issuer=settings.oidc_issuer, jwks_url=settings.oidc_jwks_url, audience=settings.oidc_audience
            )
            state.login = OidcLogin(settings)
        configure_auth(app, state.validator)
        app.state.login_client = state.login
        app.state.upstream = state.client
        app.state.rate_limiter = state.limiter
        try:
            yield
        finally:
            await state.client.aclose()
            await state.limiter.aclose()
            await state.login.aclose()
            if issuer is not None:
                await issuer.aclose()
            else:
                await state.validator.aclose()

    app = FastAPI(
        title="Pusip gateway",
        description="Gateway Pusip: proksi API, identitas, portal / Pusip gateway: API proxy, identity, portal",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.gateway = state
    app.state.metrics_registry = registry
    app.state.issuer = issuer
    health = HealthAggregator(settings, state.upstream)
    app.state.health = health
    merger = OpenAPIMerger(settings, state.upstream, app.openapi)
    app.state.openapi_merger = merger
    install_error_handlers(app)
    proxy = ProxyApp(settings, state.upstream, ProxyMetrics(registry))
    proxy_route = Route("/api/{service}/{path:path}", endpoint=proxy, name="proxy")
    app.add_middleware(
        EdgeMiddleware,
        settings=settings,
        validator=lambda: state.validator,
        limiter=lambda: state.limiter,
        registry=registry,
        proxy=proxy,
        proxy_route=proxy_route,
    )
    app.add_middleware(RequestContextMiddleware, service="gateway", registry=registry)

    ops = APIRouter(tags=["gateway"])

    @ops.get("/healthz", summary="Gateway hidup / gateway liveness")
    async def healthz() -> dict[str, str]:
        return {"service": "gateway", "status": "ok"}

    async def aggregated(request: Request) -> JSONResponse:
        ok, body = await request.app.state.health.check()
        return JSONResponse(body, status_code=200 if ok else 503, headers={"cache-control": "no-store"})

    ops.add_api_route(
        "/readyz", aggregated, methods=["GET"], summary="Kesiapan semua layanan / readiness of every service"
    )
    ops.add_api_route(
        "/api/health",
        aggregated,
        methods=["GET"],
        summary="Kesehatan semua layanan / health of every service",
        name="api_health",
    )

    @ops.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        payload, content_type = metrics_payload(registry)
        return Response(payload, media_type=content_type)

    @ops.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(await merger.document())

    @ops.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(SWAGGER_HTML.format(static=STATIC_PATH))

    app.include_router(ops)
    # The edge hands known services' traffic to the proxy directly; these routes catch the rest
    # (unknown services → 404) and keep the proxy visible in the routing table.
    app.router.routes.append(proxy_route)
    app.router.routes.append(Route("/api/{service}", endpoint=proxy, name="proxy_root"))
    if issuer is not None:
        app.include_router(make_issuer_router(issuer), prefix="/auth")

    portal = Portal(settings, validator=lambda: state.validator, login=lambda: state.login)
    mount_portal(app, portal)
    register_accreditation_pages(portal, app)
    register_catalog_pages(portal, app)
    register_deposit_pages(portal, app)
    portal.load_extensions(app)
    return app


def __getattr__(name: str) -> Any:  # pragma: no cover - `uvicorn gateway.main:app`
    if name == "app":
        return create_app()
    raise AttributeError(name)
