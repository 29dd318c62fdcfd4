"""What every catalogue page handler works with: the request's :class:`View`.

A view holds the portal context (language, user, CSRF), the user's roles as the pages need them,
and a :class:`~pusip_kit.clients.catalog.CatalogClient` carrying the user's token (no token for
anonymous readers). Formatting helpers given to every template live here too.
"""

from __future__ import annotations

import contextlib
import html
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import httpx
from babel.dates import format_date, format_datetime
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup, escape
from starlette.datastructures import FormData

from gateway.portal.catalog.holds import HoldsClient
from gateway.portal.charts import format_number
from gateway.portal.core import Portal, PortalContext, get_portal
from gateway.portal.session import CSRF_FIELD
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.clients import StaticToken
from pusip_kit.clients.catalog import ActionCheck, CatalogClient, Reason, refusal_reasons
from pusip_kit.config import service_url
from pusip_kit.errors import Forbidden, PusipError

PREFIX = "/portal/katalog"
SECTION = "katalog"
JAKARTA = ZoneInfo("Asia/Jakarta")
HTTP_STATE = "catalog_pages_http"

# Messages shown after a write (``?ok=<key>``); anything else in the query is ignored.
OK_MESSAGES = frozenset(
    {
        "review_saved",
        "review_pending",
        "review_deleted",
        "listed",
        "list_created",
        "list_saved",
        "list_deleted",
        "unlisted",
        "hold_placed",
        "moderated",
        "stocktake_opened",
        "stocktake_closed",
        "batch_scanned",
    }
)


@dataclass(frozen=True)
class Roles:
    user: AuthSubject | None

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    @property
    def staff(self) -> bool:
        return bool(self.user and self.user.has_role(Role.LIBRARIAN, Role.CATALOGER))

    @property
    def name(self) -> str:
        return (self.user.username or self.user.subject) if self.user else ""


@dataclass
class Problem:
    """What went wrong, ready for a template: a message and the named reasons."""

    message: str
    code: str
    reasons: list[dict[str, Any]]


class View:
    def __init__(self, request: Request, portal: Portal, ctx: PortalContext, client: CatalogClient) -> None:
        self.request = request
        self.portal = portal
        self.ctx = ctx
        self.client = client
        self.roles = Roles(ctx.user)

    @property
    def lang(self) -> str:
        return self.ctx.lang

    def t(self, key: str, **params: Any) -> str:
        return self.ctx.t(key, **params)

    @property
    def client_ip(self) -> str | None:
        return self.request.client.host if self.request.client else None

    # -- formatting (also given to every template) --------------------------------------------------

    def label(self, kind: str, code: object) -> str:
        """A code's display name from the catalogs (``label("material", "book")``), else the code."""
        if code is None or code == "":
            return "–"
        key = f"kat.{kind}.{code}"
        text = self.t(key)
        return str(code) if text == key else text

    def fdate(self, value: date | datetime | None) -> str:
        if not value:
            return "–"
        if isinstance(value, datetime):
            value = value.astimezone(JAKARTA).date()
        return str(format_date(value, format="d MMM yyyy", locale=self.lang))

    def fdatetime(self, value: datetime | None) -> str:
        if value is None:
            return "–"
        pattern = "d MMM yyyy HH.mm" if self.lang == "id" else "d MMM yyyy HH:mm"
        return f"{format_datetime(value.astimezone(JAKARTA), format=pattern, locale=self.lang)} WIB"

    def num(self, value: float | int | None, decimals: int = 0) -> str:
        return format_number(None if value is None else float(value), self.lang, decimals=decimals)

    def size(self, value: int) -> str:
        units = ("B", "KB", "MB", "GB")
        size, unit = float(value), 0
        while size >= 1024 and unit < len(units) - 1:
            size, unit = size / 1024, unit + 1
        return f"{self.num(size, 0 if unit == 0 else 1)} {units[unit]}"

    def message(self, error: PusipError) -> str:
        return error.message_en if self.lang == "en" else error.message

    def bilingual(self, item: Any, name: str = "message") -> str:
        """``item.message`` or ``item.message_en`` (or ``label``/``label_en``) for the reader's language."""
        get = item.get if isinstance(item, Mapping) else lambda n, d=None: getattr(item, n, d)
        english = get(f"{name}_en")
        return str(english if self.lang == "en" and english else get(name) or "")

    def problem(self, error: PusipError) -> Problem:
        reasons = [self.reason(r) for r in refusal_reasons(error)]
        key = f"error.{error.code}"
        known = self.t(key)
        message = self.message(error) if known == key or reasons else known
        return Problem(message=message, code=error.code, reasons=reasons)

    def reason(self, reason: Reason) -> dict[str, Any]:
        return {
            "code": reason.code,
            "message": reason.message_en if self.lang == "en" else reason.message,
            "details": reason.details or {},
        }

    def check(self, result: ActionCheck | Any) -> list[dict[str, Any]]:
        if isinstance(result, ActionCheck):
            return [self.reason(r) for r in result.reasons]
        return []

    def ok_message(self) -> str | None:
        key = self.request.query_params.get("ok")
        return self.t(f"kat.ok.{key}") if key in OK_MESSAGES else None

    # -- responses --------------------------------------------------------------------------------

    async def render(
        self, template: str, *, status_code: int = 200, sub: str = "", **values: Any
    ) -> HTMLResponse:
        return await self.portal.render(
            self.request,
            template,
            status_code=status_code,
            section=SECTION,
            base=PREFIX,
            sub=sub,
            roles=self.roles,
            label=self.label,
            fdate=self.fdate,
            fdatetime=self.fdatetime,
            num=self.num,
            fsize=self.size,
            loc=self.bilingual,
            snippet=snippet,
            marked_title=marked_title,
            ok_message=self.ok_message(),
            **values,
        )

    def redirect(self, path: str, ok: str | None = None, anchor: str = "") -> RedirectResponse:
        url = f"{PREFIX}{path}"
        if ok:
            url += ("&" if "?" in url else "?") + urlencode({"ok": ok})
        return RedirectResponse(url + (f"#{anchor}" if anchor else ""), status_code=303)

    def login_redirect(self, back: str | None = None) -> RedirectResponse:
        here = back or self.request.url.path + (
            f"?{self.request.url.query}" if self.request.url.query else ""
        )
        return RedirectResponse(f"/portal/login?next={quote(here, safe='')}", status_code=303)

    def require_staff(self) -> None:
        if not self.roles.staff:
            raise Forbidden(
                "Halaman ini untuk petugas perpustakaan",
                "This page is for library staff",
                code="missing_role",
            )

    @property
    def htmx(self) -> bool:
        return self.request.headers.get("hx-request") == "true"

    async def form(self) -> FormData:
        form = await self.request.form()
        value = form.get(CSRF_FIELD)
        await self.portal.verify_csrf(self.request, value if isinstance(value, str) else "")
        return form

    def holds(self) -> HoldsClient:
        token = self.client.tokens
        return HoldsClient(
            _service_url(self.request.app, "circulation"), tokens=token, http=_http(self.request.app)
        )

    async def service_ready(self, name: str) -> bool:
        """Whether a service answers now (the gateway's cached health check)."""
        health = getattr(self.request.app.state, "health", None)
        if health is None:
            return False
        with contextlib.suppress(Exception):
            _, body = await health.check()
            return bool(body.get("services", {}).get(name, {}).get("status") == "ready")
        return False


