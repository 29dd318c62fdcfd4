"""The shell's own pages: home, status fragment, sign-in/out, language, section placeholders."""

from __future__ import annotations

import inspect
import logging
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway.health import DOWN, NOT_READY, READY, TIMEOUT
from gateway.portal.core import ONE_YEAR, NavItem, Portal, get_portal, safe_next
from gateway.portal.i18n import LANGUAGE_COOKIE, LANGUAGES
from gateway.portal.login import LoginFailed
from gateway.portal.session import CSRF_FIELD, PortalSession
from pusip_kit.config import SERVICE_NAMES
from pusip_kit.errors import PusipError

log = logging.getLogger(__name__)

STATE_CLASSES = {READY: "ok", NOT_READY: "warn", TIMEOUT: "warn", DOWN: "down"}


async def _form_fields(request: Request, *names: str) -> dict[str, str]:
    form = await request.form()
    out: dict[str, str] = {}
    for name in names:
        value = form.get(name)
        out[name] = value if isinstance(value, str) else ""
    return out


def service_rows(portal: Portal, body: dict[str, Any]) -> list[dict[str, Any]]:
    services = body.get("services", {})
    by_service = {item.service: item for item in portal.nav if item.service}
    names = [n for n in SERVICE_NAMES if n in services] + [n for n in services if n not in SERVICE_NAMES]
    rows = []
    for name in names:
        entry = services[name]
        status = entry.get("status", DOWN)
        item = by_service.get(name)
        rows.append(
            {
                "service": name,
                "label_key": item.key if item else f"service.{name}",
                "href": item.href if item else None,
                "status": status,
                "css": STATE_CLASSES.get(status, "down"),
                "latency_ms": entry.get("latency_ms"),
            }
        )
    return rows


def build_router(portal: Portal) -> tuple[APIRouter, APIRouter]:
    """The shell's routes, and the placeholder section pages (which later features replace)."""
    router = APIRouter(include_in_schema=False)
    sections = APIRouter(include_in_schema=False)

    @router.get("/")
    async def home(request: Request) -> Response:
        return await portal.render(request, "home.html", section="home")

    @router.get("/portal")
    @router.get("/portal/")
    async def portal_root() -> Response:
        return RedirectResponse("/", status_code=307)

    @router.get("/portal/status")
    async def status(request: Request) -> Response:
        ok, body = await request.app.state.health.check()
        return await portal.render(
            request,
            "_status.html",
            rows=service_rows(portal, body),
            overall_ok=ok,
            checked_at=body.get("checked_at"),
        )

    @router.get("/portal/login")
    async def login_form(request: Request, next: str = "/") -> Response:
        if await portal.user(request) is not None:
            return RedirectResponse(safe_next(next), status_code=303)
        return await portal.render(request, "login.html", section="login", next=safe_next(next))

    @router.post("/portal/login")
    async def login(request: Request) -> Response:
        fields = await _form_fields(request, "username", "password", "next", CSRF_FIELD)
        next_url = safe_next(fields["next"])
        ctx = await portal.context(request)
        try:
            await portal.verify_csrf(request, fields[CSRF_FIELD])
        except PusipError:
            return await portal.render(
                request,
                "login.html",
                status_code=403,
                section="login",
                next=next_url,
                username=fields["username"],
                error=ctx.t("login.error.csrf_failed"),
            )
        username, password = fields["username"].strip(), fields["password"]
        error: str | None = None
        status_code = 401
        retry_after: str | None = None
        if not username or not password:
            error, status_code = ctx.t("login.error.missing"), 400
        else:
            client = request.app.state.login_client
            try:
                body = await client.password(username, password)
            except LoginFailed as exc:
                key = f"login.error.{exc.code}"
                message = ctx.t(key)
                if message == key:
                    message = exc.message if ctx.lang == "id" else exc.message_en
                error, retry_after = message, exc.retry_after
                if exc.code == "identity_provider_unavailable":
                    status_code = 503
            else:
                session = PortalSession.from_token_response(body)
                response = RedirectResponse(next_url, status_code=303)
                portal.set_session_cookie(request, response, session)
                return response
        return await portal.render(
            request,
            "login.html",
            status_code=status_code,
            section="login",
            next=next_url,
            username=username,
            error=error,
            headers={"retry-after": retry_after} if retry_after else None,
        )

    @router.post("/portal/logout")
    async def logout(request: Request) -> Response:
        fields = await _form_fields(request, CSRF_FIELD)
        await portal.verify_csrf(request, fields[CSRF_FIELD])
        session = portal.codec.open(request.cookies.get(portal.settings.session_cookie))
        if session and session.refresh_token:
            try:
                await request.app.state.login_client.revoke(session.refresh_token)
            except Exception as exc:  # signing out of the portal must never fail
                log.warning("refresh token revocation failed: %s", exc)
        response = RedirectResponse("/", status_code=303)
        portal.clear_session_cookie(response)
        return response

    @router.post("/portal/lang")
    async def set_language(request: Request) -> Response:
        fields = await _form_fields(request, "lang", "next", CSRF_FIELD)
        await portal.verify_csrf(request, fields[CSRF_FIELD])
        lang = fields["lang"] if fields["lang"] in LANGUAGES else "id"
        response = RedirectResponse(safe_next(fields["next"]), status_code=303)
        response.set_cookie(
            LANGUAGE_COOKIE, lang, **portal.cookie_options(request, http_only=False, max_age=ONE_YEAR)
        )
        return response

    for item in portal.nav:

        def make(nav_item: NavItem) -> Any:
            async def section_page(request: Request) -> Response:
                return await portal.render(request, "section.html", section=nav_item.section, item=nav_item)

            section_page.__name__ = f"section_{nav_item.section.replace('-', '_')}"
            return section_page

        sections.add_api_route(item.href, make(item), methods=["GET"])

    return router, sections


