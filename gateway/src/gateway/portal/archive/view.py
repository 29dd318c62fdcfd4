"""One request's view of the archive pages: who is asking, the client, formatting and responses.

Every handler starts with :func:`view_of`, which gives the portal context, the signed-in user's
roles as the archive sees them (:class:`Roles`) and an :class:`~pusip_kit.clients.archive.ArchiveClient`
carrying the user's token (none for a visitor, so the public endpoints answer as for anyone).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import httpx
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.datastructures import FormData

from gateway.portal.core import Portal, PortalContext, get_portal
from pusip_kit.auth.subject import AuthSubject, Role
from pusip_kit.clients import StaticToken
from pusip_kit.clients.archive import ArchiveClient, Reason, Record, refusal_reasons
from pusip_kit.config import service_url
from pusip_kit.errors import Forbidden, NotFound, PusipError

PREFIX = "/portal/kearsipan"
SECTION = "kearsipan"
JAKARTA = ZoneInfo("Asia/Jakarta")
HERE = Path(__file__).parent
ASSETS = {"kearsipan.css": "text/css; charset=utf-8", "kearsipan.js": "text/javascript; charset=utf-8"}
AUDITOR_CATEGORIES = ("pengawas_internal", "pengawas_eksternal")
HTTP_STATE = "archive_pages_http"

LEVELS = ("BIASA", "TERBATAS", "RAHASIA", "SANGAT_RAHASIA")
RECORD_STATUSES = ("aktif", "inaktif", "statis", "musnah")
DUE_ACTIONS = ("pindah", "musnah", "serah", "nilai_kembali", "menunggu_peristiwa")
KINDS = ("dinamis", "statis")
REQUEST_STATUSES = ("diajukan", "disetujui", "ditolak")
DISPOSAL_STATUSES = (
    "usulan",
    "penilaian",
    "persetujuan",
    "disetujui",
    "ditetapkan",
    "dimusnahkan",
    "ditolak",
    "dibatalkan",
)
DISPOSAL_STEPS = ("usulan", "penilaian", "persetujuan", "disetujui", "ditetapkan", "dimusnahkan")
PANEL_ROLES = ("kepala_unit_kearsipan", "kepala_unit_pengolah", "arsiparis")
APPROVAL_LEVELS = ("kepala_dinas", "atasan")
AUDIT_OUTCOMES = ("allowed", "refused", "done")
# Messages shown after a write (``?ok=<key>``); anything else in the query is ignored.
OK_MESSAGES = frozenset(
    {
        "created",
        "uploaded",
        "security_changed",
        "request_sent",
        "request_decided",
        "transfer_created",
        "transfer_executed",
        "handover_created",
        "handover_executed",
        "disposal_created",
        "item_removed",
        "panel_set",
        "submitted",
        "decided",
        "approved",
        "decreed",
        "destroyed",
        "cancelled",
    }
)


@dataclass(frozen=True)
class Roles:
    """What the signed-in user may do here (the service checks again on every call)."""

    user: AuthSubject | None

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    @property
    def archivist(self) -> bool:
        return bool(self.user and self.user.has_role(Role.ARCHIVIST))

    @property
    def creator(self) -> bool:
        return bool(self.user and Role.RECORDS_CREATOR in self.user.roles)

    @property
    def writer(self) -> bool:
        return self.archivist or self.creator

    @property
    def auditor(self) -> bool:
        if self.user is None:
            return False
        category = (self.user.access_category or "").partition(":")[0]
        return self.user.is_admin or category in AUDITOR_CATEGORIES

    @property
    def unit(self) -> str | None:
        return self.user.unit if self.user else None

    @property
    def name(self) -> str:
        return (self.user.username or self.user.subject) if self.user else ""


@dataclass
class Problem:
    """What went wrong, ready for a template: a message, named reasons, messages per field."""

    message: str
    code: str
    reasons: list[dict[str, Any]] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)


class View:
    def __init__(self, request: Request, portal: Portal, ctx: PortalContext, client: ArchiveClient) -> None:
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

    # -- formatting (also given to every template) ----------------------------------------------

    def label(self, kind: str, code: object) -> str:
        """A code's display name from the catalogs (``label("level", "RAHASIA")``)."""
        if code is None or code == "":
            return "–"
        key = f"ars.{kind}.{code}"
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
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
        else:
            moment = value
        clock = "d MMM yyyy HH.mm.ss" if self.lang == "id" else "d MMM yyyy HH:mm:ss"
        return f"{format_datetime(moment.astimezone(JAKARTA), clock, locale=self.lang)} WIB"

    def fmt_size(self, size: int | None) -> str:
        if size is None:
            return "–"
        value, unit = float(size), "B"
        for unit in ("B", "KB", "MB", "GB"):
            if value < 1024 or unit == "GB":
                break
            value /= 1024
        digits = "#,##0" if unit == "B" else "#,##0.#"
        return f"{format_decimal(value, format=digits, locale=self.lang)} {unit}"

    def fmt_number(self, value: int | float | None) -> str:
        return "–" if value is None else str(format_decimal(value, locale=self.lang))

    def retention(self, years: int | None, event: str | None) -> str:
        """``2 tahun setelah tidak berlaku`` / ``2 years setelah tidak berlaku`` / ``–``."""
        parts = []
        if years is not None:
            parts.append(self.t("ars.years", n=years))
        if event:
            parts.append(event)
        return " ".join(parts) if parts else "–"

    @staticmethod
    def actor(value: str | None) -> str:
        """``<subject>:<username>`` (how the service names people) shown as the username."""
        if not value:
            return "–"
        return value.rsplit(":", 1)[-1] if ":" in value else value

    def message(self, error: PusipError) -> str:
        return error.message_en if self.lang == "en" else error.message

    def reason(self, reason: Reason | Mapping[str, Any]) -> dict[str, Any]:
        item = reason if isinstance(reason, Reason) else Reason.model_validate(reason)
        return {
            "code": item.code,
            "message": item.message_en if self.lang == "en" else item.message,
            "details": item.details or {},
        }

    def problem(self, error: PusipError) -> Problem:
        reasons = [self.reason(r) for r in refusal_reasons(error)]
        fields: dict[str, str] = {}
        if isinstance(error.details, list):  # validation errors: [{loc, msg, type}]
            for item in error.details:
                if isinstance(item, Mapping) and item.get("loc"):
                    loc = [str(p) for p in item["loc"] if not isinstance(p, int)]
                    if loc:
                        fields.setdefault(loc[-1], str(item.get("msg") or ""))
        # the pages' own wording where they have one, else the service's (bilingual) message
        key = f"ars.error.{error.code}"
        known = self.t(key)
        message = known if known != key else self.message(error)
        if reasons:
            message = self.t("ars.refused")
        return Problem(message=message, code=error.code, reasons=reasons, fields=fields)

    def ok_message(self) -> str | None:
        key = self.request.query_params.get("ok")
        return self.t(f"ars.ok.{key}") if key in OK_MESSAGES else None

    # -- access ----------------------------------------------------------------------------------

    def login_redirect(self) -> RedirectResponse:
        here = self.request.url.path + (f"?{self.request.url.query}" if self.request.url.query else "")
        return RedirectResponse(f"/portal/login?next={quote(here, safe='')}", status_code=303)

    def need(self, allowed: bool) -> Response | None:
        """``None`` when the page may be shown; else the sign-in redirect or a 403."""
        if not self.roles.signed_in:
            return self.login_redirect()
        if not allowed:
            raise Forbidden(
                "Halaman ini bukan untuk peran Anda", "This page is not for your role", code="missing_role"
            )
        return None

    async def form(self) -> FormData:
        """The posted form, after checking its CSRF token."""
        form = await self.request.form()
        token = form.get("csrf_token")
        await self.portal.verify_csrf(self.request, token if isinstance(token, str) else "")
        return form

    # -- responses -------------------------------------------------------------------------------

    @property
    def htmx(self) -> bool:
        return self.request.headers.get("hx-request") == "true"

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
            fdate=self.fmt_date,
            fdatetime=self.fmt_datetime,
            fsize=self.fmt_size,
            fnum=self.fmt_number,
            retention=self.retention,
            actor=self.actor,
            asset=asset_url,
            ok_message=self.ok_message(),
            levels=LEVELS,
            **values,
        )

    def redirect(self, path: str, ok: str | None = None, anchor: str = "") -> RedirectResponse:
        url = f"{PREFIX}{path}"
        if ok:
            url += ("&" if "?" in url else "?") + urlencode({"ok": ok})
        return RedirectResponse(url + (f"#{anchor}" if anchor else ""), status_code=303)

    async def records_by_id(self, ids: Iterable[Any], *, limit: int = 300) -> dict[str, Record | None]:
        """The records the user may read, by id (``None`` for those refused or gone)."""
        wanted = list(dict.fromkeys(str(i) for i in ids))[:limit]
        gate = asyncio.Semaphore(8)

        async def one(record_id: str) -> Record | None:
            async with gate:
                try:
                    return await self.client.record(record_id)
                except NotFound:
                    return None

        found = await asyncio.gather(*(one(i) for i in wanted))
        return dict(zip(wanted, found, strict=True))


