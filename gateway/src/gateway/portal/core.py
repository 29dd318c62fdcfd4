"""The portal shell: layout, navigation, language, session and CSRF, reusable by every page.

Pages added later (per service) use one :class:`Portal`::

    router = APIRouter()

    @router.get("/portal/katalog")
    async def search(request: Request) -> Response:
        portal = get_portal(request)
        return await portal.render(request, "catalog/search.html", results=...)

    portal.include(app, router, templates_dir=HERE / "templates", i18n_dir=HERE / "i18n")

or through the ``pusip.portal`` entry-point group: a package declaring
``[project.entry-points."pusip.portal"] catalog = "catalog.portal:register"`` has
``register(portal, app)`` called when the gateway starts.

Templates extend ``base.html`` and get ``t`` (translate), ``lang``, ``user`` (an
:class:`~pusip_kit.auth.subject.AuthSubject` or ``None``), ``csrf_token``, ``nav`` and
``current_path``. Every UI string goes through the ``id``/``en`` catalogs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.routing import BaseRoute

from gateway.config import GatewaySettings
from gateway.portal.charts import jinja_chart
from gateway.portal.i18n import LANGUAGE_COOKIE, Catalogs, pick_language
from gateway.portal.login import LoginClient, LoginFailed
from gateway.portal.session import CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, PortalSession, SessionCodec
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.auth.tokens import TokenValidator
from pusip_kit.errors import Forbidden, PusipError

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
STATIC_PATH = "/portal/static"
ENTRY_POINT_GROUP = "pusip.portal"
ONE_YEAR = 365 * 24 * 3600


@dataclass
class NavItem:
    key: str
    """i18n key of the label."""
    href: str
    section: str
    service: str | None = None
    icon: str = ""


DEFAULT_NAV: tuple[NavItem, ...] = (
    NavItem("nav.catalog", "/portal/katalog", "katalog", "catalog", "book"),
    NavItem("nav.circulation", "/portal/sirkulasi", "sirkulasi", "circulation", "loop"),
    NavItem("nav.deposit", "/portal/serah-simpan", "serah-simpan", "deposit", "inbox"),
    NavItem("nav.archive", "/portal/kearsipan", "kearsipan", "archive", "archive"),
    NavItem("nav.accreditation", "/portal/akreditasi", "akreditasi", "accreditation", "award"),
)


@dataclass
class PortalContext:
    lang: str
    t: Callable[..., str]
    user: AuthSubject | None
    csrf_token: str
    session: PortalSession | None
    cookies: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    clear_session: bool = False

    def apply(self, response: Response, portal: Portal) -> Response:
        for name, value, options in self.cookies:
            response.set_cookie(name, value, **options)
        if self.clear_session:
            portal.clear_session_cookie(response)
        return response


def safe_next(value: str | None, default: str = "/") -> str:
    """Only local paths: never redirect a signed-in user to another site."""
    if not value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


class Portal:
    def __init__(
        self,
        settings: GatewaySettings,
        *,
        validator: Callable[[], TokenValidator | None],
        login: Callable[[], LoginClient | None],
        catalogs: Catalogs | None = None,
    ) -> None:
        self.settings = settings
        self._validator = validator
        self._login = login
        self.catalogs = catalogs or Catalogs()
        self.codec = SessionCodec(settings.secret_key)
        self.nav: list[NavItem] = list(DEFAULT_NAV)
        self.template_dirs: list[Path] = [TEMPLATES_DIR]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.template_dirs),
            autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(static=self.static_url, nav_items=lambda: self.nav, chart=jinja_chart)
        self._fallback_routes: list[BaseRoute] = []

    # -- extension points ---------------------------------------------------------------------

    def add_templates_dir(self, folder: Path) -> None:
        self.template_dirs.append(Path(folder))
        self.env.loader = jinja2.FileSystemLoader(self.template_dirs)

    def add_catalog_dir(self, folder: Path) -> None:
        self.catalogs.add_dir(Path(folder))

    def add_nav(self, item: NavItem) -> None:
        """Add a navigation entry, or replace the one with the same section."""
        for i, existing in enumerate(self.nav):
            if existing.section == item.section:
                self.nav[i] = item
                return
        self.nav.append(item)

    def mark_fallbacks(self, routes: Sequence[BaseRoute]) -> None:
        """Routes later pages may take over (the placeholder pages of each section)."""
        self._fallback_routes.extend(routes)

    def include(
        self,
        app: FastAPI,
        router: APIRouter,
        *,
        templates_dir: Path | None = None,
        i18n_dir: Path | None = None,
        nav: Sequence[NavItem] = (),
    ) -> None:
        """Register a feature's pages: its routes win over the shell's placeholders."""
        if templates_dir is not None:
            self.add_templates_dir(templates_dir)
        if i18n_dir is not None:
            self.add_catalog_dir(i18n_dir)
        for item in nav:
            self.add_nav(item)
        before = len(app.router.routes)
        app.include_router(router)
        added = app.router.routes[before:]
        del app.router.routes[before:]
        first_fallback = min(
            (i for i, r in enumerate(app.router.routes) if r in self._fallback_routes),
            default=len(app.router.routes),
        )
        app.router.routes[first_fallback:first_fallback] = added

    def load_extensions(self, app: FastAPI) -> list[str]:
        loaded: list[str] = []
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                ep.load()(self, app)
                loaded.append(ep.name)
            except Exception:
                log.exception("portal extension %s failed to load", ep.name)
        return loaded

    # -- request context ----------------------------------------------------------------------

    @staticmethod
    def static_url(path: str) -> str:
        return f"{STATIC_PATH}/{path.lstrip('/')}"

    def cookie_options(self, request: Request, *, http_only: bool = True, max_age: int | None = None) -> dict:
        secure = self.settings.secure_cookies or request.url.scheme == "https"
        options: dict[str, Any] = {"httponly": http_only, "samesite": "lax", "secure": secure, "path": "/"}
        if max_age is not None:
            options["max_age"] = max_age
        return options

    def clear_session_cookie(self, response: Response) -> None:
        response.delete_cookie(self.settings.session_cookie, path="/", httponly=True, samesite="lax")

    def session_cookie(self, request: Request, session: PortalSession) -> tuple[str, str, dict[str, Any]]:
        max_age = None
        if session.refresh_expires_at:
            max_age = max(int(session.refresh_expires_at - time.time()), 0)
        sealed = self.codec.seal(session)
        if len(sealed) > 4000:
            log.warning("portal session cookie is %d bytes; browsers may drop it", len(sealed))
        return self.settings.session_cookie, sealed, self.cookie_options(request, max_age=max_age)

    def set_session_cookie(self, request: Request, response: Response, session: PortalSession) -> None:
        name, value, options = self.session_cookie(request, session)
        response.set_cookie(name, value, **options)

    async def context(self, request: Request) -> PortalContext:
        cached = getattr(request.state, "portal_context", None)
        if isinstance(cached, PortalContext):
            return cached
        lang = pick_language(request.cookies.get(LANGUAGE_COOKIE))
        ctx_cookies: list[tuple[str, str, dict[str, Any]]] = []
        csrf = request.cookies.get(CSRF_COOKIE)
        if not self.codec.csrf_valid(csrf):
            csrf = self.codec.new_csrf()
            ctx_cookies.append((CSRF_COOKIE, csrf, self.cookie_options(request)))
        assert csrf is not None
        session = self.codec.open(request.cookies.get(self.settings.session_cookie))
        had_cookie = self.settings.session_cookie in request.cookies
        user: AuthSubject | None = None
        clear = had_cookie and session is None
        if session is not None:
            session, refreshed = await self._fresh(session)
            if session is None:
                clear = True
            else:
                user = await self._subject(session)
                if user is None:
                    clear, session = True, None
                elif refreshed:
                    ctx_cookies.append(self.session_cookie(request, session))
        ctx = PortalContext(
            lang=lang,
            t=self.catalogs.translator(lang),
            user=user,
            csrf_token=csrf,
            session=session,
            cookies=ctx_cookies,
            clear_session=clear,
        )
        request.state.portal_context = ctx
        return ctx

    async def _fresh(self, session: PortalSession) -> tuple[PortalSession | None, bool]:
        if not session.access_expired:
            return session, False
        login = self._login()
        if not session.refresh_token or login is None:
            return None, False
        try:
            body = await login.refresh(session.refresh_token)
        except LoginFailed as exc:
            log.info("portal session refresh refused: %s", exc.code)
            return None, False
        return PortalSession.from_token_response(body), True

    async def _subject(self, session: PortalSession) -> AuthSubject | None:
        validator = self._validator()
        if validator is None:
            return None
        try:
            return await validator.validate(session.access_token)
        except PusipError as exc:
            log.info("portal session token refused: %s", exc.code)
            return None

    async def user(self, request: Request) -> AuthSubject | None:
        return (await self.context(request)).user

    async def access_token(self, request: Request) -> str | None:
        """The signed-in user's access token, for calling the services on their behalf."""
        ctx = await self.context(request)
        return ctx.session.access_token if ctx.session and ctx.user else None

    async def verify_csrf(self, request: Request, submitted: str | None = None) -> None:
        if submitted is None:
            submitted = request.headers.get(CSRF_HEADER)
            if submitted is None:
                form = await request.form()
                value = form.get(CSRF_FIELD)
                submitted = value if isinstance(value, str) else None
        if not self.codec.csrf_matches(request.cookies.get(CSRF_COOKIE), submitted):
            raise Forbidden(
                "Formulir kedaluwarsa atau tidak sah; muat ulang halaman dan coba lagi",
                "The form expired or is not valid; reload the page and try again",
                code="csrf_failed",
            )

    # -- rendering ----------------------------------------------------------------------------

    def render_string(self, template: str, **values: Any) -> str:
        return self.env.get_template(template).render(**values)

    async def render(
        self,
        request: Request,
        template: str,
        *,
        status_code: int = 200,
        section: str | None = None,
        headers: dict[str, str] | None = None,
        **values: Any,
    ) -> HTMLResponse:
        ctx = await self.context(request)
        html = self.render_string(
            template,
            request=request,
            t=ctx.t,
            lang=ctx.lang,
            user=ctx.user,
            csrf_token=ctx.csrf_token,
            csrf_field=CSRF_FIELD,
            nav=self.nav,
            section=section,
            current_path=request.url.path,
            current_url=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            **values,
        )
        response = HTMLResponse(html, status_code=status_code, headers=headers)
        response.headers.setdefault("cache-control", "no-store")
        response.headers.setdefault("vary", "cookie")
        ctx.apply(response, self)
        return response


def get_portal(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal
