"""What every service section of the portal shares: one request's view and the client it calls with.

A section (``/portal/kearsipan``, ``/portal/katalog`` …) subclasses :class:`SectionView` with its
prefix, its message-key prefix, its ``?ok=`` messages and its roles; :func:`open_client` gives it
the service's typed client carrying the user's token over one pooled connection per section, and
:func:`close_with` closes that pool when the gateway stops.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import httpx
from babel.dates import format_date, format_datetime
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from gateway.portal.charts import format_number
from gateway.portal.core import Portal, PortalContext, get_portal
from gateway.portal.session import CSRF_FIELD
from pusip_kit.auth.subject import AuthSubject
from pusip_kit.clients import StaticToken
from pusip_kit.clients.shapes import Reason
from pusip_kit.config import service_url
from pusip_kit.errors import PusipError

JAKARTA = ZoneInfo("Asia/Jakarta")
C = TypeVar("C")
R = TypeVar("R")


@dataclass
class Problem:
    """What went wrong, ready for a template: a message, the named reasons, messages per field."""

    message: str
    code: str
    reasons: list[dict[str, Any]] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "reasons": self.reasons, "fields": self.fields}


def field_messages(error: PusipError) -> dict[str, str]:
    """A 422's messages by field (the last part of each ``loc``), the last one per field kept."""
    fields: dict[str, str] = {}
    if isinstance(error.details, list):  # validation errors: [{loc, msg, type}]
        for item in error.details:
            if isinstance(item, Mapping) and item.get("loc"):
                fields[str(list(item["loc"])[-1])] = str(item.get("msg") or "")
    return fields


@dataclass(frozen=True)
class SectionRoles:
    """Who is asking; a section adds what its pages need (the service checks again on every call)."""

    user: AuthSubject | None

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    @property
    def unit(self) -> str | None:
        return self.user.unit if self.user else None

    @property
    def name(self) -> str:
        return (self.user.username or self.user.subject) if self.user else ""


