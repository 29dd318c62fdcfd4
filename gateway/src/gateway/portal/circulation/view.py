"""What every circulation page handler works with: the request's :class:`View`.

A view holds the portal context (language, user, CSRF), the user's roles as the pages need them, a
:class:`CirculationClient` carrying the user's token, and the formatting helpers given to templates.
"""

from __future__ import annotations

import contextlib
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
from starlette.datastructures import FormData

from gateway.portal.charts import format_number
from gateway.portal.circulation.client import CirculationClient
from gateway.portal.core import Portal, PortalContext, get_portal
from gateway.portal.session import CSRF_FIELD
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.clients import StaticToken
from pusip_kit.config import service_url
from pusip_kit.errors import Forbidden, PusipError

PREFIX = "/portal/sirkulasi"
SECTION = "sirkulasi"
JAKARTA = ZoneInfo("Asia/Jakarta")
HTTP_STATE = "circulation_pages_http"

OK_MESSAGES = frozenset(
    {
        "registered",
        "verified",
        "verification_sent",
        "renewed",
        "hold_cancelled",
        "privacy_saved",
        "notice_read",
        "digital_returned",
        "deleted",
        "received",
        "paid",
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
        return bool(self.user and self.user.has_role(Role.LIBRARIAN))

    @property
    def stats(self) -> bool:
        return bool(self.user and self.user.has_role(Role.LIBRARIAN, Role.ACCREDITATION_OFFICER))

    @property
    def branches(self) -> tuple[str, ...]:
        """The branches the user works at (empty: every branch)."""
        if not self.user or self.user.is_admin:
            return ()
        return tuple(sorted(self.user.branches))


@dataclass
class Problem:
    """What went wrong, ready for a template: a message and every named reason."""

    message: str
    code: str
    reasons: list[dict[str, Any]]


class View:
    def __init__(
        self, request: Request, portal: Portal, ctx: PortalContext, client: CirculationClient
    ) -> None:
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

    # -- formatting ---------------------------------------------------------------------------

    def label(self, kind: str, code: object) -> str:
        """A code's display name (``label("hold", "ready")``), else the code itself."""
        if code is None or code == "":
            return "–"
        key = f"sir.{kind}.{code}"
        text = self.t(key)
        return str(code) if text == key else text

    def fdate(self, value: date | datetime | str | None) -> str:
        if not value:
            return "–"
        if isinstance(value, str):
            text = value
            try:
                value = datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
            except ValueError:
                return text
        if isinstance(value, datetime):
            value = value.astimezone(JAKARTA).date()
        return str(format_date(value, format="d MMM yyyy", locale=self.lang))

    def fdatetime(self, value: datetime | str | None) -> str:
        if not value:
            return "–"
        if isinstance(value, str):
            text = value
            try:
                value = datetime.fromisoformat(text)
            except ValueError:
                return text
        pattern = "d MMM yyyy HH.mm" if self.lang == "id" else "d MMM yyyy HH:mm"
        return f"{format_datetime(value.astimezone(JAKARTA), format=pattern, locale=self.lang)} WIB"

    def rupiah(self, value: float | int | None) -> str:
        return "Rp" + format_number(float(value or 0), self.lang, decimals=0)

    def num(self, value: float | int | None) -> str:
        return format_number(None if value is None else float(value), self.lang, decimals=0)

    def loc(self, item: Any, name: str = "message") -> str:
        """``item[name]`` or ``item[name + "_en"]`` for the reader's language."""
        get = item.get if isinstance(item, Mapping) else lambda n, d=None: getattr(item, n, d)
        english = get(f"{name}_en")
        return str(english if self.lang == "en" and english else get(name) or "")

    def problem(self, error: PusipError) -> Problem:
        details = error.details if isinstance(error.details, Mapping) else {}
        reasons = [
            {"code": str(r.get("code", "")), "message": self.loc(r), "details": r.get("details") or {}}
            for r in details.get("reasons") or []
            if isinstance(r, Mapping)
        ]
        if isinstance(error.details, list):  # a payload the service refused, field by field
            for field_error in error.details:
                if not isinstance(field_error, Mapping):
                    continue
                field = str((field_error.get("loc") or ["?"])[-1])
                label = self.t(f"sir.register.{field}")
                name = field if label == f"sir.register.{field}" else label
                text = str(field_error.get("msg") or "").removeprefix("Value error, ")
                reasons.append({"code": field, "message": f"{name}: {text}", "details": {}})
        key = f"error.{error.code}"
        known = self.t(key)
        message = (error.message_en if self.lang == "en" else error.message) if known == key else known
        return Problem(message=message, code=error.code, reasons=reasons)

    def ok_message(self) -> str | None:
        key = self.request.query_params.get("ok")
        return self.t(f"sir.ok.{key}") if key in OK_MESSAGES else None

    # -- responses ----------------------------------------------------------------------------

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
            rupiah=self.rupiah,
            num=self.num,
            loc=self.loc,
            ok_message=self.ok_message(),
            **values,
        )

    def redirect(self, path: str, ok: str | None = None, anchor: str = "", **query: str) -> RedirectResponse:
        params = {k: v for k, v in query.items() if v}
        if ok:
            params["ok"] = ok
        url = f"{PREFIX}{path}" + (f"?{urlencode(params)}" if params else "")
        return RedirectResponse(url + (f"#{anchor}" if anchor else ""), status_code=303)

    def login_redirect(self, back: str | None = None) -> RedirectResponse:
        here = back or self.request.url.path + (
            f"?{self.request.url.query}" if self.request.url.query else ""
        )
        return RedirectResponse(f"/portal/login?next={quote(here, safe='')}", status_code=303)

    def require_staff(self) -> None:
        if not self.roles.staff:
            raise Forbidden(
                "Halaman ini untuk petugas sirkulasi",
                "This page is for circulation staff",
                code="missing_role",
            )

    def require_stats(self) -> None:
        if not self.roles.stats:
            raise Forbidden(
                "Statistik untuk petugas perpustakaan",
                "Statistics are for library staff",
                code="missing_role",
            )

    async def form(self) -> FormData:
        form = await self.request.form()
        value = form.get(CSRF_FIELD)
        await self.portal.verify_csrf(self.request, value if isinstance(value, str) else "")
        return form

    async def branch_names(self) -> dict[str, str]:
        return {b["code"]: b["name"] for b in await self.client.branches()}

    def pick_branch(self, wanted: str | None, names: Mapping[str, str]) -> str:
        """The desk's branch: the one asked for if the user works there, else their first."""
        allowed = list(self.roles.branches) or list(names)
        if wanted and wanted in allowed:
            return wanted
        return allowed[0] if allowed else (wanted or "")


def text_field(form: FormData, name: str, limit: int = 200) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _http(app: FastAPI) -> httpx.AsyncClient:
    http: httpx.AsyncClient | None = getattr(app.state, HTTP_STATE, None)
    if http is None:
        http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=3.0))
        setattr(app.state, HTTP_STATE, http)
    return http


def circulation_url(app: FastAPI) -> str:
    urls: Mapping[str, str] = getattr(app.state.settings, "service_urls", {}) or {}
    return urls.get("circulation") or service_url("circulation")


async def view_of(request: Request) -> View:
    portal = get_portal(request)
    ctx = await portal.context(request)
    token = await portal.access_token(request)
    client = CirculationClient(
        circulation_url(request.app), tokens=StaticToken(token), http=_http(request.app)
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