def asset_url(name: str) -> str:
    return f"{PREFIX}/aset/{name}"


def stream_response(upstream: httpx.Response, *, attachment: bool = True) -> StreamingResponse:
    """Hand an open upstream response to the browser as it arrives (closed when done)."""
    headers = {"cache-control": "private, no-store"}
    for name in ("content-length", "content-disposition", "etag"):
        if name in upstream.headers:
            headers[name] = upstream.headers[name]
    if not attachment and "content-disposition" in headers:
        headers["content-disposition"] = headers["content-disposition"].replace("attachment", "inline", 1)
    return StreamingResponse(
        upstream.aiter_raw(),
        media_type=upstream.headers.get("content-type", "application/octet-stream"),
        headers=headers,
        background=BackgroundTask(upstream.aclose),
    )


# -- the client ------------------------------------------------------------------------------------


def _http(app: FastAPI) -> httpx.AsyncClient:
    http: httpx.AsyncClient | None = getattr(app.state, HTTP_STATE, None)
    if http is None:
        http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=3.0))
        setattr(app.state, HTTP_STATE, http)
    return http


def _service_url(app: FastAPI) -> str:
    urls: Mapping[str, str] = getattr(app.state.settings, "service_urls", {}) or {}
    return urls.get("archive") or service_url("archive")


async def view_of(request: Request) -> View:
    portal = get_portal(request)
    ctx = await portal.context(request)
    token = await portal.access_token(request)
    client = ArchiveClient(_service_url(request.app), tokens=StaticToken(token), http=_http(request.app))
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


# -- form helpers ----------------------------------------------------------------------------------


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def texts(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def people(form: FormData, prefix: str, count: int, *, with_role: bool = False) -> list[dict[str, Any]]:
    """Rows ``<prefix>-<i>-name``, ``-nip``, ``-position`` (and ``-role``) that have a name."""
    rows = []
    for i in range(count):
        name = text(form, f"{prefix}-{i}-name")
        if not name:
            continue
        row: dict[str, Any] = {"name": name, "nip": text(form, f"{prefix}-{i}-nip") or None}
        if with_role:
            row["role"] = text(form, f"{prefix}-{i}-role")
        else:
            row["position"] = text(form, f"{prefix}-{i}-position")
        rows.append(row)
    return rows


def uuids(values: Sequence[str]) -> list[str]:
    import uuid

    out = []
    for value in values:
        try:
            out.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return list(dict.fromkeys(out))