class SectionView(Generic[C, R]):
    """The portal context, the user's roles (``R``) and the service client (``C``) of one request."""

    prefix: ClassVar[str]  # the section's path, e.g. ``/portal/katalog``
    section: ClassVar[str]  # the navigation entry
    keys: ClassVar[str]  # the message keys' prefix, e.g. ``kat``
    ok_messages: ClassVar[frozenset[str]] = frozenset()  # messages shown after a write (``?ok=<key>``)
    decimals: ClassVar[int] = 0  # of :meth:`num`
    clock: ClassVar[tuple[str, str]] = ("d MMM yyyy HH.mm", "d MMM yyyy HH:mm")  # Indonesian, English

    roles_type: Callable[[AuthSubject | None], R]  # the section's roles, made from the user

    def __init__(self, request: Request, portal: Portal, ctx: PortalContext, client: C) -> None:
        self.request = request
        self.portal = portal
        self.ctx = ctx
        self.client = client
        self.roles = self.roles_type(ctx.user)

    @property
    def lang(self) -> str:
        return self.ctx.lang

    def t(self, key: str, **params: Any) -> str:
        return self.ctx.t(key, **params)

    # -- formatting (also given to every template) ----------------------------------------------

    def label(self, kind: str, code: object) -> str:
        """A code's display name from the catalogs (``label("material", "book")``), else the code."""
        if code is None or code == "":
            return "–"
        key = f"{self.keys}.{kind}.{code}"
        text = self.t(key)
        return str(code) if text == key else text

    def fmt_date(self, value: date | datetime | str | None) -> str:
        if not value:
            return "–"
        day: date | datetime
        if isinstance(value, str):
            try:
                day = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value[:10])
            except ValueError:
                return value
        else:
            day = value
        if isinstance(day, datetime):
            day = day.astimezone(JAKARTA).date()
        return str(format_date(day, format="d MMM yyyy", locale=self.lang))

    def fmt_datetime(self, value: datetime | str | None) -> str:
        if not value:
            return "–"
        moment: datetime
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
        else:
            moment = value
        pattern = self.clock[0] if self.lang == "id" else self.clock[1]
        return f"{format_datetime(moment.astimezone(JAKARTA), pattern, locale=self.lang)} WIB"

    def num(self, value: float | Decimal | int | None, decimals: int | None = None) -> str:
        places = self.decimals if decimals is None else decimals
        return format_number(None if value is None else float(value), self.lang, decimals=places)

    def size(self, value: int | None) -> str:
        if value is None:
            return "–"
        units = ("B", "KB", "MB", "GB")
        amount, unit = float(value), 0
        while amount >= 1024 and unit < len(units) - 1:
            amount, unit = amount / 1024, unit + 1
        return f"{self.num(amount, 1 if unit else 0)} {units[unit]}"

    def loc(self, item: Any, name: str = "message") -> str:
        """``item.message`` or ``item.message_en`` (``label``/``label_en`` …) for the reader's language."""
        get = item.get if isinstance(item, Mapping) else lambda n, d=None: getattr(item, n, d)
        english = get(f"{name}_en")
        return str(english if self.lang == "en" and english else get(name) or "")

    def message(self, error: PusipError) -> str:
        return error.message_en if self.lang == "en" else error.message

    def reason(self, reason: Reason | Mapping[str, Any]) -> dict[str, Any]:
        item = reason if isinstance(reason, Reason) else Reason.model_validate(reason)
        return {
            "code": item.code,
            "message": item.message_en if self.lang == "en" else item.message,
            "details": item.details or {},
        }

    def ok_message(self) -> str | None:
        key = self.request.query_params.get("ok")
        return self.t(f"{self.keys}.ok.{key}") if key in self.ok_messages else None

    # -- requests and responses ------------------------------------------------------------------

    @property
    def htmx(self) -> bool:
        return self.request.headers.get("hx-request") == "true"

    async def form(self) -> FormData:
        """The posted form, after checking its CSRF token."""
        form = await self.request.form()
        value = form.get(CSRF_FIELD)
        await self.portal.verify_csrf(self.request, value if isinstance(value, str) else "")
        return form

    def helpers(self) -> dict[str, Any]:
        """The section's own functions and values for every template."""
        return {}

    async def render(
        self, template: str, *, status_code: int = 200, sub: str = "", **values: Any
    ) -> HTMLResponse:
        return await self.portal.render(
            self.request,
            template,
            status_code=status_code,
            section=self.section,
            base=self.prefix,
            sub=sub,
            roles=self.roles,
            label=self.label,
            fdate=self.fmt_date,
            fdatetime=self.fmt_datetime,
            ok_message=self.ok_message(),
            **(self.helpers() | values),
        )

    def redirect(self, path: str, ok: str | None = None, anchor: str = "") -> RedirectResponse:
        url = f"{self.prefix}{path}"
        if ok:
            url += ("&" if "?" in url else "?") + urlencode({"ok": ok})
        return RedirectResponse(url + (f"#{anchor}" if anchor else ""), status_code=303)

    def login_redirect(self, back: str | None = None) -> RedirectResponse:
        here = back or self.request.url.path + (
            f"?{self.request.url.query}" if self.request.url.query else ""
        )
        return RedirectResponse(f"/portal/login?next={quote(here, safe='')}", status_code=303)


def text_field(form: FormData, name: str, limit: int | None = None) -> str:
    """A posted text field, trimmed (and cut to ``limit``); empty when absent or a file."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# -- the client ------------------------------------------------------------------------------------


def shared_http(app: FastAPI, state: str, timeout: httpx.Timeout) -> httpx.AsyncClient:
    """One connection pool per section, kept on the app (each call carries its own token)."""
    http: httpx.AsyncClient | None = getattr(app.state, state, None)
    if http is None:
        http = httpx.AsyncClient(timeout=timeout)
        setattr(app.state, state, http)
    return http


def section_service_url(app: FastAPI, name: str) -> str:
    urls: Mapping[str, str] = getattr(app.state.settings, "service_urls", {}) or {}
    return urls.get(name) or service_url(name)


async def open_client(
    request: Request, make: Callable[..., C], service: str, state: str, limits: httpx.Timeout
) -> tuple[Portal, PortalContext, C]:
    """The portal, the request's context and ``make(url, tokens=…, http=…)`` with the user's token."""
    portal = get_portal(request)
    ctx = await portal.context(request)
    token = await portal.access_token(request)
    http = shared_http(request.app, state, limits)
    client = make(section_service_url(request.app, service), tokens=StaticToken(token), http=http)
    return portal, ctx, client


def close_with(app: FastAPI, state: str) -> None:
    """Close the section's HTTP client when the gateway stops."""
    original = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with original(a) as running:
            try:
                yield running
            finally:
                http: httpx.AsyncClient | None = getattr(app.state, state, None)
                if http is not None:
                    setattr(app.state, state, None)
                    await http.aclose()

    app.router.lifespan_context = lifespan