_API_PREFIXES = ("/api/", "/auth/", "/openapi.json", "/metrics", "/healthz", "/readyz", "/portal/status")


def wants_html(request: Request) -> bool:
    """A browser navigating to a portal page (not an API client, not an htmx fragment)."""
    path = request.url.path
    if path.startswith(_API_PREFIXES) or request.headers.get("hx-request"):
        return False
    return "text/html" in request.headers.get("accept", "")


async def _call(handler: Any, request: Request, exc: Exception) -> Response:
    result = handler(request, exc)
    if inspect.isawaitable(result):
        result = await result
    assert isinstance(result, Response)
    return result


def install_error_pages(app: FastAPI, portal: Portal) -> None:
    """Portal pages answer errors with a page in the layout; everything else keeps the JSON shape."""
    json_http = app.exception_handlers[StarletteHTTPException]
    json_pusip = app.exception_handlers[PusipError]

    async def page(request: Request, status: int, code: str) -> Response:
        ctx = await portal.context(request)
        key = f"error.{code}"
        message = ctx.t(key)
        if message == key:
            message = ctx.t("error.generic")
        return await portal.render(
            request, "error.html", status_code=status, status=status, code=code, message=message
        )

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if wants_html(request) and exc.status_code in (404, 405):
            return await page(request, exc.status_code, "not_found" if exc.status_code == 404 else "generic")
        return await _call(json_http, request, exc)

    async def on_pusip(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PusipError)
        if wants_html(request):
            return await page(request, exc.status_code, exc.code)
        return await _call(json_pusip, request, exc)

    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(PusipError, on_pusip)


def mount_portal(app: FastAPI, portal: Portal) -> None:
    from fastapi.staticfiles import StaticFiles

    from gateway.portal.core import STATIC_DIR, STATIC_PATH

    router, sections = build_router(portal)
    app.include_router(router)
    before = len(app.router.routes)
    app.include_router(sections)
    portal.mark_fallbacks(app.router.routes[before:])
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="portal-static")
    install_error_pages(app, portal)
    app.state.portal = portal
    _ = get_portal  # re-exported for pages
