"""What every circulation page handler works with: the request's :class:`View`.

A view holds the portal context (language, user, CSRF), the user's roles as the pages need them, a
:class:`CirculationClient` carrying the user's token, and the formatting helpers given to templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from gateway.portal import section
from gateway.portal.charts import format_number
from gateway.portal.circulation.client import CirculationClient
from gateway.portal.section import Problem, SectionRoles, SectionView, open_client
from pusip_kit.auth.subject import Role
from pusip_kit.errors import Forbidden, PusipError

PREFIX = "/portal/sirkulasi"
SECTION = "sirkulasi"
HTTP_STATE = "circulation_pages_http"
TIMEOUT = httpx.Timeout(30.0, connect=3.0)

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


class Roles(SectionRoles):
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


class View(SectionView[CirculationClient, Roles]):
    prefix = PREFIX
    roles_type = Roles
    section = SECTION
    keys = "sir"
    ok_messages = OK_MESSAGES

    def rupiah(self, value: float | int | None) -> str:
        return "Rp" + format_number(float(value or 0), self.lang, decimals=0)

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
        message = self.message(error) if known == key else known
        return Problem(message=message, code=error.code, reasons=reasons)

    def helpers(self) -> dict[str, Any]:
        return {"rupiah": self.rupiah, "num": self.num, "loc": self.loc}

    def redirect(self, path: str, ok: str | None = None, anchor: str = "", **query: str) -> RedirectResponse:
        params = {k: v for k, v in query.items() if v}
        if ok:
            params["ok"] = ok
        url = f"{PREFIX}{path}" + (f"?{urlencode(params)}" if params else "")
        return RedirectResponse(url + (f"#{anchor}" if anchor else ""), status_code=303)

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

    async def branch_names(self) -> dict[str, str]:
        return {b["code"]: b["name"] for b in await self.client.branches()}

    def pick_branch(self, wanted: str | None, names: Mapping[str, str]) -> str:
        """The desk's branch: the one asked for if the user works there, else their first."""
        allowed = list(self.roles.branches) or list(names)
        if wanted and wanted in allowed:
            return wanted
        return allowed[0] if allowed else (wanted or "")


def text_field(form: FormData, name: str, limit: int = 200) -> str:
    return section.text_field(form, name, limit)


async def view_of(request: Request) -> View:
    portal, ctx, client = await open_client(request, CirculationClient, "circulation", HTTP_STATE, TIMEOUT)
    return View(request, portal, ctx, client)


def close_with(app: FastAPI) -> None:
    """Close the pages' HTTP client when the gateway stops."""
    section.close_with(app, HTTP_STATE)
