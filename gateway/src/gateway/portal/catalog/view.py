"""What every catalogue page handler works with: the request's :class:`View`.

A view holds the portal context (language, user, CSRF), the user's roles as the pages need them,
and a :class:`~pusip_kit.clients.catalog.CatalogClient` carrying the user's token (no token for
anonymous readers). Formatting helpers given to every template live here too.
"""

from __future__ import annotations

import contextlib
import html
import json
from typing import Any

import httpx
from fastapi import FastAPI, Request
from markupsafe import Markup, escape
from starlette.datastructures import FormData

from gateway.portal import section
from gateway.portal.catalog.holds import HoldsClient
from gateway.portal.section import (
    Problem,
    SectionRoles,
    SectionView,
    open_client,
    section_service_url,
    shared_http,
)
from pusip_kit.auth.subject import Role
from pusip_kit.clients.catalog import ActionCheck, CatalogClient, refusal_reasons
from pusip_kit.errors import Forbidden, PusipError

PREFIX = "/portal/katalog"
SECTION = "katalog"
HTTP_STATE = "catalog_pages_http"
TIMEOUT = httpx.Timeout(60.0, connect=3.0)

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


class Roles(SectionRoles):
    @property
    def staff(self) -> bool:
        return bool(self.user and self.user.has_role(Role.LIBRARIAN, Role.CATALOGER))


class View(SectionView[CatalogClient, Roles]):
    prefix = PREFIX
    roles_type = Roles
    section = SECTION
    keys = "kat"
    ok_messages = OK_MESSAGES

    @property
    def client_ip(self) -> str | None:
        return self.request.client.host if self.request.client else None

    bilingual = SectionView.loc

    def problem(self, error: PusipError) -> Problem:
        reasons = [self.reason(r) for r in refusal_reasons(error)]
        key = f"error.{error.code}"
        known = self.t(key)
        message = self.message(error) if known == key or reasons else known
        return Problem(message=message, code=error.code, reasons=reasons)

    def check(self, result: ActionCheck | Any) -> list[dict[str, Any]]:
        if isinstance(result, ActionCheck):
            return [self.reason(r) for r in result.reasons]
        return []

    def helpers(self) -> dict[str, Any]:
        return {
            "num": self.num,
            "fsize": self.size,
            "loc": self.loc,
            "snippet": snippet,
            "marked_title": marked_title,
        }

    def require_staff(self) -> None:
        if not self.roles.staff:
            raise Forbidden(
                "Halaman ini untuk petugas perpustakaan",
                "This page is for library staff",
                code="missing_role",
            )

    def holds(self) -> HoldsClient:
        token = self.client.tokens
        app = self.request.app
        return HoldsClient(
            section_service_url(app, "circulation"), tokens=token, http=shared_http(app, HTTP_STATE, TIMEOUT)
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
    return section.text_field(form, name, limit)


async def view_of(request: Request) -> View:
    portal, ctx, client = await open_client(request, CatalogClient, "catalog", HTTP_STATE, TIMEOUT)
    return View(request, portal, ctx, client)


def close_with(app: FastAPI) -> None:
    """Close the pages' HTTP client when the gateway stops."""
    section.close_with(app, HTTP_STATE)