def snippet(fragment: str) -> Markup:
    """A search snippet: text escaped, only the ``<mark>`` highlights kept as markup."""
    opened, closed = "\x00", "\x01"
    text = fragment.replace("<mark>", opened).replace("</mark>", closed)
    safe = str(escape(html.unescape(text)))
    return Markup(safe.replace(opened, "<mark>").replace(closed, "</mark>"))  # noqa: S704 - escaped above


def marked_title(title: str, fragments: list[str] | None) -> Markup:
    """The whole title, with the search terms marked when the highlight covers all of it."""
    if fragments:
        marked = snippet(fragments[0])
        if html.unescape(str(marked).replace("<mark>", "").replace("</mark>", "")) == title:
            return marked
    return escape(title)


def json_for_script(data: Any) -> Markup:
    """JSON safe inside a ``<script type="application/ld+json">`` element (no ``</script>`` break-out)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - no markup can survive the replacements above


def text_field(form: FormData, name: str, limit: int = 4000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _http(app: FastAPI) -> httpx.AsyncClient:
    http: httpx.AsyncClient | None = getattr(app.state, HTTP_STATE, None)
    if http is None:
        http = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=3.0))
        setattr(app.state, HTTP_STATE, http)
    return http


def _service_url(app: FastAPI, name: str) -> str:
    urls: Mapping[str, str] = getattr(app.state.settings, "service_urls", {}) or {}
    return urls.get(name) or service_url(name)


async def view_of(request: Request) -> View:
    portal = get_portal(request)
    ctx = await portal.context(request)
    token = await portal.access_token(request)
    client = CatalogClient(
        _service_url(request.app, "catalog"), tokens=StaticToken(token), http=_http(request.app)
    )
    return View(request, portal, ctx, client)


def close_with(app: FastAPI) -> None:
    """Close the pages' HTTP client when the gateway stops."""
    original = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with original(a) as state:
            try:
                yield state
            finally:
                http: httpx.AsyncClient | None = getattr(app.state, HTTP_STATE, None)
                if http is not None:
                    setattr(app.state, HTTP_STATE, None)
                    await http.aclose()

    app.router.lifespan_context = lifespan
