"""The calls the circulation pages make to the circulation service, with the signed-in user's token.

Answers are the service's JSON (plain dicts): the pages only show them. Errors arrive as the kit's
:class:`~pusip_kit.errors.PusipError` (a refusal carries every named reason in ``details``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from pusip_kit.clients.base import ServiceClient
from pusip_kit.errors import NotFound, PusipError

Json = dict[str, Any]


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v not in (None, "")}


class CirculationClient(ServiceClient):
    service = "circulation"

    async def get(self, path: str, **params: Any) -> Any:
        return (await self.request("GET", path, params=_clean(params))).json()

    async def post(self, path: str, body: Json | None = None) -> Any:
        response = await self.request("POST", path, json=body or {})
        return response.json() if response.content else None

    # -- the patron's own account ----------------------------------------------------------------

    async def me(self) -> Json | None:
        """The account, or ``None`` when the signed-in user is not a member yet."""
        try:
            return dict(await self.get("/patrons/me"))
        except NotFound:
            return None

    async def update_me(self, **changes: Any) -> Json:
        response = await self.request("PATCH", "/patrons/me", json=changes)
        return dict(response.json())

    async def export_me(self) -> httpx.Response:
        return await self.request("GET", "/patrons/me/export")

    async def for_you(self) -> Json:
        """Recommendations and announcements; empty when the service has none (or no such route yet)."""
        try:
            body = await self.get("/me/for-you")
        except PusipError:
            return {"recommendations": [], "announcements": []}
        if not isinstance(body, dict):
            return {"recommendations": [], "announcements": []}
        return {
            "recommendations": list(body.get("recommendations") or []),
            "announcements": list(body.get("announcements") or []),
        }

    async def pdf(self, path: str) -> httpx.Response:
        return await self.request("GET", path)

    # -- the desk --------------------------------------------------------------------------------

    async def checkout(self, card: str, barcode: str, branch: str) -> Json:
        return dict(await self.post("/loans", {"patron": card, "item": barcode, "branch": branch}))

    async def checkin(self, barcode: str, branch: str, returned_on: date | None = None) -> Json:
        body: Json = {"item": barcode, "branch": branch}
        if returned_on is not None:
            body["returned_on"] = returned_on.isoformat()
        return dict(await self.post("/returns", body))

    async def renew(self, barcode: str, card: str | None = None) -> Json:
        return dict(await self.post("/renewals", _clean({"item": barcode, "patron": card})))

    async def receive(self, barcode: str, branch: str) -> Json:
        return dict(await self.post("/transits/receive", {"item": barcode, "branch": branch}))

    async def branches(self) -> list[Json]:
        try:
            body = await self.get("/branches", limit=100)
        except PusipError:
            return []
        return list(body.get("items") or [])
