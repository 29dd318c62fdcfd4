"""One request's view of the archive pages: who is asking, the client, formatting and responses.

Every handler starts with :func:`view_of`, which gives the portal context, the signed-in user's
roles as the archive sees them (:class:`Roles`) and an :class:`~pusip_kit.clients.archive.ArchiveClient`
carrying the user's token (none for a visitor, so the public endpoints answer as for anyone).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
from babel.numbers import format_decimal
from fastapi import FastAPI, Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.datastructures import FormData

from gateway.portal.section import Problem, SectionRoles, SectionView, open_client
from gateway.portal.section import close_with as close_section
from gateway.portal.section import parse_date as parse_date  # the pages use it from here
from gateway.portal.section import text_field as text
from pusip_kit.auth.subject import Role
from pusip_kit.clients.archive import ArchiveClient, Record, refusal_reasons
from pusip_kit.errors import Forbidden, NotFound, PusipError

PREFIX = "/portal/kearsipan"
SECTION = "kearsipan"
HERE = Path(__file__).parent
ASSETS = {"kearsipan.css": "text/css; charset=utf-8", "kearsipan.js": "text/javascript; charset=utf-8"}
AUDITOR_CATEGORIES = ("pengawas_internal", "pengawas_eksternal")
HTTP_STATE = "archive_pages_http"
TIMEOUT = httpx.Timeout(30.0, connect=3.0)

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


class Roles(SectionRoles):
    """What the signed-in user may do here (the service checks again on every call)."""

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


class View(SectionView[ArchiveClient, Roles]):
    prefix = PREFIX
    roles_type = Roles
    section = SECTION
    keys = "ars"
    ok_messages = OK_MESSAGES
    clock = ("d MMM yyyy HH.mm.ss", "d MMM yyyy HH:mm:ss")

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

    # -- access ----------------------------------------------------------------------------------

    def need(self, allowed: bool) -> Response | None:
        """``None`` when the page may be shown; else the sign-in redirect or a 403."""
        if not self.roles.signed_in:
            return self.login_redirect()
        if not allowed:
            raise Forbidden(
                "Halaman ini bukan untuk peran Anda", "This page is not for your role", code="missing_role"
            )
        return None

    def helpers(self) -> dict[str, Any]:
        return {
            "fsize": self.fmt_size,
            "fnum": self.fmt_number,
            "retention": self.retention,
            "actor": self.actor,
            "asset": asset_url,
            "levels": LEVELS,
        }

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


async def view_of(request: Request) -> View:
    portal, ctx, client = await open_client(request, ArchiveClient, "archive", HTTP_STATE, TIMEOUT)
    return View(request, portal, ctx, client)


def close_with(app: FastAPI) -> None:
    """Close the pages' HTTP client when the gateway stops."""
    close_section(app, HTTP_STATE)


# -- form helpers ----------------------------------------------------------------------------------


def texts(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


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
